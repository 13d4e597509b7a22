package neuron

import "math"

// logConstCount is the number of constant rows of logConsts.
const logConstCount = 14

// logConsts holds, each broadcast to 4 lanes and in the order exp_amd64.s's ecaAVX2
// expects: cao, 1, 1/2, 1/3, 1/4, 1/5, 1/6, ln 2, the bits of 2^52 (to convert the
// exponent field), 2^52 + 1023, the mantissa mask and the exponent bits of 1, the
// table index mask 127 (the last three as bits), and ecaInRange's bounds 2^-1020 and
// 2^1020 (mM).
var logConsts = func() (c [logConstCount + 1][4]float64) {
	vals := [logConstCount + 1]float64{cao, 1, 0.5, 1.0 / 3, 0.25, 0.2, 1.0 / 6, math.Ln2,
		0x1p52, 0x1p52 + 1023, math.Float64frombits(1<<52 - 1), math.Float64frombits(0x3ff << 52),
		math.Float64frombits(1<<logTableBits - 1), 0x1p-1020, 0x1p1020}
	for i, v := range vals {
		c[i] = [4]float64{v, v, v, v}
	}
	return
}()

// ecaInRange reports whether every cai is a concentration for which cao/cai is a positive
// normal number, the domain of fastLog's table path (and so of ecaAVX2).
func ecaInRange(cai []float64) bool {
	for _, ci := range cai {
		if !(ci > 0x1p-1020 && ci < 0x1p1020) {
			return false
		}
	}
	return true
}
