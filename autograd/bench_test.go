package autograd

import (
	"math/rand/v2"
	"testing"
)

// recurrentToy runs h_{t+1} = tanh(h_t·W + x_t) for steps steps on a batch and
// returns the mean of the final state (the loss).
func recurrentToy(tp *Tape[float32], w *Tensor[float32], xs []*Tensor[float32], h0 *Tensor[float32]) *Tensor[float32] {
	h := h0
	for _, x := range xs {
		h = tp.Tanh(tp.Add(tp.MatMul(h, w), x))
	}
	return tp.Mean(h)
}

// BenchmarkRecurrentToy measures forward + backward of a 1,000-step recurrence with
// 64 units and batch 32 on a reused tape; after the first iteration it allocates nothing.
func BenchmarkRecurrentToy(b *testing.B) {
	const steps, batch, units = 1000, 32, 64
	rng := rand.New(rand.NewPCG(1, 1))
	w := NewParam[float32](units, units)
	for i := range w.Data {
		w.Data[i] = float32(rng.NormFloat64() / 8)
	}
	xs := make([]*Tensor[float32], steps)
	for i := range xs {
		xs[i] = Zeros[float32](batch, units)
		for j := range xs[i].Data {
			xs[i].Data[j] = float32(rng.NormFloat64())
		}
	}
	h0 := Zeros[float32](batch, units)
	tp := NewTape[float32]()
	run := func() {
		tp.Reset()
		w.ZeroGrad()
		if err := tp.Backward(recurrentToy(tp, w, xs, h0)); err != nil {
			b.Fatal(err)
		}
	}
	run() // first iteration sizes the tape's arena
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/steps, "ns/step")
}

// TestRecurrentToyAllocationFree asserts the zero-allocation claim of the tape reuse.
func TestRecurrentToyAllocationFree(t *testing.T) {
	const steps, batch, units = 50, 4, 8
	w := NewParam[float32](units, units)
	xs := make([]*Tensor[float32], steps)
	for i := range xs {
		xs[i] = Zeros[float32](batch, units)
	}
	h0 := Zeros[float32](batch, units)
	tp := NewTape[float32]()
	run := func() {
		tp.Reset()
		if err := tp.Backward(recurrentToy(tp, w, xs, h0)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if a := testing.AllocsPerRun(10, run); a != 0 {
		t.Fatalf("reused tape allocates %v times per iteration, want 0", a)
	}
}
