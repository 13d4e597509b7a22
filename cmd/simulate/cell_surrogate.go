package main

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// runCellSurrogate runs the shipped surrogate of cell type typ on the drive
// file's inputs for tstop ms and returns the same traces as the
// biophysical simulation (t_ms, v_<section>, dipole_fAm for pyramidal cells)
// at the surrogate's 0.5 ms step, starting with the resting state at t = 0,
// and the spike times (upward crossings of the surrogate's threshold). The
// baskets' model is the shipped one of the surrogate network, the exact
// basket (surrogate.ExactBasket; its spikes are the upward crossings of the
// bins' maxima through 0 mV); the pyramidal cells' the learned surrogate.
func runCellSurrogate(typ string, drive driveFile, tstop float64) (*neuron.Result, *neuron.CellDesc, error) {
	ct, err := neuron.ParseCellType(typ)
	if err != nil {
		return nil, nil, fmt.Errorf("-type: %w", err)
	}
	var m cellModel
	if ct == neuron.L2Basket || ct == neuron.L5Basket {
		m, err = surrogate.NewExactBasket[float32](ct)
	} else {
		m, err = surrogate.Shipped[float32](ct)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(drive.IClamp) > 0 {
		return nil, nil, fmt.Errorf("-surrogate: current clamps are not inputs of the surrogate (synaptic inputs only)")
	}
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, nil, err
	}
	chans := m.Inputs()
	index := map[neuron.Channel]int{}
	for i, ch := range chans {
		index[ch] = i
	}
	bins := int(tstop/m.Dt() + 1e-9)
	if bins < 1 {
		return nil, nil, fmt.Errorf("tstop = %v ms is shorter than the surrogate step %v ms", tstop, m.Dt())
	}
	C := len(chans)
	x := make([]float32, bins*C)
	for k, in := range drive.Inputs {
		r, err := neuron.ParseReceptor(in.Receptor)
		if err != nil {
			return nil, nil, fmt.Errorf("input %d: %w", k, err)
		}
		c, ok := index[neuron.Channel{Section: in.Section, Receptor: r}]
		if !ok {
			return nil, nil, fmt.Errorf("input %d: %s has no %q input channel on section %q", k, ct, in.Receptor, in.Section)
		}
		if in.X != nil && *in.X != 0.5 {
			return nil, nil, fmt.Errorf("input %d: the surrogate's synapses sit at x = 0.5 (got x = %v)", k, *in.X)
		}
		if !(in.WeightUS >= 0) {
			return nil, nil, fmt.Errorf("input %d: weight_uS = %v must be >= 0", k, in.WeightUS)
		}
		for _, t := range in.TimesMS {
			te := t + in.DelayMS
			if !(te >= 0) {
				return nil, nil, fmt.Errorf("input %d: event time %v ms must be >= 0", k, te)
			}
			if b := surrogate.BinOf(te); b < bins {
				x[b*C+c] += float32(in.WeightUS)
			}
		}
	}
	y := predictCell(m, bins, x)
	O := len(m.Outputs())
	for k, v := range y {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			b := k / O
			maxIn, maxCh := 0.0, 0
			for c := range C {
				if a := math.Abs(float64(x[b*C+c])); a > maxIn {
					maxIn, maxCh = a, c
				}
			}
			return nil, nil, failure(fmt.Errorf("the %s surrogate's output %s is %v at step %d (t = %g ms); its largest input that step is %g µS on %s/%s: inputs out of the surrogate's range",
				ct, m.Outputs()[k%O], f, b, float64(b+1)*m.Dt(), maxIn, chans[maxCh].Section, chans[maxCh].Receptor))
		}
	}
	res := &neuron.Result{T: make([]float64, bins+1), Traces: make([][]float64, len(desc.Sections))}
	for i := range res.Traces {
		res.Traces[i] = make([]float64, bins+1)
		res.Traces[i][0] = desc.Sections[i].V0
	}
	if d := m.DipoleOutput(); d >= 0 {
		res.Dipole = make([]float64, bins+1)
		for k := 0; k < bins; k++ {
			res.Dipole[k+1] = float64(y[k*O+d]) * 1e6 // nAm -> fAm
		}
	}
	soma := make([]float32, bins)
	for k := 0; k < bins; k++ {
		res.T[k+1] = float64(k+1) * m.Dt()
		for i := range desc.Sections {
			res.Traces[i][k+1] = float64(y[k*O+i]) // section i is output i (v_soma first)
		}
		soma[k] = y[k*O+m.SomaOutput()]
	}
	res.Spikes = surrogate.SpikeTimes(soma, m.SpikeThreshold())
	return res, desc, nil
}

// cellModel is what runCellSurrogate needs of a learned or exact cell model.
type cellModel interface {
	Inputs() []neuron.Channel
	Outputs() []string
	SomaOutput() int
	DipoleOutput() int
	Dt() float64
	SpikeThreshold() float64
}

// predictCell runs m over bins bins of input x ([bins, channels]) and
// returns its outputs, [bins, outputs].
func predictCell(m cellModel, bins int, x []float32) []float32 {
	switch m := m.(type) {
	case *surrogate.Model[float32]:
		return m.Predict([]*surrogate.Sample{{Bins: bins, X: x}})[0]
	case *surrogate.ExactBasket[float32]:
		C, O := len(m.Inputs()), len(m.Outputs())
		tp := autograd.NewTape[float32]()
		tp.SetNoGrad(true)
		st := m.NewState(tp, 1)
		y := make([]float32, bins*O)
		for k := range bins {
			out, _ := m.Step(tp, autograd.MustNew(x[k*C:(k+1)*C], 1, C), st)
			copy(y[k*O:], out.Data)
			st.Detach()
			tp.Reset()
		}
		return y
	}
	panic(fmt.Sprintf("simulate: unknown cell model %T", m))
}
