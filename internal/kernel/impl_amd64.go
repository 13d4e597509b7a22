//go:build amd64 && !purego

package kernel

import (
	"golang.org/x/sys/cpu"
)

// simdImplementations returns the assembly implementations the CPU supports,
// best first, judged from golang.org/x/sys/cpu (which honours GODEBUG, e.g.
// GODEBUG=cpu.avx512f=off).
func simdImplementations() []*implementation {
	var list []*implementation
	hasAVX2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	if hasAVX2 && cpu.X86.HasAVX512F {
		list = append(list, avx512())
	}
	if hasAVX2 {
		list = append(list, avx2())
	}
	return list
}

// avx512 is the AVX-512F path: 12 x 32 (float32) and 12 x 16 (float64) GEMM
// tiles in zmm registers, masked edges, and zmm vector routines.
func avx512() *implementation {
	im := &implementation{name: "avx512"}
	im.f32 = ops[float32]{
		gemm:  gemmImpl[float32]{mr: 12, nv: 2, lanes: 16, kern: gemmAVX512F32Kernels, kernRowA: gemmAVX512F32KernelsRowA, packRows: packBAVX512F32},
		lanes: 16,
		axpy:  axpyAVX512F32, scal: scalAVX512F32, dot: dotAVX512F32, sum: sumAVX512F32,
		add: addAVX512F32, sub: subAVX512F32, mul: mulAVX512F32, mulAdd: mulAddAVX512F32,
		exp: expAVX512F32, sigmoid: sigmoidAVX512F32, tanh: tanhAVX512F32, unaryTail: unaryTailAVX512F32,
		lstmForward: lstmForwardAVX512F32, lstmForwardBias: lstmForwardBiasAVX512F32, lstmRow: lstmForwardRowAVX512F32, lstmRowBias: lstmForwardRowBiasAVX512F32, lstmBackward: lstmBackwardAVX512F32,
	}
	im.f64 = ops[float64]{
		gemm:  gemmImpl[float64]{mr: 12, nv: 2, lanes: 8, kern: gemmAVX512F64Kernels, kernRowA: gemmAVX512F64KernelsRowA, packRows: packBAVX512F64},
		lanes: 8,
		axpy:  axpyAVX512F64, scal: scalAVX512F64, dot: dotAVX512F64, sum: sumAVX512F64,
		add: addAVX512F64, sub: subAVX512F64, mul: mulAVX512F64, mulAdd: mulAddAVX512F64,
		exp: expAVX512F64, sigmoid: sigmoidAVX512F64, tanh: tanhAVX512F64, unaryTail: unaryTailAVX512F64,
		lstmForward: lstmForwardAVX512F64, lstmForwardBias: lstmForwardBiasAVX512F64, lstmRow: lstmForwardRowAVX512F64, lstmRowBias: lstmForwardRowBiasAVX512F64, lstmBackward: lstmBackwardAVX512F64,
	}
	finishGemm(im)
	im.f32.gemm.transpose, im.f32.gemm.tw = transpose16x16AVX512, 16
	if !cpu.X86.HasAVX512VL { // the whole-row LSTM kernels run short tails on ymm
		im.f32.lstmRow, im.f32.lstmRowBias = nil, nil
		im.f64.lstmRow, im.f64.lstmRowBias = nil, nil
	}
	return im
}

// avx2 is the AVX2+FMA path: 6 x 16 (float32) and 6 x 8 (float64) GEMM tiles
// in ymm registers, VMASKMOV edges, and ymm vector routines.
func avx2() *implementation {
	im := &implementation{name: "avx2"}
	im.f32 = ops[float32]{
		gemm:  gemmImpl[float32]{mr: 6, nv: 2, lanes: 8, kern: gemmAVX2F32Kernels, kernRowA: gemmAVX2F32KernelsRowA, packRows: packBAVX2F32},
		lanes: 8,
		axpy:  axpyAVX2F32, scal: scalAVX2F32, dot: dotAVX2F32, sum: sumAVX2F32,
		add: addAVX2F32, sub: subAVX2F32, mul: mulAVX2F32, mulAdd: mulAddAVX2F32,
		exp: expAVX2F32, sigmoid: sigmoidAVX2F32, tanh: tanhAVX2F32, unaryTail: unaryTailAVX2F32,
		lstmForward: lstmForwardAVX2F32, lstmForwardBias: lstmForwardBiasAVX2F32, lstmBackward: lstmBackwardAVX2F32,
	}
	im.f64 = ops[float64]{
		gemm:  gemmImpl[float64]{mr: 6, nv: 2, lanes: 4, kern: gemmAVX2F64Kernels, kernRowA: gemmAVX2F64KernelsRowA, packRows: packBAVX2F64},
		lanes: 4,
		axpy:  axpyAVX2F64, scal: scalAVX2F64, dot: dotAVX2F64, sum: sumAVX2F64,
		add: addAVX2F64, sub: subAVX2F64, mul: mulAVX2F64, mulAdd: mulAddAVX2F64,
		exp: expAVX2F64, sigmoid: sigmoidAVX2F64, tanh: tanhAVX2F64, unaryTail: unaryTailAVX2F64,
		lstmForward: lstmForwardAVX2F64, lstmForwardBias: lstmForwardBiasAVX2F64, lstmBackward: lstmBackwardAVX2F64,
	}
	finishGemm(im)
	return im
}

// Micro-kernel tables, indexed [rows-1][vectors-1]: A as p-major panels, and
// A in its row-major layout.
var gemmAVX512F32Kernels = [][]gemmKernel[float32]{
	{gemmAVX512F32_1x1, gemmAVX512F32_1x2},
	{gemmAVX512F32_2x1, gemmAVX512F32_2x2},
	{gemmAVX512F32_3x1, gemmAVX512F32_3x2},
	{gemmAVX512F32_4x1, gemmAVX512F32_4x2},
	{gemmAVX512F32_5x1, gemmAVX512F32_5x2},
	{gemmAVX512F32_6x1, gemmAVX512F32_6x2},
	{gemmAVX512F32_7x1, gemmAVX512F32_7x2},
	{gemmAVX512F32_8x1, gemmAVX512F32_8x2},
	{gemmAVX512F32_9x1, gemmAVX512F32_9x2},
	{gemmAVX512F32_10x1, gemmAVX512F32_10x2},
	{gemmAVX512F32_11x1, gemmAVX512F32_11x2},
	{gemmAVX512F32_12x1, gemmAVX512F32_12x2},
}

var gemmAVX512F32KernelsRowA = [][]gemmKernel[float32]{
	{gemmAVX512F32_1x1r, gemmAVX512F32_1x2r},
	{gemmAVX512F32_2x1r, gemmAVX512F32_2x2r},
	{gemmAVX512F32_3x1r, gemmAVX512F32_3x2r},
	{gemmAVX512F32_4x1r, gemmAVX512F32_4x2r},
	{gemmAVX512F32_5x1r, gemmAVX512F32_5x2r},
	{gemmAVX512F32_6x1r, gemmAVX512F32_6x2r},
	{gemmAVX512F32_7x1r, gemmAVX512F32_7x2r},
	{gemmAVX512F32_8x1r, gemmAVX512F32_8x2r},
	{gemmAVX512F32_9x1r, gemmAVX512F32_9x2r},
	{gemmAVX512F32_10x1r, gemmAVX512F32_10x2r},
	{gemmAVX512F32_11x1r, gemmAVX512F32_11x2r},
	{gemmAVX512F32_12x1r, gemmAVX512F32_12x2r},
}

var gemmAVX512F64Kernels = [][]gemmKernel[float64]{
	{gemmAVX512F64_1x1, gemmAVX512F64_1x2},
	{gemmAVX512F64_2x1, gemmAVX512F64_2x2},
	{gemmAVX512F64_3x1, gemmAVX512F64_3x2},
	{gemmAVX512F64_4x1, gemmAVX512F64_4x2},
	{gemmAVX512F64_5x1, gemmAVX512F64_5x2},
	{gemmAVX512F64_6x1, gemmAVX512F64_6x2},
	{gemmAVX512F64_7x1, gemmAVX512F64_7x2},
	{gemmAVX512F64_8x1, gemmAVX512F64_8x2},
	{gemmAVX512F64_9x1, gemmAVX512F64_9x2},
	{gemmAVX512F64_10x1, gemmAVX512F64_10x2},
	{gemmAVX512F64_11x1, gemmAVX512F64_11x2},
	{gemmAVX512F64_12x1, gemmAVX512F64_12x2},
}

var gemmAVX512F64KernelsRowA = [][]gemmKernel[float64]{
	{gemmAVX512F64_1x1r, gemmAVX512F64_1x2r},
	{gemmAVX512F64_2x1r, gemmAVX512F64_2x2r},
	{gemmAVX512F64_3x1r, gemmAVX512F64_3x2r},
	{gemmAVX512F64_4x1r, gemmAVX512F64_4x2r},
	{gemmAVX512F64_5x1r, gemmAVX512F64_5x2r},
	{gemmAVX512F64_6x1r, gemmAVX512F64_6x2r},
	{gemmAVX512F64_7x1r, gemmAVX512F64_7x2r},
	{gemmAVX512F64_8x1r, gemmAVX512F64_8x2r},
	{gemmAVX512F64_9x1r, gemmAVX512F64_9x2r},
	{gemmAVX512F64_10x1r, gemmAVX512F64_10x2r},
	{gemmAVX512F64_11x1r, gemmAVX512F64_11x2r},
	{gemmAVX512F64_12x1r, gemmAVX512F64_12x2r},
}

var gemmAVX2F32Kernels = [][]gemmKernel[float32]{
	{gemmAVX2F32_1x1, gemmAVX2F32_1x2},
	{gemmAVX2F32_2x1, gemmAVX2F32_2x2},
	{gemmAVX2F32_3x1, gemmAVX2F32_3x2},
	{gemmAVX2F32_4x1, gemmAVX2F32_4x2},
	{gemmAVX2F32_5x1, gemmAVX2F32_5x2},
	{gemmAVX2F32_6x1, gemmAVX2F32_6x2},
}

var gemmAVX2F32KernelsRowA = [][]gemmKernel[float32]{
	{gemmAVX2F32_1x1r, gemmAVX2F32_1x2r},
	{gemmAVX2F32_2x1r, gemmAVX2F32_2x2r},
	{gemmAVX2F32_3x1r, gemmAVX2F32_3x2r},
	{gemmAVX2F32_4x1r, gemmAVX2F32_4x2r},
	{gemmAVX2F32_5x1r, gemmAVX2F32_5x2r},
	{gemmAVX2F32_6x1r, gemmAVX2F32_6x2r},
}

var gemmAVX2F64Kernels = [][]gemmKernel[float64]{
	{gemmAVX2F64_1x1, gemmAVX2F64_1x2},
	{gemmAVX2F64_2x1, gemmAVX2F64_2x2},
	{gemmAVX2F64_3x1, gemmAVX2F64_3x2},
	{gemmAVX2F64_4x1, gemmAVX2F64_4x2},
	{gemmAVX2F64_5x1, gemmAVX2F64_5x2},
	{gemmAVX2F64_6x1, gemmAVX2F64_6x2},
}

var gemmAVX2F64KernelsRowA = [][]gemmKernel[float64]{
	{gemmAVX2F64_1x1r, gemmAVX2F64_1x2r},
	{gemmAVX2F64_2x1r, gemmAVX2F64_2x2r},
	{gemmAVX2F64_3x1r, gemmAVX2F64_3x2r},
	{gemmAVX2F64_4x1r, gemmAVX2F64_4x2r},
	{gemmAVX2F64_5x1r, gemmAVX2F64_5x2r},
	{gemmAVX2F64_6x1r, gemmAVX2F64_6x2r},
}

// finishGemm sets the cache blocking and the packing transposes shared by both
// paths.
func finishGemm(im *implementation) {
	im.f32.gemm.setBlocking(4)
	im.f64.gemm.setBlocking(8)
	im.f32.gemm.transpose, im.f32.gemm.tw = transpose8x8AVX, 8
	im.f64.gemm.transpose, im.f64.gemm.tw = transpose4x4AVX, 4
}

// The unaryTail routines run exp, sigmoid or tanh on a short tail (fewer than
// one vector of elements) by copying it into a zero-padded vector on the stack
// and calling the assembly directly: direct calls of the //go:noescape stubs
// keep the buffers on the stack, so a tail allocates nothing and gets the same
// polynomial (and error bound) as the body.

func unaryTailAVX512F32(fn unaryFn, dst, x []float32) {
	var in, out [16]float32
	copy(in[:], x[:len(dst)])
	switch fn {
	case fnExp:
		expAVX512F32(out[:], in[:])
	case fnSigmoid:
		sigmoidAVX512F32(out[:], in[:])
	case fnTanh:
		tanhAVX512F32(out[:], in[:])
	}
	copy(dst, out[:])
}

func unaryTailAVX512F64(fn unaryFn, dst, x []float64) {
	var in, out [8]float64
	copy(in[:], x[:len(dst)])
	switch fn {
	case fnExp:
		expAVX512F64(out[:], in[:])
	case fnSigmoid:
		sigmoidAVX512F64(out[:], in[:])
	case fnTanh:
		tanhAVX512F64(out[:], in[:])
	}
	copy(dst, out[:])
}

func unaryTailAVX2F32(fn unaryFn, dst, x []float32) {
	var in, out [8]float32
	copy(in[:], x[:len(dst)])
	switch fn {
	case fnExp:
		expAVX2F32(out[:], in[:])
	case fnSigmoid:
		sigmoidAVX2F32(out[:], in[:])
	case fnTanh:
		tanhAVX2F32(out[:], in[:])
	}
	copy(dst, out[:])
}

func unaryTailAVX2F64(fn unaryFn, dst, x []float64) {
	var in, out [4]float64
	copy(in[:], x[:len(dst)])
	switch fn {
	case fnExp:
		expAVX2F64(out[:], in[:])
	case fnSigmoid:
		sigmoidAVX2F64(out[:], in[:])
	case fnTanh:
		tanhAVX2F64(out[:], in[:])
	}
	copy(dst, out[:])
}
