package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/cmd/internal/plots"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

var (
	colInitial = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	colFinal   = color.RGBA{R: 200, G: 40, B: 40, A: 255}
	colTrain   = color.RGBA{R: 60, G: 110, B: 200, A: 255}
	colBand    = color.NRGBA{R: 255, G: 200, B: 60, A: 90}
)

// writeFigures draws (A) the PSDs, (B) band power per epoch, (C) dipole
// traces, (D, E) rasters and (F) gains per epoch as PNG files.
func writeFigures[T autograd.Float](dir string, cfg *config, s *setup[T], res *optimize.Result) error {
	col := s.net.Column
	figs := []struct {
		name string
		draw func() (*plot.Plot, *plot.Legend, error)
		w, h vg.Length
		lw   vg.Length // width of the legend column right of the axes (0: legend inside)
	}{
		{"A_psd.png", func() (*plot.Plot, *plot.Legend, error) { p, err := psdPlot(cfg, res); return p, nil, err }, 6 * vg.Inch, 4 * vg.Inch, 0},
		{"B_band_power.png", func() (*plot.Plot, *plot.Legend, error) { p, err := bandPlot(cfg, res); return p, nil, err }, 6 * vg.Inch, 4 * vg.Inch, 0},
		{"C_dipole.png", func() (*plot.Plot, *plot.Legend, error) { return dipolePlot(cfg, res) }, 8.5 * vg.Inch, 4 * vg.Inch, 1.7 * vg.Inch},
		{"D_raster_initial.png", func() (*plot.Plot, *plot.Legend, error) {
			p, err := rasterPlot(cfg, col, res.Initial, "(D) spikes, initial gains")
			return p, nil, err
		}, 7 * vg.Inch, 4 * vg.Inch, 0},
		{"E_raster_final.png", func() (*plot.Plot, *plot.Legend, error) {
			p, err := rasterPlot(cfg, col, res.Final, "(E) spikes, optimized gains")
			return p, nil, err
		}, 7 * vg.Inch, 4 * vg.Inch, 0},
		{"F_gains.png", func() (*plot.Plot, *plot.Legend, error) { return gainsPlot(s.net.Connectivity, res) }, 9 * vg.Inch, 5 * vg.Inch, 2.3 * vg.Inch},
	}
	for _, f := range figs {
		p, leg, err := f.draw()
		if err != nil {
			return fmt.Errorf("figure %s: %w", f.name, err)
		}
		if p == nil {
			continue
		}
		path := filepath.Join(dir, f.name)
		if leg != nil {
			err = plots.SaveLegendRight(p, *leg, f.w, f.h, f.lw, path)
		} else {
			err = p.Save(f.w, f.h, path)
		}
		if err != nil {
			return fmt.Errorf("figure %s: %w", f.name, err)
		}
	}
	return nil
}

// logY gives p a logarithmic y axis spanning the positive values of xys,
// widened to at least a factor of 4 so that constant series have ticks.
func logY(p *plot.Plot, xys ...plotter.XYs) {
	lo, hi := math.Inf(1), 0.0
	for _, xy := range xys {
		for _, v := range xy {
			if v.Y > 0 {
				lo, hi = math.Min(lo, v.Y), math.Max(hi, v.Y)
			}
		}
	}
	if !(hi > 0) {
		lo, hi = 1, 1
	}
	if hi/lo < 4 {
		c := math.Sqrt(lo * hi)
		lo, hi = c/2, c*2
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Min, p.Y.Max = lo/1.2, hi*1.2
	p.Y.Tick.Marker = ticks125{}
}

// ticks125 labels a logarithmic axis at 1, 2 and 5 times powers of ten
// (falling back to powers of ten alone over many decades).
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	mult := []float64{1, 2, 5}
	if hi/lo > 1e4 {
		mult = []float64{1}
	}
	var out []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range mult {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 3, 64)})
			}
		}
	}
	if len(out) < 2 {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	return out
}

func addLine(p *plot.Plot, xy plotter.XYs, c color.Color, width vg.Length, legend string) error {
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.Color, l.Width = c, width
	p.Add(l)
	if legend != "" {
		p.Legend.Add(legend, l)
	}
	return nil
}

// psdPlot is (A): the mean held-out PSD with the initial and final gains.
func psdPlot(cfg *config, res *optimize.Result) (*plot.Plot, error) {
	if res.Initial == nil {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("(A) dipole PSD (%s, mean of %d held-out seeds)", cfg.Dipole, len(res.Initial.Trials))
	p.X.Label.Text = "frequency (Hz)"
	p.Y.Label.Text = "PSD (nAm²/Hz)"
	fmax := math.Min(150, res.Initial.Freqs[len(res.Initial.Freqs)-1])
	lo, hi := math.Inf(1), 0.0
	curves := make([]plotter.XYs, 2)
	for i, ev := range []*optimize.Evaluation{res.Initial, res.Final} {
		for k, f := range ev.Freqs {
			if f <= 0 || f > fmax || !(ev.MeanPSD[k] > 0) {
				continue
			}
			curves[i] = append(curves[i], plotter.XY{X: f, Y: ev.MeanPSD[k]})
			lo, hi = math.Min(lo, ev.MeanPSD[k]), math.Max(hi, ev.MeanPSD[k])
		}
	}
	logY(p, curves...)
	if hi > 0 {
		shade, err := plotter.NewPolygon(plotter.XYs{{X: cfg.Band[0], Y: lo / 2}, {X: cfg.Band[1], Y: lo / 2}, {X: cfg.Band[1], Y: hi * 2}, {X: cfg.Band[0], Y: hi * 2}})
		if err != nil {
			return nil, err
		}
		shade.Color, shade.LineStyle.Width = colBand, 0
		p.Add(shade)
	}
	if err := addLine(p, curves[0], colInitial, vg.Points(1.5), fmt.Sprintf("initial (%.3g nAm² in band)", res.Initial.MeanBandPower)); err != nil {
		return nil, err
	}
	if err := addLine(p, curves[1], colFinal, vg.Points(1.5), fmt.Sprintf("optimized (%.3g nAm²)", res.Final.MeanBandPower)); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	return p, nil
}

// bandPlot is (B): band power per epoch, training noise and held-out seeds.
func bandPlot(cfg *config, res *optimize.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("(B) %g-%g Hz band power per epoch", cfg.Band[0], cfg.Band[1])
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "band power (nAm²)"
	var train, held plotter.XYs
	if res.Initial != nil {
		held = append(held, plotter.XY{X: 0, Y: res.Initial.MeanBandPower})
	}
	for _, e := range res.Epochs {
		if e.TrainBandPower > 0 {
			train = append(train, plotter.XY{X: float64(e.Epoch), Y: e.TrainBandPower})
		}
		if e.HeldOut != nil && e.HeldOut.MeanBandPower > 0 {
			held = append(held, plotter.XY{X: float64(e.Epoch), Y: e.HeldOut.MeanBandPower})
		}
	}
	logY(p, train, held)
	if err := addLine(p, train, colTrain, vg.Points(1), "training noise (before the epoch's step)"); err != nil {
		return nil, err
	}
	if err := addLine(p, held, colFinal, vg.Points(2), "held-out seeds (mean)"); err != nil {
		return nil, err
	}
	for _, xy := range []plotter.XYs{train, held} {
		if len(xy) > 0 {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Radius = vg.Points(2)
			p.Add(sc)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}

// dipolePlot is (C): the aggregate dipole of the first held-out seed, the
// warm-up shaded; its legend goes right of the axes, off the traces.
func dipolePlot(cfg *config, res *optimize.Result) (*plot.Plot, *plot.Legend, error) {
	if res.Initial == nil {
		return nil, nil, nil
	}
	p := plot.New()
	leg := plot.NewLegend()
	p.Title.Text = fmt.Sprintf("(C) aggregate dipole, held-out seed %d", res.Initial.Trials[0])
	p.X.Label.Text = "time (ms)"
	p.Y.Label.Text = "dipole (nAm)"
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, ev := range []*optimize.Evaluation{res.Initial, res.Final} {
		d := ev.Dipole[0]
		dt := cfg.TStop / float64(len(d))
		xy := make(plotter.XYs, len(d))
		for m, v := range d {
			xy[m] = plotter.XY{X: float64(m+1) * dt, Y: v}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		c, name := colInitial, "initial gains"
		if i == 1 {
			c, name = colFinal, "optimized gains"
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, nil, err
		}
		l.Color, l.Width = c, vg.Points(1)
		p.Add(l)
		leg.Add(name, l)
	}
	if lo <= hi {
		pad := 0.05*(hi-lo) + 1e-12
		if err := plots.WarmUp(p, &leg, cfg.Warmup, lo-pad, hi+pad); err != nil {
			return nil, nil, err
		}
	}
	p.X.Min, p.X.Max = 0, cfg.TStop
	return p, &leg, nil
}

// rasterPlot is (D) or (E): the spikes of the first held-out seed, cells in
// gid order (grouped by type), labelled with the rates of that seed's
// spikes over the whole run, the warm-up shaded.
func rasterPlot(cfg *config, col *network.Column, ev *optimize.Evaluation, title string) (*plot.Plot, error) {
	if ev == nil {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, held-out seed %d", title, ev.Trials[0])
	p.X.Label.Text = "time (ms)"
	p.Y.Label.Text = "cells by type (gid order), rate of this seed"
	p.X.Min, p.X.Max = 0, cfg.TStop
	if err := plots.WarmUp(p, nil, cfg.Warmup, -1, float64(col.NumCells())); err != nil {
		return nil, err
	}
	rates := plots.Rates(col, ev.Spikes, cfg.TStop)
	var ticks []plot.Tick
	for _, ct := range neuron.CellTypes {
		s, e := col.Range(ct)
		ticks = append(ticks, plot.Tick{Value: float64(s+e-1) / 2, Label: fmt.Sprintf("%s\n%.1f Hz", ct.ShortName(), rates[ct])})
		if s > 0 {
			ticks = append(ticks, plot.Tick{Value: float64(s) - 0.5})
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	if _, err := plots.Raster(p, col, ev.Spikes, vg.Points(1.2)); err != nil {
		return nil, err
	}
	return p, nil
}

// gainsPlot is (F): every class gain per epoch, coloured by the source
// cell type (the legend, right of the axes, is grouped by source), each
// class of a source with its own dash pattern.
func gainsPlot(conn *network.Connectivity, res *optimize.Result) (*plot.Plot, *plot.Legend, error) {
	p := plot.New()
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = vg.Points(9)
	p.Title.Text = "(F) connection class gains per epoch"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "gain"
	all := make([]plotter.XYs, len(conn.Classes))
	for i := range conn.Classes {
		all[i] = plotter.XYs{{X: 0, Y: res.InitialGains[i]}}
		for _, e := range res.Epochs {
			all[i] = append(all[i], plotter.XY{X: float64(e.Epoch), Y: e.Gains[i]})
		}
	}
	logY(p, all...)
	for _, src := range neuron.CellTypes {
		k := 0
		for i, c := range conn.Classes {
			if c.Source != src {
				continue
			}
			l, err := plotter.NewLine(all[i])
			if err != nil {
				return nil, nil, err
			}
			l.Color = plots.CellTypeColor[src]
			l.Width = vg.Points(1.4)
			l.Dashes = plotutil.Dashes(k)
			k++
			p.Add(l)
			leg.Add(c.Name, l)
		}
	}
	p.X.Min, p.X.Max = 0, math.Max(1, float64(len(res.Epochs)))
	return p, &leg, nil
}
