package neuron

import "math"

// hh2 constants (hh2.mod): temp and tshift in °C, ena and ek in mV.
const (
	hh2Temp   = 6.3
	hh2TShift = 30.7
	ena       = 50.0
	ek        = -77.0
)

func vtrap(x, y float64) float64 {
	if math.Abs(x/y) < 1e-6 {
		return y * (1 - x/y/2)
	}
	return x / (guardedExp(x/y) - 1)
}

// hh2Rates writes minf, mtau, hinf, htau, ninf, ntau at v (mV) for temperature factor q10.
func hh2Rates(v, q10 float64, o []float64) {
	a := 0.1 * vtrap(-(v+40), 10)
	b := 4 * guardedExp(-(v+65)/18)
	s := a + b
	o[1] = 1 / (q10 * s)
	o[0] = a / s
	a = 0.07 * guardedExp(-(v+65)/20)
	b = 1 / (guardedExp(-(v+35)/10) + 1)
	s = a + b
	o[3] = 1 / (q10 * s)
	o[2] = a / s
	a = 0.01 * vtrap(-(v+55), 10)
	b = 0.125 * guardedExp(-(v+65)/80)
	s = a + b
	o[5] = 1 / (q10 * s)
	o[4] = a / s
}

// hh2Mech is hh2 on a set of segments: Na, K (ena 50, ek -77) and leak currents.
type hh2Mech struct {
	seg           []int32
	gnabar, gkbar []float64
	gl, el        []float64
	m, h, n       []float64 // gating states (views into the cell's gate array)
	tab           *vtable
	gv            segV      // the segments' voltages, contiguous
	sInf, sX      []float64 // scratch for x∞ and -dt/τ (views)
	am, ah, an    gateArgs  // the fused gate updates' arguments
}

func (h *hh2Mech) init(c *Cell) {
	for k, s := range h.seg {
		o, th := h.tab.index(c.vseg[s])
		h.m[k] = h.tab.at(o, th, 0)
		h.h[k] = h.tab.at(o, th, 2)
		h.n[k] = h.tab.at(o, th, 4)
	}
}

func (h *hh2Mech) current(c *Cell) {
	for k, s := range h.seg {
		v := c.vseg[s]
		m, n := h.m[k], h.n[k]
		gna := h.gnabar[k] * m * m * m * h.h[k]
		n2 := n * n
		gk := h.gkbar[k] * n2 * n2
		c.iDen[s] += gna*(v-ena) + gk*(v-ek) + h.gl[k]*(v-h.el[k])
		c.gDen[s] += gna + gk + h.gl[k]
	}
}

// gates advances every gate by its cnexp step at the new voltage.
func (h *hh2Mech) gates(c *Cell) {
	v := h.gv.of(c)
	tableGates(v, h.m, h.sInf, h.sX, h.tab, 0, &h.am)
	tableGates(v, h.h, h.sInf, h.sX, h.tab, 2, &h.ah)
	tableGates(v, h.n, h.sInf, h.sX, h.tab, 4, &h.an)
}
