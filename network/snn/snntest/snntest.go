// Package snntest provides stand-in cell models for testing code built on the
// surrogate spiking network (package snn) without trained weights: a small
// differentiable leaky cell (FakeCell), a cell that fires on a script
// (ScriptCell), and a tiny column that makes them fire (TinyNetwork). The types
// implement snn.CellModel; wrap them with snn.CellOf.
package snntest

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// FakeCell is a small differentiable stand-in for a surrogate cell model, used
// to test the surrogate network without trained weights. Synaptic input (µS)
// charges a leaky current u (excitatory receptors positive, inhibitory
// negative); the somatic voltage is −65 mV + u − 20·a, with an adaptation a
// that builds up while the voltage is above threshold and makes the voltage
// fall again after a crossing; the dipole (pyramidal cells) is 0.05·u nAm.
type FakeCell[T autograd.Float] struct {
	Channels []neuron.Channel    // the input channels (a test may drop some)
	w        *autograd.Tensor[T] // [channels, 1] mV per µS
	pyr      bool
	thr      float64
	NaNGrad  bool // the input's gradient is NaN (to test the guards)
}

// nanGradOp is the identity forward whose backward passes NaN.
type nanGradOp[T autograd.Float] struct{}

func (nanGradOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	g := tp.GradOf(nd.In[0])
	for i := range g {
		g[i] += T(math.NaN())
	}
}

// FakeState is a FakeCell's state: the current u and the adaptation a.
type FakeState[T autograd.Float] struct{ u, a *autograd.Tensor[T] }

// NewFakeCell returns a fake cell of type ct with the channels of its template;
// gain (mV per µS) scales how strongly input moves the voltage.
func NewFakeCell[T autograd.Float](ct neuron.CellType, gain float64) *FakeCell[T] {
	d, err := neuron.Template(ct)
	if err != nil {
		panic(err)
	}
	c := &FakeCell[T]{Channels: d.Channels(), pyr: ct.IsPyramidal(), thr: -55}
	c.w = autograd.Zeros[T](len(c.Channels), 1)
	for i, ch := range c.Channels {
		g := gain * (1 + 0.1*float64(i%3)) // channels differ a little
		switch ch.Receptor {
		case neuron.GABAA, neuron.GABAB:
			g = -g
		}
		c.w.Data[i] = T(g)
	}
	return c
}

func (c *FakeCell[T]) Inputs() []neuron.Channel { return c.Channels }
func (c *FakeCell[T]) Outputs() []string {
	if c.pyr {
		return []string{"soma", "dipole"}
	}
	return []string{"soma"}
}
func (c *FakeCell[T]) SomaOutput() int { return 0 }
func (c *FakeCell[T]) DipoleOutput() int {
	if c.pyr {
		return 1
	}
	return -1
}
func (c *FakeCell[T]) Dt() float64             { return 0.5 }
func (c *FakeCell[T]) SpikeThreshold() float64 { return c.thr }
func (c *FakeCell[T]) NewState(tp *autograd.Tape[T], batch int) *FakeState[T] {
	return &FakeState[T]{u: tp.NewTensor(batch, 1), a: tp.NewTensor(batch, 1)}
}

func (c *FakeCell[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *FakeState[T]) (*autograd.Tensor[T], *FakeState[T]) {
	if c.NaNGrad {
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
	return out, &FakeState[T]{u: u, a: a}
}

// ScriptCell ignores its input: every cell's somatic voltage is 0 mV at the
// steps listed in fire and −70 mV otherwise (threshold −20 mV).
type ScriptCell[T autograd.Float] struct {
	inputs []neuron.Channel
	pyr    bool
	fire   map[int]bool
}

// ScriptState is a ScriptCell's state: the step count.
type ScriptState struct{ step int }

func (c *ScriptCell[T]) Inputs() []neuron.Channel { return c.inputs }
func (c *ScriptCell[T]) Outputs() []string        { return []string{"soma", "dipole"} }
func (c *ScriptCell[T]) SomaOutput() int          { return 0 }
func (c *ScriptCell[T]) DipoleOutput() int        { return 1 }
func (c *ScriptCell[T]) Dt() float64              { return 0.5 }
func (c *ScriptCell[T]) SpikeThreshold() float64  { return -20 }
func (c *ScriptCell[T]) NewState(tp *autograd.Tape[T], batch int) *ScriptState {
	return &ScriptState{}
}
func (c *ScriptCell[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *ScriptState) (*autograd.Tensor[T], *ScriptState) {
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

// NewScriptCell returns a scripted cell of type ct that fires at the steps in fire.
func NewScriptCell[T autograd.Float](ct neuron.CellType, fire map[int]bool) *ScriptCell[T] {
	d, err := neuron.Template(ct)
	if err != nil {
		panic(err)
	}
	return &ScriptCell[T]{inputs: d.Channels(), pyr: ct.IsPyramidal(), fire: fire}
}

// TinyNetwork is NewTinyNetwork for tests: it fails tb on an error.
func TinyNetwork(tb testing.TB, rate float64) *network.Network {
	tb.Helper()
	net, err := NewTinyNetwork(rate)
	if err != nil {
		tb.Fatal(err)
	}
	return net
}

// NewTinyNetwork is a 2x2 column with one basket cell per layer, stronger and
// shorter connections than HNN's, and Poisson drives of the given rate (Hz)
// proximally (half of it distally), hard enough that FakeCells fire.
func NewTinyNetwork(rate float64) (*network.Network, error) {
	col, err := network.NewColumnWithBasketLattice(2, 2, 1, 1, 1, network.DefaultLayerSeparation)
	if err != nil {
		return nil, err
	}
	d := network.NewPoissonDrive("noise", neuron.Proximal, rate)
	for _, ct := range neuron.CellTypes {
		d.SetTarget(ct, 0.004, -1, 0.1)
	}
	d2 := network.NewPoissonDrive("distal", neuron.Distal, rate/2)
	d2.SetTarget(neuron.L2Pyramidal, 0.003, 0.001, 0.1)
	d2.SetTarget(neuron.L5Pyramidal, 0.003, -1, 0.1)
	conn := network.DefaultConnectivity()
	for i := range conn.Classes { // stronger and shorter connections, so that a few steps matter
		conn.Classes[i].Weight *= 8
		conn.Classes[i].Lamtha = 3
		conn.Classes[i].Delay = 0.3 + 0.1*float64(i%4)
	}
	return network.NewNetwork(col, conn, []network.Drive{d, d2})
}

// Snapshot returns a copy of the state on the heap (snn.CheckpointState).
func (s *FakeState[T]) Snapshot() *FakeState[T] {
	return &FakeState[T]{u: snapshotOf(s.u), a: snapshotOf(s.a)}
}

// Restore sets the state to snap's values, as new leaves where snap's
// tensors required a gradient, and returns those leaves (snn.CheckpointState).
func (s *FakeState[T]) Restore(snap *FakeState[T]) []*autograd.Tensor[T] {
	var leaves []*autograd.Tensor[T]
	s.u, s.a = autograd.Clone(snap.u), autograd.Clone(snap.a)
	for _, p := range []struct{ dst, src *autograd.Tensor[T] }{{s.u, snap.u}, {s.a, snap.a}} {
		if p.src.RequiresGrad() {
			p.dst.SetRequiresGrad(true)
			leaves = append(leaves, p.dst)
		}
	}
	return leaves
}

// Tensors returns the state's tensors that require a gradient
// (snn.CheckpointState).
func (s *FakeState[T]) Tensors() []*autograd.Tensor[T] {
	var out []*autograd.Tensor[T]
	for _, t := range []*autograd.Tensor[T]{s.u, s.a} {
		if t.RequiresGrad() {
			out = append(out, t)
		}
	}
	return out
}

// snapshotOf returns a heap copy of t marked as requiring a gradient (without
// a buffer) when t does.
func snapshotOf[T autograd.Float](t *autograd.Tensor[T]) *autograd.Tensor[T] {
	c := autograd.Clone(t)
	if t.RequiresGrad() {
		c.SetRequiresGrad(true)
		c.Grad = nil
	}
	return c
}

// Snapshot returns a copy of the state (snn.CheckpointState, in float64
// networks).
func (s *ScriptState) Snapshot() *ScriptState { return &ScriptState{step: s.step} }

// Restore sets the state to snap's; it has no tensors (snn.CheckpointState).
func (s *ScriptState) Restore(snap *ScriptState) []*autograd.Tensor[float64] {
	s.step = snap.step
	return nil
}

// Tensors returns nothing: the state has no tensors (snn.CheckpointState).
func (s *ScriptState) Tensors() []*autograd.Tensor[float64] { return nil }
