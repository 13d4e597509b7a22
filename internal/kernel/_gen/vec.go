package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// vecLoop emits a loop over n elements (n in register n, counted down) in
// blocks of unroll vectors, then single vectors; elements past the last whole
// vector are left for the Go caller. body(disp, u) emits the work for vector u of
// a block at byte displacement disp from the current pointers; advance adds
// bytes to every pointer.
func vecLoop(s isa, n reg.Register, unroll int, ptrs []reg.Register, body func(disp, u int)) {
	w := s.lanes()
	Label("block")
	CMPQ(n, U32(unroll*w))
	JLT(LabelRef("single"))
	for u := 0; u < unroll; u++ {
		body(u*s.vb(), u)
	}
	for _, p := range ptrs {
		ADDQ(U32(unroll*s.vb()), p)
	}
	SUBQ(U32(unroll*w), n)
	JMP(LabelRef("block"))
	Label("single")
	CMPQ(n, U32(w))
	JLT(LabelRef("done"))
	body(0, 0)
	for _, p := range ptrs {
		ADDQ(U32(s.vb()), p)
	}
	SUBQ(U32(w), n)
	JMP(LabelRef("single"))
	Label("done")
}

func genVec(s isa) {
	t := s.typ()
	const unroll = 4
	sig2 := fmt.Sprintf("func(dst, a, b []%s)", t)

	// Element-wise binary operations.
	binary := []struct {
		name, doc string
		op        func(a, b, dst reg.VecPhysical, dm Mem)
	}{
		{"add", "dst[i] = a[i] + b[i]", func(a, b, d reg.VecPhysical, dm Mem) { s.add(b, a, d); s.store(d, dm) }},
		{"sub", "dst[i] = a[i] - b[i]", func(a, b, d reg.VecPhysical, dm Mem) { s.sub(b, a, d); s.store(d, dm) }},
		{"mul", "dst[i] = a[i] * b[i]", func(a, b, d reg.VecPhysical, dm Mem) { s.mul(b, a, d); s.store(d, dm) }},
		{"mulAdd", "dst[i] += a[i] * b[i]", func(a, b, d reg.VecPhysical, dm Mem) { s.load(dm, d); s.fma231(a, b, d); s.store(d, dm) }},
	}
	for _, op := range binary {
		name := op.name + s.name()
		TEXT(name, NOSPLIT, sig2)
		Doc(fmt.Sprintf("%s computes %s for whole vectors of len(dst) elements; the caller does the rest.", name, op.doc))
		Pragma("noescape")
		dst, a, b, n := reg.RDI, reg.RSI, reg.RDX, reg.RCX
		Load(Param("dst").Base(), dst)
		Load(Param("a").Base(), a)
		Load(Param("b").Base(), b)
		Load(Param("dst").Len(), n)
		vecLoop(s, n, unroll, []reg.Register{dst, a, b}, func(disp, u int) {
			ra, rb, rd := s.v(3*u), s.v(3*u+1), s.v(3*u+2)
			s.load(Mem{Base: a, Disp: disp}, ra)
			s.load(Mem{Base: b, Disp: disp}, rb)
			op.op(ra, rb, rd, Mem{Base: dst, Disp: disp})
		})
		VZEROUPPER()
		RET()
	}

	// axpy: y += alpha*x.
	name := "axpy" + s.name()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(alpha %s, x, y []%s)", t, t))
	Doc(name + " computes y[i] += alpha*x[i] for whole vectors of len(x) elements; the caller does the rest.")
	Pragma("noescape")
	{
		x, y, n := reg.RSI, reg.RDI, reg.RCX
		alpha := s.v(15)
		s.bcastMem(addr(Param("alpha")), alpha)
		Load(Param("x").Base(), x)
		Load(Param("y").Base(), y)
		Load(Param("x").Len(), n)
		vecLoop(s, n, unroll, []reg.Register{x, y}, func(disp, u int) {
			ry := s.v(u)
			s.load(Mem{Base: y, Disp: disp}, ry)
			s.fma231(Mem{Base: x, Disp: disp}, alpha, ry)
			s.store(ry, Mem{Base: y, Disp: disp})
		})
		VZEROUPPER()
		RET()
	}

	// scal: x *= alpha.
	name = "scal" + s.name()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(alpha %s, x []%s)", t, t))
	Doc(name + " computes x[i] *= alpha for whole vectors of len(x) elements; the caller does the rest.")
	Pragma("noescape")
	{
		x, n := reg.RSI, reg.RCX
		alpha := s.v(15)
		s.bcastMem(addr(Param("alpha")), alpha)
		Load(Param("x").Base(), x)
		Load(Param("x").Len(), n)
		vecLoop(s, n, unroll, []reg.Register{x}, func(disp, u int) {
			s.mul(Mem{Base: x, Disp: disp}, alpha, s.v(u))
			s.store(s.v(u), Mem{Base: x, Disp: disp})
		})
		VZEROUPPER()
		RET()
	}

	// Reductions: dot and sum.
	for _, red := range []string{"dot", "sum"} {
		name := red + s.name()
		if red == "dot" {
			TEXT(name, NOSPLIT, fmt.Sprintf("func(x, y []%s) %s", t, t))
			Doc(name + " returns the sum of x[i]*y[i] over whole vectors of len(x) elements; the caller adds the rest.")
		} else {
			TEXT(name, NOSPLIT, fmt.Sprintf("func(x []%s) %s", t, t))
			Doc(name + " returns the sum of x[i] over whole vectors of len(x) elements; the caller adds the rest.")
		}
		Pragma("noescape")
		x, y, n := reg.RSI, reg.RDI, reg.RCX
		Load(Param("x").Base(), x)
		ptrs := []reg.Register{x}
		if red == "dot" {
			Load(Param("y").Base(), y)
			ptrs = append(ptrs, y)
		}
		Load(Param("x").Len(), n)
		for u := 0; u < unroll; u++ {
			s.zero(s.v(u))
		}
		vecLoop(s, n, unroll, ptrs, func(disp, u int) {
			if red == "dot" {
				s.load(Mem{Base: x, Disp: disp}, s.v(unroll+u))
				s.fma231(Mem{Base: y, Disp: disp}, s.v(unroll+u), s.v(u))
			} else {
				s.add(Mem{Base: x, Disp: disp}, s.v(u), s.v(u))
			}
		})
		s.add(s.v(1), s.v(0), s.v(0))
		s.add(s.v(3), s.v(2), s.v(2))
		s.add(s.v(2), s.v(0), s.v(0))
		hsum(s, 0)
		// VZEROUPPER first: Store is a legacy-SSE MOVSS/MOVSD, which must not
		// run with dirty upper vector state.
		VZEROUPPER()
		Store(reg.X0, ReturnIndex(0))
		RET()
	}
}

// hsum reduces vector register i (which must be register 0) into lane 0 of X0,
// using register 1 as scratch.
func hsum(s isa, i int) {
	if s.zmm {
		VEXTRACTF64X4(Imm(1), reg.Z0, reg.Y1)
		pick(s.f64, VADDPS, VADDPD, reg.Y1, reg.Y0, reg.Y0)
	}
	VEXTRACTF128(Imm(1), reg.Y0, reg.X1)
	pick(s.f64, VADDPS, VADDPD, reg.X1, reg.X0, reg.X0)
	if s.f64 {
		VPERMILPD(Imm(1), reg.X0, reg.X1)
		VADDSD(reg.X1, reg.X0, reg.X0)
		return
	}
	VMOVHLPS(reg.X0, reg.X0, reg.X1)
	VADDPS(reg.X1, reg.X0, reg.X0)
	VMOVSHDUP(reg.X0, reg.X1)
	VADDSS(reg.X1, reg.X0, reg.X0)
}
