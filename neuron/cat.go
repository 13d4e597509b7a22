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
	seg        []int32
	gbar       []float64
	m, h       []float64 // gating states (views into the cell's gate array)
	mInf, hInf []float64
	mX, hX     []float64
	tab        *vtable
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

func (m *catMech) rates(c *Cell) {
	mdt := -c.dt
	t := m.tab
	for k, s := range m.seg {
		o, th := t.index(c.vseg[s])
		m.mInf[k], m.mX[k] = t.at(o, th, 0), mdt/t.at(o, th, 1)
		m.hInf[k], m.hX[k] = t.at(o, th, 2), mdt/t.at(o, th, 3)
	}
}
