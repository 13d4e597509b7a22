package network

import (
	"fmt"

	"github.com/neurograd/neurograd/spectral"
)

// FAmToNAm converts fAm (the NEURON dipole mechanism's unit) to nAm (the
// unit hnn-core returns).
const FAmToNAm = 1e-6

// Dipole holds an aggregate dipole and its L2 and L5 parts on a time grid.
type Dipole struct {
	Times       []float64 // ms
	Agg, L2, L5 []float64 // same unit for all three
}

// RenormaliseHNN applies the baseline correction hnn-core always applies
// before returning a dipole (spec 11.3) to raw dipoles in fAm, with nPyr
// pyramidal cells per layer, and converts the result to nAm:
// L2 − nPyr·0.0443; L5 − nPyr·(−49.0502) for t ≤ 37 ms, − nPyr·(3.4770508e-3·t
// − 51.231085) for 37 < t < 750, − nPyr·(1.01e-4·t − 48.412078) for t ≥ 750;
// agg = L2 + L5; all × 1e-6.
func RenormaliseHNN(raw Dipole, nPyr int) Dipole {
	n := len(raw.Times)
	out := Dipole{
		Times: append([]float64(nil), raw.Times...),
		Agg:   make([]float64, n), L2: make([]float64, n), L5: make([]float64, n),
	}
	N := float64(nPyr)
	for k, t := range raw.Times {
		l2 := raw.L2[k] - N*0.0443
		var base float64
		switch {
		case t <= 37:
			base = -49.0502
		case t < 750:
			base = 3.4770508e-3*t - 51.231085
		default:
			base = 1.01e-4*t - 48.412078
		}
		l5 := raw.L5[k] - N*base
		out.L2[k] = l2 * FAmToNAm
		out.L5[k] = l5 * FAmToNAm
		out.Agg[k] = (l2 + l5) * FAmToNAm
	}
	return out
}

// Scale multiplies all three series by factor in place (hnn-core's
// Dipole.scale; the factor stands for the number of real neurons per model
// cell, e.g. 3000) and returns d.
func (d Dipole) Scale(factor float64) Dipole {
	for _, s := range [][]float64{d.Agg, d.L2, d.L5} {
		for i := range s {
			s[i] *= factor
		}
	}
	return d
}

// Smooth convolves all three series in place with hnn-core's normalised
// Hamming window of windowLen ms (Dipole.smooth; spec 11.4;
// spectral.Smoother) and returns d. windowLen 0 leaves the data unchanged;
// windows in (0, 1) ms, or longer than the record, are errors.
func (d Dipole) Smooth(windowLen float64) (Dipole, error) {
	if windowLen == 0 {
		return d, nil
	}
	if len(d.Times) < 2 {
		return d, fmt.Errorf("network: smoothing needs at least two samples")
	}
	sm, err := spectral.NewSmoother(len(d.Times), windowLen, 1000/(d.Times[1]-d.Times[0]))
	if err != nil {
		return d, fmt.Errorf("network: %w", err)
	}
	tmp := make([]float64, len(d.Times))
	for _, s := range [][]float64{d.Agg, d.L2, d.L5} {
		if _, err := sm.Apply(tmp, s); err != nil {
			return d, err
		}
		copy(s, tmp)
	}
	return d, nil
}
