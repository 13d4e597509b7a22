package autograd

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/kernel"
)

// MatMul returns the matrix product a·b of 2-D tensors [m, k]·[k, n] -> [m, n].
func (tp *Tape[T]) MatMul(a, b *Tensor[T]) *Tensor[T] { return tp.MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes its 2-D operand when the matching
// flag is set: with transA, a is stored [k, m]; with transB, b is stored [n, k].
func (tp *Tape[T]) MatMulT(a, b *Tensor[T], transA, transB bool) *Tensor[T] {
	if a.rank != 2 || b.rank != 2 {
		panic(fmt.Sprintf("autograd: MatMul needs 2-D operands, got %v and %v", a.Shape(), b.Shape()))
	}
	m, k := a.shapeBuf[0], a.shapeBuf[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.shapeBuf[0], b.shapeBuf[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("autograd: MatMul inner dimensions differ: %v (trans %v) and %v (trans %v)", a.Shape(), transA, b.Shape(), transB))
	}
	out := tp.NewUninit(m, n)
	if k == 0 {
		clear(out.Data)
	} else if m > 0 && n > 0 {
		kernel.Gemm(transA, transB, m, n, k, 1, a.Data, a.shapeBuf[1], b.Data, b.shapeBuf[1], 0, out.Data, n)
	}
	if nd := tp.Record(matMulOp[T]{}, out, a, b); nd != nil {
		matMulArgs{transA: transA, transB: transB, m: m, k: k, n: n}.pack(&nd.Args)
	}
	return out
}

type matMulOp[T Float] struct{}

// matMulArgs are the parameters of a matMulOp node: the transposes and the
// sizes of op(A) [m, k] and op(B) [k, n].
type matMulArgs struct {
	transA, transB bool
	m, k, n        int
}

func (a matMulArgs) pack(s *Args) {
	s.Bools[0], s.Bools[1] = a.transA, a.transB
	s.Ints[0], s.Ints[1], s.Ints[2] = a.m, a.k, a.n
}

func unpackMatMulArgs(s *Args) matMulArgs {
	return matMulArgs{transA: s.Bools[0], transB: s.Bools[1], m: s.Ints[0], k: s.Ints[1], n: s.Ints[2]}
}

func (matMulOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	a, b, g := nd.In[0], nd.In[1], nd.Out.Grad
	p := unpackMatMulArgs(&nd.Args)
	transA, transB, m, k, n := p.transA, p.transB, p.m, p.k, p.n
	if m == 0 || n == 0 || k == 0 {
		return
	}
	lda, ldb := a.shapeBuf[1], b.shapeBuf[1]
	if a.requiresGrad {
		ga := tp.GradOf(a)
		if !transA { // dA[m,k] = G·op(B)^T
			kernel.Gemm(false, !transB, m, k, n, 1, g, n, b.Data, ldb, 1, ga, lda)
		} else { // dA[k,m] = op(B)·G^T
			kernel.Gemm(transB, true, k, m, n, 1, b.Data, ldb, g, n, 1, ga, lda)
		}
	}
	if b.requiresGrad {
		gb := tp.GradOf(b)
		if !transB { // dB[k,n] = op(A)^T·G
			kernel.Gemm(!transA, false, k, n, m, 1, a.Data, lda, g, n, 1, gb, ldb)
		} else { // dB[n,k] = G^T·op(A)
			kernel.Gemm(true, transA, n, k, m, 1, g, n, a.Data, lda, 1, gb, ldb)
		}
	}
}

// Transpose returns the transpose of a 2-D tensor.
func (tp *Tape[T]) Transpose(a *Tensor[T]) *Tensor[T] {
	if a.rank != 2 {
		panic(fmt.Sprintf("autograd: Transpose needs a 2-D tensor, got %v", a.Shape()))
	}
	r, c := a.shapeBuf[0], a.shapeBuf[1]
	out := tp.NewUninit(c, r)
	transpose(out.Data, a.Data, r, c)
	tp.Record(transposeOp[T]{}, out, a)
	return out
}

// transpose writes the [c, r] transpose of the [r, c] matrix src into dst.
func transpose[T Float](dst, src []T, r, c int) {
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j*r+i] = src[i*c+j]
		}
	}
}

type transposeOp[T Float] struct{}

func (transposeOp[T]) Backward(tp *Tape[T], nd *Node[T]) {
	a, g := nd.In[0], nd.Out.Grad
	ga := tp.GradOf(a)
	r, c := a.shapeBuf[0], a.shapeBuf[1]
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			ga[i*c+j] += g[j*r+i]
		}
	}
}
