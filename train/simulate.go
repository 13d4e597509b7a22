package train

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// Event is one synaptic activation of a cell: weight W (µS) onto input
// channel Channel (an index into the cell type's input channels, surrogate.Model.Inputs) taking effect at time T
// (ms, the presynaptic spike time plus the connection delay).
type Event struct {
	Channel int
	T, W    float64
}

// Simulate runs the biophysical cell ct (HNN's template, dt 0.025 ms, 37 °C)
// for bins·BinDt ms with the given events on its shared (section, receptor)
// synapses and returns the binned inputs, targets and spikes.
func Simulate(ct neuron.CellType, events []Event, bins int) (*surrogate.Sample, error) {
	return SimulateDt(ct, events, bins, neuron.DefaultConfig().Dt)
}

// SimulateDt is Simulate with the cell integrated at time step dt (ms), which
// must divide BinDt (0.025 … 0.5 ms). At dt = BinDt the somatic target is
// the bin-end voltage (there is no sub-bin peak to keep), as hnn-core's
// traces at dt 0.5 ms are.
func SimulateDt(ct neuron.CellType, events []Event, bins int, dt float64) (*surrogate.Sample, error) {
	if per := surrogate.BinDt / dt; !(dt > 0) || math.Abs(per-math.Round(per)) > 1e-9 {
		return nil, fmt.Errorf("train: dt %v ms must divide the %v ms bin", dt, surrogate.BinDt)
	}
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	if bins < 1 {
		return nil, fmt.Errorf("train: %d bins: need at least one", bins)
	}
	cfg := neuron.DefaultConfig()
	cfg.Dt = dt
	cell, err := neuron.NewType(ct, cfg)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	C, O := len(cio.channels), len(cio.outputs)
	ids := make([]neuron.SynapseID, C)
	for c, ch := range cio.channels {
		if ids[c], err = cell.Synapse(ch.Section, ch.Receptor); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	evs, x, err := binEvents(events, C, bins)
	if err != nil {
		return nil, err
	}
	s := &surrogate.Sample{Bins: bins, X: x, Y: make([]float32, bins*O)}
	tstop := float64(bins) * surrogate.BinDt
	for _, e := range evs {
		if err := cell.Deliver(ids[e.Channel], e.T, e.W); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	refs := make([]*float64, len(cio.sections))
	for i, sec := range cio.sections {
		if refs[i], err = cell.Ref(neuron.Probe{Section: sec, X: 0.5, Var: "v"}); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	per := int(math.Round(surrogate.BinDt / cfg.Dt))
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

// binEvents validates events for a cell with C input channels and returns
// those that take effect within bins bins, sorted by time (stably), and
// their binned input: x[k*C+c] the float32 sum, in that order, of the
// weights (µS) of the events on channel c with surrogate.BinOf(t) = k.
func binEvents(events []Event, C, bins int) ([]Event, []float32, error) {
	evs := append([]Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].T < evs[j].T })
	x := make([]float32, bins*C)
	kept := evs[:0]
	for _, e := range evs {
		if e.Channel < 0 || e.Channel >= C {
			return nil, nil, fmt.Errorf("train: event channel %d out of range [0, %d)", e.Channel, C)
		}
		if !(e.W >= 0) || math.IsInf(e.W, 0) || !(e.T >= 0) || math.IsInf(e.T, 0) {
			return nil, nil, fmt.Errorf("train: event (t %v ms, w %v µS) must have finite non-negative time and weight", e.T, e.W)
		}
		k := surrogate.BinOf(e.T)
		if k >= bins {
			continue
		}
		x[k*C+e.Channel] += float32(e.W)
		kept = append(kept, e)
	}
	return kept, x, nil
}
