package neuron

// Batched gate updates: when every mechanism a cell has covers every segment in order
// (all of HNN's templates) and AVX2 is available, updateStates first writes x∞ and -dt/τ
// of every gate into the cell's gateInf and gateF arrays — with one table index per
// segment for the gates whose tables share a grid (hh2's m, h and n; km's n with ca's m
// and h; cat's m and h with ar's m), computed in a pass of its own, then one
// interpolation pass per gate, and kca's from the cai that cad has just updated, in the
// same pass as cad — and then makes the cnexp update of every gate, in three passes (the
// exponential's argument reduction, its polynomial, then its table scale and the update). Short passes keep each
// iteration's chain of dependent operations short, so that out-of-order execution
// overlaps iterations. Each gate sees the operations of the per-mechanism path in the
// same order, so the results are bit-identical to it.

// ratePass is one table of a gateBatch: gates (1 to 3) consecutive gate views starting
// at gate offset off, gate j's (x∞, τ) read with a[j] (all on one grid).
type ratePass struct {
	off, gates int
	a          [3]gateArgs
}

// cadKcaArgs is the argument block of cadKcaAVX2, in the layout batch_amd64.s reads: the
// first elements of cad's and kca's padded arrays (one element per segment), then kca's
// rate constants (1/ms), 1/tadj and -dt (ms).
type cadKcaArgs struct {
	ica, scale, taur, cainf, decay, ca, cai, inf, x *float64 // offsets 0-64
	ra, rb, invTadj, mdt                            float64  // 72, 80, 88, 96
}

// gateBatch is a cell's batched gate update.
type gateBatch struct {
	stride int // segments rounded up to a multiple of 4: the length of each gate view
	ng     int // gates in all, padding included
	passes []ratePass
	th     []float64 // scratch: each segment's interpolation weight on one grid
	ix     []int64   // scratch: each segment's table row offset on one grid
	kd     []float64 // scratch: each gate's shifted exponent multiple (expReduceAVX2)
	kca    bool      // cad and kca present: cadKcaAVX2 runs with ck
	ck     cadKcaArgs
}

// allSegs reports whether seg is 0, 1, …, nseg-1.
func allSegs(seg []int32, nseg int) bool {
	if len(seg) != nseg {
		return false
	}
	for k, s := range seg {
		if int(s) != k {
			return false
		}
	}
	return true
}

// padded returns a copy of x with capacity for pad4(len(x)) elements (the padding zero).
func padded(x []float64) []float64 {
	p := ownLines(len(x), pad4(len(x)))
	copy(p, x)
	return p
}

// buildBatch sets c.batch when the batched update applies (see above); it runs after the
// gate views are laid out.
func (c *Cell) buildBatch(tb *tables) {
	c.batch = nil
	nseg := len(c.segNode)
	if !useAVX2 || nseg == 0 || c.hh2 == nil || (c.cad == nil) != (c.kca == nil) {
		return
	}
	segs := [][]int32{c.hh2.seg}
	if c.km != nil {
		segs = append(segs, c.km.seg)
	}
	if c.ca != nil {
		segs = append(segs, c.ca.seg)
	}
	if c.cad != nil {
		segs = append(segs, c.cad.seg, c.kca.seg)
	}
	if c.cat != nil {
		segs = append(segs, c.cat.seg)
	}
	if c.ar != nil {
		segs = append(segs, c.ar.seg)
	}
	for _, seg := range segs {
		if !allSegs(seg, nseg) {
			return
		}
	}
	p, dt := pad4(nseg), c.dt
	b := &gateBatch{stride: p, th: ownLines(p, p), ix: make([]int64, p)}
	off := 0
	add := func(gates int, t *vtable, col int) {
		r := ratePass{off: off, gates: gates}
		for j := range gates {
			r.a[j] = newGateArgs(t, col+2*j, dt)
		}
		b.passes = append(b.passes, r)
		off += gates * p
	}
	// the order of the views laid out by buildMechanisms: hh2, km, ca, kca, cat, ar
	add(3, tb.hh2, 0)
	switch {
	case c.km != nil && c.ca != nil && tb.kmca != nil:
		add(3, tb.kmca, 0)
	default:
		if c.km != nil {
			add(1, tb.km, 0)
		}
		if c.ca != nil {
			add(2, tb.ca, 0)
		}
	}
	if c.kca != nil {
		m, k := c.cad, c.kca
		m.scale, m.taur, m.cainf, m.decay = padded(m.scale), padded(m.taur), padded(m.cainf), padded(m.decay)
		m.ca = padded(m.ca)
		for s := len(m.seg); s < p; s++ {
			// the padding lanes keep cai = caiDefault, in ecaAVX2's range: with decay,
			// scale and gbar 0 there, ca += 0·(…) leaves it unchanged
			m.ca[:p][s] = caiDefault
		}
		b.kca = true
		b.ck = cadKcaArgs{ica: &c.ica[:p][0], scale: &m.scale[:p][0], taur: &m.taur[:p][0],
			cainf: &m.cainf[:p][0], decay: &m.decay[:p][0], ca: &m.ca[:p][0], cai: &c.cai[:p][0],
			inf: &k.nInf[:p][0], x: &k.nX[:p][0], ra: kcaRa, rb: kcaRb, invTadj: 1 / k.tadj, mdt: -dt}
		if &k.nInf[0] != &c.gateInf[off] {
			panic("neuron: kca's gate view is not where the batch expects it")
		}
		off += p
	}
	switch {
	case c.cat != nil && c.ar != nil && tb.catar != nil:
		add(3, tb.catar, 0)
	default:
		if c.cat != nil {
			add(2, tb.cat, 0)
		}
		if c.ar != nil {
			add(1, tb.ar, 0)
		}
	}
	if off != len(c.gate) {
		panic("neuron: the batched gate layout does not match the gate views")
	}
	b.ng = off
	b.kd = ownLines(off, off)
	c.batch = b
}

// updateBatched is updateStates' gate and calcium update for a cell with a gateBatch.
func (c *Cell) updateBatched(b *gateBatch) {
	p := b.stride
	v := c.vseg[:p]
	for i := range b.passes {
		r := &b.passes[i]
		e := r.off + r.gates*p
		tableRatesBatchAVX2(v, b.th, b.ix, c.gateInf[r.off:e], c.gateF[r.off:e], &r.a, r.gates)
	}
	if b.kca {
		cadKcaAVX2(p, &b.ck)
	}
	g, inf, x := c.gate[:b.ng], c.gateInf[:b.ng], c.gateF[:b.ng]
	expReduceAVX2(x, b.kd, &expConsts)
	expPolyAVX2(x, &expConsts)
	cnexpFinishAVX2(g, inf, b.kd, x, &expConsts, &expTable)
}
