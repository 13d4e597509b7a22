package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// vecSizes covers empty, sub-vector, exact and ragged lengths for every lane
// count, and a long one.
var vecSizes = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 127, 128, 129, 1000, 1027}

func randVec[T Float](rng *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(rng.Float64()*4 - 2)
	}
	return x
}

// window returns n elements at offset off of a fresh slice whose surroundings
// hold sentinels, and a check that they are untouched.
func window[T Float](t *testing.T, src []T, off int) ([]T, func()) {
	buf := make([]T, len(src)+off+guard)
	for i := range buf {
		buf[i] = T(sentinel)
	}
	w := buf[off : off+len(src)]
	copy(w, src)
	return w, func() {
		t.Helper()
		for i := range buf {
			if (i < off || i >= off+len(src)) && !isSentinel(buf[i]) {
				t.Fatalf("wrote outside the slice at %d", i-off)
			}
		}
	}
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func testVecOps[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	eps := 1e-15
	if is32[T]() {
		eps = 1e-6
	}
	for _, n := range vecSizes {
		for off := 0; off < 3; off++ {
			a, b, y := randVec[T](rng, n), randVec[T](rng, n), randVec[T](rng, n)
			alpha := T(rng.Float64() - 0.5)

			for _, op := range []struct {
				name string
				f    func(dst, a, b []T)
				ref  func(d, a, b T) T
			}{
				{"Add", Add[T], func(_, a, b T) T { return a + b }},
				{"Sub", Sub[T], func(_, a, b T) T { return a - b }},
				{"Mul", Mul[T], func(_, a, b T) T { return a * b }},
				{"MulAdd", MulAdd[T], func(d, a, b T) T { return d + a*b }},
			} {
				dst, check := window(t, y, off)
				op.f(dst, a, b)
				check()
				for i := range dst {
					if want := op.ref(y[i], a[i], b[i]); !closeTo(float64(dst[i]), float64(want), eps) {
						t.Fatalf("%s n=%d off=%d: [%d] = %v, want %v", op.name, n, off, i, dst[i], want)
					}
				}
			}

			dst, check := window(t, y, off)
			Axpy(alpha, a, dst)
			check()
			for i := range dst {
				if want := y[i] + alpha*a[i]; !closeTo(float64(dst[i]), float64(want), eps) {
					t.Fatalf("Axpy n=%d: [%d] = %v, want %v", n, i, dst[i], want)
				}
			}
			dst, check = window(t, y, off)
			Scal(alpha, dst)
			check()
			for i := range dst {
				if want := y[i] * alpha; dst[i] != want {
					t.Fatalf("Scal n=%d: [%d] = %v, want %v", n, i, dst[i], want)
				}
			}
			var dotWant, sumWant, mag float64
			for i := range a {
				dotWant += float64(a[i]) * float64(b[i])
				sumWant += float64(a[i])
				mag += math.Abs(float64(a[i]))
			}
			if got := Dot(a, b); !closeTo(float64(got), dotWant, eps*float64(n+1)*math.Max(1, mag)) {
				t.Fatalf("Dot n=%d = %v, want %v", n, got, dotWant)
			}
			if got := Sum(a); !closeTo(float64(got), sumWant, eps*float64(n+1)*math.Max(1, mag)) {
				t.Fatalf("Sum n=%d = %v, want %v", n, got, sumWant)
			}
		}
	}
}

func TestVecOps(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", testVecOps[float32])
		t.Run("float64", testVecOps[float64])
	})
}
