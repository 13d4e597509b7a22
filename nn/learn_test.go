package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestLSTMLearnsDelayedCopy trains a one-layer LSTM with a linear head to
// reproduce its input delayed by 3 steps (y_t = x_{t-3}, x ~ N(0,1)), a task
// that needs memory, and requires the held-out MSE to fall below 0.01 (from
// about 1, the target's variance) within 400 Adam steps.
func TestLSTMLearnsDelayedCopy(t *testing.T) {
	const batch, steps, delay, hidden = 16, 30, 3, 16
	rng := rand.New(rand.NewPCG(41, 42))
	lstm, _ := NewLSTM[float32](LSTMConfig{In: 1, Hidden: hidden, Layers: 1, Seed: 1})
	head, _ := NewLinear[float32](LinearConfig{In: hidden, Out: 1, Seed: 2})
	reg := NewRegistry[float32]()
	_ = reg.Add("lstm", lstm)
	_ = reg.Add("head", head)
	opt := NewAdam(reg.Params(), AdamConfig{LR: 0.01})
	x := autograd.Zeros[float32](batch, steps, 1)
	y := autograd.Zeros[float32](batch, steps-delay, 1)
	sample := func() {
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		for b := 0; b < batch; b++ {
			copy(y.Data[b*(steps-delay):(b+1)*(steps-delay)], x.Data[b*steps:b*steps+steps-delay])
		}
	}
	tp := autograd.NewTape[float32]()
	loss := func() *autograd.Tensor[float32] {
		out := head.Forward(tp, lstm.Forward(tp, x, nil))
		return MSELoss(tp, tp.Narrow(out, 1, delay, steps-delay), y) // warm-up steps excluded
	}
	for it := 0; it < 400; it++ {
		sample()
		tp.Reset()
		reg.ZeroGrad()
		l := loss()
		if err := tp.Backward(l); err != nil {
			t.Fatal(err)
		}
		ClipGradNorm(reg.Params(), 1)
		opt.Step()
	}
	sample()
	tp.Reset()
	tp.SetNoGrad(true)
	if got := loss().Item(); got > 0.01 {
		t.Fatalf("held-out MSE after training %.4f, want < 0.01", got)
	} else {
		t.Logf("held-out MSE %.5f", got)
	}
}
