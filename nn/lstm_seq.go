package nn

import "github.com/neurograd/neurograd/autograd"

// lstmLayerSeq runs one layer over x [batch, T, in] from state (h0, c0) and
// returns the hidden states [batch, T, H] and the final state hT, cT [batch, H].
// The input projection of all steps is one GEMM; each step adds one recurrent
// GEMM into its strided rows of the gate buffer.
func lstmLayerSeq[T autograd.Float](tp *autograd.Tape[T], ly *LSTMLayer[T], x, h0, c0 *autograd.Tensor[T]) (hs, hT, cT *autograd.Tensor[T]) {
	batch, steps, in, hid := x.Dim(0), x.Dim(1), ly.In, ly.W.Dim(1)/4
	g4 := 4 * hid
	n := batch * steps
	// Saved: gates [batch, T, 4H] | c [batch, T, H] | tanh(c) [batch, T, H] | h_{t-1} [batch, T, H].
	saved := autograd.ScratchUninit(tp, n*7*hid)
	z := saved[:n*g4]
	cs := saved[n*g4 : n*5*hid]
	tcs := saved[n*5*hid : n*6*hid]
	hprev := saved[n*6*hid:]
	hs = tp.NewTensor(batch, steps, hid)
	autograd.Gemm(false, false, n, g4, in, 1, x.Data, in, ly.W.Data[:in*g4], g4, 0, z, g4)
	whh := ly.W.Data[in*g4:]
	for b := 0; b < batch; b++ {
		copy(hprev[b*steps*hid:][:hid], h0.Data[b*hid:(b+1)*hid])
	}
	for t := 0; t < steps; t++ {
		autograd.Gemm(false, false, batch, g4, hid, 1, hprev[t*hid:], steps*hid, whh, g4, 1, z[t*g4:], steps*g4)
		for b := 0; b < batch; b++ {
			r := (b*steps + t) * hid
			var cp []T
			if t == 0 {
				cp = c0.Data[b*hid : (b+1)*hid]
			} else {
				cp = cs[r-hid : r]
			}
			h := hs.Data[r : r+hid]
			autograd.Axpy(1, ly.B.Data, z[4*r:4*(r+hid)]) // the bias, while the row is in cache
			lstmRowForward(z[4*r:4*(r+hid)], cp, cs[r:r+hid], tcs[r:r+hid], h)
			if t+1 < steps {
				copy(hprev[r+hid:r+2*hid], h)
			}
		}
	}
	hT = tp.NewTensor(batch, hid)
	cT = tp.NewTensor(batch, hid)
	for b := 0; b < batch; b++ {
		r := (b*steps + steps - 1) * hid
		copy(hT.Data[b*hid:(b+1)*hid], hs.Data[r:r+hid])
		copy(cT.Data[b*hid:(b+1)*hid], cs[r:r+hid])
	}
	if nd := tp.Record(lstmSeqOp[T]{}, hs, x, h0, c0, ly.W, ly.B, hT, cT); nd != nil {
		nd.Saved = saved
		nd.I[0], nd.I[1], nd.I[2], nd.I[3] = batch, steps, in, hid
		tp.Record(handOffOp[T]{}, hT, hs)
		tp.Record(handOffOp[T]{}, cT, hs)
	}
	return hs, hT, cT
}

// lstmSeqOp is the backward of one layer over a sequence: inputs x, h0, c0, W, b
// and the secondary outputs hT, cT.
type lstmSeqOp[T autograd.Float] struct{}

func (lstmSeqOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, h0, c0, w, bias, hT, cT := nd.In[0], nd.In[1], nd.In[2], nd.In[3], nd.In[4], nd.In[5], nd.In[6]
	batch, steps, in, hid := nd.I[0], nd.I[1], nd.I[2], nd.I[3]
	g4 := 4 * hid
	n := batch * steps
	saved := nd.Saved
	a := saved[:n*g4]
	cs := saved[n*g4 : n*5*hid]
	tcs := saved[n*5*hid : n*6*hid]
	hprev := saved[n*6*hid:]
	// whhT = W_hhᵀ [4H, H], so the per-step GEMM reads its B operand untransposed
	// (the kernel then skips packing it for small batches).
	whhT := autograd.ScratchUninit(tp, g4*hid)
	whh := w.Data[in*g4:]
	for j := 0; j < hid; j++ {
		for r := 0; r < g4; r++ {
			whhT[r*hid+j] = whh[j*g4+r]
		}
	}
	dz := autograd.ScratchUninit(tp, n*g4)
	dhr := tp.Scratch(2 * batch * hid) // running gradients of h and c
	dh, dc := dhr[:batch*hid], dhr[batch*hid:]
	if hT.Grad != nil {
		copy(dh, hT.Grad)
	}
	if cT.Grad != nil {
		copy(dc, cT.Grad)
	}
	gh := nd.Out.Grad
	var gb []T
	if bias.RequiresGrad() {
		gb = tp.GradOf(bias)
	}
	for t := steps - 1; t >= 0; t-- {
		if t < steps-1 {
			autograd.Gemm(false, false, batch, hid, g4, 1, dz[(t+1)*g4:], steps*g4, whhT, hid, 0, dh, hid)
		}
		for b := 0; b < batch; b++ {
			r := (b*steps + t) * hid
			dhb, dcb := dh[b*hid:(b+1)*hid], dc[b*hid:(b+1)*hid]
			if gh != nil {
				autograd.Axpy(1, gh[r:r+hid], dhb)
			}
			var cp []T
			if t == 0 {
				cp = c0.Data[b*hid : (b+1)*hid]
			} else {
				cp = cs[r-hid : r]
			}
			lstmRowBackward(a[4*r:4*(r+hid)], cp, tcs[r:r+hid], dhb, dcb, dz[4*r:4*(r+hid)], dcb)
			if gb != nil { // the bias gradient, while the row is in cache
				autograd.Axpy(1, dz[4*r:4*(r+hid)], gb)
			}
		}
	}
	if h0.RequiresGrad() {
		autograd.Gemm(false, false, batch, hid, g4, 1, dz, steps*g4, whhT, hid, 1, tp.GradOf(h0), hid)
	}
	if c0.RequiresGrad() {
		autograd.Axpy(1, dc, tp.GradOf(c0))
	}
	if x.RequiresGrad() {
		autograd.Gemm(false, true, n, in, g4, 1, dz, g4, w.Data[:in*g4], g4, 1, tp.GradOf(x), in)
	}
	if w.RequiresGrad() {
		gw := tp.GradOf(w)
		autograd.Gemm(true, false, in, g4, n, 1, x.Data, in, dz, g4, 1, gw[:in*g4], g4)
		autograd.Gemm(true, false, hid, g4, n, 1, hprev, hid, dz, g4, 1, gw[in*g4:], g4)
	}
}
