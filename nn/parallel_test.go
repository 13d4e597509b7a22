package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestStepModeOnTwoCores checks that step mode with its GEMMs split across two
// goroutines (batch >= minSplitRows) gives sequence mode's outputs and, bit for
// bit, the outputs and gradients of one core (results must not depend on
// GOMAXPROCS).
func TestStepModeOnTwoCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	const batch, steps = 40, 6
	conv, _ := NewConv1d[float64](Conv1dConfig{In: 3, Out: 5, Kernel: 3, ReLU: true, Seed: 1})
	lstm, _ := NewLSTM[float64](LSTMConfig{In: 5, Hidden: 4, Layers: 2, Seed: 2})
	x := randTensor(rng, 1, batch, steps, 3)
	want := lstm.Forward(nil, conv.Forward(nil, x), nil)
	defer func(w int) { minHelperWork = w }(minHelperWork)
	minHelperWork = 0 // split these small layers too
	grads, outs := map[int][]float64{}, map[int][]float64{}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		tp := autograd.NewTape[float64]()
		cs, ls := conv.NewState(batch), lstm.NewState(batch)
		var hs []*tensor
		for tt := 0; tt < steps; tt++ {
			hs = append(hs, lstm.Step(tp, conv.Step(tp, stepSlice(tp, x, tt), cs), ls))
		}
		y := tp.Stack(1, hs...)
		if d := maxAbsDiff(y.Data, want.Data); d > 1e-12 {
			t.Fatalf("GOMAXPROCS %d: step mode differs from sequence mode by %g", procs, d)
		}
		outs[procs] = append([]float64(nil), y.Data...)
		conv.Weight.ZeroGrad()
		lstm.Layers[0].W.ZeroGrad()
		if err := tp.Backward(tp.Sum(tp.Mul(y, y))); err != nil {
			t.Fatal(err)
		}
		grads[procs] = append(append([]float64(nil), conv.Weight.Grad...), lstm.Layers[0].W.Grad...)
		runtime.GOMAXPROCS(old)
	}
	if d := maxAbsDiff(outs[1], outs[2]); d != 0 {
		t.Fatalf("outputs on one and two cores differ by %g", d)
	}
	if d := maxAbsDiff(grads[1], grads[2]); d != 0 {
		t.Fatalf("gradients on one and two cores differ by %g", d)
	}
}
