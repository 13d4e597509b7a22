package neuron

// kmRates writes ninf, ntau of km at v (mV) with temperature factor tadj.
func kmRates(v, tadj float64, o []float64) {
	const tha, qa, ra, rb = -30.0, 9.0, 0.001, 0.001
	a := ra * (v - tha) / (1 - guardedExp(-(v-tha)/qa))
	b := -rb * (v - tha) / (1 - guardedExp((v-tha)/qa))
	o[1] = 1 / tadj / (a + b)
	o[0] = a / (a + b)
}

// kmMech is the muscarinic K current km (gbar in pS/µm²).
type kmMech struct {
	seg  []int32
	gbar []float64 // tadj*gbar*1e-4, S/cm² per unit n
	n    []float64 // gating state (view into the cell's gate array)
	tab  *vtable
	gv   segV
	sInf []float64 // scratch for x∞ (view)
	sX   []float64 // scratch for -dt/τ (view)
	an   gateArgs
}

func (m *kmMech) init(c *Cell) {
	for k, s := range m.seg {
		o, th := m.tab.index(c.vseg[s])
		m.n[k] = m.tab.at(o, th, 0)
	}
}

func (m *kmMech) current(c *Cell) {
	for k, s := range m.seg {
		v := c.vseg[s]
		g := m.gbar[k] * m.n[k]
		c.iDen[s] += g * (v - ek)
		c.gDen[s] += g
	}
}

func (m *kmMech) gates(c *Cell) {
	tableGates(m.gv.of(c), m.n, m.sInf, m.sX, m.tab, 0, &m.an)
}
