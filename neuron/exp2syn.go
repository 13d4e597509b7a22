package neuron

import "math"

// exp2synFactor returns NEURON's Exp2Syn normalisation factor for rise tau1 and decay tau2
// (ms), after NEURON's clamping of tau1/tau2 to [1e-9, 0.9999]; the returned tau1 is the one
// actually used.
func exp2synFactor(tau1, tau2 float64) (factor, tau1Used float64) {
	if tau1/tau2 > 0.9999 {
		tau1 = 0.9999 * tau2
	}
	if tau1/tau2 < 1e-9 {
		tau1 = tau2 * 1e-9
	}
	tp := (tau1 * tau2) / (tau2 - tau1) * math.Log(tau2/tau1)
	factor = -math.Exp(-tp/tau1) + math.Exp(-tp/tau2)
	return 1 / factor, tau1
}

// synapses holds every Exp2Syn of a cell in struct-of-arrays form.
type synapses struct {
	node           []int32
	a, b           []float64 // states A, B (µS)
	decayA, decayB []float64 // exp(-dt/tau1), exp(-dt/tau2)
	factor         []float64
	e              []float64 // reversal (mV)
	active         []bool    // false while A = B = 0 exactly (no effect, skipped)
	receptor       []Receptor
	section        []int32
}

func (s *synapses) add(node int32, sec int32, d SynapseDesc, dt float64) int {
	f, tau1 := exp2synFactor(d.Tau1, d.Tau2)
	s.node = append(s.node, node)
	s.section = append(s.section, sec)
	s.receptor = append(s.receptor, d.Receptor)
	s.a = append(s.a, 0)
	s.b = append(s.b, 0)
	s.decayA = append(s.decayA, math.Exp(-dt/tau1))
	s.decayB = append(s.decayB, math.Exp(-dt/d.Tau2))
	s.factor = append(s.factor, f)
	s.e = append(s.e, d.E)
	s.active = append(s.active, false)
	return len(s.node) - 1
}

// receive applies an event of weight w (µS) to synapse k.
func (s *synapses) receive(k int, w float64) {
	s.a[k] += w * s.factor[k]
	s.b[k] += w * s.factor[k]
	s.active[k] = true
}

func (s *synapses) reset() {
	for k := range s.a {
		s.a[k], s.b[k], s.active[k] = 0, 0, false
	}
}
