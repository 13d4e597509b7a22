package nn

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// ConvState is the streaming state of a Conv1d for a batch: a ring buffer with
// the last ReceptiveField inputs (copied into memory the state owns) and, for
// gradient flow, the tensors they came from.
type ConvState[T autograd.Float] struct {
	batch, in int
	ring      [][]T                 // ring[j]: one step's input [batch, in]
	src       []*autograd.Tensor[T] // the tensor of ring[j] while it needs a gradient, else nil
	pos       int                   // slot of the newest input
}

// NewState returns a streaming state for a batch with an all-zero history (the
// causal zero padding of Forward).
func (c *Conv1d[T]) NewState(batch int) *ConvState[T] {
	r := c.ReceptiveField()
	s := &ConvState[T]{batch: batch, in: c.In, ring: make([][]T, r), src: make([]*autograd.Tensor[T], r)}
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
	}
	s.pos = 0
}

// Detach cuts the history from the tape: its values are kept, but no gradient
// flows back into the inputs of earlier steps any more, and the tape may be Reset.
func (s *ConvState[T]) Detach() { clear(s.src) }

// Step consumes one step x [batch, In] and returns the convolution's output for
// it, [batch, Out], equal to the corresponding step of Forward over the whole
// sequence. x's values are copied into the state; while x requires a gradient
// the state refers to it until Detach or until it leaves the receptive field.
func (c *Conv1d[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], s *ConvState[T]) *autograd.Tensor[T] {
	if x.Rank() != 2 || x.Dim(1) != c.In || x.Dim(0) != s.batch || s.in != c.In || len(s.ring) != c.ReceptiveField() {
		panic(fmt.Sprintf("nn: Conv1d.Step input %v with state for batch %d, in %d, history %d; want [%d %d]", x.Shape(), s.batch, s.in, len(s.ring), s.batch, c.In))
	}
	batch, in, out, kk, d := s.batch, c.In, c.Out, c.Kernel, c.Dilation
	r := len(s.ring)
	s.pos = (s.pos + 1) % r
	copy(s.ring[s.pos], x.Data)
	s.src[s.pos] = nil
	if x.RequiresGrad() {
		s.src[s.pos] = x
	}
	ck := in * kk
	// xcol[b, k*In + ci] = x_{t-(K-1-k)d}[b, ci]: the layout of W's rows.
	xcol := autograd.ScratchUninit(tp, batch*ck)
	var taps [64]*autograd.Tensor[T]
	mask := 0
	for k := 0; k < kk; k++ {
		j := ((s.pos-(kk-1-k)*d)%r + r) % r
		src := s.ring[j]
		for b := 0; b < batch; b++ {
			copy(xcol[b*ck+k*in:b*ck+(k+1)*in], src[b*in:(b+1)*in])
		}
		if t := s.src[j]; t != nil {
			taps[k] = t
			mask |= 1 << k
		}
	}
	y := tp.NewTensor(batch, out)
	autograd.Gemm(false, true, batch, out, ck, 1, xcol, ck, c.Weight.Data, ck, 0, y.Data, out)
	if c.Bias != nil {
		addRowVector(y.Data, c.Bias.Data)
	}
	if tp.Recording() {
		var inBuf [66]*autograd.Tensor[T]
		ins := append(inBuf[:0], c.Weight)
		if c.Bias != nil {
			ins = append(ins, c.Bias)
		}
		for k := 0; k < kk; k++ {
			if taps[k] != nil {
				ins = append(ins, taps[k])
			}
		}
		if nd := tp.Record(conv1dStepOp[T]{}, y, ins...); nd != nil {
			nd.Saved = xcol
			nd.I[0], nd.I[1], nd.I[2], nd.I[3], nd.I[4] = batch, in, out, kk, mask
			nd.Flags[0] = c.Bias != nil
		}
	}
	return y
}

type conv1dStepOp[T autograd.Float] struct{}

func (conv1dStepOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	batch, in, out, kk, mask := nd.I[0], nd.I[1], nd.I[2], nd.I[3], nd.I[4]
	w, g, xcol := nd.In[0], nd.Out.Grad, nd.Saved
	ck := in * kk
	rest := nd.In[1:]
	if nd.Flags[0] {
		if rest[0].RequiresGrad() {
			addColumnSums(tp.GradOf(rest[0]), g)
		}
		rest = rest[1:]
	}
	if w.RequiresGrad() {
		autograd.Gemm(true, false, out, ck, batch, 1, g, out, xcol, ck, 1, tp.GradOf(w), ck)
	}
	if mask == 0 {
		return
	}
	dcol := autograd.ScratchUninit(tp, batch*ck)
	autograd.Gemm(false, false, batch, ck, out, 1, g, out, w.Data, ck, 0, dcol, ck)
	i := 0
	for k := 0; k < kk; k++ {
		if mask&(1<<k) == 0 {
			continue
		}
		gt := tp.GradOf(rest[i])
		i++
		for b := 0; b < batch; b++ {
			autograd.Axpy(1, dcol[b*ck+k*in:b*ck+(k+1)*in], gt[b*in:(b+1)*in])
		}
	}
}
