package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"image/color"

	"github.com/neurograd/neurograd/cmd/internal/plots"
	"github.com/neurograd/neurograd/recovery"
)

// writeFiles writes results.json and the CSVs into dir.
func writeFiles(dir string, r *recovery.Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	g := func(v float64) string { return fmt.Sprintf("%.10g", v) }
	var rows [][]string
	head := []string{"name", "default", "true", "fitted", "search", "err_default_decades", "err_fitted_decades", "err_search_decades"}
	if r.Self != nil {
		head = append(head, "self_fitted", "err_self_decades")
	}
	for i, p := range r.Params {
		row := []string{p.Name, g(p.Default), g(p.True), g(p.Fitted), g(p.Search), g(p.ErrDefault), g(p.ErrFitted), g(p.ErrSearch)}
		if r.Self != nil {
			row = append(row, g(r.Self.Values[i]), g(r.Self.ErrFitted[i]))
		}
		rows = append(rows, row)
	}
	if err := writeCSV(dir, "params.csv", head, rows); err != nil {
		return err
	}
	n := r.Config.Trials
	rows = [][]string{
		{"defaults", "0", "0", g(r.BioInitial.RMSE), g(r.BioInitial.RMSE)},
		{"gradient (surrogate)", "1", fmt.Sprint(n), g(r.BioFitted.RMSE), g(r.BioFitted.RMSE)},
	}
	for _, ev := range r.Search {
		rows = append(rows, []string{r.Config.Search, fmt.Sprint(ev.Eval), fmt.Sprint(ev.Eval * n), g(ev.Loss), g(ev.Best)})
	}
	if err := writeCSV(dir, "loss_per_sim.csv", []string{"method", "evaluations", "bio_simulations", "loss_nAm", "best_nAm"}, rows); err != nil {
		return err
	}
	rows = nil
	for k, t := range r.Times {
		rows = append(rows, []string{g(t), g(r.Target[k]), g(r.BioInitialERP[k]), g(r.BioFittedERP[k]), g(r.BioSearchERP[k])})
	}
	if err := writeCSV(dir, "erp.csv", []string{"time_ms", "measured_nAm", "bio_defaults_nAm", "bio_fitted_nAm", "bio_search_nAm"}, rows); err != nil {
		return err
	}
	rows = nil
	for k, t := range r.SurrogateTimes {
		rows = append(rows, []string{g(t), g(r.SurrogateTarget[k]), g(r.SurrogateInitialERP[k]), g(r.SurrogateFittedERP[k])})
	}
	if err := writeCSV(dir, "erp_surrogate.csv", []string{"time_ms", "measured_nAm", "surrogate_defaults_nAm", "surrogate_fitted_nAm"}, rows); err != nil {
		return err
	}
	head = []string{"fit", "epoch", "loss_nAm"}
	for _, p := range r.Params {
		head = append(head, p.Name)
	}
	rows = nil
	add := func(fit string, eps []recovery.Epoch) {
		for _, ep := range eps {
			row := []string{fit, fmt.Sprint(ep.Epoch), g(ep.Loss)}
			for _, v := range ep.Values {
				row = append(row, g(v))
			}
			rows = append(rows, row)
		}
	}
	add("measured", r.Epochs)
	if r.Self != nil {
		add("self", r.Self.Epochs)
	}
	return writeCSV(dir, "epochs.csv", head, rows)
}

func writeCSV(dir, name string, head []string, rows [][]string) error {
	var sb strings.Builder
	sb.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		sb.WriteString(strings.Join(r, ",") + "\n")
	}
	return os.WriteFile(filepath.Join(dir, name), []byte(sb.String()), 0o644)
}

var (
	colMeasured = color.RGBA{A: 255}
	colDefault  = color.RGBA{R: 140, G: 140, B: 140, A: 255}
	colFitted   = color.RGBA{R: 200, G: 40, B: 40, A: 255}
	colSearch   = color.RGBA{R: 60, G: 110, B: 200, A: 255}
)

// writeFigures draws erp.png (measured vs fitted ERPs, both models) and
// loss_per_sim.png (loss per biophysical evaluation).
func writeFigures(dir string, r *recovery.Result) error {
	p := plot.New()
	p.Title.Text = "ERP: measured (biophysical, true parameters) vs fits"
	p.X.Label.Text = "time (ms)"
	p.Y.Label.Text = fmt.Sprintf("dipole (nAm, x%g, smoothed %g ms)", r.Config.Scale, max(r.Config.SmoothMS, 0))
	series := []struct {
		name string
		t, y []float64
		c    color.Color
		dash bool
	}{
		{"measured", r.Times, r.Target, colMeasured, false},
		{"biophysical, defaults", r.Times, r.BioInitialERP, colDefault, false},
		{"biophysical, surrogate fit", r.Times, r.BioFittedERP, colFitted, false},
		{fmt.Sprintf("biophysical, %s best (%d evals)", r.Config.Search, len(r.Search)), r.Times, r.BioSearchERP, colSearch, false},
		{"surrogate, defaults", r.SurrogateTimes, r.SurrogateInitialERP, colDefault, true},
		{"surrogate, fitted", r.SurrogateTimes, r.SurrogateFittedERP, colFitted, true},
	}
	for _, s := range series {
		xy := make(plotter.XYs, len(s.t))
		for k := range s.t {
			xy[k].X, xy[k].Y = s.t[k], s.y[k]
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = s.c
		l.Width = vg.Points(1.3)
		if s.dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	if err := p.Save(8*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, "erp.png")); err != nil {
		return fmt.Errorf("figure erp.png: %w", err)
	}

	q := plot.New()
	q.Title.Text = "ERP RMSE vs biophysical evaluations spent (each " + fmt.Sprint(r.Config.Trials) + " trials)"
	q.X.Label.Text = "biophysical evaluations"
	q.Y.Label.Text = "RMSE to the measured ERP (nAm)"
	var each, best plotter.XYs
	for _, ev := range r.Search {
		each = append(each, plotter.XY{X: float64(ev.Eval), Y: ev.Loss})
		best = append(best, plotter.XY{X: float64(ev.Eval), Y: ev.Best})
	}
	sc, err := plotter.NewScatter(each)
	if err != nil {
		return err
	}
	sc.Color = colSearch
	bl, err := plotter.NewLine(best)
	if err != nil {
		return err
	}
	bl.Color, bl.Width = colSearch, vg.Points(1.5)
	pts, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: r.BioInitial.RMSE}})
	if err != nil {
		return err
	}
	pts.Color = colDefault
	pts.Radius = vg.Points(4)
	fit, err := plotter.NewScatter(plotter.XYs{{X: 1, Y: r.BioFitted.RMSE}})
	if err != nil {
		return err
	}
	fit.Color, fit.Radius = colFitted, vg.Points(5)
	q.Add(sc, bl, pts, fit)
	q.Legend.Add(r.Config.Search+" evaluation", sc)
	q.Legend.Add(r.Config.Search+" best so far", bl)
	q.Legend.Add("defaults", pts)
	q.Legend.Add("surrogate fit (0 while fitting, 1 to check)", fit)
	q.Legend.Top = true
	q.Y.Min = 0
	if err := q.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, "loss_per_sim.png")); err != nil {
		return fmt.Errorf("figure loss_per_sim.png: %w", err)
	}
	return paramsFigure(dir, r)
}

// paramsFigure draws params.png: each parameter's log10(value / true)
// per epoch of the surrogate fit to the measured ERP (solid) and, when
// run, of the self-recovery (dashed); 0 is the truth.
func paramsFigure(dir string, r *recovery.Result) error {
	p := plot.New()
	p.Title.Text = "parameters per epoch: log10(value / true); solid: fit to the measured ERP, dashed: self-recovery"
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "log10(value / true) (decades)"
	fits := [][]recovery.Epoch{r.Epochs}
	if r.Self != nil {
		fits = append(fits, r.Self.Epochs)
	}
	legend := plot.NewLegend()
	for i, par := range r.Params {
		c := plotutil.Color(i)
		width := vg.Points(1.2)
		if i >= 7 { // plotutil's palette has 7 colours: the rest are drawn thicker
			width = vg.Points(2.6)
		}
		for f, eps := range fits {
			xy := plotter.XYs{{X: 0, Y: math.Log10(par.Default / par.True)}}
			for _, ep := range eps {
				xy = append(xy, plotter.XY{X: float64(ep.Epoch), Y: math.Log10(ep.Values[i] / par.True)})
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color, l.Width = c, width
			if f == 1 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			} else {
				legend.Add(par.Name, l)
			}
			p.Add(l)
		}
	}
	p.Add(plotter.NewGrid())
	legend.TextStyle.Font.Size = vg.Points(9)
	if err := plots.SaveLegendRight(p, legend, 10.5*vg.Inch, 5*vg.Inch, 2.6*vg.Inch, filepath.Join(dir, "params.png")); err != nil {
		return fmt.Errorf("figure params.png: %w", err)
	}
	return nil
}
