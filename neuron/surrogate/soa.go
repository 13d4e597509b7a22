package surrogate

import "github.com/neurograd/neurograd/autograd"

// addGradSoA adds the first K columns of a gradient kept structure-of-arrays
// (g[i*B+b], column i of cell b, float64: the fused ops' backward scratch) to
// the row-major gradient of the [B, W] tensor x on tp, when x requires one.
func addGradSoA[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T], g []float64, B, W, K int) {
	if !x.RequiresGrad() {
		return
	}
	gx := tp.GradOf(x)
	for b := range B {
		r := gx[b*W : b*W+K]
		for i := range r {
			r[i] += T(g[i*B+b])
		}
	}
}

// restoreRow sets *cur, a one-tensor state's [batch, width] row block, to
// the values of snap: copied into own when snap needs no gradient, else a
// new leaf tensor that requires one, which it returns (the Restore of the
// exact basket's and the hybrid soma's states).
func restoreRow[T autograd.Float](cur **autograd.Tensor[T], own, snap *autograd.Tensor[T]) []*autograd.Tensor[T] {
	if !snap.RequiresGrad() {
		copy(own.Data, snap.Data)
		*cur = own
		return nil
	}
	l := autograd.Clone(snap)
	l.SetRequiresGrad(true)
	*cur = l
	return []*autograd.Tensor[T]{l}
}

// rowTensors returns s when it requires a gradient (a one-tensor state's
// Tensors).
func rowTensors[T autograd.Float](s *autograd.Tensor[T]) []*autograd.Tensor[T] {
	if s.RequiresGrad() {
		return []*autograd.Tensor[T]{s}
	}
	return nil
}

// toSoA stores the first K columns of the row-major [B, W] block src in dst
// structure-of-arrays (dst[i*B+b], column i of cell b, float64): the fused
// ops' layout for their state, inputs and gradients.
func toSoA[T autograd.Float](dst []float64, src []T, B, W, K int) {
	for b := range B {
		r := src[b*W : b*W+K]
		for i, v := range r {
			dst[i*B+b] = float64(v)
		}
	}
}
