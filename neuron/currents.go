package neuron

// Fused membrane currents: when every mechanism a cell has covers every segment (true of
// all of HNN's templates: the L5 pyramidal cell has all six current-carrying mechanisms
// everywhere, the L2 pyramidal cell hh2 and km, the baskets hh2), one pass over the
// segments sums each segment's currents and conductances in registers, in the order of
// the per-mechanism loops (hh2, km, ca, kca, cat, ar), and scatters them into the node
// equations. The operations and their order are those of the per-mechanism loops, so the
// results are bit-identical to them.

const (
	fusedNone = iota
	fusedHH   // hh2 only
	fusedHHKm // hh2 and km
	fusedAll  // hh2, km, ca, kca, cat and ar
)

// fusedKind returns which fused pass applies to c.
func (c *Cell) fusedKind() int {
	all := func(seg []int32) bool { return newSegV(seg, len(c.segNode)).all }
	if c.hh2 == nil || !all(c.hh2.seg) {
		return fusedNone
	}
	has := [5]bool{c.km != nil, c.ca != nil, c.kca != nil, c.cat != nil, c.ar != nil}
	switch has {
	case [5]bool{}:
		return fusedHH
	case [5]bool{true}:
		if all(c.km.seg) {
			return fusedHHKm
		}
	case [5]bool{true, true, true, true, true}:
		if all(c.km.seg) && all(c.ca.seg) && all(c.kca.seg) && all(c.cat.seg) && all(c.ar.seg) {
			return fusedAll
		}
	}
	return fusedNone
}

// fusedCurrents evaluates the membrane currents of every segment and writes
// rhs[node] = -i·area and d[node] += g·area for each segment's node (rhs and d already
// hold 0 and dConst); for fusedAll it also sets ica.
func (c *Cell) fusedCurrents(kind int) {
	n := len(c.segNode)
	vs, nodes, as := c.vseg[:n], c.segNode[:n], c.aScale[:n]
	rhs, d := c.rhs, c.d
	hh := c.hh2
	hm, hh_, hn := hh.m[:n], hh.h[:n], hh.n[:n]
	gnab, gkb, gl, el := hh.gnabar[:n], hh.gkbar[:n], hh.gl[:n], hh.el[:n]
	switch kind {
	case fusedHH:
		for s, v := range vs {
			m, nn := hm[s], hn[s]
			gna := gnab[s] * m * m * m * hh_[s]
			n2 := nn * nn
			gk := gkb[s] * n2 * n2
			i, g := 0.0, 0.0
			i += gna*(v-ena) + gk*(v-ek) + gl[s]*(v-el[s])
			g += gna + gk + gl[s]
			node, a := nodes[s], as[s]
			rhs[node] = -i * a
			d[node] += g * a
		}
	case fusedHHKm:
		kmb, kmn := c.km.gbar[:n], c.km.n[:n]
		for s, v := range vs {
			m, nn := hm[s], hn[s]
			gna := gnab[s] * m * m * m * hh_[s]
			n2 := nn * nn
			gk := gkb[s] * n2 * n2
			i, g := 0.0, 0.0
			i += gna*(v-ena) + gk*(v-ek) + gl[s]*(v-el[s])
			g += gna + gk + gl[s]
			gm := kmb[s] * kmn[s]
			i += gm * (v - ek)
			g += gm
			node, a := nodes[s], as[s]
			rhs[node] = -i * a
			d[node] += g * a
		}
	case fusedAll:
		kmb, kmn := c.km.gbar[:n], c.km.n[:n]
		cab, cam, cah := c.ca.gbar[:n], c.ca.m[:n], c.ca.h[:n]
		kcab, kcan := c.kca.gbar[:n], c.kca.n[:n]
		catb, catm, cath := c.cat.gbar[:n], c.cat.m[:n], c.cat.h[:n]
		arb, arm := c.ar.gbar[:n], c.ar.m[:n]
		eca, ica := c.eca[:n], c.ica[:n]
		for s, v := range vs {
			m, nn := hm[s], hn[s]
			gna := gnab[s] * m * m * m * hh_[s]
			n2 := nn * nn
			gk := gkb[s] * n2 * n2
			i, g := 0.0, 0.0
			i += gna*(v-ena) + gk*(v-ek) + gl[s]*(v-el[s])
			g += gna + gk + gl[s]
			gm := kmb[s] * kmn[s]
			i += gm * (v - ek)
			g += gm
			mm := cam[s]
			gc := cab[s] * mm * mm * cah[s]
			ic := gc * (v - eca[s])
			ci := 0.0
			ci += ic
			ica[s] = ci
			i += ic
			g += gc
			gkc := kcab[s] * kcan[s]
			i += gkc * (v - ek)
			g += gkc
			mt := catm[s]
			gt := catb[s] * mt * mt * cath[s]
			i += gt * (v - catErev)
			g += gt
			ga := arb[s] * arm[s]
			i += ga * (v - arErev)
			g += ga
			node, a := nodes[s], as[s]
			rhs[node] = -i * a
			d[node] += g * a
		}
	}
}
