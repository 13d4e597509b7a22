package autograd

import "github.com/neurograd/neurograd/internal/kernel"

type binaryKind int

const (
	binAdd binaryKind = iota
	binSub
	binMul
	binDiv
)

var binaryNames = [...]string{"Add", "Sub", "Mul", "Div"}

// Add returns a + b with NumPy broadcasting (for example a [batch, n] matrix plus
// a bias vector [n], or a column [batch, 1]).
func (tp *Tape[T]) Add(a, b *Tensor[T]) *Tensor[T] { return tp.binary(binAdd, a, b) }

// Sub returns a - b with broadcasting.
func (tp *Tape[T]) Sub(a, b *Tensor[T]) *Tensor[T] { return tp.binary(binSub, a, b) }

// Mul returns the element-wise product a * b with broadcasting.
func (tp *Tape[T]) Mul(a, b *Tensor[T]) *Tensor[T] { return tp.binary(binMul, a, b) }

// Div returns the element-wise quotient a / b with broadcasting.
func (tp *Tape[T]) Div(a, b *Tensor[T]) *Tensor[T] { return tp.binary(binDiv, a, b) }

func (tp *Tape[T]) binary(kind binaryKind, a, b *Tensor[T]) *Tensor[T] {
	bc := newBcast(binaryNames[kind], a, b)
	out := tp.NewUninit(bc.shape()...)
	switch {
	case bc.sameShapes:
		binaryRow(kind, out.Data, a.Data, b.Data, 1, 1)
	case tp.binaryRowVector(kind, &bc, out.Data, a.Data, b.Data):
	default:
		bc.forRows(func(oo, oa, ob int) {
			binaryRow(kind, out.Data[oo:oo+bc.rowLen], a.Data[oa:], b.Data[ob:], bc.stepA, bc.stepB)
		})
	}
	if n := tp.Record(binaryOp[T]{}, out, a, b); n != nil {
		binaryArgs{kind: kind}.pack(&n.Args)
	}
	return out
}

// rowVectorChunk is the number of elements binaryRowVector handles per call
// of binaryRow: whole rows, at least one.
const rowVectorChunk = 512

// binaryRowVector computes out = a op b where one operand has the output's
// shape and the other is one row of it (a bias or scale vector over the
// last dimension, broadcast over every other), as the row-by-row walk would,
// element for element, but on chunks of several rows against the vector
// repeated in tape memory, so that short rows run in whole SIMD vectors. It
// reports false, doing nothing, for other shapes, rows of rowVectorChunk
// elements or more, and a nil tape.
func (tp *Tape[T]) binaryRowVector(kind binaryKind, bc *bcast, out, a, b []T) bool {
	n, rl := len(out), bc.rowLen
	if tp == nil || bc.stepA != 1 || bc.stepB != 1 || rl >= rowVectorChunk || bc.rows < 2 {
		return false
	}
	var vec []T
	switch {
	case len(a) == n && len(b) == rl:
		vec = b
	case len(b) == n && len(a) == rl:
		vec = a
	default:
		return false
	}
	per := rowVectorChunk / rl * rl
	if cap(tp.rowRep) < per {
		tp.rowRep = make([]T, per)
	}
	rep := tp.rowRep[:per]
	for i := 0; i < per; i += rl {
		copy(rep[i:i+rl], vec)
	}
	for o := 0; o < n; o += per {
		m := min(per, n-o)
		if len(a) == n {
			binaryRow(kind, out[o:o+m], a[o:o+m], rep[:m], 1, 1)
		} else {
			binaryRow(kind, out[o:o+m], rep[:m], b[o:o+m], 1, 1)
		}
	}
	return true
}

// binaryRow computes dst[j] = a[j*sa] op b[j*sb].
func binaryRow[T Float](kind binaryKind, dst, a, b []T, sa, sb int) {
	n := len(dst)
	if sa == 1 && sb == 1 {
		switch kind {
		case binAdd:
			kernel.Add(dst, a[:n], b[:n])
		case binMul:
			kernel.Mul(dst, a[:n], b[:n])
		case binSub:
			for j := range dst {
				dst[j] = a[j] - b[j]
			}
		case binDiv:
			for j := range dst {
				dst[j] = a[j] / b[j]
			}
		}
		return
	}
	switch kind {
	case binAdd:
		for j := range dst {
			dst[j] = a[j*sa] + b[j*sb]
		}
	case binSub:
		for j := range dst {
			dst[j] = a[j*sa] - b[j*sb]
		}
	case binMul:
		for j := range dst {
			dst[j] = a[j*sa] * b[j*sb]
		}
	case binDiv:
		for j := range dst {
			dst[j] = a[j*sa] / b[j*sb]
		}
	}
}

type binaryOp[T Float] struct{}

// binaryArgs are the parameters of a binaryOp node.
type binaryArgs struct {
	kind binaryKind
}

func (a binaryArgs) pack(s *Args) { s.Ints[0] = int(a.kind) }

func unpackBinaryArgs(s *Args) binaryArgs { return binaryArgs{kind: binaryKind(s.Ints[0])} }

func (binaryOp[T]) Backward(tp *Tape[T], n *Node[T]) {
	kind := unpackBinaryArgs(&n.Args).kind
	a, b, g := n.In[0], n.In[1], n.Out.Grad
	bc := newBcast(binaryNames[kind], a, b)
	var ga, gb []T
	if a.requiresGrad {
		ga = tp.GradOf(a)
	}
	if b.requiresGrad {
		gb = tp.GradOf(b)
	}
	// span handles one run of length output elements: a's and b's gradients
	// in turn (they are different tensors' buffers), each element's terms as
	// the plain loop would add them, in order.
	span := func(oo, oa, ob, length, sa, sb int) {
		gr := g[oo : oo+length]
		ad, bd := a.Data, b.Data
		switch kind {
		case binAdd, binSub:
			if ga != nil {
				for j, gv := range gr {
					ga[oa+j*sa] += gv
				}
			}
			if gb != nil && kind == binAdd {
				for j, gv := range gr {
					gb[ob+j*sb] += gv
				}
			} else if gb != nil {
				for j, gv := range gr {
					gb[ob+j*sb] -= gv
				}
			}
		case binMul:
			if ga != nil {
				if sa == 1 && sb == 0 {
					y, dst := bd[ob], ga[oa:oa+length]
					for j, gv := range gr {
						dst[j] += gv * y
					}
				} else {
					for j, gv := range gr {
						ga[oa+j*sa] += gv * bd[ob+j*sb]
					}
				}
			}
			if gb != nil {
				for j, gv := range gr {
					gb[ob+j*sb] += gv * ad[oa+j*sa]
				}
			}
		case binDiv:
			if ga != nil {
				for j, gv := range gr {
					ga[oa+j*sa] += gv / bd[ob+j*sb]
				}
			}
			if gb != nil {
				for j, gv := range gr {
					y := bd[ob+j*sb]
					gb[ob+j*sb] -= gv * ad[oa+j*sa] / (y * y)
				}
			}
		}
	}
	if bc.sameShapes {
		switch kind {
		case binAdd:
			if ga != nil {
				accumulate(ga, g)
			}
			if gb != nil {
				accumulate(gb, g)
			}
			return
		case binMul:
			if ga != nil {
				mulAcc(ga, g, b.Data)
			}
			if gb != nil {
				mulAcc(gb, g, a.Data)
			}
			return
		}
		span(0, 0, 0, len(g), 1, 1)
		return
	}
	if tp.binaryRowVectorBackward(kind, &bc, g, a, b, ga, gb) {
		return
	}
	bc.forRows(func(oo, oa, ob int) { span(oo, oa, ob, bc.rowLen, bc.stepA, bc.stepB) })
}

// binaryRowVectorBackward is the backward of binaryRowVector's shapes (one
// operand of the output's shape, the other one row) when only the full
// operand needs a gradient, for Add, Sub and Mul: the full operand's
// gradient in whole SIMD vectors (Mul's products g·v against the row
// repeated, then added: the same roundings as the scalar g·v added). It
// reports false, doing nothing, in every other case.
func (tp *Tape[T]) binaryRowVectorBackward(kind binaryKind, bc *bcast, g []T, a, b *Tensor[T], ga, gb []T) bool {
	n, rl := len(g), bc.rowLen
	if tp == nil || kind == binDiv || bc.stepA != 1 || bc.stepB != 1 || rl >= rowVectorChunk || bc.rows < 2 {
		return false
	}
	var gf, vec []T // the full operand's gradient, the row vector
	switch {
	case len(a.Data) == n && len(b.Data) == rl && gb == nil && ga != nil:
		gf, vec = ga, b.Data
	case len(b.Data) == n && len(a.Data) == rl && ga == nil && gb != nil:
		gf, vec = gb, a.Data
		if kind == binSub {
			for i, gv := range g {
				gf[i] -= gv
			}
			return true
		}
	default:
		return false
	}
	if kind != binMul {
		accumulate(gf, g)
		return true
	}
	per := rowVectorChunk / rl * rl
	if cap(tp.rowRep) < per {
		tp.rowRep = make([]T, per)
	}
	if cap(tp.rowTmp) < per {
		tp.rowTmp = make([]T, per)
	}
	rep, tmp := tp.rowRep[:per], tp.rowTmp[:per]
	for i := 0; i < per; i += rl {
		copy(rep[i:i+rl], vec)
	}
	for o := 0; o < n; o += per {
		m := min(per, n-o)
		kernel.Mul(tmp[:m], g[o:o+m], rep[:m])
		kernel.Add(gf[o:o+m], gf[o:o+m], tmp[:m])
	}
	return true
}

// mulAcc computes dst += x*y element-wise.
func mulAcc[T Float](dst, x, y []T) {
	y = y[:len(x)]
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += v * y[i]
	}
}
