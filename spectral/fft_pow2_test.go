package spectral

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestPow2RealFFT checks the radix-2 path against the naive DFT and against
// gonum's FFTPACK on powers of two from 4 to 4096, full-length and
// zero-padded segments (odd m too), forward and adjoint, and the adjoint
// identity <z, F y> = <F^T z, y>.
func TestPow2RealFFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	for n := 4; n <= 4096; n *= 2 {
		for _, m := range []int{n, n - 1, n/2 + 1, 3} {
			if m < 1 || m > n {
				continue
			}
			ours := &realDFT{n: n, m: m, nHalf: n/2 + 1, pow2: newPow2RealFFT(n)}
			peer := &realDFT{n: n, m: m, nHalf: n/2 + 1}
			wo, wp := ours.newWork(), peer.newWork()
			y := make([]float64, m)
			for i := range y {
				y[i] = rng.NormFloat64()
			}
			X := make([]complex128, n/2+1)
			P := make([]complex128, n/2+1)
			ours.forward(wo, X, y)
			peer.forward(wp, P, y)
			var scale float64
			for _, v := range y {
				scale += math.Abs(v)
			}
			tol := 1e-14 * scale * math.Log2(float64(n))
			for k := range X {
				if d := cmplx.Abs(X[k] - P[k]); d > tol {
					t.Fatalf("n %d m %d: X[%d] = %v, FFTPACK %v (|Δ| %.3g > %.3g)", n, m, k, X[k], P[k], d, tol)
				}
			}
			if n <= 256 { // the naive DFT, O(n²)
				for k := range X {
					var want complex128
					for j, v := range y {
						s, c := math.Sincos(-2 * math.Pi * float64((k*j)%n) / float64(n))
						want += complex(v*c, v*s)
					}
					if d := cmplx.Abs(X[k] - want); d > tol {
						t.Fatalf("n %d m %d: X[%d] = %v, naive %v", n, m, k, X[k], want)
					}
				}
			}
			z := make([]complex128, n/2+1)
			for k := range z {
				z[k] = complex(rng.NormFloat64(), rng.NormFloat64())
			}
			var lhs float64
			for k := range z {
				lhs += real(z[k])*real(X[k]) + imag(z[k])*imag(X[k])
			}
			vo, vp := make([]float64, m), make([]float64, m)
			ours.adjoint(wo, vo, append([]complex128(nil), z...))
			peer.adjoint(wp, vp, append([]complex128(nil), z...))
			for j := range vo {
				if d := math.Abs(vo[j] - vp[j]); d > 1e-13*float64(n) {
					t.Fatalf("n %d m %d: adjoint[%d] = %v, FFTPACK %v", n, m, j, vo[j], vp[j])
				}
			}
			if rhs := dot(vo, y); math.Abs(lhs-rhs) > 1e-11*float64(n) {
				t.Fatalf("n %d m %d: <z, F y> = %v, <F^T z, y> = %v", n, m, lhs, rhs)
			}
		}
	}
}

// TestPow2Chosen checks that powers of two from 4 take the radix-2 path and
// the other lengths do not.
func TestPow2Chosen(t *testing.T) {
	for _, c := range []struct {
		n    int
		pow2 bool
	}{{2, false}, {4, true}, {16, true}, {27, false}, {32, true}, {48, false}, {512, true}, {1000, false}, {2048, true}} {
		if got := newRealDFT(c.n, c.n).pow2 != nil; got != c.pow2 {
			t.Errorf("n %d: radix-2 path %v, want %v", c.n, got, c.pow2)
		}
	}
}
