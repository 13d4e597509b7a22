package autograd

import (
	"math/rand/v2"
	"testing"
)

// TestBackwardFromSplitGraph cuts a graph in two at a tensor y: the second
// half, recorded on its own tape from a leaf copy of y, is differentiated
// first, and BackwardFrom hands the leaf's gradient to y on the first tape.
// The parameter's gradient equals that of the whole graph on one tape, bit
// for bit.
func TestBackwardFromSplitGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := randTensor(rng, -1, 1, 3, 4)
	w.SetRequiresGrad(true)
	x := randTensor(rng, -1, 1, 3, 4)
	first := func(tp *Tape[float64]) *Tensor[float64] { return tp.Tanh(tp.Mul(x, w)) }
	second := func(tp *Tape[float64], y *Tensor[float64]) *Tensor[float64] {
		return tp.Sum(tp.Mul(tp.Mul(y, y), w))
	}

	tp := NewTape[float64]()
	if err := tp.Backward(second(tp, first(tp))); err != nil {
		t.Fatal(err)
	}
	want := append([]float64(nil), w.Grad...)

	w.ZeroGrad()
	tp1, tp2 := NewTape[float64](), NewTape[float64]()
	y := first(tp1)
	leaf := Clone(y)
	leaf.SetRequiresGrad(true)
	if err := tp2.Backward(second(tp2, leaf)); err != nil {
		t.Fatal(err)
	}
	if err := tp1.BackwardFrom([]*Tensor[float64]{y}, [][]float64{leaf.Grad}); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if w.Grad[i] != want[i] {
			t.Fatalf("w.Grad[%d] = %v split, %v whole", i, w.Grad[i], want[i])
		}
	}
	if err := tp1.BackwardFrom([]*Tensor[float64]{y}, [][]float64{{1}}); err == nil {
		t.Error("a seed of the wrong length was accepted")
	}
	if err := tp1.BackwardFrom([]*Tensor[float64]{x}, [][]float64{make([]float64, x.Len())}); err == nil {
		t.Error("a seed on a tensor without gradient was accepted")
	}
}
