package neuron

import "math"

// expTableBits is log2 of the number of entries of the 2^(j/N) table used by fastExp.
const expTableBits = 7

var expTable = func() (t [1 << expTableBits]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / (1 << expTableBits))
	}
	return
}()

// fastExp returns e^x to within about one unit in the last place: table-driven range
// reduction x = (k/N)·ln2 + r with |r| <= ln2/(2N), N = 128, and a degree-5 polynomial for
// e^r (truncation error below 1e-18). Outside ±700 it defers to math.Exp. It is several
// times faster than math.Exp and is used for the per-step exponential (cnexp) updates.
func fastExp(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	const (
		n      = 1 << expTableBits
		invLn2 = n / math.Ln2
		ln2Hi  = 6.93147180369123816490e-01 / n
		ln2Lo  = 1.90821492927058770002e-10 / n
		shift  = 0x1.8p52
	)
	kd := x*invLn2 + shift
	k := int64(math.Float64bits(kd))
	kd -= shift
	r := x - kd*ln2Hi - kd*ln2Lo
	r2 := r * r
	p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24+r*(1.0/120))
	s := expTable[k&(n-1)]
	s = math.Float64frombits(math.Float64bits(s) + uint64(k>>expTableBits)<<52)
	return s + s*p
}

// Constants of the cnexp exponential, shared by the Go loop and the AVX2 routine.
const (
	expN      = 1 << expTableBits
	expInvLn2 = expN / math.Ln2
	expLn2Hi  = 6.93147180369123816490e-01 / expN
	expLn2Lo  = 1.90821492927058770002e-10 / expN
	expShift  = 0x1.8p52
)

// expConstCount is the number of constant rows passed to the AVX2 routine.
const expConstCount = 12

// expConsts holds, each broadcast to 4 lanes and in the order exp_amd64.s expects: the
// clamp bounds -40 and 700, 1/ln2·N, the rounding shift, ln2/N (high and low parts),
// 1/6, 1/2, 1/120, 1/24, the index mask N-1 (as bits) and 1.
var expConsts = func() (c [expConstCount][4]float64) {
	vals := [expConstCount]float64{-40, 700, expInvLn2, expShift, expLn2Hi, expLn2Lo,
		1.0 / 6, 0.5, 1.0 / 120, 1.0 / 24, math.Float64frombits(expN - 1), 1}
	for i, v := range vals {
		c[i] = [4]float64{v, v, v, v}
	}
	return
}()

// oneMinusExpInPlace replaces every x[i] by 1 - e^x[i], as NEURON's cnexp update computes
// it, for the exponents -dt/tau <= 0 of gating updates. Arguments below -40 give exactly 1
// (e^-40 is below half an ulp of 1) and are clamped; NaN propagates. Whole groups of 4 use
// AVX2 where available (bit-identical to the Go loop, which handles the rest).
func oneMinusExpInPlace(x []float64) {
	if useAVX2 && len(x) >= 4 {
		n := len(x) &^ 3
		oneMinusExpAVX2(x[:n], &expConsts, &expTable)
		x = x[n:]
	}
	oneMinusExpGo(x)
}

// oneMinusExpGo is the portable loop of oneMinusExpInPlace.
func oneMinusExpGo(x []float64) {
	for i, v := range x {
		x[i] = oneMinusExp1(v)
	}
}
