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
	if bc.sameShapes {
		binaryRow(kind, out.Data, a.Data, b.Data, 1, 1)
	} else {
		bc.forRows(func(oo, oa, ob int) {
			binaryRow(kind, out.Data[oo:oo+bc.rowLen], a.Data[oa:], b.Data[ob:], bc.stepA, bc.stepB)
		})
	}
	if n := tp.Record(binaryOp[T]{}, out, a, b); n != nil {
		binaryArgs{kind: kind}.pack(&n.Args)
	}
	return out
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
	for j := range dst {
		x, y := a[j*sa], b[j*sb]
		switch kind {
		case binAdd:
			dst[j] = x + y
		case binSub:
			dst[j] = x - y
		case binMul:
			dst[j] = x * y
		case binDiv:
			dst[j] = x / y
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
	span := func(oo, oa, ob, length, sa, sb int) {
		gr := g[oo : oo+length]
		for j, gv := range gr {
			ia, ib := oa+j*sa, ob+j*sb
			switch kind {
			case binAdd:
				if ga != nil {
					ga[ia] += gv
				}
				if gb != nil {
					gb[ib] += gv
				}
			case binSub:
				if ga != nil {
					ga[ia] += gv
				}
				if gb != nil {
					gb[ib] -= gv
				}
			case binMul:
				if ga != nil {
					ga[ia] += gv * b.Data[ib]
				}
				if gb != nil {
					gb[ib] += gv * a.Data[ia]
				}
			case binDiv:
				y := b.Data[ib]
				if ga != nil {
					ga[ia] += gv / y
				}
				if gb != nil {
					gb[ib] -= gv * a.Data[ia] / (y * y)
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
	bc.forRows(func(oo, oa, ob int) { span(oo, oa, ob, bc.rowLen, bc.stepA, bc.stepB) })
}

// mulAcc computes dst += x*y element-wise.
func mulAcc[T Float](dst, x, y []T) {
	y = y[:len(x)]
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += v * y[i]
	}
}
