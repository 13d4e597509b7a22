package nn

import "github.com/neurograd/neurograd/autograd"

// Checkpoints of carried state, for backpropagation through time in segments
// (network/snn's RunCheckpointed): Snapshot copies a state's values out of the
// tape, Restore puts them back as new leaf tensors on which a recomputed
// segment can be recorded, and Tensors lists the differentiable tensors a state
// holds, in the order Restore returns its leaves, so that the gradient that
// reaches a segment's restored leaves can be handed to the tensors the
// previous segment ended with.

// Snapshot returns a copy of the state in its own heap memory, cut from the
// tape; which history entries carried a gradient is remembered (Restore).
func (s *ConvState[T]) Snapshot() *ConvState[T] {
	c := &ConvState[T]{batch: s.batch, in: s.in, ring: make([][]T, len(s.ring)), src: make([]*autograd.Tensor[T], len(s.ring)),
		live: append([]bool(nil), s.live...), pos: s.pos}
	buf := make([]T, len(s.ring)*s.batch*s.in)
	for j := range s.ring {
		c.ring[j] = buf[j*s.batch*s.in : (j+1)*s.batch*s.in]
		copy(c.ring[j], s.ring[j])
		if s.src[j] != nil {
			c.src[j] = autograd.MustNew(c.ring[j], s.batch, s.in) // a marker; its values are the ring's
		}
	}
	return c
}

// Restore sets the state to the values of snap (a Snapshot of a state of the
// same size) and makes every history entry that carried a gradient a new
// leaf tensor (heap memory) that requires one; it returns those leaves in
// the order of Tensors.
func (s *ConvState[T]) Restore(snap *ConvState[T]) []*autograd.Tensor[T] {
	var leaves []*autograd.Tensor[T]
	for j := range s.ring {
		copy(s.ring[j], snap.ring[j])
		s.live[j] = snap.live[j]
		s.src[j] = nil
		if snap.src[j] != nil {
			l := autograd.Clone(snap.src[j])
			l.SetRequiresGrad(true)
			s.src[j] = l
			leaves = append(leaves, l)
		}
	}
	s.pos = snap.pos
	return leaves
}

// Tensors returns the history entries that carry a gradient, oldest slot
// first (the order of Restore's leaves).
func (s *ConvState[T]) Tensors() []*autograd.Tensor[T] {
	var out []*autograd.Tensor[T]
	for _, t := range s.src {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// Snapshot returns a copy of the state in its own heap memory, cut from the
// tape; which of its tensors required a gradient is remembered (Restore).
func (s *LSTMState[T]) Snapshot() *LSTMState[T] {
	c := &LSTMState[T]{}
	for k := range s.H {
		h, cc := autograd.Clone(s.H[k]), autograd.Clone(s.C[k])
		if s.H[k].RequiresGrad() {
			h.SetRequiresGrad(true) // a marker: Restore makes a leaf of it
			h.Grad = nil
		}
		if s.C[k].RequiresGrad() {
			cc.SetRequiresGrad(true)
			cc.Grad = nil
		}
		c.ownH, c.ownC = append(c.ownH, h), append(c.ownC, cc)
	}
	c.H = append([]*autograd.Tensor[T](nil), c.ownH...)
	c.C = append([]*autograd.Tensor[T](nil), c.ownC...)
	return c
}

// Restore sets the state to the values of snap (a Snapshot of a state of the
// same size): the tensors that required a gradient become new leaf tensors
// (heap memory) that require one, the others are copied into the state's own
// memory. It returns the leaves in the order of Tensors.
func (s *LSTMState[T]) Restore(snap *LSTMState[T]) []*autograd.Tensor[T] {
	var leaves []*autograd.Tensor[T]
	restore := func(own, from *autograd.Tensor[T]) *autograd.Tensor[T] {
		if !from.RequiresGrad() {
			copy(own.Data, from.Data)
			return own
		}
		l := autograd.Clone(from)
		l.SetRequiresGrad(true)
		leaves = append(leaves, l)
		return l
	}
	for k := range s.ownH {
		s.H[k] = restore(s.ownH[k], snap.H[k])
		s.C[k] = restore(s.ownC[k], snap.C[k])
	}
	return leaves
}

// Tensors returns the state's tensors that require a gradient, layer by
// layer, H before C (the order of Restore's leaves).
func (s *LSTMState[T]) Tensors() []*autograd.Tensor[T] {
	var out []*autograd.Tensor[T]
	for k := range s.H {
		for _, t := range []*autograd.Tensor[T]{s.H[k], s.C[k]} {
			if t.RequiresGrad() {
				out = append(out, t)
			}
		}
	}
	return out
}
