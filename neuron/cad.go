package neuron

import "math"

// Calcium constants: NEURON 8 legacy units (R, F for Nernst), cad's FARADAY, cao (mM).
const (
	gasConstR     = 8.3134
	faradayNernst = 96485.309
	faradayCad    = 96485.3
	cao           = 2.0
	caiDefault    = 5e-5 // NEURON's cai0_ca_ion, used where no cad sets cai
)

// ktf returns NEURON's 1000*R*T/F in mV at celsius (°C).
func ktf(celsius float64) float64 {
	return 1000 * gasConstR * (celsius + 273.15) / faradayNernst
}

// cadMech is the intracellular Ca pool cad: first-order decay to cainf with inward-only
// influx from ica; writes cai.
type cadMech struct {
	seg   []int32
	scale []float64 // -10000/(2 F depth)
	cainf []float64
	decay []float64 // 1 - exp(-dt/taur)
	taur  []float64
	ca    []float64
}

func (m *cadMech) init(c *Cell) {
	for k, s := range m.seg {
		m.ca[k] = m.cainf[k]
		c.cai[s] = m.ca[k]
	}
}

func (m *cadMech) state(c *Cell) {
	for k, s := range m.seg {
		drive := m.scale[k] * c.ica[s]
		if drive <= 0 {
			drive = 0
		}
		m.ca[k] += m.decay[k] * (drive*m.taur[k] + m.cainf[k] - m.ca[k])
		c.cai[s] = m.ca[k]
	}
}

func newCadDecay(dt, taur float64) float64 { return 1 - math.Exp(-dt/taur) }
