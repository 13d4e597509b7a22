package autograd

import "testing"

// TestGradPool: a graph split over two tapes that share a GradPool, the
// second reading the first's output, back-propagated tape by tape (newest
// first, each Reset after its part) gives the parameters one tape's
// gradients; the gradients the second tape's part computes for the first
// tape's tensors live in the first tape's borrowed memory, and the pool's
// memory is reused, not grown, by a second round.
func TestGradPool(t *testing.T) {
	p := NewParam[float64](3)
	copy(p.Data, []float64{1, -2, 0.5})
	forward := func(tp1, tp2 *Tape[float64]) *Tensor[float64] {
		y1 := tp1.Tanh(tp1.Mul(p, p))
		return tp2.Sum(tp2.Mul(tp2.Exp(y1), p))
	}
	one := NewTape[float64]()
	p.ZeroGrad()
	if err := one.Backward(forward(one, one)); err != nil {
		t.Fatal(err)
	}
	want := append([]float64(nil), p.Grad...)

	var pool GradPool[float64]
	tp1, tp2 := NewTape[float64](), NewTape[float64]()
	tp1.SetGradPool(&pool)
	tp2.SetGradPool(&pool)
	var size int
	for round := range 2 {
		p.ZeroGrad()
		out := forward(tp1, tp2)
		if err := tp2.BackwardFrom([]*Tensor[float64]{out}, [][]float64{{1}}); err != nil {
			t.Fatal(err)
		}
		tp2.Reset()
		if err := tp1.BackwardFrom(nil, nil); err != nil {
			t.Fatal(err)
		}
		tp1.Reset()
		for i := range want {
			if p.Grad[i] != want[i] {
				t.Fatalf("round %d: gradient %v, one tape %v", round, p.Grad, want)
			}
		}
		if round == 0 {
			size = pool.Elements()
			if size == 0 {
				t.Fatal("the pool holds no memory: the gradients did not come from it")
			}
		} else if pool.Elements() != size {
			t.Errorf("the pool grew from %d to %d elements in the second round", size, pool.Elements())
		}
	}
}
