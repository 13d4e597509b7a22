package surrogate

import "math"

// Sample is one biophysical simulation binned at BinDt: X[k*C+c] is the
// summed weight (µS) of the events on channel c taking effect in bin k
// (time [k·BinDt, (k+1)·BinDt)), Y[k*O+o] output o at the end of bin k
// (mV; nAm for the dipole), Spikes the cell's somatic spike times (ms, NEURON's
// detector at 0 mV on the 0.025 ms grid).
//
// The somatic voltage target is peak-preserving: in a bin where the soma
// potential exceeds 0 mV at any of the 0.025 ms steps, the target is the bin's
// maximum rather than the end value, so every biophysical spike appears in
// the 0.5 ms trace as an excursion above 0 mV.
type Sample struct {
	Bins   int
	X, Y   []float32
	Spikes []float64
}

// BinOf returns the bin whose Step first sees an event with delivery time t
// (ms): the bin holding the 0.025 ms integration step before which NEURON
// applies the event (the grid point t_m nearest to t, t_m + dt/2 >= t).
func BinOf(t float64) int { return BinOfDt(t, BinDt) }

// SubstepOf returns the bin and the substep (0 ≤ j < ExactSubsteps) of
// the 0.025 ms integration step before which NEURON applies an event with
// delivery time t (ms): the first grid point t_m with t_m + dt/2 ≥ t, bin
// m / ExactSubsteps (BinOf(t)), substep m mod ExactSubsteps. Events before 0
// fall in substep 0 of bin 0. It places the input of
// ExactBasket.StepSubsteps.
func SubstepOf(t float64) (bin, j int) {
	m := int(stepOf(t))
	return m / ExactSubsteps, m % ExactSubsteps
}

// stepOf returns the index m of the 0.025 ms step before which NEURON
// applies an event with delivery time t (ms), at least 0.
func stepOf(t float64) float64 {
	const dt = 0.025
	m := math.Ceil(t/dt - 0.5 - 1e-9)
	if m < 0 {
		m = 0
	}
	return m
}

// BinOfDt is BinOf for bins of binDt ms (a multiple of NEURON's 0.025 ms step):
// the bin holding the integration step before which NEURON applies an event
// with delivery time t (ms). Events before 0 fall in bin 0.
func BinOfDt(t, binDt float64) int {
	const dt = 0.025
	return int(math.Floor(stepOf(t)*dt/binDt + 1e-9))
}
