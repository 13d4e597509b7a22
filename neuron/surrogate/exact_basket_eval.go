package surrogate

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// Predict runs the exact basket free (from rest, seeing only the binned
// inputs) on every sample and returns its somatic trace per 0.5 ms bin in the
// layout of the learned basket's one output: the bin's maximum over its 20
// substeps where that exceeds the spike threshold (0 mV), else the bin-end
// voltage (mV) — the peak-preserving trace the surrogates are scored on.
// Samples whose inputs do not have the basket's channels are an error.
func (m *ExactBasket[T]) Predict(samples []*Sample) ([][]float32, error) {
	C := len(m.Inputs())
	out := make([][]float32, len(samples))
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	xt := autograd.Zeros[T](1, C)
	for i, s := range samples {
		if len(s.X) != s.Bins*C {
			return nil, fmt.Errorf("surrogate: sample %d has %d input values for %d bins, want %d channels per bin", i, len(s.X), s.Bins, C)
		}
		st := m.NewState(tp, 1)
		o := make([]float32, s.Bins)
		for k := range o {
			copyIn(xt.Data, s.X[k*C:(k+1)*C])
			y, next := m.Step(tp, xt, st)
			o[k] = m.peakTrace(y.Data[0], y.Data[1])
			// keep the state off the tape, which Reset recycles
			copy(next.own.Data, next.S.Data)
			next.S = next.own
			st = next
			tp.Reset()
		}
		out[i] = o
	}
	return out, nil
}

// Evaluate scores the exact basket free-running on samples as Model.Evaluate
// scores a learned model (one output, "v_soma"; spikes as upward crossings of
// 0 mV by the trace of Predict).
func (m *ExactBasket[T]) Evaluate(samples []*Sample) (Metrics, error) {
	pred, err := m.Predict(samples)
	if err != nil {
		return Metrics{}, err
	}
	for i, s := range samples {
		if len(s.Y) != s.Bins {
			return Metrics{}, fmt.Errorf("surrogate: sample %d has %d target values for %d bins, want a basket's one output", i, len(s.Y), s.Bins)
		}
	}
	return evaluate([]string{"v_soma"}, samples, pred, m.SpikeThreshold()), nil
}

// copyIn stores src in dst, converting.
func copyIn[T autograd.Float](dst []T, src []float32) {
	for c, v := range src {
		dst[c] = T(v)
	}
}

// EvaluateSubsteps scores the exact basket free-running on samples with every
// event at its own NEURON step: inputs[i] is sample i's input to
// StepSubsteps, [Bins, ExactSubsteps·C] row-major (µS; column j·C + c the
// weights NEURON applies on channel c before substep j of the bin). The
// trace scored is Predict's (the bin maximum above 0 mV, else the bin-end
// voltage); the spike times are NEURON's (bin start + SpikeOffsets, up to
// the sample's end), not the trace's bin crossings. Fed its events this way
// the exact basket is the biophysical cell (TestExactBasketTrueTimes).
func (m *ExactBasket[T]) EvaluateSubsteps(samples []*Sample, inputs [][]float64) (Metrics, error) {
	if len(inputs) != len(samples) {
		return Metrics{}, fmt.Errorf("surrogate: %d substep inputs for %d samples", len(inputs), len(samples))
	}
	C := len(m.Inputs())
	W := ExactSubsteps * C
	pred := make([][]float32, len(samples))
	spikes := make([][]float64, len(samples))
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	xt := autograd.Zeros[T](1, W)
	for i, s := range samples {
		if len(inputs[i]) != s.Bins*W {
			return Metrics{}, fmt.Errorf("surrogate: sample %d has %d substep input values for %d bins, want %d per bin", i, len(inputs[i]), s.Bins, W)
		}
		if len(s.Y) != s.Bins {
			return Metrics{}, fmt.Errorf("surrogate: sample %d has %d target values for %d bins, want a basket's one output", i, len(s.Y), s.Bins)
		}
		st := m.NewState(tp, 1)
		o := make([]float32, s.Bins)
		tEnd := float64(s.Bins) * BinDt
		for k := range o {
			for j, v := range inputs[i][k*W : (k+1)*W] {
				xt.Data[j] = T(v)
			}
			y, _ := m.StepSubsteps(tp, xt, st)
			o[k] = m.peakTrace(y.Data[0], y.Data[1])
			if off := st.SpikeOffsets()[0]; off == off { // not NaN
				if t := float64(k)*BinDt + off; t <= tEnd {
					spikes[i] = append(spikes[i], t)
				}
			}
			st.Detach()
			tp.Reset()
		}
		pred[i] = o
	}
	return evaluateSpikes([]string{"v_soma"}, samples, pred, m.SpikeThreshold(), spikes), nil
}

// peakTrace is one bin of the peak-preserving somatic trace (mV): the bin's
// maximum mx where it exceeds the spike threshold, else the bin-end v.
func (m *ExactBasket[T]) peakTrace(v, mx T) float32 {
	if float64(mx) > m.SpikeThreshold() {
		return float32(mx)
	}
	return float32(v)
}
