package neuron

import "math"

const logTableBits = 7

// logTable holds, for the 128 subintervals [1 + j/128, 1 + (j+1)/128) of the mantissa,
// the reciprocal of the subinterval centre c_j and log(c_j).
var logTable = func() (t [1 << logTableBits][2]float64) {
	for j := range t {
		c := 1 + (float64(j)+0.5)/(1<<logTableBits)
		t[j] = [2]float64{1 / c, math.Log(c)}
	}
	return
}()

// fastLog returns the natural logarithm of x to within a few ulp for positive normal x,
// using a table of 128 subintervals and a degree-6 series for log(1+r), |r| < 1/256
// (truncation below 3e-18). Zero, negative, subnormal, infinite and NaN arguments defer to
// math.Log. It computes the Nernst potential every step.
func fastLog(x float64) float64 {
	if !(x >= 0x1p-1022 && x <= math.MaxFloat64) {
		return math.Log(x)
	}
	b := math.Float64bits(x)
	e := int((b>>52)&0x7ff) - 1023
	j := (b >> (52 - logTableBits)) & (1<<logTableBits - 1)
	m := math.Float64frombits(b&(1<<52-1) | 0x3ff<<52) // mantissa in [1, 2)
	ent := &logTable[j]
	r := m*ent[0] - 1
	r2 := r * r
	p := r - r2*(0.5-r*(1.0/3)) - r2*r2*(0.25-r*(0.2-r*(1.0/6)))
	return float64(e)*math.Ln2 + ent[1] + p
}
