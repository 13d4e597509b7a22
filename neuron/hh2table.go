package neuron

// HH2ENa and HH2EK are hh2's sodium and potassium reversal potentials (mV).
const (
	HH2ENa = ena
	HH2EK  = ek
)

// HH2Table is hh2's rate table at one temperature, exactly as the simulator
// uses it: minf, mtau, hinf, htau, ninf, ntau (τ in ms) tabulated on 201
// points from -100 to 100 mV and linearly interpolated with clamped ends
// (NEURON's TABLE). It is shared and read-only, safe for concurrent use. It
// exists for code that re-implements a single-compartment hh2 cell and must
// agree with Cell to rounding (package neuron/surrogate's exact basket).
type HH2Table struct{ t *vtable }

// NewHH2Table returns the hh2 rate table at celsius °C.
func NewHH2Table(celsius float64) HH2Table { return HH2Table{tablesFor(celsius).hh2} }

// Lookup writes the six tabulated quantities at v (mV) into q and their
// derivatives with respect to v (the slope of the interpolation segment
// holding v; 0 on the clamped ends) into dq.
func (h HH2Table) Lookup(v float64, q, dq *[6]float64) {
	t := h.t
	o, th := t.index(v)
	lo, hi := t.data[o:o+6:o+6], t.data[o+6:o+12:o+12]
	clamped := o == 0 && th == 0 || o == t.n*t.cols
	for c := range 6 {
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

// Values writes the six tabulated quantities at v (mV) into q (Lookup without
// the derivatives).
func (h HH2Table) Values(v float64, q *[6]float64) {
	t := h.t
	o, th := t.index(v)
	lo, hi := t.data[o:o+6:o+6], t.data[o+6:o+12:o+12]
	q[0] = lo[0] + th*(hi[0]-lo[0])
	q[1] = lo[1] + th*(hi[1]-lo[1])
	q[2] = lo[2] + th*(hi[2]-lo[2])
	q[3] = lo[3] + th*(hi[3]-lo[3])
	q[4] = lo[4] + th*(hi[4]-lo[4])
	q[5] = lo[5] + th*(hi[5]-lo[5])
}

// OneMinusExp replaces every x[i] by 1 - e^x[i] bit for bit as the simulator's
// cnexp gate update computes it (the argument clamped to [-40, 700], AVX2 on
// groups of four where available).
func OneMinusExp(x []float64) { oneMinusExpInPlace(x) }
