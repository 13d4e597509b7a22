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

// gates uses the cai just updated by cad, as in NEURON: x∞ and -dt/τ, then the batched
// 1 - e^(-dt/τ), then the cnexp update.
func (m *kcaMech) gates(c *Cell) {
	mdt := -c.dt
	inf, x := m.nInf[:len(m.seg)], m.nX[:len(m.seg)]
	for k, s := range m.seg {
		a := kcaRa * c.cai[s]
		tau := 1 / m.tadj / (a + kcaRb)
		inf[k], x[k] = a/(a+kcaRb), mdt/tau
	}
	oneMinusExpInPlace(x)
	n := m.n[:len(x)]
	for k := range n {
		n[k] += x[k] * (inf[k] - n[k])
	}
}
