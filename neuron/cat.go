package neuron

// catRates writes minf, mtau, hinf, htau of the T-type Ca current at v (mV).
func catRates(v float64, o []float64) {
	o[0] = 1 / (1 + guardedExp((-v-56)/6.2))
	o[1] = 0.204 + 0.333/(guardedExp((v+15.8)/18.2)+guardedExp((-v-131)/16.7))
	o[2] = 1 / (1 + guardedExp((v+80)/4))
	if v < -81 {
		o[3] = 0.333 * guardedExp((v+466)/66.6)
	} else {
		o[3] = 9.32 + 0.333*guardedExp((-v-21)/10.5)
	}
}

const catErev = 125.0 // mV, hard-coded reversal of cat

// catMech is the T-type Ca current cat, a non-specific current with reversal +125 mV.
type catMech struct {
	seg      []int32
	gbar     []float64
	m, h     []float64 // gating states (views into the cell's gate array)
	tab      *vtable
	gv       segV
	sInf, sX []float64 // scratch for x∞ and -dt/τ (views)
	am, ah   gateArgs
}

func (m *catMech) init(c *Cell) {
	for k, s := range m.seg {
		o, th := m.tab.index(c.vseg[s])
		m.m[k] = 0
		m.h[k] = m.tab.at(o, th, 2)
	}
}

func (m *catMech) current(c *Cell) {
	for k, s := range m.seg {
		v := c.vseg[s]
		mm := m.m[k]
		g := m.gbar[k] * mm * mm * m.h[k]
		c.iDen[s] += g * (v - catErev)
		c.gDen[s] += g
	}
}

func (m *catMech) gates(c *Cell) {
	v := m.gv.of(c)
	tableGates(v, m.m, m.sInf, m.sX, m.tab, 0, &m.am)
	tableGates(v, m.h, m.sInf, m.sX, m.tab, 2, &m.ah)
}
