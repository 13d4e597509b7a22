package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// packedRun trains a small step-mode model (conv with bias and ReLU, a
// 2-layer LSTM, a linear head; odd sizes) for iters iterations of steps
// steps each, with one Adam step per iteration. midUpdate adds a second Adam
// step in the middle of each iteration, on the same tape generation (then
// the next steps must see the new weights). It returns every output, loss
// gradient and weight after each iteration.
func packedRun(t *testing.T, packed, midUpdate bool, procs int) []float32 {
	t.Helper()
	defer func(p bool) { usePacked = p }(usePacked)
	usePacked = packed
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	defer func(w int) { minHelperWork = w }(minHelperWork)
	minHelperWork = 0 // split the rows even of these small layers
	const batch, steps, iters, in = 37, 7, 3, 5
	reg := NewRegistry[float32]()
	conv, err := NewConv1d[float32](Conv1dConfig{In: in, Out: 11, Kernel: 3, ReLU: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	lstm, err := NewLSTM[float32](LSTMConfig{In: 11, Hidden: 9, Layers: 2, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	head, err := NewLinear[float32](LinearConfig{In: 9, Out: 3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []Module[float32]{conv, lstm, head} {
		if err := reg.Add([]string{"conv", "lstm", "head"}[i], m); err != nil {
			t.Fatal(err)
		}
	}
	opt := NewAdam(reg.Params(), AdamConfig{LR: 1e-2})
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]*autograd.Tensor[float32], steps)
	for k := range xs {
		xs[k] = randF32(rng, batch, in)
		xs[k].SetRequiresGrad(true)
	}
	var out []float32
	tp := autograd.NewTape[float32]()
	for it := 0; it < iters; it++ {
		tp.Reset()
		reg.ZeroGrad()
		for _, x := range xs {
			x.ZeroGrad()
		}
		cs, ls := conv.NewState(batch), lstm.NewState(batch)
		var loss *autograd.Tensor[float32]
		for k, x := range xs {
			if midUpdate && k == steps/2 {
				// an update during the pass: what follows uses the new weights
				for _, p := range reg.Params() {
					for i := range p.Tensor.Grad {
						p.Tensor.Grad[i] = float32(i%7) - 3
					}
				}
				opt.Step()
			}
			y := head.Forward(tp, lstm.Step(tp, conv.Step(tp, x, cs), ls))
			out = append(out, y.Data...)
			s := tp.Sum(tp.Mul(y, y))
			if loss == nil {
				loss = s
			} else {
				loss = tp.Add(loss, s)
			}
		}
		if !midUpdate {
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
			for _, p := range reg.Params() {
				out = append(out, p.Tensor.Grad...)
			}
			for _, x := range xs {
				out = append(out, x.Grad...)
			}
			opt.Step()
		}
		for _, p := range reg.Params() {
			out = append(out, p.Tensor.Data...)
		}
	}
	return out
}

// TestPackedWeightsBitForBit: step mode with the weights packed once per
// tape generation gives bit for bit the outputs, gradients and Adam-updated
// weights of packing on every call, with one and two cores, and repacks when
// an optimizer step changes the weights in the middle of a pass.
func TestPackedWeightsBitForBit(t *testing.T) {
	for _, mid := range []bool{false, true} {
		want := packedRun(t, false, mid, 1)
		for _, procs := range []int{1, 2} {
			got := packedRun(t, true, mid, procs)
			if len(got) != len(want) {
				t.Fatalf("mid %v: %d values, want %d", mid, len(got), len(want))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("mid-pass update %v, GOMAXPROCS %d: value %d is %v packed, %v unpacked", mid, procs, i, got[i], want[i])
				}
			}
		}
	}
}

// TestPackedWeightsPackOncePerGeneration: within one tape generation a
// layer's weights are packed once, and again after Reset.
func TestPackedWeightsPackOncePerGeneration(t *testing.T) {
	lstm, err := NewLSTM[float32](LSTMConfig{In: 4, Hidden: 8, Layers: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape[float32]()
	w := lstm.Layers[0].W
	k, n := w.Dim(0), w.Dim(1)
	p1 := packedWeights(tp, w, 0, false, k, n, n)
	e := tp.Memo(packKey[float32]{w, 0, false}).(*packEntry[float32])
	gen := e.gen
	if p2 := packedWeights(tp, w, 0, false, k, n, n); p2 != p1 || e.gen != gen {
		t.Fatal("packed again within one generation")
	}
	w.Data[0]++
	WeightsChanged()
	packedWeights(tp, w, 0, false, k, n, n)
	if e.version != weightsVersion.Load() {
		t.Fatal("not repacked after WeightsChanged")
	}
	tp.Reset()
	packedWeights(tp, w, 0, false, k, n, n)
	if e.gen != tp.Generation() || e.gen == gen {
		t.Fatalf("generation %d after Reset, packed for %d", tp.Generation(), e.gen)
	}
	if packedWeights[float32](nil, w, 0, false, k, n, n) != nil {
		t.Fatal("a nil tape got packed weights")
	}
}
