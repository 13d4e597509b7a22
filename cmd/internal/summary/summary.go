// Package summary is the schema of cmd/optimize's summary.json, one type that
// cmd/optimize writes and cmd/verify reads (the set-up a verification must
// reproduce). Units are in the field tags: ms, Hz, µS, nAm².
package summary

import (
	"encoding/json"
	"fmt"
	"os"
)

// Config is the configuration of an optimization run as summary.json records
// it: the flags of cmd/optimize with their defaults applied.
type Config struct {
	Out          string             `json:"out"`
	Seed         int64              `json:"seed"`
	Epochs       int                `json:"epochs"`
	LR           float64            `json:"learning_rate"`
	Clip         float64            `json:"clip_norm"`
	Replicas     int                `json:"train_replicas"`
	Restarts     int                `json:"restarts"`
	HeldOut      int                `json:"heldout_seeds"`
	HeldOutEvery int                `json:"heldout_every"`
	TStop        float64            `json:"tstop_ms"`
	Warmup       float64            `json:"warmup_ms"`
	Resolution   float64            `json:"resolution_hz"`
	Band         [2]float64         `json:"band_hz"`
	Objective    string             `json:"objective"`
	Target       string             `json:"target_psd,omitempty"` // the target PSD, or with -objective erp the measured dipole
	Scale        float64            `json:"erp_scale,omitempty"`
	Smooth       float64            `json:"erp_smooth_ms,omitempty"`
	ERPWindow    string             `json:"erp_window_ms,omitempty"`
	FreshNoise   bool               `json:"erp_fresh_noise,omitempty"`
	Bounds       string             `json:"bounds_file,omitempty"`
	RateBounds   string             `json:"rate_bounds_hz,omitempty"`
	RatePenalty  float64            `json:"rate_penalty_per_hz2,omitempty"`
	Dipole       string             `json:"dipole"`
	Params       string             `json:"params"`
	Slope        float64            `json:"spike_slope_per_mV"`
	Mesh         string             `json:"mesh"`
	Connectivity string             `json:"initial_connectivity,omitempty"`
	Gains        string             `json:"initial_gains,omitempty"`
	DriveRate    float64            `json:"drive_rate_hz"`
	DriveWeight  float64            `json:"drive_weight_uS"`
	DriveWeights map[string]float64 `json:"drive_weights_uS,omitempty"`
	DriveLoc     string             `json:"drive_location"`
	Drives       string             `json:"drives_file,omitempty"`
	Network      string             `json:"network_file,omitempty"` // hnn-core network configuration of -network
	Models       string             `json:"models"`
	Float        int                `json:"float_bits"`
	MaxRate      float64            `json:"max_rate_hz"`
	Figures      bool               `json:"figures"`

	// DriveSubsteps: the drives' events reach the exact baskets at their
	// NEURON steps (snn.Options.DriveSubsteps).
	DriveSubsteps bool `json:"drive_substeps,omitempty"`
}

// Eval is a held-out evaluation in Summary.json.
type Eval struct {
	Trials    []int              `json:"trials"`
	BandPower []float64          `json:"band_power"` // per seed, nAm²
	Mean      float64            `json:"band_power_mean"`
	Loss      float64            `json:"loss"`
	Rates     map[string]float64 `json:"firing_rates_hz"`
	Seconds   float64            `json:"seconds"`
}

// Epoch is one optimization epoch: its training trials, loss, training and
// held-out band power (nAm²), gradient norm, timings, spikes, rates (Hz), the
// class gains after it and its warnings.
type Epoch struct {
	Epoch            int                `json:"epoch"`
	Trials           []int              `json:"trials"`
	Loss             float64            `json:"loss"`
	BandPowerTrain   float64            `json:"band_power_train"`
	BandPowerHeldOut *float64           `json:"band_power_heldout"`
	GradNorm         float64            `json:"grad_norm"`
	Seconds          float64            `json:"seconds"`
	HeldOutSeconds   float64            `json:"heldout_seconds"`
	Spikes           int                `json:"spikes"`
	Rates            map[string]float64 `json:"firing_rates_hz"`
	Gains            map[string]float64 `json:"gains"`
	Warnings         []string           `json:"warnings,omitempty"`
}

// GainChange is one connection class's gain before and after, and their ratio.
type GainChange struct {
	Class   string  `json:"class"`
	Initial float64 `json:"initial"`
	Final   float64 `json:"final"`
	Factor  float64 `json:"factor"`
}

// Summary is summary.json: the held-out outcome, timings (s), units, the
// configuration, the network and spectrum set-up, the evaluations, epochs,
// gains, restarts and warnings of one run of cmd/optimize.
type Summary struct {
	BandPowerHeldOutInitial *float64          `json:"band_power_heldout_initial"`
	BandPowerHeldOutFinal   *float64          `json:"band_power_heldout_final"`
	BandPowerRatio          *float64          `json:"band_power_ratio"`
	BandPowerRatioGeometric *float64          `json:"band_power_ratio_geometric"` // geometric mean over seeds of final/initial
	WallSeconds             float64           `json:"wall_seconds"`
	OptimizationSeconds     float64           `json:"optimization_seconds"`
	EpochSecondsMean        float64           `json:"epoch_seconds_mean"`
	EpochSecondsMedian      float64           `json:"epoch_seconds_median"`
	Units                   map[string]string `json:"units"`
	Seed                    int64             `json:"seed"`
	// Kernels is the SIMD dispatch path the run used (kernel.Implementation:
	// "avx512", "avx2" or "purego"): results are the same bit for bit for any
	// GOMAXPROCS and worker count on one path, not across paths.
	Kernels        string             `json:"kernels,omitempty"`
	Config         *Config            `json:"config"`
	Network        map[string]any     `json:"network"`
	Spectrum       map[string]any     `json:"spectrum"`
	HeldOutInitial *Eval              `json:"heldout_initial"`
	HeldOutFinal   *Eval              `json:"heldout_final"`
	Epochs         []Epoch            `json:"epochs"`
	GainsInitial   map[string]float64 `json:"gains_initial"`
	GainsFinal     map[string]float64 `json:"gains_final"`
	GainChanges    []GainChange       `json:"gain_changes"`
	Restarts       []Restart          `json:"restarts,omitempty"`
	Warnings       []string           `json:"warnings"`
}

// Restart is one restart of a multi-start optimization: its trials, its
// validation result and final gains, and whether it was kept.
type Restart struct {
	Restart             int                `json:"restart"`
	FirstTrial          int                `json:"first_trial"`
	LastTrial           int                `json:"last_trial"`
	ValidationTrials    []int              `json:"validation_trials"`
	ValidationLoss      float64            `json:"validation_loss"`
	ValidationBandPower float64            `json:"validation_band_power_nAm2"`
	GainsFinal          map[string]float64 `json:"gains_final"`
	Kept                bool               `json:"kept"`
}

// Read reads a summary.json file.
func Read(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
