package spectral

import "math"

// pow2RealFFT is the one-sided DFT of a real sequence whose length n is a
// power of two (n >= 4), computed as a complex FFT of half the length on the
// even and odd samples packed as z_m = x_{2m} + i·x_{2m+1}, and its inverse
// on a Hermitian half-spectrum. The complex FFT is iterative radix-2
// decimation in time with the bit-reversal done while packing; every twiddle
// factor is computed directly (math.Sincos of its own angle), so the result
// is accurate to a few roundings of log2(n) stages. Tables are read-only and
// shared; the scratch (n/2 complex values) is the caller's.
type pow2RealFFT struct {
	n, half int
	rev     []int32      // rev[m]: the bit reversal of m over log2(half) bits
	tw      []complex128 // tw[h-1+j] = e^{-2πi j/(2h)} for the stage joining blocks of h, j < h
	split   []complex128 // split[k] = e^{-2πi k/n}, k <= half
}

// isPow2 reports whether n is a power of two (1, 2, 4, ...).
func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

// newPow2RealFFT returns the transform of length n, a power of two >= 4.
func newPow2RealFFT(n int) *pow2RealFFT {
	half := n / 2
	f := &pow2RealFFT{n: n, half: half, rev: make([]int32, half), tw: make([]complex128, half), split: make([]complex128, half+1)}
	bits := 0
	for 1<<bits < half {
		bits++
	}
	for m := range f.rev {
		r := 0
		for b := 0; b < bits; b++ {
			r |= (m >> b & 1) << (bits - 1 - b)
		}
		f.rev[m] = int32(r)
	}
	for h := 1; h < half; h <<= 1 {
		for j := 0; j < h; j++ {
			s, c := math.Sincos(-math.Pi * float64(j) / float64(h))
			f.tw[h-1+j] = complex(c, s)
		}
	}
	for k := range f.split {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		f.split[k] = complex(c, s)
	}
	return f
}

// fft transforms x (length half, already in bit-reversed order) in place:
// x_k ← Σ_m x_m e^{-2πi k m/half}.
func (f *pow2RealFFT) fft(x []complex128) {
	n := f.half
	x = x[:n]
	// Blocks of 1 → 2: twiddle 1.
	for s := 0; s+1 < n; s += 2 {
		a, b := x[s], x[s+1]
		x[s], x[s+1] = a+b, a-b
	}
	// Blocks of 2 → 4: twiddles 1 and -i.
	if n >= 4 {
		for s := 0; s+3 < n; s += 4 {
			a0, a1, b0, b1 := x[s], x[s+1], x[s+2], x[s+3]
			b1 = complex(imag(b1), -real(b1)) // ·(-i)
			x[s], x[s+2] = a0+b0, a0-b0
			x[s+1], x[s+3] = a1+b1, a1-b1
		}
	}
	for h := 4; h < n; h <<= 1 {
		w := f.tw[h-1 : 2*h-1]
		for s := 0; s < n; s += 2 * h {
			lo := x[s : s+h]
			hi := x[s+h : s+2*h]
			for j, wj := range w {
				a, b := lo[j], hi[j]*wj
				lo[j], hi[j] = a+b, a-b
			}
		}
	}
}

// forward writes X_k = Σ_{j<len(seg)} seg_j e^{-2πi k j/n}, k = 0..n/2, into
// dst (length n/2+1); seg (length <= n) is zero-padded to n. scratch has
// length n/2.
func (f *pow2RealFFT) forward(dst []complex128, seg []float64, scratch []complex128) {
	z := scratch[:f.half]
	m := len(seg)
	for i := range z {
		var re, im float64
		if 2*i < m {
			re = seg[2*i]
		}
		if 2*i+1 < m {
			im = seg[2*i+1]
		}
		z[f.rev[i]] = complex(re, im)
	}
	f.fft(z)
	dst = dst[:f.half+1]
	h := f.half
	for k := 0; k <= h; k++ {
		zk := z[k&(h-1)]
		zc := z[(h-k)&(h-1)]
		zc = complex(real(zc), -imag(zc))
		e := zk + zc
		d := zk - zc
		o := complex(imag(d), -real(d)) // -i·d
		dst[k] = 0.5 * (e + f.split[k]*o)
	}
}

// inverse writes dst_j = Σ_{k=0}^{n-1} X_k e^{+2πi k j/n} for j < len(dst)
// (<= n), X the Hermitian extension of x (length n/2+1: X_{n-k} =
// conj(x_k); the imaginary parts of x_0 and x_{n/2} are ignored). scratch
// has length n/2.
func (f *pow2RealFFT) inverse(dst []float64, x []complex128, scratch []complex128) {
	h := f.half
	x = x[:h+1]
	y := scratch[:h]
	x0 := complex(real(x[0]), 0)
	xh := complex(real(x[h]), 0)
	for k := 0; k < h; k++ {
		xk := x[k]
		xc := x[h-k]
		if k == 0 {
			xk, xc = x0, xh
		}
		xc = complex(real(xc), -imag(xc))
		s := xk + xc
		d := xk - xc
		w := f.split[k]
		t := s + complex(imag(w), real(w))*d // i·conj(split_k) = i·e^{+2πi k/n}
		// inverse FFT as conj(FFT(conj(t))), packed in bit-reversed order
		y[f.rev[k]] = complex(real(t), -imag(t))
	}
	f.fft(y)
	for j := range dst {
		c := y[j/2]
		if j%2 == 0 {
			dst[j] = real(c)
		} else {
			dst[j] = -imag(c) // conj
		}
	}
}
