package nn

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Sequence mode works time-major inside the LSTM: LSTM.Forward swaps the input
// to [time, batch, in] once, runs every layer on contiguous per-step blocks, and
// swaps the top layer's output back to [batch, time, H].

// swapBatchTime returns x [A, B, C] as [B, A, C] (a recorded copy).
func swapBatchTime[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	if x.Rank() != 3 {
		panic(fmt.Sprintf("nn: swapBatchTime of %v", x.Shape()))
	}
	a, b, c := x.Dim(0), x.Dim(1), x.Dim(2)
	y := tp.NewUninit(b, a, c)
	swapRows(y.Data, x.Data, a, b, c)
	tp.Record(swapOp[T]{}, y, x)
	return y
}

// swapRows writes src [a, b, c] as dst [b, a, c].
func swapRows[T autograd.Float](dst, src []T, a, b, c int) {
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			copy(dst[(j*a+i)*c:(j*a+i+1)*c], src[(i*b+j)*c:(i*b+j+1)*c])
		}
	}
}

type swapOp[T autograd.Float] struct{}

func (swapOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, g := nd.In[0], nd.Out.Grad
	a, b, c := x.Dim(0), x.Dim(1), x.Dim(2)
	gx, fresh := tp.GradOfFresh(x)
	if fresh { // a new buffer: the swapped gradient overwrites it
		swapRows(gx, g, b, a, c)
		return
	}
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			kernel.Axpy(1, g[(j*a+i)*c:(j*a+i+1)*c], gx[(i*b+j)*c:(i*b+j+1)*c])
		}
	}
}

// lstmLayerSeq runs one layer over the time-major sequence x [T, batch, in] from
// state (h0, c0) and returns the hidden states [T, batch, H] and the final state
// hT, cT [batch, H]. The input projection of all steps is one GEMM; each step
// adds one recurrent GEMM into its contiguous block of the gate buffer.
func lstmLayerSeq[T autograd.Float](tp *autograd.Tape[T], ly *LSTMLayer[T], x, h0, c0 *autograd.Tensor[T]) (hs, hT, cT *autograd.Tensor[T]) {
	steps, batch, in, hid := x.Dim(0), x.Dim(1), ly.In, ly.W.Dim(1)/4
	g4 := 4 * hid
	n, bh := batch*steps, batch*hid
	// Saved: gates [T, batch, 4H] | c [T, batch, H] | tanh(c) [T, batch, H].
	saved := tp.ScratchUninit(n * 6 * hid)
	z := saved[:n*g4]
	cs := saved[n*g4 : n*5*hid]
	tcs := saved[n*5*hid:]
	hs = tp.NewUninit(steps, batch, hid)
	kernel.Gemm(false, false, n, g4, in, 1, x.Data, in, ly.W.Data[:in*g4], g4, 0, z, g4)
	whh := ly.W.Data[in*g4:]
	for t := 0; t < steps; t++ {
		zt := z[t*batch*g4 : (t+1)*batch*g4]
		hp, cp := h0.Data, c0.Data
		if t > 0 {
			hp, cp = hs.Data[(t-1)*bh:t*bh], cs[(t-1)*bh:t*bh]
		}
		kernel.Gemm(false, false, batch, g4, hid, 1, hp, hid, whh, g4, 1, zt, g4)
		addRowVector(zt, ly.B.Data)
		kernel.LSTMCell(zt, cp, cs[t*bh:(t+1)*bh], hs.Data[t*bh:(t+1)*bh], tcs[t*bh:(t+1)*bh], batch, hid)
	}
	hT = tp.NewUninit(batch, hid)
	cT = tp.NewUninit(batch, hid)
	copy(hT.Data, hs.Data[(steps-1)*bh:])
	copy(cT.Data, cs[(steps-1)*bh:])
	if nd := tp.Record(lstmSeqOp[T]{}, hs, x, h0, c0, ly.W, ly.B, hT, cT); nd != nil {
		nd.Saved = saved
		lstmSeqArgs{batch: batch, steps: steps, in: in, hidden: hid}.pack(&nd.Args)
		tp.Record(handOffOp[T]{}, hT, hs)
		tp.Record(handOffOp[T]{}, cT, hs)
	}
	return hs, hT, cT
}

// lstmSeqOp is the backward of one layer over a sequence: inputs x, h0, c0, W, b
// and the secondary outputs hT, cT.
type lstmSeqOp[T autograd.Float] struct{}

// lstmSeqArgs are the parameters of an lstmSeqOp node.
type lstmSeqArgs struct {
	batch, steps, in, hidden int
}

func (a lstmSeqArgs) pack(s *autograd.Args) {
	s.Ints[0], s.Ints[1], s.Ints[2], s.Ints[3] = a.batch, a.steps, a.in, a.hidden
}

func unpackLSTMSeqArgs(s *autograd.Args) lstmSeqArgs {
	return lstmSeqArgs{batch: s.Ints[0], steps: s.Ints[1], in: s.Ints[2], hidden: s.Ints[3]}
}

func (lstmSeqOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, h0, c0, w, bias, hT, cT := nd.In[0], nd.In[1], nd.In[2], nd.In[3], nd.In[4], nd.In[5], nd.In[6]
	p := unpackLSTMSeqArgs(&nd.Args)
	batch, steps, in, hid := p.batch, p.steps, p.in, p.hidden
	g4 := 4 * hid
	n, bh := batch*steps, batch*hid
	saved := nd.Saved
	a := saved[:n*g4]
	cs := saved[n*g4 : n*5*hid]
	tcs := saved[n*5*hid:]
	hs := nd.Out.Data
	// whhT = W_hhᵀ [4H, H], so the per-step GEMM reads its B operand untransposed
	// (the kernel then skips packing it for small batches).
	whhT := borrow[T](g4 * hid)
	defer giveBack(whhT)
	whh := w.Data[in*g4:]
	for j := 0; j < hid; j++ {
		for r := 0; r < g4; r++ {
			whhT[r*hid+j] = whh[j*g4+r]
		}
	}
	dz := borrow[T](n * g4)
	defer giveBack(dz)
	run := tp.Scratch(2 * bh) // running gradients of h and c
	dh, dc := run[:bh], run[bh:]
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
			kernel.Gemm(false, false, batch, hid, g4, 1, dz[(t+1)*batch*g4:], g4, whhT, hid, 0, dh, hid)
		}
		if gh != nil {
			kernel.Axpy(1, gh[t*bh:(t+1)*bh], dh)
		}
		cp := c0.Data
		if t > 0 {
			cp = cs[(t-1)*bh : t*bh]
		}
		dzt := dz[t*batch*g4 : (t+1)*batch*g4]
		kernel.LSTMCellBackward(a[t*batch*g4:(t+1)*batch*g4], cp, tcs[t*bh:(t+1)*bh], dh, dc, dzt, dc, batch, hid)
		if gb != nil { // the bias gradient, while the block is in cache
			addColumnSums(gb, dzt)
		}
	}
	if h0.RequiresGrad() {
		kernel.Gemm(false, false, batch, hid, g4, 1, dz, g4, whhT, hid, 1, tp.GradOf(h0), hid)
	}
	if c0.RequiresGrad() {
		kernel.Axpy(1, dc, tp.GradOf(c0))
	}
	if x.RequiresGrad() {
		gx, fresh := tp.GradOfFresh(x)
		var beta T = 1
		if fresh { // a new buffer: overwrite instead of accumulating
			beta = 0
		}
		kernel.Gemm(false, true, n, in, g4, 1, dz, g4, w.Data[:in*g4], g4, beta, gx, in)
	}
	if w.RequiresGrad() {
		// dWᵀ [4H, in+H] = dzᵀ·[x, h_{t-1}], computed transposed so that the large
		// dz is read in place and only the narrow inputs are packed, then added
		// into W's gradient [in+H, 4H].
		k := in + hid
		dwT := borrow[T](g4 * k)
		defer giveBack(dwT)
		kernel.Gemm(true, false, g4, in, n, 1, dz, g4, x.Data, in, 0, dwT, k)
		// Σ_t dz_tᵀ h_{t-1}: h_0 .. h_{T-2} are hs[0 : T-1], then the initial state.
		kernel.Gemm(true, false, g4, hid, batch, 1, dz, g4, h0.Data, hid, 0, dwT[in:], k)
		if steps > 1 {
			kernel.Gemm(true, false, g4, hid, n-batch, 1, dz[batch*g4:], g4, hs, hid, 1, dwT[in:], k)
		}
		gw := tp.GradOf(w)
		for r := 0; r < g4; r++ {
			row := dwT[r*k : (r+1)*k]
			for i, v := range row {
				gw[i*g4+r] += v
			}
		}
	}
}
