package neuron

// caRates writes minf, mtau, hinf, htau of the HVA Ca current at v (mV).
func caRates(v, tadj float64, o []float64) {
	a := 0.055 * (-27 - v) / (guardedExp((-27-v)/3.8) - 1)
	b := 0.94 * guardedExp((-75-v)/17)
	o[1] = 1 / tadj / (a + b)
	o[0] = a / (a + b)
	a = 0.000457 * guardedExp((-13-v)/50)
	b = 0.0065 / (guardedExp((-v-15)/28) + 1)
	o[3] = 1 / tadj / (a + b)
	o[2] = a / (a + b)
}

// caMech is the high-voltage-activated Ca current ca; its current is ica (feeds cad).
type caMech struct {
	seg      []int32
	gbar     []float64 // tadj*gbar*1e-4, S/cm²
	m, h     []float64 // gating states (views into the cell's gate array)
	tab      *vtable
	gv       segV
	sInf, sX []float64 // scratch for x∞ and -dt/τ (views)
	am, ah   gateArgs
}

func (m *caMech) init(c *Cell) {
	for k, s := range m.seg {
		o, th := m.tab.index(c.vseg[s])
		m.m[k] = m.tab.at(o, th, 0)
		m.h[k] = m.tab.at(o, th, 2)
	}
}

func (m *caMech) current(c *Cell) {
	for k, s := range m.seg {
		v := c.vseg[s]
		mm := m.m[k]
		g := m.gbar[k] * mm * mm * m.h[k]
		i := g * (v - c.eca[s])
		c.ica[s] += i
		c.iDen[s] += i
		c.gDen[s] += g
	}
}

func (m *caMech) gates(c *Cell) {
	v := m.gv.of(c)
	tableGates(v, m.m, m.sInf, m.sX, m.tab, 0, &m.am)
	tableGates(v, m.h, m.sInf, m.sX, m.tab, 2, &m.ah)
}
