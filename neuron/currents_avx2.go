package neuron

// AVX2 form of the fused current pass for the fusedHHKm and fusedAll cells (the L2 and L5
// pyramidal cells): four segments at a time, with fusedCurrents' operations in its order
// (so bit-identical to it), into a two-row block -i·area, g·area that setupMatrix then
// scatters into the node equations.

// currentArgs is the argument block of currentsHHKmAVX2 and currentsAllAVX2, in the
// layout currents_amd64.s reads: the first elements of vseg, of the gate array, of the
// parameter block, of eca, ica and of the output block, the constants and the stride
// (bytes) of the gate views, parameter rows and output rows.
type currentArgs struct {
	v, gate, par, eca, ica, out *float64 // offsets 0-40
	consts                      *[6][4]float64
	stride                      int // 56
}

// currentConsts holds, each broadcast to 4 lanes: ena, ek, cat's and ar's reversal
// potentials (mV), 0 and the sign bit (as -0).
var currentConsts = func() (c [6][4]float64) {
	for i, v := range [6]float64{ena, ek, catErev, arErev, 0, negZero()} {
		c[i] = [4]float64{v, v, v, v}
	}
	return
}()

// negZero returns -0.
func negZero() float64 {
	z := 0.0
	return -z
}

// currentBlock is a cell's AVX2 current pass.
type currentBlock struct {
	all  bool // fusedAll (else fusedHHKm)
	p    int  // the gate views' padded length (gateBatch.stride)
	args currentArgs
	par  []float64 // 10 rows of stride elements: hh2 gnabar, gkbar, gl, el; gbar of km, ca, kca, cat, ar; area·1e-2
	out  []float64 // 2 rows: -i·area, g·area
}

// buildCurrentBlock sets c.curBlock when the AVX2 current pass applies: AVX2, the batched
// gate layout and a fusedHHKm or fusedAll cell.
func (c *Cell) buildCurrentBlock() {
	c.curBlock = nil
	if !useAVX2 || c.batch == nil || (c.fused != fusedHHKm && c.fused != fusedAll) {
		return
	}
	n, p := len(c.segNode), c.batch.stride
	b := &currentBlock{all: c.fused == fusedAll, p: p, par: ownLines(10*p, 10*p), out: ownLines(2*p, 2*p)}
	row := func(r int, x []float64) { copy(b.par[r*p:r*p+n], x) }
	row(0, c.hh2.gnabar)
	row(1, c.hh2.gkbar)
	row(2, c.hh2.gl)
	row(3, c.hh2.el)
	row(4, c.km.gbar)
	if b.all {
		row(5, c.ca.gbar)
		row(6, c.kca.gbar)
		row(7, c.cat.gbar)
		row(8, c.ar.gbar)
	}
	row(9, c.aScale)
	b.args = currentArgs{v: &c.vseg[:p][0], gate: &c.gate[0], par: &b.par[0], eca: &c.eca[:p][0],
		ica: &c.ica[:p][0], out: &b.out[0], consts: &currentConsts, stride: 8 * p}
	c.curBlock = b
}

// blockCurrents is fusedCurrents with the AVX2 pass: rhs[node] = -i·area and
// d[node] += g·area for each segment's node (rhs and d already hold 0 and dConst).
func (c *Cell) blockCurrents(b *currentBlock) {
	p := b.p
	if b.all {
		currentsAllAVX2(p, &b.args)
	} else {
		currentsHHKmAVX2(p, &b.args)
	}
	n := len(c.segNode)
	ri, gi := b.out[:n], b.out[p:p+n]
	rhs, d := c.rhs, c.d
	for s, node := range c.segNode {
		rhs[node] = ri[s]
		d[node] += gi[s]
	}
}
