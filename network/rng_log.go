package network

import "math"

// logCorrectlyRounded returns the natural logarithm of x > 0 rounded to the
// nearest double. numpy's legacy generators call the C library's log, which
// on glibc is correctly rounded except in vanishingly rare cases; Go's
// math.Log is accurate to 1 ulp only and differs from it in the last bit
// about once in a few hundred calls, which would change drive event times.
// The value is computed in double-double arithmetic (about 100 bits):
// x = 2^k·m with m in [√½, √2), log m = 2·atanh(s), s = (m−1)/(m+1).
func logCorrectlyRounded(x float64) float64 {
	switch {
	case x == 1:
		return 0
	case x <= 0 || math.IsNaN(x) || math.IsInf(x, 1):
		return math.Log(x)
	}
	frac, exp := math.Frexp(x) // x = frac·2^exp, frac in [0.5, 1)
	if frac < math.Sqrt2/2 {
		frac *= 2
		exp--
	}
	// s = (m − 1)/(m + 1); m − 1 is exact (Sterbenz), m + 1 kept exactly.
	num := dd{frac - 1, 0}
	den := twoSum(frac, 1)
	s := ddDiv(num, den)
	z := ddMul(s, s)
	// Horner: p = Σ z^j/(2j+1), j = 0..len−1.
	p := logSeries[len(logSeries)-1]
	for j := len(logSeries) - 2; j >= 0; j-- {
		p = ddAdd(ddMul(p, z), logSeries[j])
	}
	r := ddMul(s, p)
	r = dd{2 * r.hi, 2 * r.lo}
	if exp != 0 {
		k := float64(exp)
		kh, kl := twoProd(k, ln2DD.hi)
		r = ddAdd(r, ddAdd(dd{kh, kl}, dd{k * ln2DD.lo, 0}))
	}
	return r.hi + r.lo
}

// dd is an unevaluated sum hi + lo of two doubles with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

// ln2DD is ln 2 to about 107 bits.
var ln2DD = dd{0.6931471805599453, 2.3190468138462996e-17}

// logSeries holds 1/(2j+1) in double-double for the atanh series; with
// |s| ≤ 0.1716, s² ≤ 0.0295 and 24 terms leave a truncation error below
// 2^-120 relative.
var logSeries = func() []dd {
	out := make([]dd, 24)
	for j := range out {
		out[j] = ddDiv(dd{1, 0}, dd{float64(2*j + 1), 0})
	}
	return out
}()

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	e := (a - (s - bb)) + (b - bb)
	return dd{s, e}
}

func fastTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) (p, e float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = fastTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return fastTwoSum(s.hi, s.lo)
}

func ddMul(a, b dd) dd {
	p, e := twoProd(a.hi, b.hi)
	e += a.hi*b.lo + a.lo*b.hi
	return fastTwoSum(p, e)
}

func ddDiv(a, b dd) dd {
	q1 := a.hi / b.hi
	r := ddAdd(a, ddMul(dd{-q1, 0}, b))
	q2 := r.hi / b.hi
	r = ddAdd(r, ddMul(dd{-q2, 0}, b))
	q3 := r.hi / b.hi
	q := fastTwoSum(q1, q2)
	return ddAdd(q, dd{q3, 0})
}
