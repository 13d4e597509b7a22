package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFastExp checks fastExp against math.Exp to within 2 ulp over the range the cnexp
// updates use and beyond, including the guarded extremes.
func TestFastExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := []float64{0, -0.0, 1e-300, -1e-300, 1, -1, 709, -699.9, 699.9, -745, 800, math.Inf(-1), math.Inf(1)}
	for i := 0; i < 200000; i++ {
		xs = append(xs, (rng.Float64()*2-1)*700, -rng.Float64()*5, rng.NormFloat64()*1e-3)
	}
	for _, x := range xs {
		got, want := fastExp(x), math.Exp(x)
		if got == want {
			continue
		}
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if math.Abs(got-want) > 2*ulp {
			t.Fatalf("fastExp(%v) = %v, want %v (%g ulp)", x, got, want, math.Abs(got-want)/ulp)
		}
	}
	if !math.IsNaN(fastExp(math.NaN())) {
		t.Fatal("fastExp(NaN) is not NaN")
	}
}

func BenchmarkFastExp(b *testing.B) {
	s := 0.0
	for i := 0; b.Loop(); i++ {
		s += fastExp(-float64(i&1023) * 1e-3)
	}
	_ = s
}

func BenchmarkMathExp(b *testing.B) {
	s := 0.0
	for i := 0; b.Loop(); i++ {
		s += math.Exp(-float64(i&1023) * 1e-3)
	}
	_ = s
}
