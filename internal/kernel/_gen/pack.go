package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// genPackB emits the copy of a full-width B panel: rows rows of two vectors
// (one full micro-kernel width) from src, rows ld elements apart, to dst, rows
// contiguous:
//
//	dst[p*2*lanes + j] = src[p*ld + j]  for p < rows, j < 2*lanes
func genPackB(s isa) {
	t := s.typ()
	name := "packB" + s.name()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, src *%s, ld, rows int)", t))
	Doc(name + " copies rows rows of two vectors from src (rows ld elements apart) to consecutive vectors of dst.")
	Pragma("noescape")
	dst, src, ld, n := reg.RDI, reg.RSI, reg.RDX, reg.RCX
	Load(Param("dst"), dst)
	Load(Param("src"), src)
	Load(Param("ld"), ld)
	s.shiftElem(ld)
	Load(Param("rows"), n)
	TESTQ(n, n)
	JZ(LabelRef("done"))
	Label("loop")
	s.load(Mem{Base: src}, s.v(0))
	s.load(Mem{Base: src, Disp: s.vb()}, s.v(1))
	s.store(s.v(0), Mem{Base: dst})
	s.store(s.v(1), Mem{Base: dst, Disp: s.vb()})
	ADDQ(ld, src)
	ADDQ(U32(2*s.vb()), dst)
	DECQ(n)
	JNZ(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}
