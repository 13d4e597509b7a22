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

// oneMinusExpInPlace replaces every x[i] by 1 - e^x[i], as NEURON's cnexp update computes
// it, for the exponents -dt/tau <= 0 of gating updates. Arguments below -40 give exactly 1
// (e^-40 is below half an ulp of 1) and are clamped; NaN propagates. The whole batch runs
// in one call so that the loop body is inlined and pipelined.
func oneMinusExpInPlace(x []float64) {
	const (
		n      = 1 << expTableBits
		invLn2 = n / math.Ln2
		ln2Hi  = 6.93147180369123816490e-01 / n
		ln2Lo  = 1.90821492927058770002e-10 / n
		shift  = 0x1.8p52
	)
	for i, v := range x {
		if v < -40 {
			v = -40
		} else if v > 700 {
			v = 700
		}
		kd := v*invLn2 + shift
		k := int64(math.Float64bits(kd))
		kd -= shift
		r := v - kd*ln2Hi - kd*ln2Lo
		r2 := r * r
		p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24+r*(1.0/120))
		s := math.Float64frombits(math.Float64bits(expTable[k&(n-1)]) + uint64(k>>expTableBits)<<52)
		x[i] = 1 - (s + s*p)
	}
}
