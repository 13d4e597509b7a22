package neuron

import "math"

// gateArgs is the argument block of the fused table-gate update (tableGates), in the
// layout gates_amd64.s reads: the table's grid (vmin in mV, mfac = 1/dx in 1/mV, n
// intervals), its row length cols, -dt (ms) and a pointer to the table's x∞ column of the
// gate (its τ column follows it).
type gateArgs struct {
	vmin float64  // offset 0
	mfac float64  // 8
	n    float64  // 16: float64(t.n)
	mdt  float64  // 24: -dt
	cols int32    // 32
	_    int32    // 36
	data *float64 // 40: &t.data[col]
}

// newGateArgs returns the argument block for the gate whose x∞ and τ (ms) are columns col
// and col+1 of t, at time step dt (ms).
func newGateArgs(t *vtable, col int, dt float64) gateArgs {
	return gateArgs{vmin: t.vmin, mfac: t.mfac, n: float64(t.n), mdt: -dt, cols: int32(t.cols), data: &t.data[col]}
}

// tableGates advances the gate states g (one per voltage in v, mV) by NEURON's cnexp
// step: x∞ and τ interpolated from the table at v, then g += (1 - e^(-dt/τ))(x∞ - g). It
// does what the rates, oneMinusExpInPlace and the update loop did, with the same
// operations in the same order, so results are bit-identical to them; inf and x are
// scratch of len(v). Groups of four use AVX2 where available, in two passes (the table,
// then the exponential and the update) whose short dependency chains overlap across
// iterations; a must be made from t. When all four slices have capacity for len(v)
// rounded up to a multiple of 4, the AVX2 path also updates those padding elements (it
// reads v and writes g, inf and x there) and no scalar tail is left.
func tableGates(v, g, inf, x []float64, t *vtable, col int, a *gateArgs) {
	if n := pad4(len(v)); useAVX2 && cap(v) >= n && cap(g) >= n && cap(inf) >= n && cap(x) >= n {
		// padded slices (the cell's layout): no scalar tail
		tableRatesAVX2(v[:n], inf[:n], x[:n], a)
		cnexpUpdateAVX2(g[:n], inf[:n], x[:n], &expConsts, &expTable)
		return
	}
	g = g[:len(v)]
	if useAVX2 && len(v) >= 4 {
		n := len(v) &^ 3
		tableRatesAVX2(v[:n], inf[:n], x[:n], a)
		cnexpUpdateAVX2(g[:n], inf[:n], x[:n], &expConsts, &expTable)
		v, g = v[n:], g[n:]
	}
	tableGatesGo(v, g, t, col, a.mdt)
}

// tableGatesGo is the portable loop of tableGates.
func tableGatesGo(v, g []float64, t *vtable, col int, mdt float64) {
	g = g[:len(v)]
	for k, vk := range v {
		o, th := t.index(vk)
		inf := t.at(o, th, col)
		f := oneMinusExp1(mdt / t.at(o, th, col+1))
		g[k] += f * (inf - g[k])
	}
}

// oneMinusExp1 is one element of oneMinusExpGo: 1 - e^v with v clamped to [-40, 700].
func oneMinusExp1(v float64) float64 {
	if v < -40 {
		v = -40
	} else if v > 700 {
		v = 700
	}
	kd := v*expInvLn2 + expShift
	k := int64(math.Float64bits(kd))
	kd -= expShift
	r := v - kd*expLn2Hi - kd*expLn2Lo
	r2 := r * r
	p := r + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24+r*(1.0/120))
	s := math.Float64frombits(math.Float64bits(expTable[k&(expN-1)]) + uint64(k>>expTableBits)<<52)
	return 1 - (s + s*p)
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// segV gives a mechanism the new voltages of its segments as one contiguous slice: the
// cell's vseg itself when the mechanism covers every segment in order, else a copy.
type segV struct {
	seg []int32
	all bool      // seg is 0, 1, …, len(vseg)-1
	buf []float64 // the copy
}

func newSegV(seg []int32, nseg int) segV {
	all := len(seg) == nseg
	for k, s := range seg {
		all = all && int(s) == k
	}
	return segV{seg: seg, all: all, buf: ownLines(len(seg), pad4(len(seg)))}
}

// of returns the voltages (mV) of the segments at the cell's current vseg.
func (g *segV) of(c *Cell) []float64 {
	if g.all {
		return c.vseg[:len(g.seg)]
	}
	b := g.buf[:len(g.seg)]
	for k, s := range g.seg {
		b[k] = c.vseg[s]
	}
	return b
}
