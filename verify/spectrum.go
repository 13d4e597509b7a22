package verify

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/optimize"
)

// Spectrum records the spectral analysis of a verification, resolved
// from the optimizer's ObjectiveConfig by NewObjective: the dipole series,
// the sample spacing (the surrogate network's step), the warm-up excluded,
// the band and the Welch segment.
type Spectrum struct {
	Signal     string  `json:"signal"`     // "agg", "L2" or "L5"
	StepMS     float64 `json:"step_ms"`    // sample spacing of the dipole (ms)
	WarmupMS   float64 `json:"warmup_ms"`  // simulated but excluded (ms)
	LoHz       float64 `json:"lo_hz"`      // band (Hz)
	HiHz       float64 `json:"hi_hz"`      //
	NPerSeg    int     `json:"nperseg"`    // Welch segment length (samples)
	Resolution float64 `json:"resolution"` // Welch bin spacing (Hz)
	Samples    int     `json:"samples"`    // samples analysed per run
}

// verifySpectrum is the optimizer's objective, used to measure float64
// dipoles of either model with exactly the optimizer's Welch plan and band.
type verifySpectrum struct {
	obj *optimize.Spectral[float64]
	rec Spectrum
}

func newVerifySpectrum(cfg optimize.ObjectiveConfig, tstop, step float64) (*verifySpectrum, error) {
	steps := int(tstop/step + 0.5)
	obj, err := optimize.NewSpectral[float64](cfg, steps, step)
	if err != nil {
		return nil, err
	}
	p := obj.Plan.Params()
	return &verifySpectrum{obj: obj, rec: Spectrum{
		Signal: obj.Config.Signal.String(), StepMS: step, WarmupMS: float64(obj.Skip) * step,
		LoHz: obj.Config.Lo, HiHz: obj.Config.Hi, NPerSeg: p.NPerSeg, Resolution: p.Resolution(), Samples: obj.Samples,
	}}, nil
}

// series returns the objective's dipole series of d.
func (vs *verifySpectrum) series(d network.Dipole) []float64 {
	switch vs.obj.Config.Signal {
	case optimize.DipoleL2:
		return d.L2
	case optimize.DipoleL5:
		return d.L5
	}
	return d.Agg
}

// bandPower returns the Welch PSD of the objective's series of d after the
// warm-up and its band power.
func (vs *verifySpectrum) bandPower(d network.Dipole) (freqs, psd []float64, bp float64, err error) {
	o := vs.obj
	x := vs.series(d)
	if len(x) != o.Skip+o.Samples {
		return nil, nil, 0, fmt.Errorf("dipole of %d samples, want %d", len(x), o.Skip+o.Samples)
	}
	psd, err = o.Plan.PSD(nil, x[o.Skip:])
	if err != nil {
		return nil, nil, 0, err
	}
	p, err := o.Band.Power(nil, psd)
	if err != nil {
		return nil, nil, 0, err
	}
	return o.Plan.Freqs(nil), psd, p[0], nil
}

// analysed returns the part of a measurement's objective series that the
// spectrum analyses (after the warm-up).
func (vs *verifySpectrum) analysed(m *Measurement) []float64 {
	x := vs.series(network.Dipole{Agg: m.Dipole, L2: m.L2, L5: m.L5})
	return x[vs.obj.Skip:]
}

// dipoleR returns the Pearson correlation of two measurements' analysed
// series (SeedResult.SurrogateDipoleR, OpenLoopDipoleR), its means summed as
// Σ x_i/n (stats.DivideEach), as verification reports always have been.
func (vs *verifySpectrum) dipoleR(ref, pred *Measurement) float64 {
	return stats.PearsonMean(vs.analysed(ref), vs.analysed(pred), stats.DivideEach)
}
