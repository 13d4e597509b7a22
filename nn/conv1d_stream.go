package nn

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// ConvState is the streaming state of a Conv1d for a batch: a ring buffer with
// the last ReceptiveField inputs (copied into memory the state owns) and, for
// gradient flow, the tensors they came from. Before the tape those tensors live
// on is Reset, call Detach (or Zero): Reset recycles them.
type ConvState[T autograd.Float] struct {
	batch, in int
	ring      [][]T                 // ring[j]: one step's input [batch, in]
	src       []*autograd.Tensor[T] // the tensor of ring[j] while it needs a gradient, else nil
	live      []bool                // ring[j] holds an input (false: zero history)
	pos       int                   // slot of the newest input
}

// NewState returns a streaming state for a batch with an all-zero history (the
// causal zero padding of Forward).
func (c *Conv1d[T]) NewState(batch int) *ConvState[T] {
	r := c.ReceptiveField()
	s := &ConvState[T]{batch: batch, in: c.In, ring: make([][]T, r), src: make([]*autograd.Tensor[T], r), live: make([]bool, r)}
	buf := make([]T, r*batch*c.In)
	for j := range s.ring {
		s.ring[j] = buf[j*batch*c.In : (j+1)*batch*c.In]
	}
	return s
}

// Zero clears the history (a new sequence).
func (s *ConvState[T]) Zero() {
	for j := range s.ring {
		clear(s.ring[j])
		s.src[j] = nil
		s.live[j] = false
	}
	s.pos = 0
}

// Detach cuts the history from the tape: its values are kept, but no gradient
// flows back into the inputs of earlier steps any more, and the tape may be Reset.
func (s *ConvState[T]) Detach() { clear(s.src) }

// Step consumes one step x [batch, In] and returns the convolution's output for
// it, [batch, Out], equal to the corresponding step of Forward over the whole
// sequence. It costs one GEMM per tap against the tap's [Out, In] weight block.
// x's values are copied into the state. While x requires a gradient the state
// and the tape refer to it (it must not be modified until the tape is Reset);
// otherwise its values are saved on the tape where the backward pass needs them.
func (c *Conv1d[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], s *ConvState[T]) *autograd.Tensor[T] {
	if x.Rank() != 2 || x.Dim(1) != c.In || x.Dim(0) != s.batch || s.in != c.In || len(s.ring) != c.ReceptiveField() {
		panic(fmt.Sprintf("nn: Conv1d.Step input %v with state for batch %d, in %d, history %d; want [%d %d]", x.Shape(), s.batch, s.in, len(s.ring), s.batch, c.In))
	}
	batch, in, out, kk, d := s.batch, c.In, c.Out, c.Kernel, c.Dilation
	r, ck := len(s.ring), kk*in
	s.pos = (s.pos + 1) % r
	copy(s.ring[s.pos], x.Data)
	s.src[s.pos], s.live[s.pos] = nil, true
	if x.RequiresGrad() {
		s.src[s.pos] = x
	}
	var y *autograd.Tensor[T]
	if c.Bias != nil {
		y = tp.NewUninit(batch, out)
		for b := 0; b < batch; b++ {
			copy(y.Data[b*out:(b+1)*out], c.Bias.Data)
		}
	} else {
		y = tp.NewTensor(batch, out)
	}
	slot := func(k int) int { return ((s.pos-(kk-1-k)*d)%r + r) % r }
	w := c.Weight.Data
	gemms := getBatch[T]()
	defer putBatch(gemms)
	tap := func(k int, data []T) {
		spec := gemmSpec[T]{transB: true, m: batch, n: out, k: in, alpha: 1, a: data, lda: in, b: w[k*in:], ldb: ck, beta: 1, c: y.Data, ldc: out,
			pb: packedWeights(tp, c.Weight, k*in, true, in, out, ck)}
		if !gemms.add(spec) {
			spec.run()
		}
	}
	if !tp.Recording() || !(c.Weight.RequiresGrad() || (c.Bias != nil && c.Bias.RequiresGrad()) || x.RequiresGrad() || s.anySrc()) {
		for k := 0; k < kk; k++ {
			if j := slot(k); s.live[j] {
				tap(k, s.ring[j])
			}
		}
		gemmRows(gemms)
		if c.ReLU {
			reluInPlace(y.Data)
		}
		return y
	}
	// Per tap, code[2k] says where the backward pass finds its input: 0 zero
	// history, 1 input tensor nd.In[code[2k+1]], 2 saved copy at Saved[code[2k+1]:].
	code := tp.ScratchInts(2 * kk)
	nsave := 0
	for k := 0; k < kk; k++ {
		if j := slot(k); s.live[j] && s.src[j] == nil {
			nsave++
		}
	}
	saved := tp.ScratchUninit(nsave * batch * in)
	var inBuf [66]*autograd.Tensor[T]
	ins := append(inBuf[:0], c.Weight)
	if c.Bias != nil {
		ins = append(ins, c.Bias)
	}
	off := 0
	for k := 0; k < kk; k++ {
		j := slot(k)
		var data []T
		switch {
		case !s.live[j]:
			continue
		case s.src[j] != nil:
			code[2*k], code[2*k+1] = 1, len(ins)
			ins = append(ins, s.src[j])
			data = s.src[j].Data
		default:
			code[2*k], code[2*k+1] = 2, off
			data = saved[off : off+batch*in]
			copy(data, s.ring[j])
			off += batch * in
		}
		tap(k, data)
	}
	gemmRows(gemms)
	if c.ReLU {
		reluInPlace(y.Data)
	}
	if nd := tp.Record(conv1dStepOp[T]{}, y, ins...); nd != nil {
		nd.Saved = saved
		nd.Idx = code
		conv1dStepArgs{batch: batch, in: in, out: out, kernel: kk, bias: c.Bias != nil, relu: c.ReLU}.pack(&nd.Args)
	}
	return y
}

// history copies the inputs u = -(R-1) .. -1 (u = -1 the newest; zeros where
// the history is empty) into tape memory, [R-1][batch, in].
func (s *ConvState[T]) history(tp *autograd.Tape[T]) []T {
	r, n := len(s.ring), s.batch*s.in
	hist := tp.ScratchUninit((r - 1) * n)
	for u := -(r - 1); u <= -1; u++ {
		dst := hist[(u+r-1)*n : (u+r)*n]
		if j := ((s.pos+u+1)%r + r) % r; s.live[j] {
			copy(dst, s.ring[j])
		} else {
			clear(dst)
		}
	}
	return hist
}

// push appends the steps of a sequence x [batch, time, in] to the history, as
// constants (no gradient flows back through them). Slots follow absolute time
// modulo the ring's length, so step t of x lands in slot pos+t+1.
func (s *ConvState[T]) push(x *autograd.Tensor[T]) {
	r, steps, in := len(s.ring), x.Dim(1), s.in
	for t := max(0, steps-r); t < steps; t++ {
		j := (s.pos + t + 1) % r
		for b := 0; b < s.batch; b++ {
			copy(s.ring[j][b*in:(b+1)*in], x.Data[(b*steps+t)*in:(b*steps+t+1)*in])
		}
		s.src[j], s.live[j] = nil, true
	}
	s.pos = (s.pos + steps) % r
}

// anySrc reports whether some input in the history still needs a gradient.
func (s *ConvState[T]) anySrc() bool {
	for _, t := range s.src {
		if t != nil {
			return true
		}
	}
	return false
}

type conv1dStepOp[T autograd.Float] struct{}

// conv1dStepArgs are the parameters of a conv1dStepOp node: the sizes, whether
// the layer has a bias (then the node's second input) and applies a ReLU.
type conv1dStepArgs struct {
	batch, in, out, kernel int
	bias, relu             bool
}

func (a conv1dStepArgs) pack(s *autograd.Args) {
	s.Ints[0], s.Ints[1], s.Ints[2], s.Ints[3] = a.batch, a.in, a.out, a.kernel
	s.Bools[0], s.Bools[1] = a.bias, a.relu
}

func unpackConv1dStepArgs(s *autograd.Args) conv1dStepArgs {
	return conv1dStepArgs{batch: s.Ints[0], in: s.Ints[1], out: s.Ints[2], kernel: s.Ints[3], bias: s.Bools[0], relu: s.Bools[1]}
}

func (conv1dStepOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	p := unpackConv1dStepArgs(&nd.Args)
	batch, in, out, kk := p.batch, p.in, p.out, p.kernel
	w, g := nd.In[0], nd.Out.Grad
	ck := kk * in
	if p.relu {
		reluMaskGrad(g, nd.Out.Data)
	}
	if p.bias && nd.In[1].RequiresGrad() {
		addColumnSums(tp.GradOf(nd.In[1]), g)
	}
	var gw []T
	if w.RequiresGrad() {
		gw = tp.GradOf(w)
	}
	// The weight gradients of up to maxBatch taps run beside the input gradients.
	side := getBatch[T]()
	for k := 0; k < kk; k++ {
		if code := nd.Idx[2*k]; code == 0 || gw == nil {
			continue
		}
		data := stepTapData(nd, k, batch*in)
		spec := gemmSpec[T]{transA: true, m: out, n: in, k: batch, alpha: 1, a: g, lda: out, b: data, ldb: in, beta: 1, c: gw[k*in:], ldc: ck}
		if !side.add(spec) {
			spec.run()
		}
	}
	runBeside(side, func() {
		for k := 0; k < kk; k++ {
			if nd.Idx[2*k] != 1 {
				continue
			}
			if t := nd.In[nd.Idx[2*k+1]]; t.RequiresGrad() {
				gt, fresh := tp.GradOfFresh(t)
				var beta T = 1
				if fresh { // a new buffer: overwrite instead of accumulating
					beta = 0
				}
				s := gemmSpec[T]{m: batch, n: in, k: out, alpha: 1, a: g, lda: out, b: w.Data[k*in:], ldb: ck, beta: beta, c: gt, ldc: in,
					pb: packedWeights(tp, w, k*in, false, out, in, ck)}
				s.run()
			}
		}
	})
	putBatch(side)
}

// stepTapData returns the input values of tap k of a streaming step node.
func stepTapData[T autograd.Float](nd *autograd.Node[T], k, n int) []T {
	if nd.Idx[2*k] == 1 {
		return nd.In[nd.Idx[2*k+1]].Data
	}
	off := nd.Idx[2*k+1]
	return nd.Saved[off : off+n]
}
