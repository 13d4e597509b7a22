package nn

import "github.com/neurograd/neurograd/autograd"

// The LSTM's pointwise part in PyTorch's gate order [i f g o]:
//
//	i = σ(zi), f = σ(zf), g = tanh(zg), o = σ(zo)
//	c = f⊙c' + i⊙g,  h = o⊙tanh(c)
//
// Both functions work on one batch row of hidden units, so that rows may be
// strided (sequence mode), and call the fused kernels of autograd.

// lstmRowForward overwrites the pre-activations z (4H) by the gate activations
// and writes c, tanh(c) and h (H each) from the previous cell state cp.
func lstmRowForward[T autograd.Float](z, cp, c, tc, h []T) {
	autograd.LSTMCell(z, cp, c, h, tc, 1, len(c))
}

// lstmRowBackward computes the pre-activation gradients dz (4H, overwritten) from
// the saved activations a (4H), previous cell state cp and tanh(c) tc, given dh
// and dc, the gradients reaching h and c, and writes the gradient for the
// previous cell state to dcp (overwritten; it may alias dc, or be nil).
func lstmRowBackward[T autograd.Float](a, cp, tc, dh, dc, dz, dcp []T) {
	autograd.LSTMCellBackward(a, cp, tc, dh, dc, dz, dcp, 1, len(tc))
}
