package network

import (
	"fmt"
	"math"
)

// cellRates counts the spikes of each cell type of col at times in
// [from, to) ms and converts them to rates (spikes per cell per second).
func cellRates(col *Column, spikes []Spike, from, to float64) (map[string]float64, map[string]int) {
	var counts [NumCellTypes]int
	for _, s := range spikes {
		if s.GID < 0 || s.GID >= col.NumCells() || s.Time < from || s.Time >= to {
			continue
		}
		counts[col.Cells[s.GID].Type]++
	}
	rates := make(map[string]float64, NumCellTypes)
	n := make(map[string]int, NumCellTypes)
	sec := (to - from) * 1e-3
	for _, ct := range CellTypes {
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
