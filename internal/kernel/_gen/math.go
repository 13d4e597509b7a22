package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Constants of the exponential: exp(x) = 2^n * exp(r), n = round(x*log2(e)),
// r = x - n*ln2 (ln2 split in a high part exact for |n| < 2^11 and a low part),
// exp(r) by its Taylor polynomial on |r| <= ln2/2 (degree 7 for float32: truncation
// error below 6e-9; degree 13 for float64: below 5e-18).
const (
	ln2HiF32 = 0.693359375
	ln2LoF32 = -2.12194440e-4
	ln2HiF64 = 6.93147180369123816490e-01
	ln2LoF64 = 1.90821492927058770002e-10
)

func expDegree(s isa) int {
	if s.f64 {
		return 13
	}
	return 7
}

// expRange is the interval x is clamped to before the reduction: wide enough
// that the result at either end has already overflowed to +Inf or underflowed
// to 0, narrow enough that the scale factors stay representable.
func expRange(s isa) (lo, hi float64) {
	if s.f64 {
		return -746, 710
	}
	return -104, 89
}

// mathRegs hands out vector registers in order.
type mathRegs struct {
	s    isa
	next int
}

func (m *mathRegs) get() reg.VecPhysical { r := m.s.v(m.next); m.next++; return r }

// expConsts are the constants exp keeps in registers (the clamp bounds, which
// must be register operands of VMINPS/VMAXPS so that NaN propagates).
type expConsts struct{ lo, hi reg.VecPhysical }

func loadExpConsts(s isa, m *mathRegs) expConsts {
	lo, hi := expRange(s)
	c := expConsts{lo: m.get(), hi: m.get()}
	s.load(s.constVec("expLo", lo), c.lo)
	s.load(s.constVec("expHi", hi), c.hi)
	return c
}

// expCore computes out = exp(x) lane-wise; x, n, p, t1, t2 are scratch (x is
// destroyed). NaN in gives NaN out; +Inf gives +Inf; -Inf gives 0.
func expCore(s isa, c expConsts, x, out, n, p, t1, t2 reg.VecPhysical) {
	// Clamp with x as the NaN-propagating operand.
	s.min(x, c.hi, x)
	s.max(x, c.lo, x)
	s.mul(s.constVec("log2e", math.Log2E), x, n)
	if s.zmm {
		pick(s.f64, VRNDSCALEPS, VRNDSCALEPD, Imm(0), n, n)
	} else {
		pickF(s.f64, func(a, b, c Op) { VROUNDPS(a, b, c) }, func(a, b, c Op) { VROUNDPD(a, b, c) }, Imm(0), n, n)
	}
	hi, lo := ln2HiF32, ln2LoF32
	if s.f64 {
		hi, lo = ln2HiF64, ln2LoF64
	}
	s.fnma231(s.constVec("ln2Hi", hi), n, x)
	s.fnma231(s.constVec("ln2Lo", lo), n, x)
	deg := expDegree(s)
	s.load(s.constVec(fmt.Sprintf("expC%d", deg), 1/factorial(deg)), p)
	for i := deg - 1; i >= 0; i-- {
		s.fma213(s.constVec(fmt.Sprintf("expC%d", i), 1/factorial(i)), x, p)
	}
	if s.zmm {
		pick(s.f64, VSCALEFPS, VSCALEFPD, n, p, out)
		return
	}
	// 2^n as the product of two powers of two, each with a normal exponent.
	if s.f64 {
		nx, ax, bx := t1.(reg.Vec).AsX(), t2.(reg.Vec).AsX(), n.(reg.Vec).AsX()
		VCVTPD2DQY(n, nx)
		VPSRAD(Imm(1), nx, ax)
		VPSUBD(ax, nx, bx)
		bias := s.constBits("expBias", 1023)
		VPMOVSXDQ(ax, t2)
		VPADDQ(bias, t2, t2)
		VPSLLQ(Imm(52), t2, t2)
		VPMOVSXDQ(bx, t1)
		VPADDQ(bias, t1, t1)
		VPSLLQ(Imm(52), t1, t1)
	} else {
		VCVTPS2DQ(n, t1)
		VPSRAD(Imm(1), t1, t2)
		VPSUBD(t2, t1, t1)
		bias := s.constBits("expBias", 127)
		VPADDD(bias, t1, t1)
		VPSLLD(Imm(23), t1, t1)
		VPADDD(bias, t2, t2)
		VPSLLD(Imm(23), t2, t2)
	}
	s.mul(t1, p, p)
	s.mul(t2, p, out)
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// Cephes' tanh on |x| < 0.625: x + x*z*P(z) (float32) or x + x*z*P(z)/Q(z)
// (float64) with z = x*x.
var (
	tanhPF32 = []float64{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1}
	tanhPF64 = []float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3}
	tanhQF64 = []float64{1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
)

const tanhSmall = 0.625

func genMath(s isa) {
	t := s.typ()
	unroll := 1
	if s.zmm {
		unroll = 2
	}
	for _, fn := range []string{"exp", "sigmoid", "tanh"} {
		name := fn + s.name()
		TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, x []%s)", t))
		Doc(fmt.Sprintf("%s computes dst[i] = %s(x[i]) for whole vectors of len(dst) elements; the caller does the rest.", name, fn))
		Pragma("noescape")
		dst, x, n := reg.RDI, reg.RSI, reg.RCX
		Load(Param("dst").Base(), dst)
		Load(Param("x").Base(), x)
		Load(Param("dst").Len(), n)
		m := &mathRegs{s: s}
		c := loadExpConsts(s, m)
		one := m.get()
		s.load(s.constVec("one", 1), one)
		type scratch struct{ x, out, n, p, t1, t2, a, y reg.VecPhysical }
		var sc []scratch
		for u := 0; u < unroll; u++ {
			sc = append(sc, scratch{m.get(), m.get(), m.get(), m.get(), m.get(), m.get(), m.get(), m.get()})
		}
		vecLoop(s, n, unroll, []reg.Register{dst, x}, func(disp, u int) {
			r := sc[u]
			s.load(Mem{Base: x, Disp: disp}, r.x)
			switch fn {
			case "exp":
				expCore(s, c, r.x, r.out, r.n, r.p, r.t1, r.t2)
			case "sigmoid":
				sigmoidCore(s, c, one, r.x, r.out, r.n, r.p, r.t1, r.t2, r.a, r.y)
			case "tanh":
				tanhCore(s, c, one, r.x, r.out, r.n, r.p, r.t1, r.t2, r.a, r.y)
			}
			s.store(r.out, Mem{Base: dst, Disp: disp})
		})
		VZEROUPPER()
		RET()
	}
}

func signBit(s isa) uint64 {
	if s.f64 {
		return 1 << 63
	}
	return 1 << 31
}

// tanhCore computes out = tanh(x): for |x| >= 0.625, sign(x)*(1-e)/(1+e) with
// e = exp(-2|x|) (no cancellation, saturates to ±1 for large |x|); below, the
// odd Cephes approximation, accurate in relative terms down to x = 0.
func tanhCore(s isa, c expConsts, one, x, out, n, p, t1, t2, a, y reg.VecPhysical) {
	// a = |x|, y = -2|x|.
	s.and(s.constBits("absMask", signBit(s)-1), x, a)
	s.mul(s.constVec("minusTwo", -2), a, y)
	expCore(s, c, y, out, n, p, t1, t2) // out = e
	s.sub(out, one, y)                  // y = 1 - e
	s.add(one, out, out)                // out = 1 + e
	divide(s, one, y, out, y, n, p)     // y = (1-e)/(1+e)
	s.and(s.constBits("signBit", signBit(s)), x, out)
	s.or(out, y, y) // y = copysign(y, x)

	// Small |x|: z = x*x in n, w in p.
	s.mul(x, x, n)
	if s.f64 {
		s.load(s.constVec("tanhP0", tanhPF64[0]), p)
		s.fma213(s.constVec("tanhP1", tanhPF64[1]), n, p)
		s.fma213(s.constVec("tanhP2", tanhPF64[2]), n, p)
		s.add(s.constVec("tanhQ0", tanhQF64[0]), n, t1)
		s.fma213(s.constVec("tanhQ1", tanhQF64[1]), n, t1)
		s.fma213(s.constVec("tanhQ2", tanhQF64[2]), n, t1)
		divide(s, one, p, t1, p, t2, out)
	} else {
		s.load(s.constVec("tanhP0", tanhPF32[0]), p)
		for i := 1; i < len(tanhPF32); i++ {
			s.fma213(s.constVec(fmt.Sprintf("tanhP%d", i), tanhPF32[i]), n, p)
		}
	}
	s.mul(n, p, p)    // p = z*P
	s.fma213(x, x, p) // p = p*x + x
	thr := s.constVec("tanhSmall", tanhSmall)
	if s.zmm {
		pick(s.f64, VCMPPS, VCMPPD, Imm(1), thr, a, reg.K2) // |x| < 0.625
		pick(s.f64, VBLENDMPS, VBLENDMPD, p, y, reg.K2, out)
		return
	}
	pick(s.f64, VCMPPS, VCMPPD, Imm(1), thr, a, t1)
	VBLENDVPS_ := func(m, a, b, d Op) {
		if s.f64 {
			VBLENDVPD(m, a, b, d)
		} else {
			VBLENDVPS(m, a, b, d)
		}
	}
	VBLENDVPS_(t1, p, y, out)
}

// sigmoidCore computes out = 1/(1+e^-x) as s = 1/(1+e) with e = e^-|x| in (0, 1],
// and e*s for negative x: nothing overflows, and the result keeps full relative
// accuracy down to the subnormal range for very negative x.
func sigmoidCore(s isa, c expConsts, one, x, out, n, p, t1, t2, a, y reg.VecPhysical) {
	sign := s.constBits("signBit", signBit(s))
	s.or(sign, x, a) // a = -|x|
	expCore(s, c, a, y, n, p, t1, t2)
	s.add(one, y, out)
	divide(s, one, one, out, out, n, p) // out = 1/(1+e)
	s.mul(out, y, y)                    // y = e/(1+e)
	if s.zmm {
		pick(s.f64, VPTESTMD, VPTESTMQ, sign, x, reg.K3)
		pick(s.f64, VBLENDMPS, VBLENDMPD, y, out, reg.K3, out)
		return
	}
	if s.f64 {
		VBLENDVPD(x, y, out, out)
	} else {
		VBLENDVPS(x, y, out, out)
	}
}

// divide computes dst = num/den. On AVX-512 it uses VRCP14 (relative error
// 2^-14) refined by Newton steps (one for float32, two for float64) and a
// multiply, much cheaper than VDIVPS; the result is within about 1 ulp. tmp is
// scratch; dst may equal num or den.
func divide(s isa, one, num, den, dst, r, tmp reg.VecPhysical) {
	if !s.zmm {
		s.div(den, num, dst)
		return
	}
	pick(s.f64, VRCP14PS, VRCP14PD, den, r)
	steps := 1
	if s.f64 {
		steps = 2
	}
	for i := 0; i < steps; i++ {
		s.mov(one, tmp)
		s.fnma231(den, r, tmp) // tmp = 1 - den*r
		s.fma231(r, tmp, r)    // r += r*tmp
	}
	s.mul(r, num, dst)
}
