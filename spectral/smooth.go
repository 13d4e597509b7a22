package spectral

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// Smoother convolves signals of N samples with a normalised Hamming window,
// keeping their length: hnn-core's Dipole.smooth(window_len)
// (hnn_core/utils.py smooth_waveform and _hammfilt: a window of
// winsz = round(1e-3·window_len·sfreq) samples, numpy.hamming(winsz) divided
// by its sum, numpy.convolve(x, window, "same")). It is linear, so SmoothOp's
// gradient is the adjoint convolution.
type Smoother struct {
	N      int       // samples per signal
	Window []float64 // the normalised window (sums to 1)
	offset int       // of "same" inside the full convolution: (len(Window)-1)/2
}

// NewSmoother returns the smoother of hnn-core's smooth(windowMS) for
// signals of n samples at fs Hz. As hnn-core, it refuses a window below 1 ms,
// one that rounds to no sample, and one longer than the signal.
func NewSmoother(n int, windowMS, fs float64) (*Smoother, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("spectral: smoothing a signal of %d samples", n)
	case !(fs > 0) || math.IsInf(fs, 0):
		return nil, fmt.Errorf("spectral: smoothing at sampling frequency %v Hz: must be positive and finite", fs)
	case !(windowMS >= 1) || math.IsInf(windowMS, 0):
		return nil, fmt.Errorf("spectral: smoothing window %v ms: must be at least 1 ms and finite (hnn-core's rule)", windowMS)
	}
	m := int(math.RoundToEven(1e-3 * windowMS * fs))
	if m < 1 {
		return nil, fmt.Errorf("spectral: smoothing window %v ms at %v Hz is %d samples: must be at least one", windowMS, fs, m)
	}
	if m > n {
		return nil, fmt.Errorf("spectral: smoothing window %v ms is %d samples, longer than the signal's %d", windowMS, m, n)
	}
	w := make([]float64, m)
	if m == 1 {
		w[0] = 1
	} else {
		var sum float64
		for i := range w {
			w[i] = 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(m-1))
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
	}
	return &Smoother{N: n, Window: w, offset: (m - 1) / 2}, nil
}

// Apply smooths the row-major batch x (batch·N samples) into dst (allocated
// when nil; it must not overlap x) and returns it.
func (s *Smoother) Apply(dst, x []float64) ([]float64, error) {
	if len(x) == 0 || len(x)%s.N != 0 {
		return nil, fmt.Errorf("spectral: smoothing %d samples in signals of %d", len(x), s.N)
	}
	if dst == nil {
		dst = make([]float64, len(x))
	}
	if len(dst) != len(x) {
		return nil, fmt.Errorf("spectral: smoothing into %d samples, want %d", len(dst), len(x))
	}
	for r := 0; r < len(x); r += s.N {
		smoothRow(dst[r:r+s.N], x[r:r+s.N], s.Window, s.offset)
	}
	return dst, nil
}

// smoothRow writes y[i] = Σ_j x[j]·w[i+off−j] over 0 ≤ i+off−j < len(w).
func smoothRow[T autograd.Float](y, x []T, w []float64, off int) {
	n, m := len(x), len(w)
	for i := range y {
		k := i + off // index in the full convolution
		lo, hi := max(0, k-m+1), min(n-1, k)
		var acc float64
		for j := lo; j <= hi; j++ {
			acc += float64(x[j]) * w[k-j]
		}
		y[i] = T(acc)
	}
}

// smoothRowAdjoint adds to dx[j] Σ_i g[i]·w[i+off−j]: the transpose of smoothRow.
func smoothRowAdjoint[T autograd.Float](dx, g []T, w []float64, off int) {
	n, m := len(dx), len(w)
	for j := range dx {
		// i+off−j in [0, m) and i in [0, n)
		lo, hi := max(0, j-off), min(n-1, j-off+m-1)
		var acc float64
		for i := lo; i <= hi; i++ {
			acc += float64(g[i]) * w[i+off-j]
		}
		dx[j] += T(acc)
	}
}

// SmoothOp records the smoothing of x ([N] or [batch, N]) on tp; the
// result has x's shape.
func SmoothOp[T autograd.Float](tp *autograd.Tape[T], s *Smoother, x *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	if !(x.Rank() == 1 && x.Dim(0) == s.N) && !(x.Rank() == 2 && x.Dim(1) == s.N && x.Dim(0) > 0) {
		return nil, fmt.Errorf("spectral: SmoothOp input shape %v, want [%d] or [batch, %d]", x.Shape(), s.N, s.N)
	}
	out := tp.NewTensor(x.Shape()...)
	for r := 0; r < len(x.Data); r += s.N {
		smoothRow(out.Data[r:r+s.N], x.Data[r:r+s.N], s.Window, s.offset)
	}
	tp.Record(smoothOp[T]{s}, out, x)
	return out, nil
}

type smoothOp[T autograd.Float] struct{ s *Smoother }

func (o smoothOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	dx, g, n := tp.GradOf(nd.In[0]), nd.Out.Grad, o.s.N
	for r := 0; r < len(g); r += n {
		smoothRowAdjoint(dx[r:r+n], g[r:r+n], o.s.Window, o.s.offset)
	}
}
