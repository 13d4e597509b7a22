package nn

import "github.com/neurograd/neurograd/autograd"

// The LSTM's pointwise part in PyTorch's gate order [i f g o]:
//
//	i = σ(zi), f = σ(zf), g = tanh(zg), o = σ(zo)
//	c = f⊙c' + i⊙g,  h = o⊙tanh(c)
//
// Both functions work on one batch row of hidden units; the layers call them per
// row so that rows may be strided (sequence mode). They are the single place to
// switch to a fused SIMD kernel.

// lstmRowForward overwrites the pre-activations z (4H) by the gate activations
// and writes c, tanh(c) and h (H each) from the previous cell state cp.
func lstmRowForward[T autograd.Float](z, cp, c, tc, h []T) {
	n := len(c)
	z = z[:4*n]
	autograd.VecSigmoid(z[:2*n], z[:2*n])
	autograd.VecTanh(z[2*n:3*n], z[2*n:3*n])
	autograd.VecSigmoid(z[3*n:], z[3*n:])
	ig, fg, gg := z[:n], z[n:2*n], z[2*n:3*n]
	cp, tc, h = cp[:n], tc[:n], h[:n]
	for j := range c {
		c[j] = fg[j]*cp[j] + ig[j]*gg[j]
	}
	autograd.VecTanh(tc, c)
	autograd.VecMul(h, z[3*n:], tc)
}

// lstmRowBackward computes the pre-activation gradients dz (4H, overwritten) from
// the saved activations a (4H), previous cell state cp and tanh(c) tc, given dh
// and dc, the gradients reaching h and c (either may be nil for zero). The
// gradient for the previous cell state is written to dcp (overwritten; it may
// alias dc) or, with acc, added to it; dcp may be nil.
func lstmRowBackward[T autograd.Float](a, cp, tc, dh, dc, dz, dcp []T, acc bool) {
	n := len(tc)
	a, dz, cp = a[:4*n], dz[:4*n], cp[:n]
	for j := 0; j < n; j++ {
		ig, fg, gg, og := a[j], a[n+j], a[2*n+j], a[3*n+j]
		t := tc[j]
		var dhj, dcj T
		if dh != nil {
			dhj = dh[j]
		}
		if dc != nil {
			dcj = dc[j]
		}
		dcj += dhj * og * (1 - t*t)
		dz[j] = dcj * gg * ig * (1 - ig)
		dz[n+j] = dcj * cp[j] * fg * (1 - fg)
		dz[2*n+j] = dcj * ig * (1 - gg*gg)
		dz[3*n+j] = dhj * t * og * (1 - og)
		if dcp != nil {
			if acc {
				dcp[j] += dcj * fg
			} else {
				dcp[j] = dcj * fg
			}
		}
	}
}
