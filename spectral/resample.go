package spectral

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// Resampler changes the number of samples of a signal by Fourier
// resampling: scipy.signal.resample(x, Out) for signals of In samples,
// which hnn-core uses to bring a simulated and a measured dipole to one
// length before their RMSE or correlation (hnn_core/dipole.py
// _resample_and_weight_dipole). The spectrum is cut (or zero-padded) to
// Out/2+1 bins, the Nyquist bin of the shorter length doubled (down) or
// halved (up) when that length is even, and transformed back scaled by
// Out/In. It is linear and stored as its Out × In matrix, so ResampleOp's
// gradient is the transpose.
type Resampler struct {
	In, Out int
	M       []float64 // row-major Out × In: y = M·x
}

// MaxResampleEntries bounds In·Out of a Resampler (its matrix's size).
const MaxResampleEntries = 1 << 26

// NewResampler returns the resampler from in to out samples.
func NewResampler(in, out int) (*Resampler, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("spectral: resampling %d samples to %d: both must be positive", in, out)
	}
	if in*out > MaxResampleEntries || in > MaxResampleEntries || out > MaxResampleEntries {
		return nil, fmt.Errorf("spectral: resampling %d samples to %d: a %d x %d matrix is too large", in, out, out, in)
	}
	r := &Resampler{In: in, Out: out, M: make([]float64, in*out)}
	n := min(in, out)
	nyq := n/2 + 1
	bins := min(nyq, out/2+1)
	// y_m = (1/In) Σ_k c_k s_k Re(X_k e^{2πikm/Out}), X_k = Σ_j x_j e^{−2πikj/In}:
	// c_k counts the bin's mirror in the inverse real transform (1 for DC and
	// Out's Nyquist bin, else 2), s_k is scipy's Nyquist factor.
	ca, sa := make([]float64, out), make([]float64, out)
	cb, sb := make([]float64, in), make([]float64, in)
	for k := range bins {
		c := 2.0
		if k == 0 || (out%2 == 0 && k == out/2) {
			c = 1
		}
		if n%2 == 0 && k == n/2 {
			switch {
			case out < in:
				c *= 2
			case out > in:
				c *= 0.5
			}
		}
		c /= float64(in)
		phases(ca, sa, k, out)
		phases(cb, sb, k, in)
		for m := range out {
			row := r.M[m*in : (m+1)*in]
			am, bm := c*ca[m], c*sa[m]
			for j := range row {
				row[j] += am*cb[j] + bm*sb[j]
			}
		}
	}
	return r, nil
}

// phases writes cos and sin of 2π·k·i/n for i < n, reducing k·i mod n
// exactly first.
func phases(c, s []float64, k, n int) {
	for i := range n {
		c[i], s[i] = math.Cos(2*math.Pi*float64(k*i%n)/float64(n)), math.Sin(2*math.Pi*float64(k*i%n)/float64(n))
	}
}

// Apply resamples the row-major batch x (batch·In samples) into dst
// (batch·Out, allocated when nil) and returns it.
func (r *Resampler) Apply(dst, x []float64) ([]float64, error) {
	if len(x) == 0 || len(x)%r.In != 0 {
		return nil, fmt.Errorf("spectral: resampling %d samples in signals of %d", len(x), r.In)
	}
	batch := len(x) / r.In
	if dst == nil {
		dst = make([]float64, batch*r.Out)
	}
	if len(dst) != batch*r.Out {
		return nil, fmt.Errorf("spectral: resampling into %d samples, want %d", len(dst), batch*r.Out)
	}
	for b := range batch {
		xs := x[b*r.In : (b+1)*r.In]
		for m := range r.Out {
			var acc float64
			for j, v := range r.M[m*r.In : (m+1)*r.In] {
				acc += v * xs[j]
			}
			dst[b*r.Out+m] = acc
		}
	}
	return dst, nil
}

// ResampleOp records the resampling of x ([In] or [batch, In]) on tp; the
// result is [Out] or [batch, Out].
func ResampleOp[T autograd.Float](tp *autograd.Tape[T], r *Resampler, x *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	var out *autograd.Tensor[T]
	switch {
	case x.Rank() == 1 && x.Dim(0) == r.In:
		out = tp.NewTensor(r.Out)
	case x.Rank() == 2 && x.Dim(1) == r.In && x.Dim(0) > 0:
		out = tp.NewTensor(x.Dim(0), r.Out)
	default:
		return nil, fmt.Errorf("spectral: ResampleOp input shape %v, want [%d] or [batch, %d]", x.Shape(), r.In, r.In)
	}
	batch := len(x.Data) / r.In
	for b := range batch {
		xs := x.Data[b*r.In : (b+1)*r.In]
		for m := range r.Out {
			var acc float64
			for j, v := range r.M[m*r.In : (m+1)*r.In] {
				acc += v * float64(xs[j])
			}
			out.Data[b*r.Out+m] = T(acc)
		}
	}
	tp.Record(resampleOp[T]{r}, out, x)
	return out, nil
}

type resampleOp[T autograd.Float] struct{ r *Resampler }

func (o resampleOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	r := o.r
	dx, g := tp.GradOf(nd.In[0]), nd.Out.Grad
	for b := range len(g) / r.Out {
		dxs := dx[b*r.In : (b+1)*r.In]
		for m := range r.Out {
			gm := float64(g[b*r.Out+m])
			if gm == 0 {
				continue
			}
			for j, v := range r.M[m*r.In : (m+1)*r.In] {
				dxs[j] += T(v * gm)
			}
		}
	}
}
