package nn

import "github.com/neurograd/neurograd/autograd"

// lstmCellStep computes one step of one layer: z = [x, hp]·W + b, then the
// pointwise cell. It records two nodes: the cell (output c, which also owns the
// backward of h) and a hand-off node for h. It returns h and c, [batch, H].
func lstmCellStep[T autograd.Float](tp *autograd.Tape[T], ly *LSTMLayer[T], x, hp, cp *autograd.Tensor[T]) (h, c *autograd.Tensor[T]) {
	batch, in, hid := x.Dim(0), ly.In, ly.W.Dim(1)/4
	k := in + hid
	// Saved: xh [batch, in+H] | gate activations [batch, 4H] | tanh(c) [batch, H].
	saved := autograd.ScratchUninit(tp, batch*(k+5*hid))
	xh := saved[:batch*k]
	z := saved[batch*k : batch*(k+4*hid)]
	tc := saved[batch*(k+4*hid):]
	for b := 0; b < batch; b++ {
		copy(xh[b*k:b*k+in], x.Data[b*in:(b+1)*in])
		copy(xh[b*k+in:(b+1)*k], hp.Data[b*hid:(b+1)*hid])
	}
	for b := 0; b < batch; b++ {
		copy(z[b*4*hid:(b+1)*4*hid], ly.B.Data)
	}
	gemms := getBatch[T]()
	gemms.add(gemmSpec[T]{m: batch, n: 4 * hid, k: k, alpha: 1, a: xh, lda: k, b: ly.W.Data, ldb: 4 * hid, beta: 1, c: z, ldc: 4 * hid})
	gemmRows(gemms)
	putBatch(gemms)
	h = tp.NewTensor(batch, hid)
	c = tp.NewTensor(batch, hid)
	autograd.LSTMCell(z, cp.Data, c.Data, h.Data, tc, batch, hid)
	if nd := tp.Record(lstmCellOp[T]{}, c, x, hp, cp, ly.W, ly.B, h); nd != nil {
		nd.Saved = saved
		nd.I[0], nd.I[1], nd.I[2] = batch, in, hid
		tp.Record(handOffOp[T]{}, h, c)
	}
	return h, c
}

// handOffOp is the node of a secondary output of a multi-output op: its backward
// only makes sure the primary output has a gradient buffer, so that the primary
// node runs and handles this output's gradient too (the secondary outputs are
// among the primary node's inputs). Consumers of a secondary output are recorded
// after it, so its gradient is complete when the primary node runs.
type handOffOp[T autograd.Float] struct{}

func (handOffOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) { tp.GradOf(nd.In[0]) }

// lstmCellOp is the backward of one LSTM step: inputs x, h', c', W, b and the
// secondary output h.
type lstmCellOp[T autograd.Float] struct{}

func (lstmCellOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, hp, cp, w, bias, h := nd.In[0], nd.In[1], nd.In[2], nd.In[3], nd.In[4], nd.In[5]
	batch, in, hid := nd.I[0], nd.I[1], nd.I[2]
	k := in + hid
	saved := nd.Saved
	xh := saved[:batch*k]
	a := saved[batch*k : batch*(k+4*hid)]
	tc := saved[batch*(k+4*hid):]
	dz := autograd.ScratchUninit(tp, batch*4*hid)
	dc, dh := nd.Out.Grad, h.Grad
	if dh == nil { // only c was used downstream
		dh = tp.Scratch(batch * hid)
	}
	var dcp []T
	if cp.RequiresGrad() {
		dcp = autograd.ScratchUninit(tp, batch*hid)
	}
	autograd.LSTMCellBackward(a, cp.Data, tc, dh, dc, dz, dcp, batch, hid)
	if dcp != nil {
		autograd.Axpy(1, dcp, tp.GradOf(cp))
	}
	// The weight gradient runs beside the input gradients (on two cores).
	side := getBatch[T]()
	if w.RequiresGrad() {
		side.add(gemmSpec[T]{transA: true, m: k, n: 4 * hid, k: batch, alpha: 1, a: xh, lda: k, b: dz, ldb: 4 * hid, beta: 1, c: tp.GradOf(w), ldc: 4 * hid})
	}
	var gx, ghp, gb []T
	if x.RequiresGrad() {
		gx = tp.GradOf(x)
	}
	if hp.RequiresGrad() {
		ghp = tp.GradOf(hp)
	}
	if bias.RequiresGrad() {
		gb = tp.GradOf(bias)
	}
	runBeside(side, func() {
		if gx != nil {
			autograd.Gemm(false, true, batch, in, 4*hid, 1, dz, 4*hid, w.Data[:in*4*hid], 4*hid, 1, gx, in)
		}
		if ghp != nil {
			autograd.Gemm(false, true, batch, hid, 4*hid, 1, dz, 4*hid, w.Data[in*4*hid:], 4*hid, 1, ghp, hid)
		}
		if gb != nil {
			addColumnSums(gb, dz)
		}
	})
	putBatch(side)
}
