package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// genLSTMBackward emits the fused LSTM cell gradient for the first n units
// (whole vectors only; the caller does the rest) of one batch row of hidden =
// len(dh) units:
//
//	dct = dc + dh*o*(1-tanhC²)
//	dI = dct*g*i*(1-i)   dF = dct*cPrev*f*(1-f)   dG = dct*i*(1-g²)
//	dO = dh*tanhC*o*(1-o)   dcPrev = dct*f
//
// with gates = [i f g o] (activated) and dGates laid out alike.
func genLSTMBackward(s isa) {
	t := s.typ()
	name := "lstmBackward" + s.name()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(gates, dGates, cPrev, tanhC, dh, dc, dcPrev []%s, n int)", t))
	Doc(name + " computes one row of LSTMCellBackward for whole vectors of the first n of len(dh) units; the caller does the rest.")
	Pragma("noescape")
	g, gO, dg, dgO, h := reg.RSI, reg.RDI, reg.RAX, reg.RBX, reg.RCX
	cp, tc, dh, dc, dcp, n := reg.RDX, reg.R8, reg.R9, reg.R10, reg.R11, reg.R12
	Load(Param("gates").Base(), g)
	Load(Param("dGates").Base(), dg)
	Load(Param("cPrev").Base(), cp)
	Load(Param("tanhC").Base(), tc)
	Load(Param("dh").Base(), dh)
	Load(Param("dc").Base(), dc)
	Load(Param("dcPrev").Base(), dcp)
	Load(Param("n"), n)
	Load(Param("dh").Len(), h)
	s.shiftElem(h)
	LEAQ(Mem{Base: g, Index: h, Scale: 2}, gO)
	ADDQ(h, gO)
	LEAQ(Mem{Base: dg, Index: h, Scale: 2}, dgO)
	ADDQ(h, dgO)
	one := s.v(15)
	s.load(s.constVec("one", 1), one)
	vi, vf, vg, vo, vt, vd, dct, x, y, vc := s.v(0), s.v(1), s.v(2), s.v(3), s.v(4), s.v(5), s.v(6), s.v(7), s.v(8), s.v(9)
	vecLoop(s, n, 1, []reg.Register{g, gO, dg, dgO, cp, tc, dh, dc, dcp}, func(disp, u int) {
		s.load(Mem{Base: g}, vi)
		s.load(Mem{Base: g, Index: h, Scale: 1}, vf)
		s.load(Mem{Base: g, Index: h, Scale: 2}, vg)
		s.load(Mem{Base: gO}, vo)
		s.load(Mem{Base: tc}, vt)
		s.load(Mem{Base: dh}, vd)
		s.load(Mem{Base: cp}, vc) // every input is loaded before any store: outputs may alias inputs
		// dct = dc + (dh*o)*(1 - t*t)
		s.mul(vt, vt, x)
		s.sub(x, one, x)
		s.mul(vo, vd, y)
		s.load(Mem{Base: dc}, dct)
		s.fma231(y, x, dct)
		// dO = (dh*t)*o*(1-o)
		s.mul(vt, vd, x)
		s.mul(vo, x, x)
		s.sub(vo, one, y)
		s.mul(y, x, x)
		s.store(x, Mem{Base: dgO})
		// dcPrev = dct*f
		s.mul(vf, dct, x)
		s.store(x, Mem{Base: dcp})
		// dF = dct*cPrev*f*(1-f)
		s.sub(vf, one, y)
		s.mul(vf, y, y)
		s.mul(vc, dct, x)
		s.mul(y, x, x)
		s.store(x, Mem{Base: dg, Index: h, Scale: 1})
		// dI = dct*g*i*(1-i)
		s.sub(vi, one, y)
		s.mul(vi, y, y)
		s.mul(vg, dct, x)
		s.mul(y, x, x)
		s.store(x, Mem{Base: dg})
		// dG = dct*i*(1-g*g)
		s.mul(vg, vg, y)
		s.sub(y, one, y)
		s.mul(vi, dct, x)
		s.mul(y, x, x)
		s.store(x, Mem{Base: dg, Index: h, Scale: 2})
	})
	VZEROUPPER()
	RET()
}

// genLSTMForward emits the fused LSTM cell step for the first n units (whole
// vectors; the caller does the rest) of one batch row of hidden = len(c)
// units: gates [i f g o] are activated in place (sigmoid, sigmoid, tanh,
// sigmoid), then c = f*cPrev + i*g, tanhC = tanh(c), h = o*tanhC. With bias,
// the kernel (lstmForwardBias) takes a bias row laid out like the gates and
// activates gates + bias, storing the activated values in gates.
func genLSTMForward(s isa, bias bool) {
	t := s.typ()
	name := "lstmForward" + s.name()
	sig := fmt.Sprintf("func(gates, cPrev, c, h, tanhC []%s, n int)", t)
	if bias {
		name = "lstmForwardBias" + s.name()
		sig = fmt.Sprintf("func(gates, bias, cPrev, c, h, tanhC []%s, n int)", t)
	}
	TEXT(name, NOSPLIT, sig)
	if bias {
		Doc(name + " computes one row of LSTMCellBias for whole vectors of the first n of len(c) units; the caller does the rest.")
	} else {
		Doc(name + " computes one row of LSTMCell for whole vectors of the first n of len(c) units; the caller does the rest.")
	}
	Pragma("noescape")
	g, gO, hb, cp, cc, hh, tc, n := reg.RSI, reg.RDI, reg.RCX, reg.RDX, reg.R8, reg.R9, reg.R10, reg.R11
	bb, bO := reg.RAX, reg.RBX
	Load(Param("gates").Base(), g)
	if bias {
		Load(Param("bias").Base(), bb)
	}
	Load(Param("cPrev").Base(), cp)
	Load(Param("c").Base(), cc)
	Load(Param("h").Base(), hh)
	Load(Param("tanhC").Base(), tc)
	Load(Param("n"), n)
	Load(Param("c").Len(), hb)
	s.shiftElem(hb)
	LEAQ(Mem{Base: g, Index: hb, Scale: 2}, gO)
	ADDQ(hb, gO)
	ptrs := []reg.Register{g, gO, cp, cc, hh, tc}
	if bias {
		LEAQ(Mem{Base: bb, Index: hb, Scale: 2}, bO)
		ADDQ(hb, bO)
		ptrs = append(ptrs, bb, bO)
	}
	m := &mathRegs{s: s}
	ec := loadExpConsts(s, m)
	one := m.get()
	s.load(s.constVec("one", 1), one)
	x, out, rn, p, t1, t2, a, y := m.get(), m.get(), m.get(), m.get(), m.get(), m.get(), m.get(), m.get()
	load := func(src, b Mem) {
		s.load(src, x)
		if bias {
			s.add(b, x, x)
		}
	}
	sigmoid := func(src, b Mem) {
		load(src, b)
		sigmoidCore(s, ec, one, x, out, rn, p, t1, t2, a, y)
		s.store(out, src)
	}
	tanh := func(src, b, dst Mem) {
		if b.Base != nil {
			load(src, b)
		} else {
			s.load(src, x)
		}
		tanhCore(s, ec, one, x, out, rn, p, t1, t2, a, y)
		s.store(out, dst)
	}
	vecLoop(s, n, 1, ptrs, func(disp, u int) {
		iM, fM, gM, oM := Mem{Base: g}, Mem{Base: g, Index: hb, Scale: 1}, Mem{Base: g, Index: hb, Scale: 2}, Mem{Base: gO}
		biM, bfM, bgM, boM := Mem{Base: bb}, Mem{Base: bb, Index: hb, Scale: 1}, Mem{Base: bb, Index: hb, Scale: 2}, Mem{Base: bO}
		sigmoid(iM, biM)
		sigmoid(fM, bfM)
		tanh(gM, bgM, gM)
		sigmoid(oM, boM)
		// c = f*cPrev + i*g
		s.load(fM, x)
		s.mul(Mem{Base: cp}, x, x)
		s.load(iM, y)
		s.fma231(gM, y, x)
		s.store(x, Mem{Base: cc})
		tanh(Mem{Base: cc}, Mem{}, Mem{Base: tc})
		s.mul(oM, out, out)
		s.store(out, Mem{Base: hh})
	})
	VZEROUPPER()
	RET()
}

// genLSTMForwardRow emits, for AVX-512 only, the fused LSTM cell step of one
// whole batch row of hidden = len(c) units (lstmForwardRow, with bias
// lstmForwardRowBias): genLSTMForward's whole vectors, then the last
// hidden mod lanes units in one vector under the mask K1 (masked loads,
// masked stores), a ymm one (AVX-512VL) when they fit in half a vector. There c = f*cPrev + i*g is computed as f*cPrev, i*g and
// their sum, each rounded (not fused), the values of the scalar loop that
// finishes a row for the whole-vector kernel, so that the row's results
// equal that split bit for bit.
func genLSTMForwardRow(s isa, bias bool) {
	t := s.typ()
	name := "lstmForwardRow" + s.name()
	sig := fmt.Sprintf("func(gates, cPrev, c, h, tanhC []%s)", t)
	if bias {
		name = "lstmForwardRowBias" + s.name()
		sig = fmt.Sprintf("func(gates, bias, cPrev, c, h, tanhC []%s)", t)
	}
	TEXT(name, NOSPLIT, sig)
	Doc(name + " computes one whole row of LSTMCell (with bias: LSTMCellBias), its last units in a masked vector.")
	Pragma("noescape")
	g, gO, hb, cp, cc, hh, tc, n := reg.RSI, reg.RDI, reg.R12, reg.RDX, reg.R8, reg.R9, reg.R10, reg.R11
	bb, bO := reg.RAX, reg.RBX
	Load(Param("gates").Base(), g)
	if bias {
		Load(Param("bias").Base(), bb)
	}
	Load(Param("cPrev").Base(), cp)
	Load(Param("c").Base(), cc)
	Load(Param("h").Base(), hh)
	Load(Param("tanhC").Base(), tc)
	Load(Param("c").Len(), n)
	MOVQ(n, hb)
	s.shiftElem(hb)
	LEAQ(Mem{Base: g, Index: hb, Scale: 2}, gO)
	ADDQ(hb, gO)
	ptrs := []reg.Register{g, gO, cp, cc, hh, tc}
	if bias {
		LEAQ(Mem{Base: bb, Index: hb, Scale: 2}, bO)
		ADDQ(hb, bO)
		ptrs = append(ptrs, bb, bO)
	}
	m := &mathRegs{s: s}
	ec := loadExpConsts(s, m)
	one := m.get()
	s.load(s.constVec("one", 1), one)
	zr := rowRegs{ec: ec, one: one}
	for _, r := range []*reg.VecPhysical{&zr.x, &zr.out, &zr.rn, &zr.p, &zr.t1, &zr.t2, &zr.a, &zr.y} {
		*r = m.get()
	}
	body := func(s isa, r rowRegs, mask reg.Register) {
		x, out, rn, p, t1, t2, a, y, one, ec := r.x, r.out, r.rn, r.p, r.t1, r.t2, r.a, r.y, r.one, r.ec
		// mask (nil: whole vectors) selects the loads and stores of the tail.
		load := func(src Mem, dst reg.VecPhysical) {
			if mask == nil {
				s.load(src, dst)
			} else {
				pick(s.f64, VMOVUPS_Z_, VMOVUPD_Z_, src, mask, dst)
			}
		}
		store := func(r reg.VecPhysical, dst Mem) {
			if mask == nil {
				s.store(r, dst)
			} else {
				s.maskStoreK(r, mask, dst)
			}
		}
		iM, fM, gM, oM := Mem{Base: g}, Mem{Base: g, Index: hb, Scale: 1}, Mem{Base: g, Index: hb, Scale: 2}, Mem{Base: gO}
		biM, bfM, bgM, boM := Mem{Base: bb}, Mem{Base: bb, Index: hb, Scale: 1}, Mem{Base: bb, Index: hb, Scale: 2}, Mem{Base: bO}
		for _, gm := range []struct {
			src, b Mem
			tanh   bool
		}{{iM, biM, false}, {fM, bfM, false}, {gM, bgM, true}, {oM, boM, false}} {
			load(gm.src, x)
			if bias {
				load(gm.b, out)
				s.add(out, x, x)
			}
			if gm.tanh {
				tanhCore(s, ec, one, x, out, rn, p, t1, t2, a, y)
			} else {
				sigmoidCore(s, ec, one, x, out, rn, p, t1, t2, a, y)
			}
			store(out, gm.src)
		}
		// c = f*cPrev + i*g: fused on whole vectors (as lstmForward), each
		// product and the sum rounded on the tail (as the scalar loop).
		load(fM, x)
		load(Mem{Base: cp}, out)
		s.mul(out, x, x)
		load(iM, y)
		load(gM, out)
		if mask == nil {
			s.fma231(out, y, x)
		} else {
			s.mul(out, y, y)
			s.add(y, x, x)
		}
		store(x, Mem{Base: cc})
		tanhCore(s, ec, one, x, out, rn, p, t1, t2, a, y)
		store(out, Mem{Base: tc})
		load(oM, x)
		s.mul(x, out, out)
		store(out, Mem{Base: hh})
	}
	vecLoop(s, n, 1, ptrs, func(disp, u int) { body(s, zr, nil) })
	TESTQ(n, n)
	JZ(LabelRef("ret"))
	MOVQ(n, reg.RCX)
	MOVL(U32(1), reg.R13L)
	SHLL(reg.CL, reg.R13L)
	DECL(reg.R13L)
	KMOVW(reg.R13L, reg.K1)
	// A tail of at most half a vector runs on ymm registers (AVX-512VL):
	// the same instructions lane by lane, half the width (cheaper where
	// the core splits zmm operations in two).
	CMPQ(n, U32(s.lanes()/2))
	JA(LabelRef("zmmtail"))
	body(isa{zmm: true, f64: s.f64, vl: true}, zr.asY(), reg.K1)
	JMP(LabelRef("ret"))
	Label("zmmtail")
	body(s, zr, reg.K1)
	Label("ret")
	VZEROUPPER()
	RET()
}

// rowRegs are genLSTMForwardRow's vector registers.
type rowRegs struct {
	x, out, rn, p, t1, t2, a, y, one reg.VecPhysical
	ec                               expConsts
}

// asY returns the same registers as ymm.
func (r rowRegs) asY() rowRegs {
	y := func(v reg.VecPhysical) reg.VecPhysical { return v.AsY().(reg.VecPhysical) }
	return rowRegs{x: y(r.x), out: y(r.out), rn: y(r.rn), p: y(r.p), t1: y(r.t1), t2: y(r.t2), a: y(r.a), y: y(r.y), one: y(r.one),
		ec: expConsts{lo: y(r.ec.lo), hi: y(r.ec.hi)}}
}
