//go:build amd64 && !purego

package neuron

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 batch exponential; it computes the same operations in the same
// order as the Go loop (no fused multiply-add), so results are bit-identical.
var useAVX2 = cpu.X86.HasAVX2

// oneMinusExpAVX2 applies oneMinusExpInPlace's formula to x, whose length must be a
// multiple of 4, with constants c (each broadcast to 4 lanes) and the 2^(j/128) table.
//
//go:noescape
func oneMinusExpAVX2(x []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64)

// tableRatesAVX2 writes x∞ and -dt/τ (tableGatesGo's inf and x) at every v into inf and x;
// the lengths are equal and a multiple of 4.
//
//go:noescape
func tableRatesAVX2(v, inf, x []float64, a *gateArgs)

// cnexpUpdateAVX2 does g += (1 - e^x)(inf - g) elementwise as oneMinusExpInPlace and the
// update loop would; the lengths are equal and a multiple of 4.
//
//go:noescape
func cnexpUpdateAVX2(g, inf, x []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64)

// ecaAVX2 sets eca[i] = ktfHalf*fastLog(cao/cai[i]) bit for bit; the lengths are equal
// and a multiple of 4, and every cao/cai[i] is a positive normal number.
//
//go:noescape
func ecaAVX2(cai, eca []float64, ktfHalf float64, c *[logConstCount + 1][4]float64, tab *[1 << logTableBits][2]float64)
