package network

import (
	"math"
	"slices"

	"github.com/neurograd/neurograd/neuron"
)

// cellEventTimes generates the event times (ms) of one drive cell exactly as
// hnn-core's _drive_cell_event_times: prng = RandomState(seed + offset),
// prng2 = RandomState(seed), with seed = event_seed + trial·nGIDs; the
// result keeps 0 < t ≤ tstop and is sorted. target is the cell type a
// cell-specific drive cell projects to (for per-type Poisson rates).
func (d *Drive) cellEventTimes(offset int, target neuron.CellType, trial, nGIDs int, tstop float64) []float64 {
	var times []float64
	if d.Type == DriveSpikeTrain {
		times = slices.Clone(d.SpikeTimes[offset])
	} else {
		seed := uint32(d.EventSeed + int64(trial)*int64(nGIDs))
		prng := NewRandomState(seed + uint32(offset))
		switch d.Type {
		case DriveEvoked:
			times = make([]float64, d.NumSpikes)
			for i := range times {
				times[i] = prng.Normal(d.Mu, d.Sigma)
			}
		case DrivePoisson:
			rate := d.Rate
			if d.RateConstant != nil {
				rate = d.RateConstant[target]
			}
			times = poissonTimes(prng, d.TStart, d.windowEnd(tstop), rate)
		case DriveBursty:
			times = d.burstyTimes(prng, NewRandomState(seed), d.windowEnd(tstop))
		}
	}
	out := times[:0]
	for _, t := range times {
		if t > 0 && t <= tstop {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// windowEnd returns the drive's own tstop, or the simulation's when unset.
func (d *Drive) windowEnd(simTStop float64) float64 {
	if d.TStop > 0 {
		return d.TStop
	}
	return simTStop
}

// poissonTimes is hnn-core's _create_extpois: exponential inter-event
// intervals of mean 1000/rate ms from t0, kept while below T.
func poissonTimes(prng *RandomState, t0, T, rate float64) []float64 {
	var out []float64
	t := t0
	for t < T {
		t += prng.Exponential(1/rate) * 1000
		if t < T {
			out = append(out, t)
		}
	}
	return out
}

// burstyTimes is hnn-core's _create_bursty_input: burst centres every
// 1000/burst_rate ms from a (optionally jittered) start, each jittered by
// burst_std, expanded to numspikes spikes spike_isi apart.
func (d *Drive) burstyTimes(prng, prng2 *RandomState, tstop float64) []float64 {
	t0 := d.TStart
	if d.TStartStd > 0 {
		t0 = prng2.Normal(t0, d.TStartStd)
	}
	centres := arange(t0, tstop, 1000/d.BurstRate)
	for i, c := range centres {
		centres[i] = prng.Normal(c, d.BurstStd)
	}
	if d.NumSpikes <= 1 {
		return centres
	}
	out := make([]float64, 0, len(centres)*d.NumSpikes)
	half := float64(d.NumSpikes-1) / 2
	for j := range d.NumSpikes {
		off := d.SpikeISI * (float64(j) - half)
		for _, c := range centres {
			out = append(out, c+off)
		}
	}
	return out
}

// arange reproduces numpy.arange(start, stop, step) for float64: length
// ceil((stop − start)/step), values start, start + step, then
// start + i·delta with delta = (start + step) − start (numpy's fill rule).
func arange(start, stop, step float64) []float64 {
	n := math.Ceil((stop - start) / step)
	if !(n > 0) {
		return nil
	}
	out := make([]float64, int(n))
	out[0] = start
	if len(out) > 1 {
		out[1] = start + step
		delta := out[1] - start
		for i := 2; i < len(out); i++ {
			out[i] = start + float64(i)*delta
		}
	}
	return out
}
