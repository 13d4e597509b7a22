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
// and dc, the gradients reaching h and c. The
// gradient for the previous cell state is written to dcp (overwritten; it may
// alias dc) or, with acc, added to it; dcp may be nil.
func lstmRowBackward[T autograd.Float](a, cp, tc, dh, dc, dz, dcp []T, acc bool) {
	n := len(tc)
	ig, fg, gg, og := a[:n], a[n:2*n], a[2*n:3*n], a[3*n:4*n]
	di, df, dg, do := dz[:n], dz[n:2*n], dz[2*n:3*n], dz[3*n:4*n]
	cp, dh, dc = cp[:n], dh[:n], dc[:n]
	for j, t := range tc {
		i, f, g, o, d := ig[j], fg[j], gg[j], og[j], dh[j]
		dct := dc[j] + d*o*(1-t*t)
		di[j] = dct * g * i * (1 - i)
		df[j] = dct * cp[j] * f * (1 - f)
		dg[j] = dct * i * (1 - g*g)
		do[j] = d * t * o * (1 - o)
		if dcp != nil {
			if acc {
				dcp[j] += dct * f
			} else {
				dcp[j] = dct * f
			}
		}
	}
}
