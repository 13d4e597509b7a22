package surrogate

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// Spike history (Arch.SpikeHistory = K > 0). The model sees, beside the
// synaptic conductances, K exponential traces of its own spike onsets: trace
// j has the time constant HistoryTau(j) and, at bin t, is the sum over the
// onsets in bins t' < t of exp(−(t−t'−1)·Δ/τ_j) (1 in the bin after an
// onset). An onset is the first bin of
// a run of bins with a positive spike logit (σ(z) > 1/2). Training feeds the
// traces of the biophysical spike onsets (the first bin of each run of bins
// whose somatic peak exceeds 0 mV, the spike labels: teacher forcing); run
// free (Forward, Step, Predict) the model feeds back its own. The feedback
// carries no gradient.

// HistoryTau returns the time constant (ms) of spike-history trace j: 1 ms
// times 4^j (1, 4, 16, 64 ms, …).
func HistoryTau(j int) float64 { return math.Pow(4, float64(j)) }

// newHistoryDecay returns the per-bin decay of K traces.
func newHistoryDecay(K int) []float64 {
	d := make([]float64, K)
	for j := range d {
		d[j] = math.Exp(-BinDt / HistoryTau(j))
	}
	return d
}

// featWidth is the number of feature channels the convolution reads: the
// input channels plus the spike-history traces.
func (m *Model[T]) featWidth() int { return len(m.io.channels) + m.arch.SpikeHistory }

// labelTraces writes the spike-history traces of the onsets in label (bins
// values, 1 in spike bins) into columns off … off+K−1 of dst (bins rows of
// width values).
func labelTraces(dst []float32, width, off int, label []float32, decay []float64) {
	tr := make([]float64, len(decay))
	for k := range label {
		for j := range tr {
			dst[k*width+off+j] = float32(tr[j])
		}
		onset := label[k] > 0 && (k == 0 || label[k-1] == 0)
		for j := range tr {
			tr[j] *= decay[j]
			if onset {
				tr[j]++
			}
		}
	}
}

// feedBack updates the state's traces with the spike logits z (one per cell,
// read from y [batch, O+1] column O) of the bin just computed.
func (s *State[T]) feedBack(y []T, width int, decay []float64) {
	K := len(decay)
	for b := 0; b < s.batch; b++ {
		pos := y[b*width+width-1] > 0
		onset := pos && !s.prevPos[b]
		s.prevPos[b] = pos
		for j := 0; j < K; j++ {
			v := s.trace[b*K+j] * decay[j]
			if onset {
				v++
			}
			s.trace[b*K+j] = v
		}
	}
}

// historyInput returns [batch, C+K]: the features feat [batch, C] followed by
// the state's traces (constants on the tape).
func (m *Model[T]) historyInput(tp *autograd.Tape[T], feat *autograd.Tensor[T], s *State[T]) *autograd.Tensor[T] {
	K := m.arch.SpikeHistory
	tr := tp.NewTensor(s.batch, K)
	for i, v := range s.trace {
		tr.Data[i] = T(v)
	}
	return tp.Concat(1, feat, tr)
}

// forwardFree runs the trainable stages step by step over a conductance
// feature sequence f [batch, hist+T, C] (the first hist steps are ignored
// convolution history, zeros from rest) from rest, feeding back the model's
// own spike onsets, and returns the head's raw output [batch, T, O+1].
func (m *Model[T]) forwardFree(tp *autograd.Tape[T], f *autograd.Tensor[T]) *autograd.Tensor[T] {
	hist := m.arch.ConvKernel - 1
	return m.forwardFreeFrom(tp, f, hist, m.NewState(nil, f.Dim(0)))
}

// forwardFreeFrom is forwardFree over the steps from..end of f [batch, T, C]
// from the state st (updated in place), as training windows run it.
func (m *Model[T]) forwardFreeFrom(tp *autograd.Tape[T], f *autograd.Tensor[T], from int, st *State[T]) *autograd.Tensor[T] {
	C, O := len(m.io.channels), len(m.io.outputs)
	B, n := f.Dim(0), f.Dim(1)
	decay := m.histDecay
	ys := make([]*autograd.Tensor[T], n-from)
	for t := from; t < n; t++ {
		ft := tp.NewTensor(B, C)
		for b := 0; b < B; b++ {
			copy(ft.Data[b*C:(b+1)*C], f.Data[(b*n+t)*C:(b*n+t+1)*C])
		}
		ys[t-from] = m.stepFeatures(tp, ft, st)
		st.feedBack(ys[t-from].Data, O+1, decay)
	}
	return tp.Stack(1, ys...)
}

// stepFeatures runs the trainable stages for one bin of conductance
// features feat [batch, C], with the spike-history traces appended when the
// model has them, and returns the head's raw output [batch, O+1].
func (m *Model[T]) stepFeatures(tp *autograd.Tape[T], feat *autograd.Tensor[T], st *State[T]) *autograd.Tensor[T] {
	if m.arch.SpikeHistory > 0 {
		feat = m.historyInput(tp, feat, st)
	}
	h := tp.Tanh(m.conv.Step(tp, feat, st.conv))
	h = m.lstm.Step(tp, h, st.lstm)
	return m.head2.Forward(tp, tp.Tanh(m.head1.Forward(tp, h)))
}
