package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/neurograd/neurograd/network"
)

// Model names used in verification reports.
const (
	ModelBiophysical = "biophysical"
	ModelSurrogate   = "surrogate"
	// ModelOpenLoop is the surrogate cells driven by the biophysical run's
	// spikes (OpenLoopRunner).
	ModelOpenLoop = "open_loop"
)

// Condition names used in verification reports.
const (
	ConditionInitial   = "initial"
	ConditionOptimized = "optimized"
)

// Measurement is what one model produced for one connectivity and one noise
// seed, measured after the warm-up: the 15-60 Hz (or the configured band)
// power of the aggregate dipole with the optimizer's Welch settings, the
// PSD's peak frequencies and the firing rate of every cell type.
type Measurement struct {
	// BandPower is the band power of the aggregate dipole (nAm²).
	BandPower float64 `json:"band_power_nAm2"`
	// LogBandPower is ln(BandPower), the quantity the optimizer maximises.
	LogBandPower float64 `json:"log_band_power"`
	// PeakHz is the frequency of the PSD's largest bin above DC (Hz).
	PeakHz float64 `json:"peak_hz"`
	// BandPeakHz is the frequency of the PSD's largest bin inside the band (Hz).
	BandPeakHz float64 `json:"band_peak_hz"`
	// RatesHz is the mean firing rate (spikes per cell per second) of each
	// cell type after the warm-up, keyed by hnn-core's cell type name.
	RatesHz map[string]float64 `json:"rates_hz"`
	// Spikes counts the spikes of each cell type after the warm-up.
	Spikes map[string]int `json:"spikes"`
	// WallSeconds is the time the simulation took.
	WallSeconds float64 `json:"wall_seconds"`

	// Freqs (Hz) and PSD (nAm²/Hz) are the aggregate dipole's Welch PSD.
	Freqs []float64 `json:"-"`
	PSD   []float64 `json:"-"`
	// Times (ms) and Dipole (nAm) are the aggregate dipole at the surrogate
	// network's step, warm-up included; L2 and L5 are its parts.
	Times  []float64 `json:"-"`
	Dipole []float64 `json:"-"`
	L2, L5 []float64 `json:"-"`
	// CellSpikes are the spikes of the column's cells (drive cells excluded),
	// warm-up included, sorted by time then gid.
	CellSpikes []network.Spike `json:"-"`
}

// SeedResult holds both models' measurements for one noise seed.
type SeedResult struct {
	// Seed is the noise trial: drive cell k is seeded with
	// event_seed + Seed·n_gids + k, as hnn-core seeds its trials.
	Seed        int          `json:"seed"`
	Biophysical *Measurement `json:"biophysical"`
	Surrogate   *Measurement `json:"surrogate,omitempty"`
	// OpenLoop is the surrogate cells driven by the biophysical run's own
	// spikes (see OpenLoopRunner), when requested.
	OpenLoop *Measurement `json:"open_loop,omitempty"`
	// SurrogateDipoleR and OpenLoopDipoleR are the Pearson correlations of
	// the surrogate network's and the open-loop surrogates' analysed dipole
	// with the biophysical one after the warm-up (same noise).
	SurrogateDipoleR *float64 `json:"surrogate_dipole_r,omitempty"`
	OpenLoopDipoleR  *float64 `json:"open_loop_dipole_r,omitempty"`
	// OpenLoopSpikes scores the open-loop surrogates' spikes against the
	// biophysical spikes of the same cells, per cell type.
	OpenLoopSpikes map[string]SpikeMatch `json:"open_loop_spikes,omitempty"`
}

// SpikeMatch scores predicted spikes against reference spikes of the same
// cells after the warm-up: a predicted spike matches an unmatched reference
// spike of its cell within Tolerance ms.
type SpikeMatch struct {
	Reference int     `json:"reference"`
	Predicted int     `json:"predicted"`
	Matched   int     `json:"matched"`
	Precision float64 `json:"precision"` // matched / predicted (1 when none predicted)
	Recall    float64 `json:"recall"`    // matched / reference (1 when none expected)
	Tolerance float64 `json:"tolerance_ms"`
}

// MeanMeasurement averages measurements over seeds.
type MeanMeasurement struct {
	// BandPower is the mean band power over seeds (nAm²) and BandPowerSD its
	// sample standard deviation.
	BandPower   float64 `json:"band_power_nAm2"`
	BandPowerSD float64 `json:"band_power_sd_nAm2"`
	// LogBandPower is the mean of the per-seed ln band powers.
	LogBandPower float64 `json:"log_band_power"`
	// PeakHz and BandPeakHz are the mean peak frequencies (Hz).
	PeakHz     float64 `json:"peak_hz"`
	BandPeakHz float64 `json:"band_peak_hz"`
	// RatesHz are the mean firing rates per cell type (Hz).
	RatesHz map[string]float64 `json:"rates_hz"`
	// Freqs and PSD are the mean PSD over seeds.
	Freqs []float64 `json:"-"`
	PSD   []float64 `json:"-"`
}

// ConditionResult is one connectivity (initial or optimized) simulated on
// every seed by both models.
type ConditionResult struct {
	Name string `json:"name"`
	// Gains are the effective gains of every connection class (per-class gain
	// times the global gain of its kind), keyed by class name.
	Gains map[string]float64 `json:"gains"`
	Seeds []SeedResult       `json:"seeds"`
	// Mean averages the seeds per model.
	Mean struct {
		Biophysical *MeanMeasurement `json:"biophysical"`
		Surrogate   *MeanMeasurement `json:"surrogate,omitempty"`
		OpenLoop    *MeanMeasurement `json:"open_loop,omitempty"`
		// SurrogateDipoleR and OpenLoopDipoleR average the seeds' correlations.
		SurrogateDipoleR *float64 `json:"surrogate_dipole_r,omitempty"`
		OpenLoopDipoleR  *float64 `json:"open_loop_dipole_r,omitempty"`
	} `json:"mean"`
}

// Comparison summarises the effect of the optimized connectivity in one
// model: the ratio of the seed-averaged band powers (optimized / initial),
// the geometric mean of the per-seed ratios, and how many seeds improved.
type Comparison struct {
	BandPowerRatio     float64 `json:"band_power_ratio"`
	GeoMeanSeedRatio   float64 `json:"geomean_seed_ratio"`
	SeedsImproved      int     `json:"seeds_improved"`
	Seeds              int     `json:"seeds"`
	MeetsTarget        bool    `json:"meets_target"`
	TargetRatio        float64 `json:"target_ratio"`
	InitialBandPower   float64 `json:"initial_band_power_nAm2"`
	OptimizedBandPower float64 `json:"optimized_band_power_nAm2"`
}

// Report is the outcome of Run: every condition, seed and model,
// the means, and the comparison of optimized against initial connectivity.
type Report struct {
	Config      Config            `json:"config"`
	Conditions  []ConditionResult `json:"conditions"`
	Biophysical Comparison        `json:"biophysical"`
	Surrogate   *Comparison       `json:"surrogate,omitempty"`
	// SurrogateVsBiophysical compares the two models per condition: the
	// ratio surrogate / biophysical of the mean band power, and the mean
	// absolute firing-rate difference per cell type (Hz).
	SurrogateVsBiophysical []ModelAgreement `json:"surrogate_vs_biophysical,omitempty"`
	WallSeconds            float64          `json:"wall_seconds"`
}

// ModelAgreement compares the surrogate's prediction with the biophysical
// value for one condition, averaged over seeds.
type ModelAgreement struct {
	Condition string `json:"condition"`
	// BandPowerRatio is surrogate / biophysical mean band power.
	BandPowerRatio float64 `json:"band_power_ratio"`
	// PeakHzDiff is surrogate − biophysical mean peak frequency (Hz).
	PeakHzDiff float64 `json:"peak_hz_diff"`
	// RateDiffHz is surrogate − biophysical mean firing rate per cell type (Hz).
	RateDiffHz map[string]float64 `json:"rate_diff_hz"`
}

// Condition returns the named condition's result, or nil.
func (r *Report) Condition(name string) *ConditionResult {
	for i := range r.Conditions {
		if r.Conditions[i].Name == name {
			return &r.Conditions[i]
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON (PSDs, traces and spikes
// are left out; see WriteCSV).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("network: writing verification report: %w", err)
	}
	return nil
}

// meanOf averages the measurements (all non-nil) of one model over seeds.
func meanOf(ms []*Measurement) *MeanMeasurement {
	if len(ms) == 0 || ms[0] == nil {
		return nil
	}
	n := float64(len(ms))
	out := &MeanMeasurement{RatesHz: map[string]float64{}, Freqs: ms[0].Freqs}
	out.PSD = make([]float64, len(ms[0].PSD))
	for _, m := range ms {
		out.BandPower += m.BandPower / n
		out.LogBandPower += m.LogBandPower / n
		out.PeakHz += m.PeakHz / n
		out.BandPeakHz += m.BandPeakHz / n
		for k, v := range m.RatesHz {
			out.RatesHz[k] += v / n
		}
		for i, p := range m.PSD {
			out.PSD[i] += p / n
		}
	}
	if len(ms) > 1 {
		var ss float64
		for _, m := range ms {
			d := m.BandPower - out.BandPower
			ss += d * d
		}
		out.BandPowerSD = math.Sqrt(ss / (n - 1))
	}
	return out
}

// compare builds the comparison of one model between two conditions whose
// seeds are the same.
func compare(initial, optimized []*Measurement, target float64) Comparison {
	c := Comparison{Seeds: len(initial), TargetRatio: target}
	var logSum float64
	for i := range initial {
		c.InitialBandPower += initial[i].BandPower / float64(len(initial))
		c.OptimizedBandPower += optimized[i].BandPower / float64(len(initial))
		logSum += math.Log(optimized[i].BandPower / initial[i].BandPower)
		if optimized[i].BandPower > initial[i].BandPower {
			c.SeedsImproved++
		}
	}
	c.BandPowerRatio = c.OptimizedBandPower / c.InitialBandPower
	c.GeoMeanSeedRatio = math.Exp(logSum / float64(len(initial)))
	c.MeetsTarget = c.BandPowerRatio >= target
	return c
}
