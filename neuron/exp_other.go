//go:build !amd64 || purego

package neuron

const useAVX2 = false

func oneMinusExpAVX2(x []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64) {
	panic("neuron: no AVX2 implementation on this platform")
}

func tableRatesAVX2(v, inf, x []float64, a *gateArgs) {
	panic("neuron: no AVX2 implementation on this platform")
}

func cnexpUpdateAVX2(g, inf, x []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64) {
	panic("neuron: no AVX2 implementation on this platform")
}

func ecaAVX2(cai, eca, r []float64, ktfHalf float64, c *[logConstCount + 1][4]float64, tab *[1 << logTableBits][2]float64) bool {
	panic("neuron: no AVX2 implementation on this platform")
}

func cadKcaAVX2(n int, a *cadKcaArgs) {
	panic("neuron: no AVX2 implementation on this platform")
}

func currentsHHKmAVX2(n int, a *currentArgs) {
	panic("neuron: no AVX2 implementation on this platform")
}

func currentsAllAVX2(n int, a *currentArgs) {
	panic("neuron: no AVX2 implementation on this platform")
}

func expReduceAVX2(x, kd []float64, c *[expConstCount][4]float64) {
	panic("neuron: no AVX2 implementation on this platform")
}

func expPolyAVX2(r []float64, c *[expConstCount][4]float64) {
	panic("neuron: no AVX2 implementation on this platform")
}

func cnexpFinishAVX2(g, inf, kd, p []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64) {
	panic("neuron: no AVX2 implementation on this platform")
}

func tableRatesBatchAVX2(v, th []float64, ix []int64, inf, x []float64, a *[3]gateArgs, gates int) {
	panic("neuron: no AVX2 implementation on this platform")
}
