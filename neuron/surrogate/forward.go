package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// Features applies the model's fixed input stage to one cell's binned input
// x (bins·C values, µS, bin-major, starting from rest) and writes the
// log-compressed synaptic conductances log(1 + g/ref) to dst (bins·C).
// It is the non-differentiable form of the first stage of Step.
func (m *Model[T]) Features(dst []T, x []float32, bins int) { features(m, dst, x, bins) }

func features[X, T autograd.Float](m *Model[T], dst []T, x []X, bins int) {
	C := len(m.io.channels)
	if len(x) < bins*C || len(dst) < bins*C {
		panic(fmt.Sprintf("surrogate: Features needs %d values, got x %d, dst %d", bins*C, len(x), len(dst)))
	}
	a := make([]float64, C)
	b := make([]float64, C)
	for k := 0; k < bins; k++ {
		for c := 0; c < C; c++ {
			fx := float64(m.factor.Data[c]) * float64(x[k*C+c])
			a[c] = (a[c] + fx) * float64(m.decayA.Data[c])
			b[c] = (b[c] + fx) * float64(m.decayB.Data[c])
			dst[k*C+c] = T(math.Log1p((b[c] - a[c]) * float64(m.invRef.Data[c])))
		}
	}
}

// forwardFeatures runs the trainable stages over a feature sequence f of
// shape [batch, K-1+T, C] whose first K-1 steps are convolution history, from
// LSTM state s (nil: zeros; otherwise continued and updated), and returns
// the head's raw output [batch, T, O+1]: normalised outputs and spike logit.
func (m *Model[T]) forwardFeatures(tp *autograd.Tape[T], f *autograd.Tensor[T], s *State[T]) *autograd.Tensor[T] {
	hist := m.arch.ConvKernel - 1
	h := tp.Tanh(m.conv.Forward(tp, f))
	if hist > 0 {
		h = tp.Narrow(h, 1, hist, f.Dim(1)-hist)
	}
	if s == nil {
		h = m.lstm.Forward(tp, h, nil)
	} else {
		h = m.lstm.Forward(tp, h, s.lstm)
	}
	return m.head2.Forward(tp, tp.Tanh(m.head1.Forward(tp, h)))
}

// Forward runs the model over whole input sequences from rest: x is [batch,
// T, len(Inputs())] (µS per bin) and the result [batch, T, len(Outputs())]
// in physical units, equal step by step to a loop of Step from NewState.
// Gradients flow into the parameters; x is treated as data.
func (m *Model[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return m.physical(tp, m.forwardRaw(tp, x))
}

// forwardRaw is Forward up to the head: it returns the head's raw output
// [batch, T, O+1] (normalised outputs and spike logit).
func (m *Model[T]) forwardRaw(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	C := len(m.io.channels)
	if x.Rank() != 3 || x.Dim(2) != C {
		panic(fmt.Sprintf("surrogate: Forward input shape %v, want [batch T %d]", x.Shape(), C))
	}
	B, T_ := x.Dim(0), x.Dim(1)
	hist := m.arch.ConvKernel - 1
	f := tp.NewTensor(B, hist+T_, C)
	for b := 0; b < B; b++ {
		features(m, f.Data[(b*(hist+T_)+hist)*C:], x.Data[b*T_*C:(b+1)*T_*C], T_)
	}
	if m.arch.SpikeHistory > 0 {
		return m.forwardFree(tp, f)
	}
	return m.forwardFeatures(tp, f, nil)
}
