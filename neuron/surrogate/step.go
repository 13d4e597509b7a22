package surrogate

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/nn"
)

// State is the carried state of a surrogate for a batch of cells: the
// synaptic filters' rise and decay states (µS), the convolution's input
// history and the LSTM's hidden and cell states. After a Step its tensors
// live on the tape; Detach copies them into memory the state owns.
type State[T autograd.Float] struct {
	batch      int
	a, b       *autograd.Tensor[T] // [batch, C] current filter states
	ownA, ownB *autograd.Tensor[T] // owned storage for Detach and Zero
	conv       *nn.ConvState[T]
	lstm       *nn.LSTMState[T]
	trace      []float64 // [batch, K] spike-history traces (Arch.SpikeHistory)
	prevPos    []bool    // [batch] spike logit positive in the previous bin
}

// NewState returns the resting state (no synaptic activity, zero recurrent
// state) for a batch of cells. The tape is accepted for symmetry with Step
// and may be nil; the state's memory is allocated on the heap.
func (m *Model[T]) NewState(tp *autograd.Tape[T], batch int) *State[T] {
	if batch < 1 {
		panic(fmt.Sprintf("surrogate: NewState batch %d < 1", batch))
	}
	C := len(m.io.channels)
	s := &State[T]{batch: batch, ownA: autograd.Zeros[T](batch, C), ownB: autograd.Zeros[T](batch, C),
		conv: m.conv.NewState(batch), lstm: m.lstm.NewState(batch),
		trace: make([]float64, batch*m.arch.SpikeHistory), prevPos: make([]bool, batch)}
	s.a, s.b = s.ownA, s.ownB
	return s
}

// Batch returns the number of cells the state holds.
func (s *State[T]) Batch() int { return s.batch }

// Detach copies the state into its own memory and cuts it from the tape (no
// gradient flows into earlier steps any more; the tape may be Reset).
func (s *State[T]) Detach() {
	if s.a != s.ownA {
		copy(s.ownA.Data, s.a.Data)
		copy(s.ownB.Data, s.b.Data)
		s.a, s.b = s.ownA, s.ownB
	}
	s.conv.Detach()
	s.lstm.Detach()
}

// Zero returns the state to rest (a new simulation).
func (s *State[T]) Zero() {
	clear(s.ownA.Data)
	clear(s.ownB.Data)
	s.a, s.b = s.ownA, s.ownB
	s.conv.Zero()
	s.lstm.Zero()
	clear(s.trace)
	clear(s.prevPos)
}

// Step consumes one 0.5 ms bin for a batch of cells: x is [batch,
// len(Inputs())], the summed synaptic weights (µS) of the events taking
// effect in the bin (raw; the model normalises internally). It returns
// [batch, len(Outputs())] in physical units (mV, nAm) at the end of the bin,
// and the next state, which is st itself, updated in place. Step is
// differentiable with respect to x, the parameters and the incoming state,
// costs O(1) per step, and equals the corresponding step of Forward.
func (m *Model[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *State[T]) (*autograd.Tensor[T], *State[T]) {
	C := len(m.io.channels)
	if x.Rank() != 2 || x.Dim(0) != st.batch || x.Dim(1) != C {
		panic(fmt.Sprintf("surrogate: Step input shape %v, want [%d %d]", x.Shape(), st.batch, C))
	}
	fx := tp.Mul(x, m.factor)
	st.a = tp.Mul(tp.Add(st.a, fx), m.decayA)
	st.b = tp.Mul(tp.Add(st.b, fx), m.decayB)
	g := tp.Sub(st.b, st.a)
	feat := tp.Log(tp.AddScalar(tp.Mul(g, m.invRef), 1))
	y := m.stepFeatures(tp, feat, st)
	if m.arch.SpikeHistory > 0 {
		st.feedBack(y.Data, len(m.io.outputs)+1, m.histDecay)
	}
	return m.physical(tp, y), st
}

// physical turns the head's output [..., O+1] (normalised outputs and the
// spike logit z) into physical outputs [..., O]: y·scale + offset, with the
// soma output shaped as v_sub + σ(z)·(spikePeak - v_sub).
func (m *Model[T]) physical(tp *autograd.Tape[T], y *autograd.Tensor[T]) *autograd.Tensor[T] {
	ax := y.Rank() - 1
	O := len(m.io.outputs)
	v := tp.Add(tp.Mul(tp.Narrow(y, ax, 0, O), m.outScale), m.outOffset)
	s := tp.Sigmoid(tp.Narrow(y, ax, O, 1))
	return tp.Add(v, tp.Mul(tp.Mul(s, tp.AddScalar(tp.Neg(v), m.spikePeak)), m.somaMask))
}

// unshaped is physical without the spike shaping: every output, the soma's
// subthreshold branch v_sub included, as y·scale + offset.
func (m *Model[T]) unshaped(tp *autograd.Tape[T], y *autograd.Tensor[T]) *autograd.Tensor[T] {
	ax := y.Rank() - 1
	return tp.Add(tp.Mul(tp.Narrow(y, ax, 0, len(m.io.outputs)), m.outScale), m.outOffset)
}

// Snapshot returns a copy of the state in its own heap memory, cut from the
// tape (a checkpoint of backpropagation through time in segments; see
// nn.ConvState.Snapshot).
func (s *State[T]) Snapshot() *State[T] {
	c := &State[T]{batch: s.batch, ownA: snapshotOf(s.a), ownB: snapshotOf(s.b), conv: s.conv.Snapshot(), lstm: s.lstm.Snapshot(),
		trace: append([]float64(nil), s.trace...), prevPos: append([]bool(nil), s.prevPos...)}
	c.a, c.b = c.ownA, c.ownB
	return c
}

// Restore sets the state to the values of snap (a Snapshot of a state of the
// same model and batch): the parts that required a gradient (filter states,
// convolution history, LSTM states) become new leaf tensors that require
// one. It returns those leaves in the order of Tensors.
func (s *State[T]) Restore(snap *State[T]) []*autograd.Tensor[T] {
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
	s.a = restore(s.ownA, snap.a)
	s.b = restore(s.ownB, snap.b)
	leaves = append(leaves, s.conv.Restore(snap.conv)...)
	leaves = append(leaves, s.lstm.Restore(snap.lstm)...)
	copy(s.trace, snap.trace)
	copy(s.prevPos, snap.prevPos)
	return leaves
}

// Tensors returns the state's tensors that require a gradient: the filter
// states a and b, the convolution history, the LSTM states (the order of
// Restore's leaves).
func (s *State[T]) Tensors() []*autograd.Tensor[T] {
	var out []*autograd.Tensor[T]
	for _, t := range []*autograd.Tensor[T]{s.a, s.b} {
		if t.RequiresGrad() {
			out = append(out, t)
		}
	}
	out = append(out, s.conv.Tensors()...)
	return append(out, s.lstm.Tensors()...)
}

// snapshotOf returns a heap copy of t that, when t requires a gradient, is
// marked as requiring one too (without a gradient buffer): Restore makes a
// leaf of it.
func snapshotOf[T autograd.Float](t *autograd.Tensor[T]) *autograd.Tensor[T] {
	c := autograd.Clone(t)
	if t.RequiresGrad() {
		c.SetRequiresGrad(true)
		c.Grad = nil
	}
	return c
}
