package kernel

import (
	"math"
	"testing"
)

// Measured worst-case errors of the SIMD approximations, with margin: relative
// error on results of normal magnitude, absolute error elsewhere.
const (
	maxRelErr32 = 3e-7
	maxRelErr64 = 1e-15
)

// mathInputs spans the whole range densely near 0 and sparsely outside, plus
// the special values.
func mathInputs() []float64 {
	xs := []float64{0, math.Copysign(0, -1), 1e-30, -1e-30, 1e-8, -1e-8, 0.625, -0.625, 0.62499, 88.7, 88.72, 89, -87.3, -103, -104, -200, 200, 709.7, 709.8, -745, -746, 1e10, -1e10, math.Inf(1), math.Inf(-1), math.NaN()}
	for x := -20.0; x <= 20; x += 1.0 / 512 {
		xs = append(xs, x)
	}
	for x := -750.0; x <= 750; x += 0.37 {
		xs = append(xs, x)
	}
	for e := -40; e <= 3; e++ {
		for _, m := range []float64{1, 1.3, 1.7} {
			xs = append(xs, m*math.Pow(2, float64(e)), -m*math.Pow(2, float64(e)))
		}
	}
	return xs
}

func testMath[T Float](t *testing.T) {
	xs := mathInputs()
	x := make([]T, len(xs))
	for i, v := range xs {
		x[i] = T(v)
	}
	maxRel := maxRelErr64
	tiny := math.SmallestNonzeroFloat64 * (1 << 54) // below: subnormal territory, absolute error
	if is32[T]() {
		maxRel = maxRelErr32
		tiny = math.SmallestNonzeroFloat32 * (1 << 25)
	}
	for _, fn := range []struct {
		name string
		f    func(dst, x []T)
		ref  func(float64) float64
	}{
		{"Exp", Exp[T], expGo},
		{"Sigmoid", Sigmoid[T], sigmoidGo},
		{"Tanh", Tanh[T], math.Tanh},
	} {
		for off := 0; off < 2; off++ {
			dst, check := window(t, make([]T, len(x)-off), 0)
			fn.f(dst, x[off:])
			check()
			var worst, worstAt float64
			for i, got := range dst {
				in := float64(x[off+i])
				want := T(fn.ref(in)) // the correctly rounded result in T
				w, g := float64(want), float64(got)
				switch {
				case math.IsNaN(w):
					if !math.IsNaN(g) {
						t.Fatalf("%s(%v) = %v, want NaN", fn.name, in, g)
					}
					continue
				case math.IsInf(w, 0):
					if g != w {
						t.Fatalf("%s(%v) = %v, want %v", fn.name, in, g, w)
					}
					continue
				}
				var e float64
				if math.Abs(w) < tiny {
					e = math.Abs(g-w) / tiny
				} else {
					e = math.Abs(g-w) / math.Abs(w)
				}
				if !(e <= worst) {
					worst, worstAt = e, in
				}
			}
			if off == 0 {
				t.Logf("%s %T on %s: worst relative error %.3g at x=%v", fn.name, x[0], Implementation(), worst, worstAt)
			}
			if !(worst <= maxRel) {
				t.Errorf("%s %T: relative error %.3g at x=%v exceeds %.3g", fn.name, x[0], worst, worstAt, maxRel)
			}
		}
	}
	// Saturation and aliasing.
	y := []T{-1000, -50, 50, 1000}
	Sigmoid(y, y)
	if y[0] != 0 || y[3] != 1 || y[1] < 0 || y[2] > 1 {
		t.Errorf("Sigmoid saturation: %v", y)
	}
	y = []T{-1000, -50, 50, 1000}
	Tanh(y, y)
	if y[0] != -1 || y[1] != -1 || y[2] != 1 || y[3] != 1 {
		t.Errorf("Tanh saturation: %v", y)
	}
}

func TestMath(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", testMath[float32])
		t.Run("float64", testMath[float64])
	})
}

// TestUnaryTailsAllocationFree checks that short rows (tails below one vector)
// of the transcendental routines allocate nothing on every implementation.
func TestUnaryTailsAllocationFree(t *testing.T) {
	x32, d32 := make([]float32, 40), make([]float32, 40)
	x64, d64 := make([]float64, 13), make([]float64, 13)
	for i := range x32 {
		x32[i] = float32(i)/8 - 2
	}
	for i := range x64 {
		x64[i] = float64(i)/4 - 1
	}
	forEachImpl(t, func(t *testing.T) {
		if n := testing.AllocsPerRun(20, func() {
			Sigmoid(d32, x32)
			Tanh(d32[:7], x32[:7])
			Exp(d64, x64)
		}); n != 0 {
			t.Fatalf("%s: tails allocate %v times", Implementation(), n)
		}
	})
}
