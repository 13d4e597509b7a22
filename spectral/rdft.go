package spectral

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// useDirectDFT reports whether the real DFT of length n, when n is not a power
// of two of at least 4 (those take pow2RealFFT, faster than both other paths at
// every such length: BenchmarkRealDFT, forward plus adjoint, 4 Dec 2026: n=8 85
// ns against 105 direct, n=32 266 against 714 direct and 1,117 FFTPACK, n=512
// 5.4 against 21.2 µs FFTPACK), is computed as a product with precomputed cosine
// and sine tables instead of gonum's FFT: for n <= 27, and for prime n up to
// 509, where FFTPACK falls back to an O(n²) radix that is 2.5x slower than the
// tables. Measured with BenchmarkRealDFT (docs/spectral-bench.md): n=27 580 vs
// 627 ns, n=40 1262 vs 908 ns, n=127 9.5 vs 23.4 µs, n=251 35 vs 85 µs.
func useDirectDFT(n int) bool {
	if n <= 27 {
		return true
	}
	if n > 509 {
		return false
	}
	for p := 2; p*p <= n; p++ {
		if n%p == 0 {
			return false
		}
	}
	return true
}

// realDFT computes the one-sided DFT of a real segment of length m zero-padded to
// n, X_k = Σ_{j<m} y_j exp(-2πi k j / n) for k = 0..n/2, and its adjoint: by
// tables (useDirectDFT), by pow2RealFFT for the other powers of two, and by
// gonum's FFTPACK for the remaining lengths. Its
// tables are read-only; the FFT scratch lives in rdftWork, one per goroutine.
type realDFT struct {
	n, m, nHalf int
	direct      bool
	cos, sin    []float64    // direct only: [nHalf][m] row-major
	pow2        *pow2RealFFT // powers of two above the direct sizes: our radix-2 FFT
}

type rdftWork struct {
	fft *fourier.FFT
	buf []float64    // length n
	z   []complex128 // pow2 only: length n/2
}

func newRealDFT(n, m int) *realDFT {
	if n >= 4 && isPow2(n) {
		return &realDFT{n: n, m: m, nHalf: n/2 + 1, pow2: newPow2RealFFT(n)}
	}
	if useDirectDFT(n) {
		return newRealDFTTables(n, m)
	}
	return &realDFT{n: n, m: m, nHalf: n/2 + 1}
}

// newRealDFTTables returns the direct (table) form of the transform.
func newRealDFTTables(n, m int) *realDFT {
	r := &realDFT{n: n, m: m, nHalf: n/2 + 1, direct: true}
	r.cos = make([]float64, r.nHalf*m)
	r.sin = make([]float64, r.nHalf*m)
	for k := 0; k < r.nHalf; k++ {
		for j := 0; j < m; j++ {
			// Reduce k*j mod n first so the angle is exact to one rounding.
			a := 2 * math.Pi * float64((k*j)%n) / float64(n)
			r.cos[k*m+j] = math.Cos(a)
			r.sin[k*m+j] = math.Sin(a)
		}
	}
	return r
}

func (r *realDFT) newWork() *rdftWork {
	w := &rdftWork{buf: make([]float64, r.n)}
	switch {
	case r.pow2 != nil:
		w.z = make([]complex128, r.n/2)
	case !r.direct:
		w.fft = fourier.NewFFT(r.n)
	}
	return w
}

// forward writes X_0..X_{n/2} of seg (length m) into dst (length nHalf).
func (r *realDFT) forward(w *rdftWork, dst []complex128, seg []float64) {
	seg = seg[:r.m]
	dst = dst[:r.nHalf]
	if r.direct {
		for k := range dst {
			c := r.cos[k*r.m : (k+1)*r.m]
			s := r.sin[k*r.m : (k+1)*r.m]
			var re, im float64
			for j, y := range seg {
				re += y * c[j]
				im -= y * s[j]
			}
			dst[k] = complex(re, im)
		}
		return
	}
	if r.pow2 != nil {
		r.pow2.forward(dst, seg, w.z)
		return
	}
	copy(w.buf, seg)
	clear(w.buf[r.m:])
	w.fft.Coefficients(dst, w.buf)
}

// adjoint writes dst[j] = Re Σ_{k=0}^{n/2} z_k exp(+2πi k j / n) for j < m, the
// transpose of forward seen as a real linear map (real and imaginary parts of X_k
// as separate outputs, z_k = ∂L/∂Re X_k + i ∂L/∂Im X_k). z is overwritten.
func (r *realDFT) adjoint(w *rdftWork, dst []float64, z []complex128) {
	dst = dst[:r.m]
	z = z[:r.nHalf]
	if r.direct {
		clear(dst)
		for k, zk := range z {
			c := r.cos[k*r.m : (k+1)*r.m]
			s := r.sin[k*r.m : (k+1)*r.m]
			a, b := real(zk), imag(zk)
			for j := range dst {
				dst[j] += a*c[j] - b*s[j]
			}
		}
		return
	}
	// gonum's Sequence computes x_j = Σ_{k=0}^{n-1} Z_k exp(+2πi k j/n) for the
	// Hermitian extension of Z: the DC and (even n) Nyquist terms appear once with
	// only their real parts, every other term twice as 2 Re(Z_k e^{..}).
	for k := 1; k < r.nHalf; k++ {
		if 2*k == r.n {
			z[k] = complex(real(z[k]), 0)
		} else {
			z[k] *= 0.5
		}
	}
	z[0] = complex(real(z[0]), 0)
	if r.pow2 != nil {
		r.pow2.inverse(dst, z, w.z)
		return
	}
	w.fft.Sequence(w.buf, z)
	copy(dst, w.buf[:r.m])
}
