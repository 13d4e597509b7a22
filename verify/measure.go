package verify

import (
	"fmt"
	"math"
	"time"

	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/neuron"
)

// cellRates counts the spikes of each cell type of col at times in
// [from, to) ms and converts them to rates (spikes per cell per second).
func cellRates(col *network.Column, spikes []network.Spike, from, to float64) (map[string]float64, map[string]int) {
	var counts [neuron.NumCellTypes]int
	for _, s := range spikes {
		if s.GID < 0 || s.GID >= col.NumCells() || s.Time < from || s.Time >= to {
			continue
		}
		counts[col.Cells[s.GID].Type]++
	}
	rates := make(map[string]float64, neuron.NumCellTypes)
	n := make(map[string]int, neuron.NumCellTypes)
	sec := (to - from) * 1e-3
	for _, ct := range neuron.CellTypes {
		n[ct.String()] = counts[ct]
		if c := col.Count(ct); c > 0 && sec > 0 {
			rates[ct.String()] = float64(counts[ct]) / (float64(c) * sec)
		} else {
			rates[ct.String()] = 0
		}
	}
	return rates, n
}

// peakFrequencies returns the frequency of the largest PSD bin above DC and
// of the largest bin inside [lo, hi] Hz.
func peakFrequencies(freqs, psd []float64, lo, hi float64) (peak, bandPeak float64) {
	best, bestBand := -1.0, -1.0
	for i, f := range freqs {
		if f <= 0 {
			continue
		}
		if psd[i] > best {
			best, peak = psd[i], f
		}
		if f >= lo && f <= hi && psd[i] > bestBand {
			bestBand, bandPeak = psd[i], f
		}
	}
	return peak, bandPeak
}

// checkFinite reports the first NaN or Inf in x.
func checkFinite(what string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: sample %d is %v", what, i, v)
		}
	}
	return nil
}

// matchSpikes scores predicted against reference spikes per cell type,
// counting spikes in [from, to) ms: each predicted spike matches at most one
// unmatched reference spike of the same cell within tol ms
// (stats.MatchSpikes: greedy in time).
func matchSpikes(col *network.Column, ref, pred []network.Spike, from, to, tol float64) map[string]SpikeMatch {
	byCell := func(sp []network.Spike) map[int][]float64 {
		m := map[int][]float64{}
		for _, s := range sp {
			if s.GID < col.NumCells() && s.Time >= from && s.Time < to {
				m[s.GID] = append(m[s.GID], s.Time)
			}
		}
		return m
	}
	r, p := byCell(ref), byCell(pred)
	var acc [neuron.NumCellTypes]stats.Match
	for g := range col.NumCells() {
		ct := col.Cells[g].Type
		acc[ct] = acc[ct].Add(stats.MatchSpikes(p[g], r[g], tol))
	}
	out := make(map[string]SpikeMatch, neuron.NumCellTypes)
	for _, ct := range neuron.CellTypes {
		a := acc[ct]
		out[ct.String()] = SpikeMatch{Reference: a.Reference, Predicted: a.Predicted, Matched: a.Matched,
			Precision: a.Precision(), Recall: a.Recall(), Tolerance: tol}
	}
	return out
}

// measureBiophysical simulates net biophysically on one noise trial and
// measures the run.
func measureBiophysical(net *network.Network, trial int, tstop, dt float64, workers int, spec *verifySpectrum) (*Measurement, *biophys.SimResult, error) {
	t0 := time.Now()
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: tstop, Dt: dt, Trial: trial, Workers: workers})
	if err != nil {
		return nil, nil, err
	}
	wall := time.Since(t0).Seconds()
	dip, err := resampleRawDipole(res, spec.rec.StepMS)
	if err != nil {
		return nil, nil, err
	}
	m, err := measure(net.Column, dip, res.Spikes, tstop, spec)
	if err != nil {
		return nil, nil, err
	}
	m.WallSeconds = wall
	return m, res, nil
}

// measureOpenLoop drives the surrogate cells with a biophysical run's
// spikes and measures their prediction.
func measureOpenLoop(net *network.Network, run OpenLoopRunner, spikes []network.Spike, tstop float64, spec *verifySpectrum) (*Measurement, error) {
	t0 := time.Now()
	dip, sp, err := run.RunOpenLoop(net, tstop, spikes)
	if err != nil {
		return nil, err
	}
	wall := time.Since(t0).Seconds()
	m, err := measure(net.Column, dip, sp, tstop, spec)
	if err != nil {
		return nil, fmt.Errorf("open loop: %w", err)
	}
	m.WallSeconds = wall
	return m, nil
}

// measureSurrogate runs the surrogate network on net for every trial as
// one batch and measures each replica.
func measureSurrogate(net *network.Network, run SurrogateRunner, tstop float64, trials []int, spec *verifySpectrum) ([]*Measurement, error) {
	t0 := time.Now()
	dips, spikes, err := run.RunSurrogate(net, tstop, trials)
	if err != nil {
		return nil, err
	}
	if len(dips) != len(trials) || len(spikes) != len(trials) {
		return nil, fmt.Errorf("surrogate runner returned %d dipoles and %d spike lists for %d trials", len(dips), len(spikes), len(trials))
	}
	wall := time.Since(t0).Seconds() / float64(len(trials))
	out := make([]*Measurement, len(trials))
	for i := range trials {
		if out[i], err = measure(net.Column, dips[i], spikes[i], tstop, spec); err != nil {
			return nil, fmt.Errorf("seed %d: %w", trials[i], err)
		}
		out[i].WallSeconds = wall
	}
	return out, nil
}

// resampleRawDipole converts a biophysical run's raw dipoles (fAm at dt)
// to the surrogate's units and grid: nAm, one sample every step ms, sample
// k at time (k+1)·step, taken from the biophysical sample at that time (as
// the surrogates' training targets are, train.Simulate).
func resampleRawDipole(res *biophys.SimResult, step float64) (network.Dipole, error) {
	ratio := step / res.Dt
	r := int(math.Round(ratio))
	if r < 1 || math.Abs(ratio-float64(r)) > 1e-9*ratio {
		return network.Dipole{}, fmt.Errorf("surrogate step %v ms is not a multiple of the biophysical step %v ms", step, res.Dt)
	}
	n := (len(res.Times) - 1) / r
	d := network.Dipole{Times: make([]float64, n), Agg: make([]float64, n), L2: make([]float64, n), L5: make([]float64, n)}
	for k := range n {
		i := (k + 1) * r
		d.Times[k] = float64(k+1) * step
		d.L2[k] = res.L2[i] * network.FAmToNAm
		d.L5[k] = res.L5[i] * network.FAmToNAm
		d.Agg[k] = d.L2[k] + d.L5[k]
	}
	return d, nil
}

// measure turns a dipole (nAm on the surrogate grid) and spikes into a
// Measurement.
func measure(col *network.Column, dip network.Dipole, spikes []network.Spike, tstop float64, spec *verifySpectrum) (*Measurement, error) {
	for _, s := range []struct {
		name string
		x    []float64
	}{{"aggregate", dip.Agg}, {"L2", dip.L2}, {"L5", dip.L5}} {
		if err := checkFinite(s.name+" dipole", s.x); err != nil {
			return nil, err
		}
	}
	freqs, psd, bp, err := spec.bandPower(dip)
	if err != nil {
		return nil, err
	}
	if !(bp > 0) || math.IsInf(bp, 0) {
		return nil, fmt.Errorf("band power %v nAm² is not positive and finite (a flat dipole: is the network silent?)", bp)
	}
	m := &Measurement{BandPower: bp, LogBandPower: math.Log(bp), Freqs: freqs, PSD: psd,
		Times: dip.Times, Dipole: dip.Agg, L2: dip.L2, L5: dip.L5}
	m.PeakHz, m.BandPeakHz = peakFrequencies(freqs, psd, spec.rec.LoHz, spec.rec.HiHz)
	for _, s := range spikes {
		if s.GID < col.NumCells() {
			m.CellSpikes = append(m.CellSpikes, s)
		}
	}
	m.RatesHz, m.Spikes = cellRates(col, m.CellSpikes, spec.rec.WarmupMS, tstop)
	return m, nil
}

// formatRates prints rates per cell type in gid order.
func formatRates(r map[string]float64) string {
	s := ""
	for i, ct := range neuron.CellTypes {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s=%.2f", ct.ShortName(), r[ct.String()])
	}
	return s + " Hz"
}
