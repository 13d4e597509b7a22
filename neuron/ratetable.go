package neuron

import (
	"fmt"
	"math"
)

// RateTable is one of the simulator's voltage rate tables at one temperature, exactly as
// Cell uses it: Cols quantities, gate after gate x∞ then τ (ms), tabulated on a fixed grid
// and linearly interpolated with clamped ends (NEURON's TABLE). It is shared and
// read-only, safe for concurrent use. With HH2Table it exists for code that re-implements
// a cell's somatic mechanisms and must agree with Cell to rounding (package
// neuron/surrogate's hybrid soma).
type RateTable struct{ t *vtable }

// MechanismTable returns the rate table of mechanism mech at celsius °C: "hh2" (minf,
// mtau, hinf, htau, ninf, ntau), "km" (ninf, ntau), "ca" and "cat" (minf, mtau, hinf,
// htau), "ar" (minf, mtau). kca and cad have no table (kca's rates depend on cai).
func MechanismTable(mech string, celsius float64) (RateTable, error) {
	if math.IsNaN(celsius) || math.IsInf(celsius, 0) {
		return RateTable{}, fmt.Errorf("neuron: rate table at %v °C: want a finite temperature", celsius)
	}
	tb := tablesFor(celsius)
	switch mech {
	case "hh2":
		return RateTable{tb.hh2}, nil
	case "km":
		return RateTable{tb.km}, nil
	case "ca":
		return RateTable{tb.ca}, nil
	case "cat":
		return RateTable{tb.cat}, nil
	case "ar":
		return RateTable{tb.ar}, nil
	}
	return RateTable{}, fmt.Errorf("neuron: no rate table for mechanism %q (want hh2, km, ca, cat or ar)", mech)
}

// Cols returns the number of tabulated quantities.
func (r RateTable) Cols() int { return r.t.cols }

// Lookup writes the Cols quantities at v (mV) into q and their derivatives with respect to
// v (the slope of the interpolation segment holding v, per mV; 0 on the clamped ends) into
// dq; q and dq hold at least Cols values.
func (r RateTable) Lookup(v float64, q, dq []float64) {
	t := r.t
	o, th := t.index(v)
	n := t.cols
	lo, hi := t.data[o:o+n:o+n], t.data[o+n:o+2*n:o+2*n]
	clamped := o == 0 && th == 0 || o == t.n*t.cols
	q, dq = q[:n], dq[:n]
	for c := range n {
		a := lo[c]
		d := hi[c] - a
		q[c] = a + th*d
		if clamped {
			dq[c] = 0
		} else {
			dq[c] = d * t.mfac
		}
	}
}

// Values writes the Cols quantities at v (mV) into q (Lookup without the derivatives).
func (r RateTable) Values(v float64, q []float64) {
	t := r.t
	o, th := t.index(v)
	n := t.cols
	lo, hi := t.data[o:o+n:o+n], t.data[o+n:o+2*n:o+2*n]
	q = q[:n]
	for c := range n {
		a := lo[c]
		q[c] = a + th*(hi[c]-a)
	}
}

// Constants of the mechanisms that HNN's mod files hard-code: the reversal potentials of
// cat and ar (mV), kca's rate constants (ra in 1/(ms·mM), rb in 1/ms: α = ra·cai, β = rb),
// the extracellular calcium concentration (mM) and cad's Faraday constant (C/mol).
const (
	CatERev    = catErev
	ArERev     = arErev
	KcaRa      = kcaRa
	KcaRb      = kcaRb
	CaO        = cao
	CadFaraday = faradayCad
)

// TempAdjust returns the temperature factor tadj = 2.3^((celsius − 23 − 30.7)/10) that km,
// ca and kca apply to their conductances (and kca to its rates), as the simulator computes
// it at celsius °C.
func TempAdjust(celsius float64) float64 { return tablesFor(celsius).tadj }

// CaNernst is the simulator's calcium reversal potential at one temperature: eca =
// (RT/2F)·log(cao/cai) mV, computed with the same logarithm as Cell (1e6 mV where cai ≤ 0).
type CaNernst struct{ half float64 }

// NewCaNernst returns the calcium Nernst potential at celsius °C.
func NewCaNernst(celsius float64) CaNernst { return CaNernst{ktf(celsius) / 2} }

// E returns eca (mV) at the intracellular concentration cai (mM).
func (n CaNernst) E(cai float64) float64 {
	if cai <= 0 {
		return 1e6
	}
	return n.half * fastLog(cao/cai)
}

// Half returns RT/2F (mV): dE/dcai = −Half/cai (mV/mM).
func (n CaNernst) Half() float64 { return n.half }
