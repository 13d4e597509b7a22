package neuron

// kcaMech is the Ca-activated K current kca (gbar in pS/µm²); rates from cai, no table.
type kcaMech struct {
	seg  []int32
	gbar []float64 // tadj*gbar*1e-4
	tadj float64
	n    []float64 // gating state (view into the cell's gate array)
	nInf []float64
	nX   []float64
}

const kcaRa, kcaRb = 0.01, 0.02

func (m *kcaMech) init(c *Cell) {
	for k, s := range m.seg {
		a := kcaRa * c.cai[s]
		m.n[k] = a / (a + kcaRb)
	}
}

func (m *kcaMech) current(c *Cell) {
	for k, s := range m.seg {
		v := c.vseg[s]
		g := m.gbar[k] * m.n[k]
		c.iDen[s] += g * (v - ek)
		c.gDen[s] += g
	}
}

// rates uses the cai just updated by cad, as in NEURON.
func (m *kcaMech) rates(c *Cell) {
	mdt := -c.dt
	for k, s := range m.seg {
		a := kcaRa * c.cai[s]
		tau := 1 / m.tadj / (a + kcaRb)
		m.nInf[k], m.nX[k] = a/(a+kcaRb), mdt/tau
	}
}
