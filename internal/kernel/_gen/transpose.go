package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// genTranspose emits the AVX (ymm) block transposes used to pack transposed
// operands: 8x8 float32 and 4x4 float64 blocks, for blocks consecutive blocks
// along a row:
//
//	dst[(b*w+t)*dstStride + q] = src[q*srcStride + b*w + t]  for q, t < w
func genTranspose(f64 bool) {
	t, w, es := "float32", 8, 4
	if f64 {
		t, w, es = "float64", 4, 8
	}
	name := fmt.Sprintf("transpose%dx%dAVX", w, w)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst *%s, dstStride int, src *%s, srcStride int, blocks int)", t, t))
	Doc(fmt.Sprintf("%s transposes blocks consecutive %dx%d blocks of src (rows srcStride apart) into dst (rows dstStride apart).", name, w, w))
	Pragma("noescape")
	dst, ds, src, ss, nb := reg.RDI, reg.R8, reg.RSI, reg.R9, reg.RCX
	ds3, ss3 := reg.R10, reg.R11
	dp, sp := reg.RAX, reg.RBX
	Load(Param("dst"), dst)
	Load(Param("dstStride"), ds)
	Load(Param("src"), src)
	Load(Param("srcStride"), ss)
	Load(Param("blocks"), nb)
	sh := uint64(2)
	if f64 {
		sh = 3
	}
	SHLQ(Imm(sh), ds)
	SHLQ(Imm(sh), ss)
	LEAQ(Mem{Base: ds, Index: ds, Scale: 2}, ds3)
	LEAQ(Mem{Base: ss, Index: ss, Scale: 2}, ss3)
	TESTQ(nb, nb)
	JZ(LabelRef("done"))
	Label("loop")
	// Row q of the block: base + (q/4)*4*stride + (q%4)*stride, via sp/dp.
	rowAddr := func(base, stride, stride3, cur reg.Register, q int) Mem {
		switch q % 4 {
		case 0:
			return Mem{Base: cur}
		case 1:
			return Mem{Base: cur, Index: stride, Scale: 1}
		case 2:
			return Mem{Base: cur, Index: stride, Scale: 2}
		default:
			return Mem{Base: cur, Index: stride3, Scale: 1}
		}
	}
	y := yregs
	MOVQ(src, sp)
	for q := 0; q < w; q++ {
		if q == 4 {
			LEAQ(Mem{Base: sp, Index: ss, Scale: 4}, sp)
		}
		VMOVUPS(rowAddr(src, ss, ss3, sp, q), y[q])
	}
	if f64 {
		VUNPCKLPD(y[1], y[0], y[4])
		VUNPCKHPD(y[1], y[0], y[5])
		VUNPCKLPD(y[3], y[2], y[6])
		VUNPCKHPD(y[3], y[2], y[7])
		VPERM2F128(Imm(0x20), y[6], y[4], y[0])
		VPERM2F128(Imm(0x20), y[7], y[5], y[1])
		VPERM2F128(Imm(0x31), y[6], y[4], y[2])
		VPERM2F128(Imm(0x31), y[7], y[5], y[3])
	} else {
		for h := 0; h < 2; h++ {
			r := 4 * h
			VUNPCKLPS(y[r+1], y[r], y[8+r])
			VUNPCKHPS(y[r+1], y[r], y[9+r])
			VUNPCKLPS(y[r+3], y[r+2], y[10+r])
			VUNPCKHPS(y[r+3], y[r+2], y[11+r])
		}
		for h := 0; h < 2; h++ {
			r := 4 * h
			VSHUFPS(Imm(0x44), y[10+r], y[8+r], y[r])
			VSHUFPS(Imm(0xEE), y[10+r], y[8+r], y[r+1])
			VSHUFPS(Imm(0x44), y[11+r], y[9+r], y[r+2])
			VSHUFPS(Imm(0xEE), y[11+r], y[9+r], y[r+3])
		}
		for q := 0; q < 4; q++ {
			VPERM2F128(Imm(0x20), y[4+q], y[q], y[8+q])
			VPERM2F128(Imm(0x31), y[4+q], y[q], y[12+q])
		}
		for q := 0; q < 8; q++ {
			y[q], y[8+q] = y[8+q], y[q]
		}
	}
	MOVQ(dst, dp)
	for q := 0; q < w; q++ {
		if q == 4 {
			LEAQ(Mem{Base: dp, Index: ds, Scale: 4}, dp)
		}
		VMOVUPS(y[q], rowAddr(dst, ds, ds3, dp, q))
	}
	if !f64 {
		for q := 0; q < 8; q++ {
			y[q], y[8+q] = y[8+q], y[q]
		}
	}
	ADDQ(U32(w*es), src)
	// dst advances w rows.
	if f64 {
		LEAQ(Mem{Base: dst, Index: ds, Scale: 4}, dst)
	} else {
		LEAQ(Mem{Base: dst, Index: ds, Scale: 8}, dst)
	}
	DECQ(nb)
	JNZ(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}

// genTranspose16 emits the AVX-512 16x16 float32 block transpose, with the
// same contract as genTranspose:
//
//	dst[(b*16+t)*dstStride + q] = src[q*srcStride + b*16 + t]  for q, t < 16
func genTranspose16() {
	name := "transpose16x16AVX512"
	TEXT(name, NOSPLIT, "func(dst *float32, dstStride int, src *float32, srcStride int, blocks int)")
	Doc(name + " transposes blocks consecutive 16x16 blocks of src (rows srcStride apart) into dst (rows dstStride apart).")
	Pragma("noescape")
	dst, ds, src, ss, nb := reg.RDI, reg.R8, reg.RSI, reg.R9, reg.RCX
	ds3, ss3 := reg.R10, reg.R11
	dp, sp := reg.RAX, reg.RBX
	Load(Param("dst"), dst)
	Load(Param("dstStride"), ds)
	Load(Param("src"), src)
	Load(Param("srcStride"), ss)
	Load(Param("blocks"), nb)
	SHLQ(Imm(2), ds)
	SHLQ(Imm(2), ss)
	LEAQ(Mem{Base: ds, Index: ds, Scale: 2}, ds3)
	LEAQ(Mem{Base: ss, Index: ss, Scale: 2}, ss3)
	TESTQ(nb, nb)
	JZ(LabelRef("done"))
	Label("loop")
	row := func(cur, stride, stride3 reg.Register, q int) Mem {
		switch q % 4 {
		case 0:
			return Mem{Base: cur}
		case 1:
			return Mem{Base: cur, Index: stride, Scale: 1}
		case 2:
			return Mem{Base: cur, Index: stride, Scale: 2}
		default:
			return Mem{Base: cur, Index: stride3, Scale: 1}
		}
	}
	r := zregs[:16]
	t := zregs[16:]
	MOVQ(src, sp)
	for q := 0; q < 16; q++ {
		if q > 0 && q%4 == 0 {
			LEAQ(Mem{Base: sp, Index: ss, Scale: 4}, sp)
		}
		VMOVUPS(row(sp, ss, ss3, q), r[q])
	}
	for i := 0; i < 16; i += 2 {
		VUNPCKLPS(r[i+1], r[i], t[i])
		VUNPCKHPS(r[i+1], r[i], t[i+1])
	}
	for i := 0; i < 16; i += 4 {
		VUNPCKLPD(t[i+2], t[i], r[i])
		VUNPCKHPD(t[i+2], t[i], r[i+1])
		VUNPCKLPD(t[i+3], t[i+1], r[i+2])
		VUNPCKHPD(t[i+3], t[i+1], r[i+3])
	}
	for h := 0; h < 16; h += 8 {
		for i := 0; i < 4; i++ {
			VSHUFF32X4(Imm(0x88), r[h+4+i], r[h+i], t[h+i])
			VSHUFF32X4(Imm(0xdd), r[h+4+i], r[h+i], t[h+4+i])
		}
	}
	for i := 0; i < 8; i++ {
		VSHUFF32X4(Imm(0x88), t[8+i], t[i], r[i])
		VSHUFF32X4(Imm(0xdd), t[8+i], t[i], r[8+i])
	}
	MOVQ(dst, dp)
	for q := 0; q < 16; q++ {
		if q > 0 && q%4 == 0 {
			LEAQ(Mem{Base: dp, Index: ds, Scale: 4}, dp)
		}
		VMOVUPS(r[q], row(dp, ds, ds3, q))
	}
	ADDQ(U32(64), src)
	// dst advances 16 rows.
	LEAQ(Mem{Base: dst, Index: ds, Scale: 8}, dst)
	LEAQ(Mem{Base: dst, Index: ds, Scale: 8}, dst)
	DECQ(nb)
	JNZ(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}
