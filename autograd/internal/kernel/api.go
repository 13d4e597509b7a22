// Package kernel holds the numeric hot loops of neurograd: GEMM and the vector
// primitives that autograd's ops and nn's layers call. Each routine has a pure-Go
// reference and, on amd64, AVX2+FMA and AVX-512 assembly chosen once at start-up
// from golang.org/x/sys/cpu feature flags.
//
// All matrices are row-major with explicit leading dimensions.
package kernel

import "math"

// Float is the set of element types the kernels support.
type Float interface{ ~float32 | ~float64 }

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where op(X)
// is X or its transpose. op(A) is m x k, op(B) is k x n, C is m x n; lda, ldb and
// ldc are the row strides of A, B and C as stored. When beta is 0, C is not read.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch any(a).(type) {
	case []float32:
		Sgemm(transA, transB, m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		Dgemm(transA, transB, m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	default:
		refGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// Sgemm is Gemm for float32.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	refGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Gemm for float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	refGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Axpy computes y += alpha*x over len(x) elements.
func Axpy[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Scal computes x *= alpha.
func Scal[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

// Dot returns the sum of x[i]*y[i] over len(x) elements.
func Dot[T Float](x, y []T) T {
	y = y[:len(x)]
	var s T
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// Add computes dst[i] = a[i] + b[i] over len(dst) elements.
func Add[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Mul computes dst[i] = a[i] * b[i] over len(dst) elements.
func Mul[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Exp computes dst[i] = e^x[i].
func Exp[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(math.Exp(float64(v)))
	}
}

// Tanh computes dst[i] = tanh(x[i]).
func Tanh[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(math.Tanh(float64(v)))
	}
}

// Sigmoid computes dst[i] = 1/(1+e^-x[i]) without overflow for large |x|.
func Sigmoid[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		f := float64(v)
		if f >= 0 {
			dst[i] = T(1 / (1 + math.Exp(-f)))
		} else {
			e := math.Exp(f)
			dst[i] = T(e / (1 + e))
		}
	}
}
