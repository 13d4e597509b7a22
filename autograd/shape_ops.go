package autograd

import "fmt"

// Reshape returns a tensor with a's data in a new shape of the same size; one
// dimension may be -1 and is then inferred. The result shares a's data.
func (tp *Tape[T]) Reshape(a *Tensor[T], shape ...int) *Tensor[T] {
	var buf [MaxDims]int
	if len(shape) > MaxDims {
		panic(fmt.Sprintf("autograd: Reshape to %v: too many dimensions", copyInts(shape)))
	}
	s := buf[:copy(buf[:], shape)]
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("autograd: Reshape to invalid shape %v", copyInts(shape)))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || a.Len()%known != 0 {
			panic(fmt.Sprintf("autograd: cannot Reshape %v to %v", a.Shape(), copyInts(shape)))
		}
		s[infer] = a.Len() / known
	}
	if numel(s) != a.Len() {
		panic(fmt.Sprintf("autograd: cannot Reshape %v to %v", a.Shape(), copyInts(shape)))
	}
	out := tp.view(a, s)
	tp.Record(reshapeOp[T]{}, out, a)
	return out
}

type reshapeOp[T Float] struct{}

func (reshapeOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	accumulate(tp.GradOf(nd.In[0]), nd.Out.Grad)
}

// Detach returns a tensor sharing a's data through which no gradient flows.
func (tp *Tape[T]) Detach(a *Tensor[T]) *Tensor[T] { return tp.view(a, a.Shape()) }

// Narrow returns the slice a[..., start:start+length, ...] along axis (a copy).
func (tp *Tape[T]) Narrow(a *Tensor[T], axis, start, length int) *Tensor[T] {
	ax, outer, d, inner := axisSplit("Narrow", a, axis)
	if start < 0 || length < 0 || start+length > d {
		panic(fmt.Sprintf("autograd: Narrow [%d:%d] out of range for axis %d of %v", start, start+length, axis, a.Shape()))
	}
	var buf [MaxDims]int
	copy(buf[:], a.Shape())
	buf[ax] = length
	out := tp.NewUninit(buf[:a.rank]...)
	for o := 0; o < outer; o++ {
		copy(out.Data[o*length*inner:(o+1)*length*inner], a.Data[(o*d+start)*inner:(o*d+start+length)*inner])
	}
	if nd := tp.Record(narrowOp[T]{}, out, a); nd != nil {
		narrowArgs{outer: outer, d: d, inner: inner, start: start, length: length}.pack(&nd.Args)
	}
	return out
}

type narrowOp[T Float] struct{}

// narrowArgs are the parameters of a narrowOp node: the input seen as
// [outer, d, inner], narrowed to [start, start+length) along d.
type narrowArgs struct {
	outer, d, inner, start, length int
}

func (a narrowArgs) pack(s *Args) {
	s.Ints[0], s.Ints[1], s.Ints[2], s.Ints[3], s.Ints[4] = a.outer, a.d, a.inner, a.start, a.length
}

func unpackNarrowArgs(s *Args) narrowArgs {
	return narrowArgs{outer: s.Ints[0], d: s.Ints[1], inner: s.Ints[2], start: s.Ints[3], length: s.Ints[4]}
}

func (narrowOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	ga, g := tp.GradOf(nd.In[0]), nd.Out.Grad
	p := unpackNarrowArgs(&nd.Args)
	outer, d, inner, start, length := p.outer, p.d, p.inner, p.start, p.length
	for o := 0; o < outer; o++ {
		accumulate(ga[(o*d+start)*inner:(o*d+start+length)*inner], g[o*length*inner:(o+1)*length*inner])
	}
}

// Concat joins tensors along axis; all other dimensions must agree.
func (tp *Tape[T]) Concat(axis int, ts ...*Tensor[T]) *Tensor[T] {
	if len(ts) == 0 {
		panic("autograd: Concat of no tensors")
	}
	first := ts[0]
	ax, outer, _, inner := axisSplit("Concat", first, axis)
	total := 0
	for _, t := range ts {
		if t.rank != first.rank {
			panic(fmt.Sprintf("autograd: Concat shapes %v and %v differ in rank", first.Shape(), t.Shape()))
		}
		for i := 0; i < t.rank; i++ {
			if i != ax && t.shapeBuf[i] != first.shapeBuf[i] {
				panic(fmt.Sprintf("autograd: Concat shapes %v and %v differ outside axis %d", first.Shape(), t.Shape(), axis))
			}
		}
		total += t.shapeBuf[ax]
	}
	var buf [MaxDims]int
	copy(buf[:], first.Shape())
	buf[ax] = total
	out := tp.NewUninit(buf[:first.rank]...)
	off := 0
	for _, t := range ts {
		w := t.shapeBuf[ax] * inner
		for o := 0; o < outer; o++ {
			copy(out.Data[o*total*inner+off:][:w], t.Data[o*w:(o+1)*w])
		}
		off += w
	}
	if nd := tp.Record(concatOp[T]{}, out, ts...); nd != nil {
		concatArgs{axis: ax, outer: outer, inner: inner}.pack(&nd.Args)
	}
	return out
}

type concatOp[T Float] struct{}

// concatArgs are the parameters of a concatOp node: the axis joined along and
// the products of the dimensions before (outer) and after (inner) it.
type concatArgs struct {
	axis, outer, inner int
}

func (a concatArgs) pack(s *Args) { s.Ints[0], s.Ints[1], s.Ints[2] = a.axis, a.outer, a.inner }

func unpackConcatArgs(s *Args) concatArgs {
	return concatArgs{axis: s.Ints[0], outer: s.Ints[1], inner: s.Ints[2]}
}

func (concatOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	p := unpackConcatArgs(&nd.Args)
	ax, outer, inner := p.axis, p.outer, p.inner
	total := nd.Out.shapeBuf[ax]
	g := nd.Out.Grad
	off := 0
	for _, t := range nd.In {
		w := t.shapeBuf[ax] * inner
		if t.requiresGrad {
			gt := tp.GradOf(t)
			for o := 0; o < outer; o++ {
				accumulate(gt[o*w:(o+1)*w], g[o*total*inner+off:][:w])
			}
		}
		off += w
	}
}

// Stack joins tensors of identical shape along a new axis inserted at position axis.
func (tp *Tape[T]) Stack(axis int, ts ...*Tensor[T]) *Tensor[T] {
	if len(ts) == 0 {
		panic("autograd: Stack of no tensors")
	}
	first := ts[0]
	if axis < 0 {
		axis += first.rank + 1
	}
	if axis < 0 || axis > first.rank || first.rank+1 > MaxDims {
		panic(fmt.Sprintf("autograd: Stack axis %d invalid for shape %v", axis, first.Shape()))
	}
	for _, t := range ts {
		if !sameShape(t, first) {
			panic(fmt.Sprintf("autograd: Stack shapes %v and %v differ", first.Shape(), t.Shape()))
		}
	}
	var buf [MaxDims]int
	s := first.Shape()
	copy(buf[:], s[:axis])
	buf[axis] = len(ts)
	copy(buf[axis+1:], s[axis:])
	outer, inner := numel(s[:axis]), numel(s[axis:])
	out := tp.NewUninit(buf[:first.rank+1]...)
	k := len(ts)
	for i, t := range ts {
		for o := 0; o < outer; o++ {
			copy(out.Data[(o*k+i)*inner:][:inner], t.Data[o*inner:(o+1)*inner])
		}
	}
	if nd := tp.Record(stackOp[T]{}, out, ts...); nd != nil {
		stackArgs{outer: outer, inner: inner}.pack(&nd.Args)
	}
	return out
}

type stackOp[T Float] struct{}

// stackArgs are the parameters of a stackOp node: the products of the
// dimensions before (outer) and after (inner) the new axis.
type stackArgs struct {
	outer, inner int
}

func (a stackArgs) pack(s *Args) { s.Ints[0], s.Ints[1] = a.outer, a.inner }

func unpackStackArgs(s *Args) stackArgs { return stackArgs{outer: s.Ints[0], inner: s.Ints[1]} }

func (stackOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	p := unpackStackArgs(&nd.Args)
	outer, inner := p.outer, p.inner
	k := len(nd.In)
	g := nd.Out.Grad
	for i, t := range nd.In {
		if !t.requiresGrad {
			continue
		}
		gt := tp.GradOf(t)
		for o := 0; o < outer; o++ {
			accumulate(gt[o*inner:(o+1)*inner], g[(o*k+i)*inner:][:inner])
		}
	}
}

// copyInts returns a heap copy of s, so that formatting it in a panic message does
// not make the caller's (often stack-allocated) variadic slice escape.
func copyInts(s []int) []int { return append([]int(nil), s...) }
