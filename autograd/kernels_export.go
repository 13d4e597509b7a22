package autograd

import "github.com/neurograd/neurograd/autograd/internal/kernel"

// This file re-exports the numeric kernels of autograd/internal/kernel for the
// layers of package nn, whose fused ops need the same GEMM and vector primitives
// as autograd's own ops (Go's internal rule hides the kernel package from nn).
// Every function forwards to the kernel and has its semantics.

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where op(X)
// is X or its transpose. op(A) is m x k, op(B) is k x n, C is m x n; lda, ldb and
// ldc are the row strides of A, B and C as stored. When beta is 0, C is not read.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	kernel.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmRowTile returns the number of rows of C that Gemm computes together
// (its micro-kernel's tile height) in the implementation in use for T.
// Splitting a product by rows at a multiple of it gives bit-for-bit the result
// of the whole product, so parallel splits stay deterministic.
func GemmRowTile[T Float]() int { return kernel.GemmRowTile[T]() }

// Axpy computes y += alpha*x over len(x) elements.
func Axpy[T Float](alpha T, x, y []T) { kernel.Axpy(alpha, x, y) }

// Scal computes x *= alpha.
func Scal[T Float](alpha T, x []T) { kernel.Scal(alpha, x) }

// Dot returns the sum of x[i]*y[i] over len(x) elements.
func Dot[T Float](x, y []T) T { return kernel.Dot(x, y) }

// VecAdd computes dst[i] = a[i] + b[i] over len(dst) elements.
func VecAdd[T Float](dst, a, b []T) { kernel.Add(dst, a, b) }

// VecMul computes dst[i] = a[i] * b[i] over len(dst) elements.
func VecMul[T Float](dst, a, b []T) { kernel.Mul(dst, a, b) }

// VecSigmoid computes dst[i] = 1/(1+e^-x[i]) without overflow for large |x|.
func VecSigmoid[T Float](dst, x []T) { kernel.Sigmoid(dst, x) }

// VecTanh computes dst[i] = tanh(x[i]).
func VecTanh[T Float](dst, x []T) { kernel.Tanh(dst, x) }

// VecExp computes dst[i] = e^x[i].
func VecExp[T Float](dst, x []T) { kernel.Exp(dst, x) }

// LSTMCell applies the pointwise part of an LSTM step to a batch (PyTorch gate
// order [i f g o]): it overwrites the pre-activations gates [batch, 4*hidden] by
// the activated gates and writes c = f*cPrev + i*g, tanhC = tanh(c) and
// h = o*tanhC, each [batch, hidden]. cPrev may be nil for a zero cell state.
func LSTMCell[T Float](gates, cPrev, c, h, tanhC []T, batch, hidden int) {
	kernel.LSTMCell(gates, cPrev, c, h, tanhC, batch, hidden)
}

// LSTMCellBackward is the gradient of LSTMCell: from the activated gates, cPrev,
// tanhC, dh (the gradient reaching h) and dc (the gradient reaching c from later
// steps, nil for none) it writes dGates [batch, 4*hidden] and dcPrev = dcTotal*f
// (both overwritten; dcPrev may be nil or alias dc), where
// dcTotal = dc + dh*o*(1-tanhC²).
func LSTMCellBackward[T Float](gates, cPrev, tanhC, dh, dc, dGates, dcPrev []T, batch, hidden int) {
	kernel.LSTMCellBackward(gates, cPrev, tanhC, dh, dc, dGates, dcPrev, batch, hidden)
}
