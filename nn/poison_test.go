package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// poison fills the tape's memory with NaN and rewinds it, so that ops that take
// uninitialised outputs or gradient buffers (Tape.NewUninit, Tape.ScratchUninit,
// GradOfFresh) and wrongly read them produce NaN.
func poison[T autograd.Float](tp *autograd.Tape[T]) {
	tp.Reset()
	n := tp.ArenaElements()
	buf := tp.ScratchUninit(n)
	nan := T(math.NaN())
	for i := range buf {
		buf[i] = nan
	}
	tp.Reset()
}

// TestNoUninitialisedReads runs both modes of every layer on a tape whose memory
// was filled with NaN and requires the same outputs and gradients as on a fresh
// tape.
func TestNoUninitialisedReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	const batch, steps = 3, 7
	conv, _ := NewConv1d[float64](Conv1dConfig{In: 2, Out: 4, Kernel: 3, ReLU: true, Seed: 1})
	conv2, _ := NewConv1d[float64](Conv1dConfig{In: 4, Out: 4, Kernel: 2, Dilation: 2, Seed: 2})
	lstm, _ := NewLSTM[float64](LSTMConfig{In: 4, Hidden: 3, Layers: 2, Seed: 3})
	head, _ := NewLinear[float64](LinearConfig{In: 3, Out: 2, Seed: 4})
	reg := NewRegistry[float64]()
	for i, m := range []Module[float64]{conv, conv2, lstm, head} {
		_ = reg.Add(itoa(i), m)
	}
	x := randTensor(rng, 1, batch, steps, 2)
	x.SetRequiresGrad(true)
	build := map[string]func(tp *tape) *tensor{
		"sequence": func(tp *tape) *tensor {
			h := Relu(tp, conv2.Forward(tp, conv.Forward(tp, x)))
			return MSELoss(tp, head.Forward(tp, lstm.Forward(tp, h, nil)), autograd.Zeros[float64](batch, steps, 2))
		},
		"step": func(tp *tape) *tensor {
			cs, cs2, ls := conv.NewState(batch), conv2.NewState(batch), lstm.NewState(batch)
			var ys []*tensor
			for tt := 0; tt < steps; tt++ {
				h := Relu(tp, conv2.Step(tp, conv.Step(tp, stepSlice(tp, x, tt), cs), cs2))
				ys = append(ys, head.Forward(tp, lstm.Step(tp, h, ls)))
			}
			return MSELoss(tp, tp.Stack(1, ys...), autograd.Zeros[float64](batch, steps, 2))
		},
	}
	for name, f := range build {
		run := func(tp *tape) []float64 {
			reg.ZeroGrad()
			x.ZeroGrad()
			loss := f(tp)
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
			out := []float64{loss.Item()}
			for _, p := range reg.Params() {
				out = append(out, p.Tensor.Grad...)
			}
			return append(out, x.Grad...)
		}
		tp := autograd.NewTape[float64]()
		clean := run(tp)
		poison(tp)
		dirty := run(tp)
		for i := range clean {
			if clean[i] != dirty[i] {
				t.Fatalf("%s: value %d is %v on a poisoned tape, %v on a fresh one", name, i, dirty[i], clean[i])
			}
		}
	}
}
