package autograd

import (
	"fmt"
	"math"
)

// axisSplit returns the sizes before, along and after axis (negative axis counts from the end).
func axisSplit[T Float](op string, a *Tensor[T], axis int) (ax, outer, d, inner int) {
	if axis < 0 {
		axis += a.rank
	}
	if axis < 0 || axis >= a.rank {
		panic(fmt.Sprintf("autograd: %s: axis out of range for shape %v", op, a.Shape()))
	}
	outer, inner = 1, 1
	for i := 0; i < axis; i++ {
		outer *= a.shapeBuf[i]
	}
	for i := axis + 1; i < a.rank; i++ {
		inner *= a.shapeBuf[i]
	}
	return axis, outer, a.shapeBuf[axis], inner
}

// shapeWithout returns a's shape without dimension axis, in buf.
func shapeWithout[T Float](buf *[MaxDims]int, a *Tensor[T], axis int) []int {
	n := 0
	for i := 0; i < a.rank; i++ {
		if i != axis {
			buf[n] = a.shapeBuf[i]
			n++
		}
	}
	return buf[:n]
}

// Sum returns the sum of all elements of a as a rank-0 tensor.
func (tp *Tape[T]) Sum(a *Tensor[T]) *Tensor[T] { return tp.sumAll(a, 1) }

// Mean returns the mean of all elements of a as a rank-0 tensor.
func (tp *Tape[T]) Mean(a *Tensor[T]) *Tensor[T] {
	if a.Len() == 0 {
		panic("autograd: Mean of an empty tensor")
	}
	return tp.sumAll(a, 1/float64(a.Len()))
}

func (tp *Tape[T]) sumAll(a *Tensor[T], scale float64) *Tensor[T] {
	out := tp.NewUninit()
	var s float64
	for _, v := range a.Data {
		s += float64(v)
	}
	out.Data[0] = T(s * scale)
	if nd := tp.Record(sumAllOp[T]{}, out, a); nd != nil {
		sumAllArgs{scale: scale}.pack(&nd.Args)
	}
	return out
}

type sumAllOp[T Float] struct{}

// sumAllArgs are the parameters of a sumAllOp node: the factor of the sum (1,
// or 1/n for a mean).
type sumAllArgs struct {
	scale float64
}

func (a sumAllArgs) pack(s *Args) { s.Floats[0] = a.scale }

func unpackSumAllArgs(s *Args) sumAllArgs { return sumAllArgs{scale: s.Floats[0]} }

func (sumAllOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	ga := tp.GradOf(nd.In[0])
	g := nd.Out.Grad[0] * T(unpackSumAllArgs(&nd.Args).scale)
	for i := range ga {
		ga[i] += g
	}
}

// SumAxis returns the sum of a along axis; the result drops that dimension.
func (tp *Tape[T]) SumAxis(a *Tensor[T], axis int) *Tensor[T] { return tp.sumAxis(a, axis, false) }

// MeanAxis returns the mean of a along axis; the result drops that dimension.
func (tp *Tape[T]) MeanAxis(a *Tensor[T], axis int) *Tensor[T] { return tp.sumAxis(a, axis, true) }

func (tp *Tape[T]) sumAxis(a *Tensor[T], axis int, mean bool) *Tensor[T] {
	ax, outer, d, inner := axisSplit("SumAxis", a, axis)
	var buf [MaxDims]int
	out := tp.NewTensor(shapeWithout(&buf, a, ax)...)
	scale := T(1)
	if mean {
		if d == 0 {
			panic("autograd: MeanAxis over an empty dimension")
		}
		scale = 1 / T(d)
	}
	for o := 0; o < outer; o++ {
		dst := out.Data[o*inner : (o+1)*inner]
		for j := 0; j < d; j++ {
			src := a.Data[(o*d+j)*inner:][:inner]
			for i, v := range src {
				dst[i] += v
			}
		}
		if mean {
			for i := range dst {
				dst[i] *= scale
			}
		}
	}
	if nd := tp.Record(sumAxisOp[T]{}, out, a); nd != nil {
		sumAxisArgs{outer: outer, d: d, inner: inner, scale: float64(scale)}.pack(&nd.Args)
	}
	return out
}

type sumAxisOp[T Float] struct{}

// sumAxisArgs are the parameters of a sumAxisOp node: the input seen as
// [outer, d, inner] with the summed axis of length d, and the factor of the sum.
type sumAxisArgs struct {
	outer, d, inner int
	scale           float64
}

func (a sumAxisArgs) pack(s *Args) {
	s.Ints[0], s.Ints[1], s.Ints[2] = a.outer, a.d, a.inner
	s.Floats[0] = a.scale
}

func unpackSumAxisArgs(s *Args) sumAxisArgs {
	return sumAxisArgs{outer: s.Ints[0], d: s.Ints[1], inner: s.Ints[2], scale: s.Floats[0]}
}

func (sumAxisOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	ga, g := tp.GradOf(nd.In[0]), nd.Out.Grad
	p := unpackSumAxisArgs(&nd.Args)
	outer, d, inner := p.outer, p.d, p.inner
	scale := T(p.scale)
	for o := 0; o < outer; o++ {
		src := g[o*inner : (o+1)*inner]
		for j := 0; j < d; j++ {
			dst := ga[(o*d+j)*inner:][:inner]
			for i, v := range src {
				dst[i] += v * scale
			}
		}
	}
}

// LogSumExp returns log(sum(exp(a))) along axis, computed stably by subtracting the
// maximum; the result drops that dimension.
func (tp *Tape[T]) LogSumExp(a *Tensor[T], axis int) *Tensor[T] {
	ax, outer, d, inner := axisSplit("LogSumExp", a, axis)
	if d == 0 {
		panic("autograd: LogSumExp over an empty dimension")
	}
	var buf [MaxDims]int
	out := tp.NewUninit(shapeWithout(&buf, a, ax)...)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for j := 0; j < d; j++ {
				m = math.Max(m, float64(a.Data[(o*d+j)*inner+i]))
			}
			if math.IsInf(m, 0) {
				out.Data[o*inner+i] = T(m)
				continue
			}
			var s float64
			for j := 0; j < d; j++ {
				s += math.Exp(float64(a.Data[(o*d+j)*inner+i]) - m)
			}
			out.Data[o*inner+i] = T(m + math.Log(s))
		}
	}
	if nd := tp.Record(logSumExpOp[T]{}, out, a); nd != nil {
		axisArgs{outer: outer, d: d, inner: inner}.pack(&nd.Args)
	}
	return out
}

type logSumExpOp[T Float] struct{}

func (logSumExpOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	a := nd.In[0]
	ga, g, y := tp.GradOf(a), nd.Out.Grad, nd.Out.Data
	p := unpackAxisArgs(&nd.Args)
	outer, d, inner := p.outer, p.d, p.inner
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			gv, lse := float64(g[o*inner+i]), float64(y[o*inner+i])
			for j := 0; j < d; j++ {
				k := (o*d+j)*inner + i
				ga[k] += T(gv * math.Exp(float64(a.Data[k])-lse))
			}
		}
	}
}
