package network

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// fakeCell is a small differentiable stand-in for a surrogate cell model, used
// to test the surrogate network without trained weights. Synaptic input (µS)
// charges a leaky current u (excitatory receptors positive, inhibitory
// negative); the somatic voltage is −65 mV + u − 20·a, with an adaptation a
// that builds up while the voltage is above threshold and makes the voltage
// fall again after a crossing; the dipole (pyramidal cells) is 0.05·u nAm.
type fakeCell[T autograd.Float] struct {
	inputs  []neuron.Channel
	w       *autograd.Tensor[T] // [channels, 1] mV per µS
	pyr     bool
	thr     float64
	nanGrad bool // the input's gradient is NaN (to test the guards)
}

// nanGradOp is the identity forward whose backward passes NaN.
type nanGradOp[T autograd.Float] struct{}

func (nanGradOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	g := tp.GradOf(nd.In[0])
	for i := range g {
		g[i] += T(math.NaN())
	}
}

type fakeState[T autograd.Float] struct{ u, a *autograd.Tensor[T] }

func newFakeCell[T autograd.Float](ct CellType, gain float64) *fakeCell[T] {
	d, err := neuron.Template(ct.NeuronType())
	if err != nil {
		panic(err)
	}
	c := &fakeCell[T]{inputs: d.Channels(), pyr: ct.IsPyramidal(), thr: -55}
	c.w = autograd.Zeros[T](len(c.inputs), 1)
	for i, ch := range c.inputs {
		g := gain * (1 + 0.1*float64(i%3)) // channels differ a little
		switch ch.Receptor {
		case neuron.GABAA, neuron.GABAB:
			g = -g
		}
		c.w.Data[i] = T(g)
	}
	return c
}

func (c *fakeCell[T]) Inputs() []neuron.Channel { return c.inputs }
func (c *fakeCell[T]) Outputs() []string {
	if c.pyr {
		return []string{"soma", "dipole"}
	}
	return []string{"soma"}
}
func (c *fakeCell[T]) SomaOutput() int { return 0 }
func (c *fakeCell[T]) DipoleOutput() int {
	if c.pyr {
		return 1
	}
	return -1
}
func (c *fakeCell[T]) Dt() float64             { return 0.5 }
func (c *fakeCell[T]) SpikeThreshold() float64 { return c.thr }
func (c *fakeCell[T]) NewState(tp *autograd.Tape[T], batch int) *fakeState[T] {
	return &fakeState[T]{u: tp.NewTensor(batch, 1), a: tp.NewTensor(batch, 1)}
}

func (c *fakeCell[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *fakeState[T]) (*autograd.Tensor[T], *fakeState[T]) {
	if c.nanGrad {
		y := tp.NewTensor(x.Shape()...)
		copy(y.Data, x.Data)
		tp.Record(nanGradOp[T]{}, y, x)
		x = y
	}
	u := tp.Add(tp.Scale(st.u, 0.8), tp.MatMul(x, c.w))
	v := tp.AddScalar(tp.Sub(u, tp.Scale(st.a, 20)), -65)
	a := tp.Add(tp.Scale(st.a, 0.9), tp.Sigmoid(tp.Scale(tp.AddScalar(v, -c.thr), 0.5)))
	out := v
	if c.pyr {
		out = tp.Concat(1, v, tp.Scale(u, 0.05))
	}
	return out, &fakeState[T]{u: u, a: a}
}

func fakeModels[T autograd.Float](gain float64) [NumCellTypes]SurrogateCell[T] {
	var m [NumCellTypes]SurrogateCell[T]
	for _, ct := range CellTypes {
		m[ct] = SurrogateCellOf[T, *fakeState[T]](newFakeCell[T](ct, gain))
	}
	return m
}

// scriptCell ignores its input: every cell's somatic voltage is 0 mV at the
// steps listed in fire and −70 mV otherwise (threshold −20 mV).
type scriptCell[T autograd.Float] struct {
	inputs []neuron.Channel
	pyr    bool
	fire   map[int]bool
}

type scriptState struct{ step int }

func (c *scriptCell[T]) Inputs() []neuron.Channel { return c.inputs }
func (c *scriptCell[T]) Outputs() []string        { return []string{"soma", "dipole"} }
func (c *scriptCell[T]) SomaOutput() int          { return 0 }
func (c *scriptCell[T]) DipoleOutput() int        { return 1 }
func (c *scriptCell[T]) Dt() float64              { return 0.5 }
func (c *scriptCell[T]) SpikeThreshold() float64  { return -20 }
func (c *scriptCell[T]) NewState(tp *autograd.Tape[T], batch int) *scriptState {
	return &scriptState{}
}
func (c *scriptCell[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *scriptState) (*autograd.Tensor[T], *scriptState) {
	out := tp.NewTensor(x.Dim(0), 2)
	v := T(-70)
	if c.fire[st.step] {
		v = 0
	}
	for i := range x.Dim(0) {
		out.Data[2*i] = v
		out.Data[2*i+1] = v / 100 // a dipole, so that the loss depends on the spikes' steps
	}
	st.step++
	return out, st
}

func scriptModels[T autograd.Float](fire map[CellType]map[int]bool) [NumCellTypes]SurrogateCell[T] {
	var m [NumCellTypes]SurrogateCell[T]
	for _, ct := range CellTypes {
		d, err := neuron.Template(ct.NeuronType())
		if err != nil {
			panic(err)
		}
		m[ct] = SurrogateCellOf[T, *scriptState](&scriptCell[T]{inputs: d.Channels(), pyr: ct.IsPyramidal(), fire: fire[ct]})
	}
	return m
}
