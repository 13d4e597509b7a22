package verify

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/network"
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
