package autograd

import (
	"fmt"
)

// Op is the backward half of an operation recorded on a tape. Backward reads the
// output gradient n.Out.Grad and accumulates the gradient of every input in n.In
// that requires one, obtaining its buffer with tp.GradOf. Implementations are
// usually zero-size structs; per-call state lives in the Node.
type Op[T Float] interface {
	Backward(tp *Tape[T], n *Node[T])
}

// Node is one recorded operation: its output, inputs and whatever the forward pass
// saved for the backward pass.
type Node[T Float] struct {
	Op  Op[T]
	Out *Tensor[T]
	In  []*Tensor[T]
	// Saved is tape memory the forward pass filled for the backward pass (may be nil).
	Saved []T
	// Idx holds saved integer data, such as gather indices (tape memory or caller-owned).
	Idx []int
	// Args holds the op's small parameters (sizes, kinds, scales, flags).
	Args Args
}

// Args is the parameter storage of a Node: a few integers, reals and booleans
// held in the node itself, so recording an op allocates nothing for them (an op
// stored as an interface value holds no per-call state). Record hands out the
// node with Args zeroed.
//
// Ops do not index the slots where they record or replay: each op declares
// its parameters as a small struct with named fields and one pack/unpack pair
// beside it, the only code that knows which slot holds what. An op outside this
// package follows the same pattern, for example
//
//	// stepArgs are the parameters of a stepOp node.
//	type stepArgs struct {
//		batch, hidden int
//		scale         float64
//		saveX         bool
//	}
//
//	func (a stepArgs) pack(s *autograd.Args) {
//		s.Ints[0], s.Ints[1], s.Floats[0], s.Bools[0] = a.batch, a.hidden, a.scale, a.saveX
//	}
//
//	func unpackStepArgs(s *autograd.Args) stepArgs {
//		return stepArgs{batch: s.Ints[0], hidden: s.Ints[1], scale: s.Floats[0], saveX: s.Bools[0]}
//	}
//
// and writes stepArgs{batch: b, hidden: h, scale: k}.pack(&nd.Args) after
// Record, a := unpackStepArgs(&nd.Args) in Backward. Both inline to plain
// stores and loads. Reals are stored as float64 whatever T is.
type Args struct {
	Ints   [6]int
	Floats [4]float64
	Bools  [4]bool
}

// Tape records operations for reverse-mode differentiation and owns the memory of
// the tensors its ops create. The zero value is ready to use. A Tape is not safe
// for concurrent use; use one tape per goroutine.
type Tape[T Float] struct {
	nodes   []*Node[T]
	nodePog chunkPool[Node[T]]
	tensors chunkPool[Tensor[T]]
	data    arena[T]
	ptrs    arena[*Tensor[T]]
	ints    arena[int]
	noGrad  bool
	gen     uint64       // Resets so far (Generation)
	memo    map[any]any  // SetMemo's values (memo.go)
	pool    *GradPool[T] // lends the memory of this tape's tensors' gradients (SetGradPool)
	lent    *arena[T]    // the arena borrowed from pool, until Reset
	rowRep  []T          // a broadcast row vector repeated (binaryRowVector)
	rowTmp  []T          // binaryRowVectorBackward's products
}

// GradPool lends gradient memory to tapes (Tape.SetGradPool), for a
// backward pass split over several tapes that run their parts one after
// another, newest first, each Reset after its part (backpropagation through
// time in segments, network/snn): the gradients of a tape's tensors, which
// the parts of the tape itself and of later tapes compute, live in an arena
// the tape borrows when the first is needed and gives back at its Reset, so
// the tapes share the memory of the few arenas in use at once instead of each
// keeping the memory of all its gradients. The zero value is ready to use; a
// GradPool is not safe for concurrent use.
type GradPool[T Float] struct {
	free []*arena[T]
}

// borrow returns a free arena, a new one when none is left.
func (p *GradPool[T]) borrow() *arena[T] {
	if n := len(p.free); n > 0 {
		a := p.free[n-1]
		p.free = p.free[:n-1]
		return a
	}
	return &arena[T]{}
}

// giveBack rewinds a and returns it to the pool.
func (p *GradPool[T]) giveBack(a *arena[T]) {
	a.reset()
	p.free = append(p.free, a)
}

// Elements returns how many elements the pool's free arenas hold (for
// diagnostics).
func (p *GradPool[T]) Elements() int {
	n := 0
	for _, a := range p.free {
		n += a.size()
	}
	return n
}

// SetGradPool makes the gradients of this tape's tensors (whichever tape's
// backward pass computes them) live in memory borrowed from p, given back at
// Reset, after which they are invalid; nil (the default) keeps them in the
// tape's own memory. Call it on an empty (Reset) tape.
func (tp *Tape[T]) SetGradPool(p *GradPool[T]) {
	if tp.lent != nil {
		tp.pool.giveBack(tp.lent)
		tp.lent = nil
	}
	tp.pool = p
}

// gradMemory returns the arena the gradient of t comes from when the
// backward pass of tp computes it: t's own tape's borrowed arena when that
// tape has a GradPool, else tp's memory.
func (tp *Tape[T]) gradMemory(t *Tensor[T]) *arena[T] {
	if o := t.tape; o != nil && o.pool != nil {
		if o.lent == nil {
			o.lent = o.pool.borrow()
		}
		return o.lent
	}
	return &tp.data
}

// NewTape returns an empty tape.
func NewTape[T Float]() *Tape[T] { return &Tape[T]{} }

// SetNoGrad switches recording off (true) or on (false). Without recording, ops still
// allocate from the tape's arena but no gradients flow.
func (tp *Tape[T]) SetNoGrad(v bool) { tp.noGrad = v }

// Recording reports whether ops on this tape are recorded.
func (tp *Tape[T]) Recording() bool { return tp != nil && !tp.noGrad }

// Len returns the number of recorded nodes.
func (tp *Tape[T]) Len() int {
	if tp == nil {
		return 0
	}
	return len(tp.nodes)
}

// Reset forgets every recorded node and rewinds the tape's memory. Every tensor the
// tape created becomes invalid. Parameters (tensors not created by the tape) keep
// their values and gradients.
func (tp *Tape[T]) Reset() {
	tp.gen++
	clear(tp.nodes) // drop references for the GC
	tp.nodes = tp.nodes[:0]
	tp.nodePog.reset()
	tp.tensors.reset()
	tp.data.reset()
	tp.ptrs.reset()
	tp.ints.reset()
	if tp.lent != nil {
		tp.pool.giveBack(tp.lent)
		tp.lent = nil
	}
}

// ArenaElements returns how many elements the tape's memory holds (for diagnostics).
func (tp *Tape[T]) ArenaElements() int { return tp.data.size() }

// NewTensor returns a zero-filled tensor owned by the tape (heap-allocated when tp
// is nil).
func (tp *Tape[T]) NewTensor(shape ...int) *Tensor[T] { return tp.alloc(true, shape) }

func (tp *Tape[T]) alloc(zero bool, shape []int) *Tensor[T] {
	n := numel(shape)
	if tp == nil {
		t := &Tensor[T]{Data: make([]T, n)}
		t.setShape(shape)
		return t
	}
	t := tp.tensors.get()
	t.Data = tp.data.take(n, zero)
	t.tape = tp
	t.setShape(shape)
	return t
}

// NewUninit is NewTensor without the zeroing: a tape tensor (heap tensor when tp is
// nil) whose contents are unspecified, for op outputs that are overwritten completely.
func (tp *Tape[T]) NewUninit(shape ...int) *Tensor[T] { return tp.alloc(false, shape) }

// NewLike returns a zero-filled tape tensor with t's shape.
func (tp *Tape[T]) NewLike(t *Tensor[T]) *Tensor[T] { return tp.alloc(true, t.Shape()) }

// Scratch returns n zeroed elements of tape memory, valid until Reset (heap memory
// when tp is nil).
func (tp *Tape[T]) Scratch(n int) []T {
	if tp == nil {
		return make([]T, n)
	}
	return tp.data.take(n, true)
}

// ScratchUninit returns n elements of tape memory with unspecified contents, for
// buffers the caller overwrites completely (saved spectra, activations); valid until
// Reset (heap memory when tp is nil).
func (tp *Tape[T]) ScratchUninit(n int) []T {
	if tp == nil {
		return make([]T, n)
	}
	return tp.data.take(n, false)
}

// ScratchInts returns n zeroed ints of tape memory, valid until Reset.
func (tp *Tape[T]) ScratchInts(n int) []int {
	if tp == nil {
		return make([]int, n)
	}
	return tp.ints.take(n, true)
}

// View returns a tape tensor that shares data with t but has another shape of the
// same size; it is not recorded (use Reshape for a differentiable view).
func (tp *Tape[T]) view(t *Tensor[T], shape []int) *Tensor[T] {
	var v *Tensor[T]
	if tp == nil {
		v = &Tensor[T]{}
	} else {
		v = tp.tensors.get()
		v.tape = tp
	}
	v.Data = t.Data
	v.setShape(shape)
	return v
}

// NeedsGrad reports whether an op on these inputs must be recorded.
func (tp *Tape[T]) NeedsGrad(in ...*Tensor[T]) bool {
	if tp == nil || tp.noGrad {
		return false
	}
	for _, t := range in {
		if t.requiresGrad {
			return true
		}
	}
	return false
}

// Record appends a node for op with output out and inputs in, when any input
// requires a gradient and the tape records; it marks out as requiring a gradient
// and returns the node so the caller can fill its saved fields. It returns nil when
// nothing is recorded.
func (tp *Tape[T]) Record(op Op[T], out *Tensor[T], in ...*Tensor[T]) *Node[T] {
	if !tp.NeedsGrad(in...) {
		return nil
	}
	n := tp.nodePog.get()
	n.Op = op
	n.Out = out
	n.In = tp.ptrs.take(len(in), false)
	copy(n.In, in)
	out.requiresGrad = true
	tp.nodes = append(tp.nodes, n)
	return n
}

// GradOf returns t's gradient buffer, allocating a zeroed one (tape memory for tape
// tensors, heap memory for leaves) when it has none.
func (tp *Tape[T]) GradOf(t *Tensor[T]) []T {
	if t.Grad == nil {
		if t.tape != nil {
			t.Grad = tp.gradMemory(t).take(len(t.Data), true)
		} else {
			t.Grad = make([]T, len(t.Data))
		}
	}
	return t.Grad
}

// GradOfFresh is GradOf for an op that overwrites a new gradient completely: it
// returns t's gradient buffer and reports whether the buffer was just created, in
// which case its contents are unspecified (not zeroed) and the caller must write
// every element (for example a GEMM with beta 0) instead of accumulating into it.
func (tp *Tape[T]) GradOfFresh(t *Tensor[T]) (g []T, fresh bool) {
	if t.Grad != nil {
		return t.Grad, false
	}
	if t.tape != nil {
		t.Grad = tp.gradMemory(t).take(len(t.Data), false)
	} else {
		t.Grad = make([]T, len(t.Data))
	}
	return t.Grad, true
}

// Backward computes the gradient of the one-element tensor loss with respect to every
// recorded tensor, accumulating into the Grad of parameters. It returns an error
// when loss is not a one-element tensor or was not produced by this tape's
// recorded ops.
func (tp *Tape[T]) Backward(loss *Tensor[T]) error {
	if loss.Len() != 1 {
		return fmt.Errorf("autograd: Backward needs a one-element loss, got shape %v", loss.Shape())
	}
	return tp.BackwardWith(loss, nil)
}

// BackwardWith runs the backward pass from out with seed gradient seed (same length
// as out; nil means all ones).
func (tp *Tape[T]) BackwardWith(out *Tensor[T], seed []T) error {
	if tp == nil {
		return fmt.Errorf("autograd: Backward on a nil tape")
	}
	if !out.requiresGrad {
		return fmt.Errorf("autograd: Backward from a tensor that does not depend on any parameter")
	}
	if seed != nil && len(seed) != out.Len() {
		return fmt.Errorf("autograd: seed has %d elements, output %d", len(seed), out.Len())
	}
	g := tp.GradOf(out)
	if seed == nil {
		for i := range g {
			g[i] += 1
		}
	} else {
		accumulate(g, seed)
	}
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := tp.nodes[i]
		if n.Out.Grad == nil {
			continue // nothing flowed into this node
		}
		n.Op.Backward(tp, n)
	}
	return nil
}

// BackwardFrom runs the backward pass from several tensors at once, for a
// graph cut into pieces (backpropagation through time in segments): each
// seeds[i] (nil, or as long as outs[i]) is added to the gradient of outs[i],
// then every recorded node runs, newest first, accumulating into the Grad of
// parameters and of leaves that require a gradient. outs may hold tape
// tensors and leaves (a seed on a leaf only accumulates into its Grad). It
// returns an error on a length mismatch, and when a seeded tensor requires
// no gradient.
func (tp *Tape[T]) BackwardFrom(outs []*Tensor[T], seeds [][]T) error {
	if tp == nil {
		return fmt.Errorf("autograd: BackwardFrom on a nil tape")
	}
	if len(outs) != len(seeds) {
		return fmt.Errorf("autograd: BackwardFrom with %d tensors and %d seeds", len(outs), len(seeds))
	}
	for i, out := range outs {
		if seeds[i] == nil {
			continue
		}
		if len(seeds[i]) != out.Len() {
			return fmt.Errorf("autograd: seed %d has %d elements, its tensor %d", i, len(seeds[i]), out.Len())
		}
		if !out.requiresGrad {
			return fmt.Errorf("autograd: seed %d on a tensor that does not depend on any parameter", i)
		}
	}
	for i, out := range outs {
		if seeds[i] != nil {
			accumulate(tp.GradOf(out), seeds[i])
		}
	}
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := tp.nodes[i]
		if n.Out.Grad == nil {
			continue // nothing flowed into this node
		}
		n.Op.Backward(tp, n)
	}
	return nil
}
