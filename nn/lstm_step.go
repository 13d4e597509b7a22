package nn

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// lstmCellStep computes one step of one layer: z = [x, hp]·W + b (one GEMM on
// the rows [x, hp] assembled in a reused buffer), then the pointwise cell. It
// records two nodes: the cell (output c, which also owns the backward of h) and
// a hand-off node for h. It returns h and c, [batch, H].
//
// The backward pass reads x and hp from their tensors, which stay unchanged on
// the tape when they require gradients; otherwise (a caller's input buffer, the
// state's own memory) their values are saved.
func lstmCellStep[T autograd.Float](tp *autograd.Tape[T], ly *LSTMLayer[T], x, hp, cp *autograd.Tensor[T]) (h, c *autograd.Tensor[T]) {
	batch, in, hid := x.Dim(0), ly.In, ly.W.Dim(1)/4
	k := in + hid
	h = tp.NewUninit(batch, hid) // written by the cell
	c = tp.NewUninit(batch, hid)
	record := tp.NeedsGrad(x, hp, cp, ly.W, ly.B)
	copyX, copyH := record && !x.RequiresGrad(), record && !hp.RequiresGrad()
	// Saved: gate activations [batch, 4H] | tanh(c) [batch, H] | x [batch, in] if
	// copied | hp [batch, H] if copied.
	n := batch * 5 * hid
	if copyX {
		n += batch * in
	}
	if copyH {
		n += batch * hid
	}
	saved := tp.ScratchUninit(n)
	z := saved[:batch*4*hid]
	tc := saved[batch*4*hid : batch*5*hid]
	rest := saved[batch*5*hid:]
	if copyX {
		copy(rest, x.Data)
		rest = rest[batch*in:]
	}
	if copyH {
		copy(rest, hp.Data)
	}

	// With the weights packed in one K block the bias is added by the cell
	// kernel to the GEMM's products (beta 0), the same sums as the GEMM
	// adding its products to rows holding the bias (beta 1), without
	// writing those rows first.
	pb := packedWeights(tp, ly.W, 0, false, k, 4*hid, 4*hid)
	biasLater := pb != nil && pb.OneKBlock()
	xh := borrow[T](batch * k)
	for b := 0; b < batch; b++ {
		copy(xh[b*k:b*k+in], x.Data[b*in:(b+1)*in])
		copy(xh[b*k+in:(b+1)*k], hp.Data[b*hid:(b+1)*hid])
		if !biasLater {
			copy(z[b*4*hid:(b+1)*4*hid], ly.B.Data)
		}
	}
	var beta T = 1
	if biasLater {
		beta = 0
	}
	gemms := getBatch[T]()
	gemms.add(gemmSpec[T]{m: batch, n: 4 * hid, k: k, alpha: 1, a: xh, lda: k, b: ly.W.Data, ldb: 4 * hid, beta: beta, c: z, ldc: 4 * hid, pb: pb})
	gemmRows(gemms)
	putBatch(gemms)
	giveBack(xh)

	if biasLater {
		kernel.LSTMCellBias(z, ly.B.Data, cp.Data, c.Data, h.Data, tc, batch, hid)
	} else {
		kernel.LSTMCell(z, cp.Data, c.Data, h.Data, tc, batch, hid)
	}
	if nd := tp.Record(lstmCellOp[T]{}, c, x, hp, cp, ly.W, ly.B, h); nd != nil {
		nd.Saved = saved
		lstmCellArgs{batch: batch, in: in, hidden: hid, copyX: copyX, copyH: copyH}.pack(&nd.Args)
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

// lstmCellArgs are the parameters of an lstmCellOp node: the sizes and whether
// x and h' were copied into the saved memory (after the gates and tanh(c)).
type lstmCellArgs struct {
	batch, in, hidden int
	copyX, copyH      bool
}

func (a lstmCellArgs) pack(s *autograd.Args) {
	s.Ints[0], s.Ints[1], s.Ints[2] = a.batch, a.in, a.hidden
	s.Bools[0], s.Bools[1] = a.copyX, a.copyH
}

func unpackLSTMCellArgs(s *autograd.Args) lstmCellArgs {
	return lstmCellArgs{batch: s.Ints[0], in: s.Ints[1], hidden: s.Ints[2], copyX: s.Bools[0], copyH: s.Bools[1]}
}

func (lstmCellOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, hp, cp, w, bias, h := nd.In[0], nd.In[1], nd.In[2], nd.In[3], nd.In[4], nd.In[5]
	p := unpackLSTMCellArgs(&nd.Args)
	batch, in, hid := p.batch, p.in, p.hidden
	saved := nd.Saved
	a := saved[:batch*4*hid]
	tc := saved[batch*4*hid : batch*5*hid]
	rest := saved[batch*5*hid:]
	xd, hd := x.Data, hp.Data
	if p.copyX {
		xd, rest = rest[:batch*in], rest[batch*in:]
	}
	if p.copyH {
		hd = rest[:batch*hid]
	}
	dz := borrow[T](batch * 4 * hid)
	defer giveBack(dz)
	dc, dh := nd.Out.Grad, h.Grad
	if dh == nil { // only c was used downstream
		dh = tp.Scratch(batch * hid)
	}
	// A new gradient buffer for c' is written by the kernel directly; an existing
	// one receives the kernel's output added.
	var dcp, gcp []T
	direct := false
	if cp.RequiresGrad() {
		if gcp, direct = tp.GradOfFresh(cp); direct {
			dcp = gcp
		} else {
			dcp = borrow[T](batch * hid)
			defer giveBack(dcp)
		}
	}
	kernel.LSTMCellBackward(a, cp.Data, tc, dh, dc, dz, dcp, batch, hid)
	if dcp != nil && !direct {
		kernel.Axpy(1, dcp, gcp)
	}
	// The weight gradient runs beside the input gradients (on two cores).
	side := getBatch[T]()
	if w.RequiresGrad() { // dW = [x, hp]ᵀ·dz, in its two blocks
		gw := tp.GradOf(w)
		side.add(gemmSpec[T]{transA: true, m: in, n: 4 * hid, k: batch, alpha: 1, a: xd, lda: in, b: dz, ldb: 4 * hid, beta: 1, c: gw[:in*4*hid], ldc: 4 * hid})
		side.add(gemmSpec[T]{transA: true, m: hid, n: 4 * hid, k: batch, alpha: 1, a: hd, lda: hid, b: dz, ldb: 4 * hid, beta: 1, c: gw[in*4*hid:], ldc: 4 * hid})
	}
	var gx, ghp, gb []T
	var betaX, betaH T = 1, 1 // 0 for new gradient buffers, which the GEMM overwrites
	if x.RequiresGrad() {
		if g, fresh := tp.GradOfFresh(x); fresh {
			gx, betaX = g, 0
		} else {
			gx = g
		}
	}
	if hp.RequiresGrad() {
		if g, fresh := tp.GradOfFresh(hp); fresh {
			ghp, betaH = g, 0
		} else {
			ghp = g
		}
	}
	if bias.RequiresGrad() {
		gb = tp.GradOf(bias)
	}
	runBeside(side, func() {
		if gx != nil {
			s := gemmSpec[T]{transB: true, m: batch, n: in, k: 4 * hid, alpha: 1, a: dz, lda: 4 * hid, b: w.Data[:in*4*hid], ldb: 4 * hid, beta: betaX, c: gx, ldc: in,
				pb: packedWeights(tp, w, 0, true, 4*hid, in, 4*hid)}
			s.run()
		}
		if ghp != nil {
			s := gemmSpec[T]{transB: true, m: batch, n: hid, k: 4 * hid, alpha: 1, a: dz, lda: 4 * hid, b: w.Data[in*4*hid:], ldb: 4 * hid, beta: betaH, c: ghp, ldc: hid,
				pb: packedWeights(tp, w, in*4*hid, true, 4*hid, hid, 4*hid)}
			s.run()
		}
		if gb != nil {
			addColumnSums(gb, dz)
		}
	})
	putBatch(side)
}
