package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// gemmShape is the register tile of the micro-kernel: up to mr rows of C by up
// to nv vectors of columns.
func gemmShape(s isa) (mr, nv int) {
	if s.zmm {
		return 12, 2
	}
	return 6, 2
}

// genGemm emits one micro-kernel per tile size (rows 1..mr, vectors 1..nv):
//
//	C[r][j] = alpha * sum_p A[p*lda+r] * B[p*ldb+j] + beta*C[r*ldc+j]
//
// for r < rows, j < (vectors-1)*lanes + last. A and B are read as p-major
// panels (packed, or the original matrix where its layout already fits). When
// beta is zero C is not read. Only the first last lanes of the final column
// vector of C are loaded or stored, so a tile at the right edge never touches
// memory outside C's columns.
func genGemm(s isa) {
	mrMax, nvMax := gemmShape(s)
	for _, rowA := range []bool{false, true} {
		for nv := 1; nv <= nvMax; nv++ {
			for mr := 1; mr <= mrMax; mr++ {
				genGemmKernel(s, mr, nv, mrMax, nvMax, rowA)
			}
		}
	}
}

func gemmKernelName(s isa, mr, nv int, rowA bool) string {
	if rowA {
		return fmt.Sprintf("gemm%s_%dx%dr", s.name(), mr, nv)
	}
	return fmt.Sprintf("gemm%s_%dx%d", s.name(), mr, nv)
}

// genGemmKernel emits one micro-kernel. With rowA, A is read in its row-major
// layout, A[r*lda+p], instead of as a p-major panel: no packing for
// untransposed A.
func genGemmKernel(s isa, mr, nv, mrMax, nvMax int, rowA bool) {
	name := gemmKernelName(s, mr, nv, rowA)
	t := s.typ()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, a *%s, lda int, b *%s, ldb int, c *%s, ldc int, alpha, beta %s, last int)", t, t, t, t))
	layout := "A[p*lda+r]"
	if rowA {
		layout = "A[r*lda+p]"
	}
	Doc(fmt.Sprintf("%s computes a %d-row by %d-vector tile of C = alpha*A*B + beta*C over k steps, reading %s; see genGemm.", name, mr, nv, layout))
	Pragma("noescape")

	k, a, lda, b, ldb, c, ldc, last, cp := reg.R8, reg.RSI, reg.R9, reg.RDI, reg.R10, reg.RDX, reg.R11, reg.RBX, reg.R12
	Load(Param("k"), k)
	Load(Param("a"), a)
	Load(Param("lda"), lda)
	s.shiftElem(lda)
	Load(Param("b"), b)
	Load(Param("ldb"), ldb)
	s.shiftElem(ldb)
	Load(Param("c"), c)
	Load(Param("ldc"), ldc)
	s.shiftElem(ldc)
	Load(Param("last"), last)

	acc := func(r, vi int) reg.VecPhysical { return s.v(r*nv + vi) }
	// With few accumulators the FMA latency, not throughput, would bound the
	// loop: then odd steps go to a second set, added in at the end.
	dual := mr*nv < 8 && 2*mr*nv <= mrMax*nvMax
	acc2 := func(r, vi int) reg.VecPhysical { return s.v(mr*nv + r*nv + vi) }
	bReg := func(vi int) reg.VecPhysical { return s.v(mrMax*nvMax + vi) }
	tReg := func(i int) reg.VecPhysical { return s.v(mrMax*nvMax + nvMax + i%2) }
	for r := 0; r < mr; r++ {
		for vi := 0; vi < nv; vi++ {
			s.zero(acc(r, vi))
			if dual {
				s.zero(acc2(r, vi))
			}
		}
	}

	// Row-major A: rows 3q..3q+2 are at bases[q] + {0, 1, 2}*lda.
	bases := []reg.Register{a, reg.R13, reg.RAX, reg.RCX}
	if rowA {
		for q := 1; q*3 < mr; q++ {
			LEAQ(Mem{Base: bases[q-1], Index: lda, Scale: 2}, bases[q])
			ADDQ(lda, bases[q])
		}
	}
	// aMem addresses A[r] at step p+dp (dp is 0 or 1).
	aMem := func(r, dp int) Mem {
		if !rowA {
			m := Mem{Base: a, Disp: r * s.es()}
			if dp == 1 {
				m.Index, m.Scale = lda, 1
			}
			return m
		}
		m := Mem{Base: bases[r/3], Disp: dp * s.es()}
		if r%3 > 0 {
			m.Index, m.Scale = lda, uint8(r%3)
		}
		return m
	}
	// step emits one k step (at offset dp) into the accumulators acc.
	step := func(dp int, acc func(r, vi int) reg.VecPhysical) {
		for vi := 0; vi < nv; vi++ {
			m := Mem{Base: b, Disp: vi * s.vb()}
			if dp == 1 {
				m.Index, m.Scale = ldb, 1
			}
			s.load(m, bReg(vi))
		}
		for r := 0; r < mr; r++ {
			am := aMem(r, dp)
			if s.zmm && nv == 1 {
				pick(s.f64, VFMADD231PS_BCST, VFMADD231PD_BCST, am, bReg(0), acc(r, 0))
				continue
			}
			s.bcastMem(am, tReg(r))
			for vi := 0; vi < nv; vi++ {
				s.fma231(tReg(r), bReg(vi), acc(r, vi))
			}
		}
	}
	// advance moves A and B on by steps k steps.
	advance := func(steps int) {
		if rowA {
			for q := 0; q*3 < mr; q++ {
				ADDQ(U32(steps*s.es()), bases[q])
			}
		} else {
			for i := 0; i < steps; i++ {
				ADDQ(lda, a)
			}
		}
		for i := 0; i < steps; i++ {
			ADDQ(ldb, b)
		}
	}

	if dual {
		CMPQ(k, U32(2))
		JLT(LabelRef("single"))
		Label("pair")
		step(0, acc)
		step(1, acc2)
		advance(2)
		SUBQ(U32(2), k)
		CMPQ(k, U32(2))
		JGE(LabelRef("pair"))
		Label("single")
		TESTQ(k, k)
		JZ(LabelRef("combine"))
		step(0, acc)
		Label("combine")
		for r := 0; r < mr; r++ {
			for vi := 0; vi < nv; vi++ {
				s.add(acc2(r, vi), acc(r, vi), acc(r, vi))
			}
		}
	} else {
		TESTQ(k, k)
		JZ(LabelRef("store"))
		Label("loop")
		step(0, acc)
		advance(1)
		DECQ(k)
		JNZ(LabelRef("loop"))
	}

	Label("store")
	alpha, beta, tmp := s.v(mrMax*nvMax), s.v(mrMax*nvMax+1), s.v(mrMax*nvMax+2)
	s.bcastMem(addr(Param("alpha")), alpha)
	for r := 0; r < mr; r++ {
		for vi := 0; vi < nv; vi++ {
			s.mul(alpha, acc(r, vi), acc(r, vi))
		}
	}
	// betaZero: jump to the no-read path when beta is +0 or -0.
	betaZero := func(label string) {
		if s.f64 {
			MOVQ(addr(Param("beta")), reg.RAX)
			SHLQ(Imm(1), reg.RAX)
		} else {
			MOVL(addr(Param("beta")), reg.EAX)
			ANDL(U32(0x7fffffff), reg.EAX)
		}
		JZ(LabelRef(label))
	}

	if s.zmm {
		// K1 selects the first last lanes of the final vector.
		MOVQ(last, reg.RCX)
		MOVL(U32(1), reg.EAX)
		SHLL(reg.CL, reg.EAX)
		DECL(reg.EAX)
		KMOVW(reg.EAX, reg.K1)
		storeTile(s, mr, nv, acc, c, ldc, cp, alpha, beta, tmp, reg.K1, "", betaZero)
		return
	}
	CMPQ(last, U32(s.lanes()))
	JNE(LabelRef("masked"))
	storeTile(s, mr, nv, acc, c, ldc, cp, alpha, beta, tmp, nil, "full", betaZero)
	Label("masked")
	mask := s.v(mrMax*nvMax + 3)
	VMOVQ(last, mask.(reg.Vec).AsX())
	if s.f64 {
		VPBROADCASTQ(mask.(reg.Vec).AsX(), mask)
		VPCMPGTQ(s.iota(), mask, mask)
	} else {
		VPBROADCASTD(mask.(reg.Vec).AsX(), mask)
		VPCMPGTD(s.iota(), mask, mask)
	}
	storeTile(s, mr, nv, acc, c, ldc, cp, alpha, beta, tmp, mask, "masked", betaZero)
}

// storeTile writes the scaled accumulators to C, adding beta*C unless beta is
// zero. mask (a K register on AVX-512, a vector on AVX2, or nil) limits the
// final vector of each row.
func storeTile(s isa, mr, nv int, acc func(r, vi int) reg.VecPhysical, c, ldc, cp reg.Register, alpha, beta, tmp reg.VecPhysical, mask reg.Register, prefix string, betaZero func(string)) {
	lastVec := func(r, vi int, load bool) {
		m := Mem{Base: cp, Disp: vi * s.vb()}
		switch {
		case mask == nil || vi != nv-1:
			if load {
				s.fma231(m, beta, acc(r, vi))
			} else {
				s.store(acc(r, vi), m)
			}
		case s.zmm:
			if load {
				pick(s.f64, VMOVUPS_Z_, VMOVUPD_Z_, m, mask, tmp)
				s.fma231(tmp, beta, acc(r, vi))
			} else {
				s.maskStoreK(acc(r, vi), mask, m)
			}
		default:
			if load {
				s.maskLoadV(m, mask, tmp)
				s.fma231(tmp, beta, acc(r, vi))
			} else {
				s.maskStoreV(acc(r, vi), mask, m)
			}
		}
	}
	noBeta := prefix + "nobeta"
	betaZero(noBeta)
	s.bcastMem(addr(Param("beta")), beta)
	MOVQ(c, cp)
	for r := 0; r < mr; r++ {
		for vi := 0; vi < nv; vi++ {
			lastVec(r, vi, true)
			lastVec(r, vi, false)
		}
		if r < mr-1 {
			ADDQ(ldc, cp)
		}
	}
	VZEROUPPER()
	RET()
	Label(noBeta)
	MOVQ(c, cp)
	for r := 0; r < mr; r++ {
		for vi := 0; vi < nv; vi++ {
			lastVec(r, vi, false)
		}
		if r < mr-1 {
			ADDQ(ldc, cp)
		}
	}
	VZEROUPPER()
	RET()
}

func VMOVUPS_Z_(ops ...Op) { VMOVUPS_Z(ops[0], ops[1], ops[2]) }
func VMOVUPD_Z_(ops ...Op) { VMOVUPD_Z(ops[0], ops[1], ops[2]) }
