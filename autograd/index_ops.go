package autograd

import "fmt"

func checkIndices[T Float](op string, a *Tensor[T], axis int, d int, idx []int) {
	for i, v := range idx {
		if v < 0 || v >= d {
			panic(fmt.Sprintf("autograd: %s: index %d (position %d) out of range [0,%d) on axis %d of %v", op, v, i, d, axis, a.Shape()))
		}
	}
}

// IndexSelect gathers slices of a along axis: out[..., i, ...] = a[..., idx[i], ...].
// Indices may repeat; their gradients add up. idx is copied.
func (tp *Tape[T]) IndexSelect(a *Tensor[T], axis int, idx []int) *Tensor[T] {
	ax, outer, d, inner := axisSplit("IndexSelect", a, axis)
	checkIndices("IndexSelect", a, axis, d, idx)
	var buf [MaxDims]int
	copy(buf[:], a.Shape())
	buf[ax] = len(idx)
	out := tp.NewUninit(buf[:a.rank]...)
	k := len(idx)
	for o := 0; o < outer; o++ {
		for i, j := range idx {
			copy(out.Data[(o*k+i)*inner:][:inner], a.Data[(o*d+j)*inner:][:inner])
		}
	}
	if nd := tp.Record(indexSelectOp[T]{}, out, a); nd != nil {
		nd.Idx = tp.ScratchInts(len(idx))
		copy(nd.Idx, idx)
		axisArgs{outer: outer, d: d, inner: inner}.pack(&nd.Args)
	}
	return out
}

type indexSelectOp[T Float] struct{}

// axisArgs are the parameters of an op along one axis of a tensor seen as
// [outer, d, inner] (d the length of the axis): indexSelectOp, indexAddOp and
// logSumExpOp.
type axisArgs struct {
	outer, d, inner int
}

func (a axisArgs) pack(s *Args) { s.Ints[0], s.Ints[1], s.Ints[2] = a.outer, a.d, a.inner }

func unpackAxisArgs(s *Args) axisArgs {
	return axisArgs{outer: s.Ints[0], d: s.Ints[1], inner: s.Ints[2]}
}

func (indexSelectOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	ga, g := tp.GradOf(nd.In[0]), nd.Out.Grad
	p := unpackAxisArgs(&nd.Args)
	outer, d, inner := p.outer, p.d, p.inner
	k := len(nd.Idx)
	for o := 0; o < outer; o++ {
		for i, j := range nd.Idx {
			accumulate(ga[(o*d+j)*inner:][:inner], g[(o*k+i)*inner:][:inner])
		}
	}
}

// IndexAdd returns a copy of a with the slices of src added along axis at positions
// idx: out[..., idx[i], ...] += src[..., i, ...] (scatter-add; repeated indices add
// up). src has a's shape except that dimension axis has len(idx) entries. idx is copied.
func (tp *Tape[T]) IndexAdd(a *Tensor[T], axis int, idx []int, src *Tensor[T]) *Tensor[T] {
	ax, outer, d, inner := axisSplit("IndexAdd", a, axis)
	checkIndices("IndexAdd", a, axis, d, idx)
	k := len(idx)
	if src.rank != a.rank {
		panic(fmt.Sprintf("autograd: IndexAdd: src %v and a %v differ in rank", src.Shape(), a.Shape()))
	}
	for i := 0; i < a.rank; i++ {
		want := a.shapeBuf[i]
		if i == ax {
			want = k
		}
		if src.shapeBuf[i] != want {
			panic(fmt.Sprintf("autograd: IndexAdd: src shape %v does not fit a %v with %d indices on axis %d", src.Shape(), a.Shape(), k, axis))
		}
	}
	out := tp.NewUninit(a.Shape()...)
	copy(out.Data, a.Data)
	for o := 0; o < outer; o++ {
		for i, j := range idx {
			accumulate(out.Data[(o*d+j)*inner:][:inner], src.Data[(o*k+i)*inner:][:inner])
		}
	}
	if nd := tp.Record(indexAddOp[T]{}, out, a, src); nd != nil {
		nd.Idx = tp.ScratchInts(k)
		copy(nd.Idx, idx)
		axisArgs{outer: outer, d: d, inner: inner}.pack(&nd.Args)
	}
	return out
}

type indexAddOp[T Float] struct{}

func (indexAddOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	a, src, g := nd.In[0], nd.In[1], nd.Out.Grad
	if a.requiresGrad {
		accumulate(tp.GradOf(a), g)
	}
	if src.requiresGrad {
		gs := tp.GradOf(src)
		p := unpackAxisArgs(&nd.Args)
		outer, d, inner := p.outer, p.d, p.inner
		k := len(nd.Idx)
		for o := 0; o < outer; o++ {
			for i, j := range nd.Idx {
				accumulate(gs[(o*k+i)*inner:][:inner], g[(o*d+j)*inner:][:inner])
			}
		}
	}
}

// Where selects element-wise: out = a where cond != 0, else b. cond, a and b have the
// same shape; cond receives no gradient.
func (tp *Tape[T]) Where(cond, a, b *Tensor[T]) *Tensor[T] {
	if !sameShape(cond, a) || !sameShape(a, b) {
		panic(fmt.Sprintf("autograd: Where shapes %v, %v, %v differ", cond.Shape(), a.Shape(), b.Shape()))
	}
	out := tp.NewUninit(a.Shape()...)
	for i, c := range cond.Data {
		if c != 0 {
			out.Data[i] = a.Data[i]
		} else {
			out.Data[i] = b.Data[i]
		}
	}
	tp.Record(whereOp[T]{}, out, a, b, cond)
	return out
}

type whereOp[T Float] struct{}

func (whereOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	a, b, cond, g := nd.In[0], nd.In[1], nd.In[2], nd.Out.Grad
	var ga, gb []T
	if a.requiresGrad {
		ga = tp.GradOf(a)
	}
	if b.requiresGrad {
		gb = tp.GradOf(b)
	}
	for i, c := range cond.Data {
		if c != 0 {
			if ga != nil {
				ga[i] += g[i]
			}
		} else if gb != nil {
			gb[i] += g[i]
		}
	}
}
