package network

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/spectral"
)

// VerifySpectrum holds the spectral measurement of a verification: the
// surrogate network's step, the warm-up excluded from the analysis, the
// band and the Welch segment length.
type VerifySpectrum struct {
	StepMS   float64 `json:"step_ms"`   // sample spacing of the dipole (ms)
	WarmupMS float64 `json:"warmup_ms"` // simulated but excluded (ms)
	LoHz     float64 `json:"lo_hz"`
	HiHz     float64 `json:"hi_hz"`
	NPerSeg  int     `json:"nperseg"` // Welch segment length (samples)
}

func (s VerifySpectrum) validate(tstop, dt float64) error {
	if !(s.StepMS > 0) || math.IsInf(s.StepMS, 0) {
		return fmt.Errorf("dipole step %v ms must be positive", s.StepMS)
	}
	if r := s.StepMS / dt; math.Abs(r-math.Round(r)) > 1e-9*r || math.Round(r) < 1 {
		return fmt.Errorf("dipole step %v ms is not a multiple of the biophysical step %v ms", s.StepMS, dt)
	}
	if !(s.WarmupMS >= 0) || s.WarmupMS >= tstop {
		return fmt.Errorf("warm-up %v ms must be in [0, tstop %v ms)", s.WarmupMS, tstop)
	}
	if !(s.LoHz >= 0) || !(s.HiHz > s.LoHz) {
		return fmt.Errorf("band [%v, %v] Hz is empty", s.LoHz, s.HiHz)
	}
	if s.NPerSeg < 2 {
		return fmt.Errorf("Welch segment of %d samples is too short", s.NPerSeg)
	}
	return nil
}

// bandPower returns the Welch PSD of x after the warm-up and its band power.
func (s VerifySpectrum) bandPower(x []float64) (freqs, psd []float64, bp float64, err error) {
	skip := int(math.Round(s.WarmupMS / s.StepMS))
	if skip >= len(x) {
		return nil, nil, 0, fmt.Errorf("warm-up of %d samples leaves nothing of %d", skip, len(x))
	}
	x = x[skip:]
	pl, err := spectral.NewWelch(len(x), 1000/s.StepMS, spectral.WelchOptions{NPerSeg: s.NPerSeg})
	if err != nil {
		return nil, nil, 0, err
	}
	psd, err = pl.PSD(nil, x)
	if err != nil {
		return nil, nil, 0, err
	}
	freqs = pl.Freqs(nil)
	band, err := pl.Band(s.LoHz, s.HiHz, spectral.Trapezoid)
	if err != nil {
		return nil, nil, 0, err
	}
	p, err := band.Power(nil, psd)
	if err != nil {
		return nil, nil, 0, err
	}
	return freqs, psd, p[0], nil
}
