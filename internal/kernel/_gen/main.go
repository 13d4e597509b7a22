// Command _gen generates the amd64 assembly of package kernel with avo.
//
// Run it through `go generate` in the kernel package; it writes
// ../kernel_amd64.s and ../kernel_amd64_stubs.go. The generator lives in its own
// module so that avo never enters neurograd's go.mod.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// isa describes one instruction set and element type: AVX-512 (zmm, 32
// registers) or AVX2+FMA (ymm, 16 registers), float32 or float64.
type isa struct {
	zmm bool
	f64 bool
	// vl runs the AVX-512 instruction forms on ymm registers (AVX-512VL;
	// with zmm): half vectors, the same lane-wise results as zmm.
	vl bool
}

var isas = []isa{{zmm: true}, {zmm: true, f64: true}, {}, {f64: true}}

func (s isa) name() string {
	n := "AVX2"
	if s.zmm {
		n = "AVX512"
	}
	if s.f64 {
		return n + "F64"
	}
	return n + "F32"
}

func (s isa) typ() string {
	if s.f64 {
		return "float64"
	}
	return "float32"
}

// es is the element size in bytes.
func (s isa) es() int {
	if s.f64 {
		return 8
	}
	return 4
}

// vb is the vector size in bytes.
func (s isa) vb() int {
	if s.zmm && !s.vl {
		return 64
	}
	return 32
}

// lanes is the number of elements per vector.
func (s isa) lanes() int { return s.vb() / s.es() }

// nregs is the number of vector registers that may be used.
func (s isa) nregs() int {
	if s.zmm {
		return 32
	}
	return 16
}

var zregs = []reg.VecPhysical{reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7, reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15, reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23, reg.Z24, reg.Z25, reg.Z26, reg.Z27, reg.Z28, reg.Z29, reg.Z30, reg.Z31}
var yregs = []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7, reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15}
var xregs = []reg.VecPhysical{reg.X0, reg.X1, reg.X2, reg.X3, reg.X4, reg.X5, reg.X6, reg.X7, reg.X8, reg.X9, reg.X10, reg.X11, reg.X12, reg.X13, reg.X14, reg.X15}

// v returns vector register i.
func (s isa) v(i int) reg.VecPhysical {
	if i >= s.nregs() {
		panic(fmt.Sprintf("%s: register %d out of range", s.name(), i))
	}
	switch {
	case s.vl:
		return zregs[i].AsY().(reg.VecPhysical)
	case s.zmm:
		return zregs[i]
	}
	return yregs[i]
}

func pick(f64 bool, ps, pd func(...Op), ops ...Op) {
	if f64 {
		pd(ops...)
	} else {
		ps(ops...)
	}
}

// Go operand order throughout: sources first, destination last.
func (s isa) load(m, r Op)         { pick(s.f64, VMOVUPS, VMOVUPD, m, r) }
func (s isa) store(r, m Op)        { pick(s.f64, VMOVUPS, VMOVUPD, r, m) }
func (s isa) fma231(a, b, acc Op)  { pick(s.f64, VFMADD231PS, VFMADD231PD, a, b, acc) }   // acc += a*b
func (s isa) fma213(c, b, acc Op)  { pick(s.f64, VFMADD213PS, VFMADD213PD, c, b, acc) }   // acc = acc*b + c
func (s isa) fnma231(a, b, acc Op) { pick(s.f64, VFNMADD231PS, VFNMADD231PD, a, b, acc) } // acc -= a*b
func (s isa) mul(a, b, dst Op)     { pick(s.f64, VMULPS, VMULPD, a, b, dst) }             // dst = b*a
func (s isa) add(a, b, dst Op)     { pick(s.f64, VADDPS, VADDPD, a, b, dst) }             // dst = b+a
func (s isa) sub(a, b, dst Op)     { pick(s.f64, VSUBPS, VSUBPD, a, b, dst) }             // dst = b-a
func (s isa) div(a, b, dst Op)     { pick(s.f64, VDIVPS, VDIVPD, a, b, dst) }             // dst = b/a
func (s isa) min(a, b, dst Op)     { pick(s.f64, VMINPS, VMINPD, a, b, dst) }             // b<a ? b : a (a if NaN)
func (s isa) max(a, b, dst Op)     { pick(s.f64, VMAXPS, VMAXPD, a, b, dst) }             // b>a ? b : a (a if NaN)

// Bitwise operations use the integer forms on zmm (VPANDD and friends are
// AVX512F; VANDPS on zmm would need AVX512DQ).
func (s isa) and(a, b, dst Op) {
	if s.zmm {
		VPANDD(a, b, dst)
	} else {
		pick(s.f64, VANDPS, VANDPD, a, b, dst)
	}
}
func (s isa) or(a, b, dst Op) {
	if s.zmm {
		VPORD(a, b, dst)
	} else {
		pick(s.f64, VORPS, VORPD, a, b, dst)
	}
}
func (s isa) xor(a, b, dst Op) {
	if s.zmm {
		VPXORD(a, b, dst)
	} else {
		pick(s.f64, VXORPS, VXORPD, a, b, dst)
	}
}
func (s isa) zero(r Op)              { s.xor(r, r, r) }
func (s isa) bcastMem(m, r Op)       { pick(s.f64, VBROADCASTSS, VBROADCASTSD, m, r) }
func (s isa) mov(a, b Op)            { pick(s.f64, VMOVAPS, VMOVAPD, a, b) }
func (s isa) maskLoadK(m, k, r Op)   { pick(s.f64, VMOVUPS, VMOVUPD, m, k, r) }
func (s isa) maskStoreK(r, k, m Op)  { pick(s.f64, VMOVUPS, VMOVUPD, r, k, m) }
func (s isa) maskLoadV(m, mk, r Op)  { pickF(s.f64, VMASKMOVPS, VMASKMOVPD, m, mk, r) }
func (s isa) maskStoreV(r, mk, m Op) { pickF(s.f64, VMASKMOVPS, VMASKMOVPD, r, mk, m) }

func pickF(f64 bool, ps, pd func(a, b, c Op), a, b, c Op) {
	if f64 {
		pd(a, b, c)
	} else {
		ps(a, b, c)
	}
}

// shiftElem converts an element count held in r into bytes.
func (s isa) shiftElem(r reg.Register) {
	if s.f64 {
		SHLQ(Imm(3), r)
	} else {
		SHLQ(Imm(2), r)
	}
}

func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// consts holds the 64-byte broadcast constant tables emitted so far.
var consts = map[string]Mem{}

// constVec returns a 64-byte read-only table holding v in every lane of the
// element type of s, usable as a full ymm or zmm memory operand.
func (s isa) constVec(name string, v float64) Mem {
	key := name + s.typ()
	if m, ok := consts[key]; ok {
		return m
	}
	sym := name + "F32"
	if s.f64 {
		sym = name + "F64"
	}
	m := GLOBL(sym, RODATA|NOPTR)
	for off := 0; off < 64; off += s.es() {
		if s.f64 {
			DATA(off, F64(v))
		} else {
			DATA(off, F32(float32(v)))
		}
	}
	consts[key] = m
	return m
}

// constBits is constVec for a bit pattern (per-lane integer).
func (s isa) constBits(name string, bits uint64) Mem {
	key := name + s.typ()
	if m, ok := consts[key]; ok {
		return m
	}
	sym := name + "F32"
	if s.f64 {
		sym = name + "F64"
	}
	m := GLOBL(sym, RODATA|NOPTR)
	for off := 0; off < 64; off += s.es() {
		if s.f64 {
			DATA(off, U64(bits))
		} else {
			DATA(off, U32(uint32(bits)))
		}
	}
	consts[key] = m
	return m
}

// iota returns a table of lane indices 0, 1, 2, ... as 32- or 64-bit integers.
func (s isa) iota() Mem {
	key := "iota" + s.typ()
	if m, ok := consts[key]; ok {
		return m
	}
	sym := "laneIotaI32"
	if s.f64 {
		sym = "laneIotaI64"
	}
	m := GLOBL(sym, RODATA|NOPTR)
	for i := 0; i*s.es() < 64; i++ {
		if s.f64 {
			DATA(i*8, U64(uint64(i)))
		} else {
			DATA(i*4, U32(uint32(i)))
		}
	}
	consts[key] = m
	return m
}

func main() {
	ConstraintExpr("amd64,!purego")
	for _, s := range isas {
		genGemm(s)
	}
	genTranspose(false)
	genTranspose(true)
	genTranspose16()
	for _, s := range isas {
		genVec(s)
		genMath(s)
		genLSTMBackward(s)
		genLSTMForward(s, false)
		genLSTMForward(s, true)
		if s.zmm {
			genLSTMForwardRow(s, false)
			genLSTMForwardRow(s, true)
		}
		genPackB(s)
	}
	Generate()
}
