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

// ecaAVX2 sets eca[i] = ktfHalf*fastLog(cao/cai[i]) bit for bit where cao/cai[i] is a
// positive normal number and reports whether every cai is (ecaInRange); the lengths are
// equal and a multiple of 4.
//
//go:noescape
func ecaAVX2(cai, eca []float64, ktfHalf float64, c *[logConstCount + 1][4]float64, tab *[1 << logTableBits][2]float64) (ok bool)

// table3RatesAVX2 is tableRatesAVX2 for the three gates whose (x∞, τ) are columns 0-1,
// 2-3 and 4-5 of a's table (one look-up per voltage); gate j's values go to inf and x at
// j*stride. len(v) = stride, a multiple of 4; len(inf) = len(x) = 3*stride.
//
//go:noescape
func table3RatesAVX2(v, inf, x []float64, stride int, a *gateArgs)

// cadKcaAVX2 does cadMech.state and kcaMech.gates' x∞ and -dt/τ (into a.inf, a.x) for n
// segments, a multiple of 4, bit for bit.
//
//go:noescape
func cadKcaAVX2(n int, a *cadKcaArgs)

// currentsHHKmAVX2 is fusedCurrents' fusedHHKm pass for n segments (a multiple of 4) into
// a's output block.
//
//go:noescape
func currentsHHKmAVX2(n int, a *currentArgs)

// currentsAllAVX2 is fusedCurrents' fusedAll pass for n segments (a multiple of 4) into
// a's output block and ica.
//
//go:noescape
func currentsAllAVX2(n int, a *currentArgs)
