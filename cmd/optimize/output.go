package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/cmd/internal/summary"
	"github.com/neurograd/neurograd/internal/kernel"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

func rateMap(r [neuron.NumCellTypes]float64) map[string]float64 {
	m := map[string]float64{}
	for _, ct := range neuron.CellTypes {
		m[ct.String()] = r[ct]
	}
	return m
}

func gainMap(conn *network.Connectivity, g []float64) map[string]float64 {
	m := map[string]float64{}
	for i, c := range conn.Classes {
		m[c.Name] = g[i]
	}
	return m
}

func evalSum(ev *optimize.Evaluation) *summary.Eval {
	if ev == nil {
		return nil
	}
	return &summary.Eval{Trials: ev.Trials, BandPower: ev.BandPower, Mean: ev.MeanBandPower, Loss: finite(ev.Loss), Rates: rateMap(ev.Rates), Seconds: ev.Seconds}
}

// finite replaces NaN and Inf (not representable in JSON) by 0.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// writeOutputs writes summary.json, the final and initial connectivity, the
// drives, the epoch and held-out CSVs and, per connection, the weights to
// dir (the staged -out).
func writeOutputs[T autograd.Float](dir string, cfg *config, s *setup[T], res *optimize.Result, wall float64) error {
	conn := s.net.Connectivity
	if err := writeJSON(filepath.Join(dir, "summary.json"), summarize(cfg, s, res, wall)); err != nil {
		return err
	}
	if err := s.sn.Connectivity().Save(filepath.Join(dir, "connectivity.json")); err != nil {
		return err
	}
	if err := conn.Save(filepath.Join(dir, "connectivity_initial.json")); err != nil {
		return err
	}
	// drives.json: the drives of the optimized network (the fitted weights
	// with -params ...,drives), as simulate network -drives reads them.
	if err := writeDrives(filepath.Join(dir, "drives.json"), s.sn.Drives()); err != nil {
		return err
	}
	if len(s.sn.Trainable()) > 1 {
		if err := writeDrives(filepath.Join(dir, "drives_initial.json"), s.net.Drives); err != nil {
			return err
		}
	}
	if err := writeERP(dir, s, res); err != nil {
		return err
	}
	if cfg.Network != "" {
		if err := writeHNNNetwork(dir, cfg, s); err != nil {
			return err
		}
	}
	if err := writeEpochCSV(dir, cfg, conn, res); err != nil {
		return err
	}
	if res.Initial != nil {
		if err := writeEvalCSVs(dir, cfg, s.net.Column, res); err != nil {
			return err
		}
	}
	if s.sn.Mode == snn.ParamsPerConnection {
		if err := writeWeights(dir, s.sn); err != nil {
			return err
		}
	}
	return nil
}

// summarize returns the summary.json of a run that took wall seconds.
func summarize[T autograd.Float](cfg *config, s *setup[T], res *optimize.Result, wall float64) summary.Summary {
	conn := s.net.Connectivity
	sum := summaryHeader(cfg, s, res, wall)
	if res.Initial != nil {
		setHeldOutRatios(&sum, res)
	}
	for _, rr := range res.Restarts {
		sum.Restarts = append(sum.Restarts, summary.Restart{Restart: rr.Restart, FirstTrial: rr.Trials[0], LastTrial: rr.Trials[len(rr.Trials)-1],
			ValidationTrials: res.Validation, ValidationLoss: finite(rr.ValidationLoss), ValidationBandPower: rr.ValidationBandPower,
			GainsFinal: gainMap(conn, rr.FinalGains), Kept: rr.Kept})
	}
	for i, c := range conn.Classes {
		sum.GainChanges = append(sum.GainChanges, summary.GainChange{Class: c.Name, Initial: res.InitialGains[i], Final: res.FinalGains[i], Factor: res.FinalGains[i] / res.InitialGains[i]})
	}
	addEpochs(&sum, conn, res)
	return sum
}

// summaryHeader returns the summary's configuration, units, network,
// spectrum, held-out evaluations and gains.
func summaryHeader[T autograd.Float](cfg *config, s *setup[T], res *optimize.Result, wall float64) summary.Summary {
	conn := s.net.Connectivity
	p := s.obj.Plan.Params()
	return summary.Summary{
		WallSeconds: wall, OptimizationSeconds: res.Seconds, Seed: cfg.Seed, Kernels: kernel.Implementation(), Config: &cfg.Config,
		Units: map[string]string{
			"band_power": "nAm² (trapezoid integral of the Welch PSD over the band)", "psd": "nAm²/Hz",
			"dipole": "nAm (sum over cells of the surrogates' dipoles; no HNN scaling factor)",
			"time":   "ms", "firing_rates": "Hz per cell", "gains": "multiplier of HNN's class weight",
		},
		Network: map[string]any{
			"cells": s.net.Column.NumCells(), "connections": len(s.sn.Connections), "synapses": s.sn.NumSynapses(),
			"steps": s.sn.Steps, "dt_ms": s.sn.Dt, "max_delay_steps": s.sn.MaxDelaySteps(), "parameters": s.sn.Params().Len(),
			"cell_counts": cellCounts(s.net.Column),
		},
		Spectrum: map[string]any{
			"fs_hz": s.obj.FS, "nperseg": p.NPerSeg, "noverlap": p.NOverlap, "resolution_hz": p.Resolution(),
			"samples": s.obj.Samples, "warmup_samples": s.obj.Skip, "band_hz": cfg.Band, "window": "hann",
		},
		HeldOutInitial: evalSum(res.Initial), HeldOutFinal: evalSum(res.Final),
		GainsInitial: gainMap(conn, res.InitialGains), GainsFinal: gainMap(conn, res.FinalGains),
		Warnings: []string{},
	}
}

// cellCounts returns the number of cells of every type by name.
func cellCounts(col *network.Column) map[string]int {
	m := map[string]int{}
	for _, ct := range neuron.CellTypes {
		m[ct.String()] = col.Count(ct)
	}
	return m
}

// setHeldOutRatios sets the held-out band powers before and after training
// and their ratio, of the means and geometric over the seeds.
func setHeldOutRatios(sum *summary.Summary, res *optimize.Result) {
	a, b := res.Initial.MeanBandPower, res.Final.MeanBandPower
	r := b / a
	sum.BandPowerHeldOutInitial, sum.BandPowerHeldOutFinal, sum.BandPowerRatio = &a, &b, &r
	var lg float64
	for i := range res.Initial.BandPower {
		lg += math.Log(res.Final.BandPower[i] / res.Initial.BandPower[i])
	}
	gm := math.Exp(lg / float64(len(res.Initial.BandPower)))
	sum.BandPowerRatioGeometric = &gm
}

// addEpochs adds every epoch, their warnings and the mean and median epoch
// time to sum.
func addEpochs(sum *summary.Summary, conn *network.Connectivity, res *optimize.Result) {
	var tsum float64
	for _, e := range res.Epochs {
		es := summary.Epoch{Epoch: e.Epoch, Trials: e.Trials, Loss: e.Loss, BandPowerTrain: e.TrainBandPower, GradNorm: finite(e.GradNorm),
			Seconds: e.Seconds, Spikes: e.Spikes, Rates: rateMap(e.Rates), Gains: gainMap(conn, e.Gains), Warnings: e.Warnings}
		if e.HeldOut != nil {
			v := e.HeldOut.MeanBandPower
			es.BandPowerHeldOut, es.HeldOutSeconds = &v, e.HeldOut.Seconds
		}
		tsum += e.Seconds
		sum.Epochs = append(sum.Epochs, es)
		sum.Warnings = append(sum.Warnings, e.Warnings...)
	}
	if len(res.Epochs) > 0 {
		sum.EpochSecondsMean = tsum / float64(len(res.Epochs))
		secs := make([]float64, len(res.Epochs))
		for i, e := range res.Epochs {
			secs[i] = e.Seconds
		}
		slices.Sort(secs)
		sum.EpochSecondsMedian = (secs[(len(secs)-1)/2] + secs[len(secs)/2]) / 2
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func writeDrives(path string, d []network.Drive) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := network.WriteDrives(f, d); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// csvFile writes rows of values to a CSV file.
type csvFile struct {
	f   *os.File
	w   *bufio.Writer
	err error
}

func createCSV(path string, header ...string) *csvFile {
	f, err := os.Create(path)
	c := &csvFile{f: f, err: err}
	if err == nil {
		c.w = bufio.NewWriter(f)
		c.row(header...)
	}
	return c
}

func (c *csvFile) row(fields ...string) {
	if c.err != nil {
		return
	}
	for i, s := range fields {
		if i > 0 {
			c.w.WriteByte(',')
		}
		c.w.WriteString(s)
	}
	_, c.err = c.w.WriteString("\n")
}

func (c *csvFile) close() error {
	if c.err != nil {
		if c.f != nil {
			c.f.Close()
		}
		return c.err
	}
	if err := c.w.Flush(); err != nil {
		c.f.Close()
		return err
	}
	return c.f.Close()
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

func writeEpochCSV(dir string, cfg *config, conn *network.Connectivity, res *optimize.Result) error {
	hdr := []string{"epoch", "loss", "band_power_train_nAm2", "band_power_heldout_nAm2", "grad_norm", "seconds"}
	for _, ct := range neuron.CellTypes {
		hdr = append(hdr, "rate_"+ct.String()+"_Hz")
	}
	c := createCSV(filepath.Join(dir, "epochs.csv"), hdr...)
	if res.Initial != nil {
		row := []string{"0", g(res.Initial.Loss), "", g(res.Initial.MeanBandPower), "", ""}
		for _, ct := range neuron.CellTypes {
			row = append(row, g(res.Initial.Rates[ct]))
		}
		c.row(row...)
	}
	for _, e := range res.Epochs {
		ho := ""
		if e.HeldOut != nil {
			ho = g(e.HeldOut.MeanBandPower)
		}
		row := []string{strconv.Itoa(e.Epoch), g(e.Loss), g(e.TrainBandPower), ho, g(e.GradNorm), g(e.Seconds)}
		for _, ct := range neuron.CellTypes {
			row = append(row, g(e.Rates[ct]))
		}
		c.row(row...)
	}
	if err := c.close(); err != nil {
		return err
	}
	hdr = []string{"epoch"}
	for _, cl := range conn.Classes {
		hdr = append(hdr, cl.Name)
	}
	c = createCSV(filepath.Join(dir, "gains.csv"), hdr...)
	row := []string{"0"}
	for _, v := range res.InitialGains {
		row = append(row, g(v))
	}
	c.row(row...)
	for _, e := range res.Epochs {
		row := []string{strconv.Itoa(e.Epoch)}
		for _, v := range e.Gains {
			row = append(row, g(v))
		}
		c.row(row...)
	}
	return c.close()
}

func writeEvalCSVs(dir string, cfg *config, col *network.Column, res *optimize.Result) error {
	ini, fin := res.Initial, res.Final
	c := createCSV(filepath.Join(dir, "psd.csv"), "freq_hz", "psd_initial_nAm2_per_Hz", "psd_final_nAm2_per_Hz")
	for k, f := range ini.Freqs {
		c.row(g(f), g(ini.MeanPSD[k]), g(fin.MeanPSD[k]))
	}
	if err := c.close(); err != nil {
		return err
	}
	c = createCSV(filepath.Join(dir, "heldout.csv"), "trial", "band_power_initial_nAm2", "band_power_final_nAm2")
	for i, t := range ini.Trials {
		c.row(strconv.Itoa(t), g(ini.BandPower[i]), g(fin.BandPower[i]))
	}
	if err := c.close(); err != nil {
		return err
	}
	c = createCSV(filepath.Join(dir, "dipole.csv"), "time_ms", "agg_initial_nAm", "L2_initial_nAm", "L5_initial_nAm", "agg_final_nAm", "L2_final_nAm", "L5_final_nAm")
	dt := cfg.TStop / float64(len(ini.Dipole[0]))
	for m := range ini.Dipole[0] {
		c.row(g(float64(m+1)*dt), g(ini.Dipole[0][m]), g(ini.Dipole[1][m]), g(ini.Dipole[2][m]), g(fin.Dipole[0][m]), g(fin.Dipole[1][m]), g(fin.Dipole[2][m]))
	}
	if err := c.close(); err != nil {
		return err
	}
	for _, x := range []struct {
		name   string
		spikes []network.Spike
	}{{"spikes_initial.csv", ini.Spikes}, {"spikes_final.csv", fin.Spikes}} {
		c = createCSV(filepath.Join(dir, x.name), "time_ms", "gid", "cell_type")
		for _, s := range x.spikes {
			c.row(g(s.Time), strconv.Itoa(s.GID), col.Cells[s.GID].Type.String())
		}
		if err := c.close(); err != nil {
			return err
		}
	}
	return nil
}

func writeWeights[T autograd.Float](dir string, sn *snn.Net[T]) error {
	classes := sn.Net.Connectivity.Classes
	c := createCSV(filepath.Join(dir, "weights.csv"), "class", "src_gid", "tgt_gid", "base_weight_uS", "weight_uS", "delay_ms")
	for k, cn := range sn.Connections {
		c.row(classes[cn.Class].Name, strconv.Itoa(cn.Src), strconv.Itoa(cn.Tgt),
			g(cn.BaseWeight*sn.Net.Connectivity.Classes[cn.Class].Gain), g(sn.Weight(k)), g(cn.Delay))
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("weights.csv: %w", err)
	}
	return nil
}

func abslog(x float64) float64 { return math.Abs(math.Log(x)) }

// writeHNNNetwork writes the optimized network of -network back in
// hnn-core's format (network.json): the file's column, drives (their own
// event seeds) and biases, with the optimized connectivity's gains applied
// to its weights.
func writeHNNNetwork[T autograd.Float](dir string, cfg *config, s *setup[T]) error {
	out := *s.net
	out.Connectivity = s.sn.Connectivity().FoldGains()
	out.Drives = cfg.fileNet.Drives
	if len(s.sn.Trainable()) > 1 { // the fitted drive weights
		out.Drives = s.sn.Drives()
	}
	return network.SaveHNNNetwork(filepath.Join(dir, "network.json"), &out)
}
