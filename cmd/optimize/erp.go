package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/optimize"
)

// isERP reports whether the objective fits a measured dipole.
func (c *config) isERP() bool {
	switch c.Objective {
	case "erp", "erp-rmse", "dipole_rmse", "erp-corr", "dipole_corr":
		return true
	}
	return false
}

// erpMetric returns the ERP objective's metric.
func (c *config) erpMetric() optimize.ERPMetric {
	if c.Objective == "erp-corr" || c.Objective == "dipole_corr" {
		return optimize.ERPCorrelation
	}
	return optimize.ERPRMSE
}

// erpWindow parses -erp-window; 0, 0 means the whole run.
func (c *config) erpWindow() (lo, hi float64, err error) {
	if c.ERPWindow == "" {
		return 0, 0, nil
	}
	return cli.ParseBand("erp-window", c.ERPWindow)
}

// paramModes parses -params: the network's parameter mode and whether the
// drives' weights and the evoked drives' timing are trained.
func (c *config) paramModes() (mode snn.ParamMode, drives, timing bool, err error) {
	mode, modes := snn.ParamsPerClass, 0
	for _, p := range strings.Split(c.Params, ",") {
		switch p = strings.TrimSpace(p); p {
		case "drives":
			drives = true
		case "timing":
			timing = true
		case "gains":
			mode, modes = snn.ParamsPerClass, modes+1
		default:
			m, err := snn.ParseParamMode(p)
			if err != nil {
				return 0, false, false, fmt.Errorf("-params %q: %w (or gains, drives, timing)", c.Params, err)
			}
			mode, modes = m, modes+1
		}
	}
	if modes > 1 {
		return 0, false, false, fmt.Errorf("-params %q: give one of per-class (gains) and per-connection", c.Params)
	}
	if modes == 0 && !drives && !timing {
		return 0, false, false, fmt.Errorf("-params %q: nothing to train", c.Params)
	}
	return mode, drives, timing, nil
}

// erpObjective returns the ERP objective of -target, -scale, -smooth and
// -erp-window, and its spectral read-out (weight 0) for the band-power
// figures, as one objective.
func erpObjective[T autograd.Float](cfg *config, sn *snn.Net[T], spec *optimize.Spectral[T]) (optimize.Objective[T], *optimize.ERPObjective[T], error) {
	target, err := network.ReadDipoleFile(cfg.Target)
	if err != nil {
		return nil, nil, fmt.Errorf("-target: %w", err)
	}
	lo, hi, _ := cfg.erpWindow()
	sig, _ := optimize.ParseDipoleSignal(cfg.Dipole)
	erp, err := optimize.NewERPObjective[T](optimize.ERPConfig{
		Target: target, Metric: cfg.erpMetric(), Signal: sig, Scale: cfg.Scale, SmoothMS: cfg.Smooth, TStart: lo, TStop: hi,
	}, sn.Steps, sn.Dt, sn.Net.Column.NumPyramidalPerLayer())
	if err != nil {
		return nil, nil, fmt.Errorf("-target %s: %w", cfg.Target, err)
	}
	sum, err := optimize.NewSum([]optimize.Objective[T]{erp, spec}, []float64{1, 0}, []string{cfg.Objective, "band power (reported)"})
	if err != nil {
		return nil, nil, err
	}
	return sum, erp, nil
}

// bounds reads -bounds onto the network's parameters.
func bounds[T autograd.Float](cfg *config, sn *snn.Net[T]) ([]optimize.Bound, error) {
	if cfg.Bounds == "" {
		return nil, nil
	}
	ps, err := optimize.ReadBoundsFile(cfg.Bounds, sn.Net.Connectivity, sn.Net.Drives)
	if err != nil {
		return nil, err
	}
	b, err := optimize.LogBounds(ps, sn)
	if err != nil {
		return nil, fmt.Errorf("-bounds %s: %w", cfg.Bounds, err)
	}
	return b, nil
}

// writeERP writes erp.csv: the compared time grid, the target and the
// simulated dipole (scaled, smoothed, trial-averaged over the held-out
// trials) at the initial and the fitted parameters.
func writeERP[T autograd.Float](dir string, s *setup[T], res *optimize.Result) error {
	if s.erp == nil || res.Initial == nil {
		return nil
	}
	final := flatTrainable(s.sn)
	setTrainable(s.sn, res.InitialParams)
	times, initial, target, err := s.erp.Series(s.sn, res.Initial.Trials)
	setTrainable(s.sn, final)
	if err != nil {
		return err
	}
	_, fitted, _, err := s.erp.Series(s.sn, res.Final.Trials)
	if err != nil {
		return err
	}
	c := createCSV(filepath.Join(dir, "erp.csv"), "time_ms", "target_nAm", "initial_nAm", "fitted_nAm")
	for k := range times {
		c.row(fmt.Sprintf("%.10g", times[k]), fmt.Sprintf("%.10g", target[k]), fmt.Sprintf("%.10g", initial[k]), fmt.Sprintf("%.10g", fitted[k]))
	}
	return c.close()
}

func flatTrainable[T autograd.Float](sn *snn.Net[T]) []float64 {
	var out []float64
	for _, p := range sn.Trainable() {
		for _, v := range p.Data {
			out = append(out, float64(v))
		}
	}
	return out
}

func setTrainable[T autograd.Float](sn *snn.Net[T], v []float64) {
	k := 0
	for _, p := range sn.Trainable() {
		for i := range p.Data {
			p.Data[i] = T(v[k])
			k++
		}
	}
}
