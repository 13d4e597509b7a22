package neuron

// arRates writes minf, mtau of the anomalous rectifier at v (mV).
func arRates(v float64, o []float64) {
	o[0] = 1 / (1 + guardedExp((v+75)/5.5))
	o[1] = 1 / (guardedExp(-14.6-0.086*v) + guardedExp(-1.87+0.07*v))
}

const arErev = -35.0 // mV

// arMech is the h-like anomalous rectifier ar, a non-specific current with reversal -35 mV.
type arMech struct {
	seg  []int32
	gbar []float64
	m    []float64 // gating state (view into the cell's gate array)
	tab  *vtable
	gv   segV
	sInf []float64 // scratch for x∞ (view)
	sX   []float64 // scratch for -dt/τ (view)
	am   gateArgs
}

func (m *arMech) init(c *Cell) {
	for k := range m.seg {
		m.m[k] = 0.25
	}
}

func (m *arMech) current(c *Cell) {
	for k, s := range m.seg {
		v := c.vseg[s]
		g := m.gbar[k] * m.m[k]
		c.iDen[s] += g * (v - arErev)
		c.gDen[s] += g
	}
}

func (m *arMech) gates(c *Cell) {
	tableGates(m.gv.of(c), m.m, m.sInf, m.sX, m.tab, 0, &m.am)
}
