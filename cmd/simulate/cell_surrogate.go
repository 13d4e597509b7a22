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
// basket (surrogate.ExactBasket, float64), fed every event at its own NEURON
// step (StepSubsteps), so that its traces and spike times (SpikeOffsets,
// NEURON's detector) are the biophysical cell's; the pyramidal cells' model
// is the learned surrogate, fed the events binned (surrogate.BinOf).
func runCellSurrogate(typ string, drive driveFile, tstop float64) (*neuron.Result, *neuron.CellDesc, error) {
	ct, err := neuron.ParseCellType(typ)
	if err != nil {
		return nil, nil, fmt.Errorf("-type: %w", err)
	}
	var m cellModel
	var exact *surrogate.ExactBasket[float64]
	if ct == neuron.L2Basket || ct == neuron.L5Basket {
		exact, err = surrogate.NewExactBasket[float64](ct)
		m = exact
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
	var xs []float64 // the exact basket's per-substep input, [bins, ExactSubsteps·C]
	if exact != nil {
		xs = make([]float64, bins*surrogate.ExactSubsteps*C)
	}
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
			if b, j := surrogate.SubstepOf(te); b < bins {
				x[b*C+c] += float32(in.WeightUS)
				if xs != nil {
					xs[(b*surrogate.ExactSubsteps+j)*C+c] += in.WeightUS
				}
			}
		}
	}
	var y, spikes []float64
	if exact != nil {
		y, spikes = runExactBasket(exact, bins, xs)
	} else {
		for _, v := range m.(*surrogate.Model[float32]).Predict([]*surrogate.Sample{{Bins: bins, X: x}})[0] {
			y = append(y, float64(v))
		}
	}
	O := len(m.Outputs())
	for k, v := range y {
		if f := v; math.IsNaN(f) || math.IsInf(f, 0) {
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
			res.Dipole[k+1] = y[k*O+d] * 1e6 // nAm -> fAm
		}
	}
	soma := make([]float32, bins)
	for k := 0; k < bins; k++ {
		res.T[k+1] = float64(k+1) * m.Dt()
		for i := range desc.Sections {
			res.Traces[i][k+1] = y[k*O+i] // section i is output i (v_soma first)
		}
		soma[k] = float32(y[k*O+m.SomaOutput()])
	}
	res.Spikes = spikes
	if exact == nil {
		res.Spikes = surrogate.SpikeTimes(soma, m.SpikeThreshold())
	}
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

// runExactBasket runs the exact basket over bins bins of per-substep input
// xs ([bins, ExactSubsteps·C], µS) and returns its outputs, [bins, 2] (v at
// the bin end, the bin maximum; mV), and NEURON's spike times (ms). As
// neuron.Run, which checks the threshold before each step, it drops a spike
// first detected at the run's last grid time.
func runExactBasket(m *surrogate.ExactBasket[float64], bins int, xs []float64) ([]float64, []float64) {
	W, O := surrogate.ExactSubsteps*len(m.Inputs()), len(m.Outputs())
	tp := autograd.NewTape[float64]()
	tp.SetNoGrad(true)
	st := m.NewState(tp, 1)
	y := make([]float64, bins*O)
	var spikes []float64
	for k := range bins {
		out, _ := m.StepSubsteps(tp, autograd.MustNew(xs[k*W:(k+1)*W], 1, W), st)
		copy(y[k*O:], out.Data)
		if off := st.SpikeOffsets()[0]; !math.IsNaN(off) && (k < bins-1 || off < m.Dt()) {
			spikes = append(spikes, float64(k)*m.Dt()+off)
		}
		st.Detach()
		tp.Reset()
	}
	return y, spikes
}
