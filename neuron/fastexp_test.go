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
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1, -1, 709, -699.9, 699.9, -745, 800, math.Inf(-1), math.Inf(1)}
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

// TestFastLog checks fastLog against math.Log to within 4 ulp (absolute 4 ulp of the result
// or 4e-16 near log = 0) and its special cases.
func TestFastLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	xs := []float64{1, 2, 0.5, 1e-300, 1e300, math.MaxFloat64, 20000, 2.0 / 1e-4, math.Nextafter(1, 2), math.Nextafter(1, 0)}
	for i := 0; i < 200000; i++ {
		xs = append(xs, math.Exp((rng.Float64()*2-1)*700), 1+rng.NormFloat64()*1e-3, 2/(1e-4+rng.Float64()*1e-2))
	}
	for _, x := range xs {
		got, want := fastLog(x), math.Log(x)
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if d := math.Abs(got - want); d > 4*ulp && d > 4e-16 {
			t.Fatalf("fastLog(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN(), 5e-324} {
		got, want := fastLog(x), math.Log(x)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("fastLog(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestOneMinusExpAVX2MatchesGo checks the batched routine (AVX2 where available) bit for bit
// against the Go loop on odd lengths and offsets, including clamped and NaN arguments, and
// the Go loop against 1 - math.Exp.
func TestOneMinusExpAVX2MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 31, 64, 550, 1001} {
		for off := 0; off < 3; off++ {
			buf := make([]float64, n+off)
			for i := range buf {
				switch rng.IntN(10) {
				case 0:
					buf[i] = -rng.Float64() * 1000
				case 1:
					buf[i] = math.NaN()
				default:
					buf[i] = -rng.ExpFloat64()
				}
			}
			x := buf[off:]
			want := append([]float64(nil), x...)
			oneMinusExpGo(want)
			got := append([]float64(nil), x...)
			oneMinusExpInPlace(got)
			for i := range x {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Fatalf("n %d off %d i %d: x %v: got %v, Go loop %v", n, off, i, x[i], got[i], want[i])
				}
				ref := 1 - math.Exp(x[i])
				if math.IsNaN(x[i]) != math.IsNaN(want[i]) || math.Abs(want[i]-ref) > 2.3e-16 {
					t.Fatalf("x %v: 1-exp = %v, want %v", x[i], want[i], ref)
				}
			}
		}
	}
}
