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
// positive normal number and reports whether every cai is (ecaInRange); r is scratch; the
// lengths are equal and a multiple of 4.
//
//go:noescape
func ecaAVX2(cai, eca, r []float64, ktfHalf float64, c *[logConstCount + 1][4]float64, tab *[1 << logTableBits][2]float64) (ok bool)

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

// expReduceAVX2 is the first pass of cnexpUpdateAVX2's exponential: each exponent x
// (clamped to [-40, 700]) is replaced by its reduced argument r and its shifted kd (whose
// bits hold k) written into kd; the lengths are equal and a multiple of 4.
//
//go:noescape
func expReduceAVX2(x, kd []float64, c *[expConstCount][4]float64)

// expPolyAVX2 replaces each reduced argument r by the exponential's polynomial p(r), the
// second pass; the length is a multiple of 4.
//
//go:noescape
func expPolyAVX2(r []float64, c *[expConstCount][4]float64)

// cnexpFinishAVX2 is the last pass of cnexpUpdateAVX2: with kd from expReduceAVX2 and p
// from expPolyAVX2,
// g += (1 - e^x)(inf - g) bit for bit as cnexpUpdateAVX2; the lengths are equal and a
// multiple of 4.
//
//go:noescape
func cnexpFinishAVX2(g, inf, kd, p []float64, c *[expConstCount][4]float64, tab *[1 << expTableBits]float64)

// tableRatesBatchAVX2 does what tableRatesAVX2 does for gates a[0..gates-1], all on one
// table grid, in two passes: the row offset (into ix) and weight (into th) of every v on
// a[0]'s grid, then x∞ and -dt/τ of each gate, gate j's into inf and x at j*len(v) (short
// iterations that overlap). len(v) = len(th) = len(ix), a multiple of 4; inf and x hold
// gates*len(v).
//
//go:noescape
func tableRatesBatchAVX2(v, th []float64, ix []int64, inf, x []float64, a *[3]gateArgs, gates int)
