package surrogate

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurograd/neurograd/neuron"
)

// Event is one synaptic activation of a cell: weight W (µS) onto input
// channel Channel (an index into the model's Inputs) taking effect at time T
// (ms, the presynaptic spike time plus the connection delay).
type Event struct {
	Channel int
	T, W    float64
}

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

// BinOfDt is BinOf for bins of binDt ms (a multiple of NEURON's 0.025 ms step):
// the bin holding the integration step before which NEURON applies an event
// with delivery time t (ms). Events before 0 fall in bin 0.
func BinOfDt(t, binDt float64) int {
	const dt = 0.025
	m := math.Ceil(t/dt - 0.5 - 1e-9)
	if m < 0 {
		m = 0
	}
	return int(math.Floor(m*dt/binDt + 1e-9))
}

// Simulate runs the biophysical cell ct (HNN's template, dt 0.025 ms, 37 °C)
// for bins·BinDt ms with the given events on its shared (section, receptor)
// synapses and returns the binned inputs, targets and spikes.
func Simulate(ct neuron.CellType, events []Event, bins int) (*Sample, error) {
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	if bins < 1 {
		return nil, fmt.Errorf("surrogate: %d bins: need at least one", bins)
	}
	cfg := neuron.DefaultConfig()
	cell, err := neuron.NewType(ct, cfg)
	if err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	C, O := len(cio.channels), len(cio.outputs)
	ids := make([]neuron.SynapseID, C)
	for c, ch := range cio.channels {
		if ids[c], err = cell.Synapse(ch.Section, ch.Receptor); err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
	}
	s := &Sample{Bins: bins, X: make([]float32, bins*C), Y: make([]float32, bins*O)}
	tstop := float64(bins) * BinDt
	evs := append([]Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].T < evs[j].T })
	for _, e := range evs {
		if e.Channel < 0 || e.Channel >= C {
			return nil, fmt.Errorf("surrogate: event channel %d out of range [0, %d)", e.Channel, C)
		}
		if !(e.W >= 0) || math.IsInf(e.W, 0) || !(e.T >= 0) || math.IsInf(e.T, 0) {
			return nil, fmt.Errorf("surrogate: event (t %v ms, w %v µS) must have finite non-negative time and weight", e.T, e.W)
		}
		k := BinOf(e.T)
		if k >= bins {
			continue
		}
		if err := cell.Deliver(ids[e.Channel], e.T, e.W); err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
		s.X[k*C+e.Channel] += float32(e.W)
	}
	refs := make([]*float64, len(cio.sections))
	for i, sec := range cio.sections {
		if refs[i], err = cell.Ref(neuron.Probe{Section: sec, X: 0.5, Var: "v"}); err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
	}
	per := int(math.Round(BinDt / cfg.Dt))
	for k := 0; k < bins; k++ {
		peak := math.Inf(-1)
		for m := 0; m < per; m++ {
			cell.Step()
			if v := *refs[0]; v > peak {
				peak = v
			}
		}
		y := s.Y[k*O : (k+1)*O]
		for i, r := range refs {
			y[i] = float32(*r)
		}
		if peak > 0 {
			y[0] = float32(peak)
		}
		if cio.dipole {
			y[O-1] = float32(cell.DipoleNAm())
		}
	}
	for _, t := range cell.Spikes() {
		if t <= tstop {
			s.Spikes = append(s.Spikes, t)
		}
	}
	return s, nil
}
