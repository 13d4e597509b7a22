package verifyout

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/neurograd/neurograd/cmd/internal/plots"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/verify"
)

// Colours of the conditions and cell types.
var (
	conditionColor = map[string]color.Color{
		verify.ConditionInitial:   color.RGBA{R: 60, G: 90, B: 200, A: 255},
		verify.ConditionOptimized: color.RGBA{R: 210, G: 50, B: 40, A: 255},
	}
	bandShade = color.NRGBA{R: 250, G: 200, B: 80, A: 70}
	modelDash = map[string][]vg.Length{
		verify.ModelSurrogate: {vg.Points(6), vg.Points(3)},
		verify.ModelOpenLoop:  {vg.Points(1.5), vg.Points(2)},
	}
	modelColor = map[string]color.Color{
		verify.ModelBiophysical: color.Black,
		verify.ModelSurrogate:   color.RGBA{R: 220, G: 110, B: 20, A: 255},
		verify.ModelOpenLoop:    color.RGBA{R: 40, G: 140, B: 200, A: 255},
	}
)

// writeFigures draws the PSDs, rasters, rate scatter and dipole traces.
func writeFigures(dir string, rep *verify.Report, col *network.Column) ([]string, error) {
	var written []string
	for _, f := range []struct {
		name string
		draw func(path string, rep *verify.Report, col *network.Column) error
	}{
		{"verify_psd.png", psdFigure},
		{"verify_raster.png", rasterFigure},
		{"verify_rates.png", ratesFigure},
		{"verify_dipole.png", dipoleFigure},
	} {
		p := filepath.Join(dir, f.name)
		if err := f.draw(p, rep, col); err != nil {
			return written, fmt.Errorf("figure %s: %w", f.name, err)
		}
		written = append(written, f.name)
	}
	return written, nil
}

// psdFigure plots the seed-averaged PSD of the aggregate dipole for both
// conditions, biophysical solid and surrogate dashed, with the band shaded.
func psdFigure(path string, rep *verify.Report, _ *network.Column) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s dipole PSD, mean of %d held-out seeds (biophysical solid, surrogate network dashed, open loop dotted)", rep.Config.Spectrum.Signal, len(rep.Config.Seeds))
	p.X.Label.Text = "frequency (Hz)"
	p.Y.Label.Text = "PSD (nAm²/Hz)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: 1}
	const fmax = 100.0
	lo, hi := math.Inf(1), math.Inf(-1)
	type curve struct {
		label string
		xy    plotter.XYs
		col   color.Color
		dash  []vg.Length
	}
	var curves []curve
	for ci := range rep.Conditions {
		cr := &rep.Conditions[ci]
		for _, mm := range means(cr) {
			var xy plotter.XYs
			for k, f := range mm.m.Freqs {
				if f <= 0 || f > fmax || !(mm.m.PSD[k] > 0) {
					continue
				}
				xy = append(xy, plotter.XY{X: f, Y: mm.m.PSD[k]})
				lo, hi = math.Min(lo, mm.m.PSD[k]), math.Max(hi, mm.m.PSD[k])
			}
			curves = append(curves, curve{
				label: fmt.Sprintf("%s, %s (band %.3g nAm²)", cr.Name, mm.name, mm.m.BandPower),
				xy:    xy,
				col:   conditionColor[cr.Name],
				dash:  modelDash[mm.name],
			})
		}
	}
	if math.IsInf(lo, 0) {
		return fmt.Errorf("no positive PSD values below %v Hz", fmax)
	}
	sp := rep.Config.Spectrum
	shade, err := plotter.NewPolygon(plotter.XYs{{X: sp.LoHz, Y: lo / 2}, {X: sp.HiHz, Y: lo / 2}, {X: sp.HiHz, Y: hi * 2}, {X: sp.LoHz, Y: hi * 2}})
	if err != nil {
		return err
	}
	shade.Color = bandShade
	shade.LineStyle.Width = 0
	p.Add(shade)
	for _, c := range curves {
		l, err := plotter.NewLine(c.xy)
		if err != nil {
			return err
		}
		l.Color = c.col
		l.Width = vg.Points(1.5)
		l.Dashes = c.dash
		p.Add(l)
		p.Legend.Add(c.label, l)
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.X.Min, p.X.Max = 0, fmax
	p.Y.Min, p.Y.Max = lo/2, hi*2
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

// rasterFigure draws the spikes of the first seed: one row per condition,
// one column per model, cells by gid coloured by type.
func rasterFigure(path string, rep *verify.Report, col *network.Column) error {
	rows := len(rep.Conditions)
	cols := len(models(&rep.Conditions[0].Seeds[0]))
	grid := make([][]*plot.Plot, rows)
	for r := range rows {
		cr := &rep.Conditions[r]
		sr := &cr.Seeds[0]
		runs := models(sr)
		grid[r] = make([]*plot.Plot, cols)
		for c := range cols {
			p := plot.New()
			p.Title.Text = fmt.Sprintf("%s, %s, seed %d", cr.Name, runs[c].name, sr.Seed)
			p.X.Label.Text = "time (ms)"
			p.Y.Label.Text = "gid"
			scs, err := plots.Raster(p, col, runs[c].m.CellSpikes, vg.Points(1))
			if err != nil {
				return err
			}
			if r == 0 && c == 0 {
				for _, ct := range neuron.CellTypes {
					if scs[ct] != nil {
						p.Legend.Add(ct.String(), scs[ct])
					}
				}
			}
			p.Legend.Top = true
			p.Legend.TextStyle.Font.Size = vg.Points(8)
			p.X.Min, p.X.Max = 0, rep.Config.TStopMS
			grid[r][c] = p
		}
	}
	return saveGrid(path, grid, 6*vg.Inch, 3.2*vg.Inch)
}

// ratesFigure plots each cell type's firing rate predicted by the
// surrogate network (circles) and the open-loop surrogate cells (triangles)
// against the biophysical rate, one point per condition, seed and type
// (filled: optimized, outline: initial). Without a surrogate it
// plots the biophysical rates of the optimized against the initial
// connectivity instead.
func ratesFigure(path string, rep *verify.Report, _ *network.Column) error {
	p := plot.New()
	var maxRate float64
	var err error
	if rep.Conditions[0].Seeds[0].Surrogate != nil {
		maxRate, err = addSurrogateRates(p, rep)
	} else {
		maxRate, err = addBiophysicalRates(p, rep)
	}
	if err != nil {
		return err
	}
	top := math.Max(1, maxRate*1.1)
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
	if err != nil {
		return err
	}
	diag.Color = color.Gray{Y: 140}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, top, 0, top
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return p.Save(7*vg.Inch, 6*vg.Inch, path)
}

// addSurrogateRates adds to p the surrogate network's and the open loop's
// rates against the biophysical column's, per cell type (colour), condition
// and model (glyph), with their legend, and returns the largest rate.
func addSurrogateRates(p *plot.Plot, rep *verify.Report) (float64, error) {
	p.Title.Text = "Firing rates per cell type and seed: surrogate vs biophysical"
	p.X.Label.Text = "biophysical rate (Hz)"
	p.Y.Label.Text = "surrogate rate (Hz)"
	maxRate := 0.0
	for ct := range neuron.CellTypes {
		name := neuron.CellTypes[ct].String()
		for _, cr := range rep.Conditions {
			for _, model := range []string{verify.ModelSurrogate, verify.ModelOpenLoop} {
				var xy plotter.XYs
				for _, sr := range cr.Seeds {
					m := sr.Surrogate
					if model == verify.ModelOpenLoop {
						m = sr.OpenLoop
					}
					if m == nil {
						continue
					}
					x, y := sr.Biophysical.RatesHz[name], m.RatesHz[name]
					xy = append(xy, plotter.XY{X: x, Y: y})
					maxRate = math.Max(maxRate, math.Max(x, y))
				}
				if len(xy) == 0 {
					continue
				}
				sc, err := plotter.NewScatter(xy)
				if err != nil {
					return 0, err
				}
				sc.GlyphStyle.Color = plots.CellTypeColor[ct]
				sc.GlyphStyle.Radius = vg.Points(3.5)
				sc.GlyphStyle.Shape = rateGlyph(model, cr.Name)
				p.Add(sc)
			}
		}
		if err := legendGlyph(p, name, plots.CellTypeColor[ct], draw.CircleGlyph{}); err != nil {
			return 0, err
		}
	}
	gray := color.Gray{Y: 90}
	for _, g := range []struct {
		label string
		shape draw.GlyphDrawer
	}{
		{"surrogate network, optimized", draw.CircleGlyph{}},
		{"surrogate network, initial", draw.RingGlyph{}},
		{"open loop, optimized", draw.PyramidGlyph{}},
		{"open loop, initial", draw.TriangleGlyph{}},
	} {
		if err := legendGlyph(p, g.label, gray, g.shape); err != nil {
			return 0, err
		}
	}
	return maxRate, nil
}

// rateGlyph is the glyph of a model's rates in a condition: filled for the
// optimized connectivity, open for the initial; round for the surrogate
// network, triangular for the open loop.
func rateGlyph(model, condition string) draw.GlyphDrawer {
	switch {
	case model == verify.ModelOpenLoop && condition == verify.ConditionOptimized:
		return draw.PyramidGlyph{}
	case model == verify.ModelOpenLoop:
		return draw.TriangleGlyph{}
	case condition == verify.ConditionOptimized:
		return draw.CircleGlyph{}
	default:
		return draw.RingGlyph{}
	}
}

// addBiophysicalRates adds to p the biophysical column's rates with the
// optimized against the initial connectivity, per cell type, and returns the
// largest rate.
func addBiophysicalRates(p *plot.Plot, rep *verify.Report) (float64, error) {
	p.Title.Text = "Biophysical firing rate per cell type: optimized vs initial connectivity"
	p.X.Label.Text = "initial connectivity (Hz)"
	p.Y.Label.Text = "optimized connectivity (Hz)"
	maxRate := 0.0
	for ct := range neuron.CellTypes {
		name := neuron.CellTypes[ct].String()
		var xy plotter.XYs
		for i := range rep.Conditions[0].Seeds {
			x := rep.Conditions[0].Seeds[i].Biophysical.RatesHz[name]
			y := rep.Conditions[1].Seeds[i].Biophysical.RatesHz[name]
			xy = append(xy, plotter.XY{X: x, Y: y})
			maxRate = math.Max(maxRate, math.Max(x, y))
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return 0, err
		}
		sc.GlyphStyle.Color = plots.CellTypeColor[ct]
		sc.GlyphStyle.Radius = vg.Points(3.5)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add(name, sc)
	}
	return maxRate, nil
}

// dipoleFigure plots the aggregate dipole of the first seed, one panel per
// condition, biophysical and surrogate overlaid.
func dipoleFigure(path string, rep *verify.Report, _ *network.Column) error {
	grid := make([][]*plot.Plot, len(rep.Conditions))
	for r := range rep.Conditions {
		cr := &rep.Conditions[r]
		sr := &cr.Seeds[0]
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Aggregate dipole, %s connectivity, seed %d (warm-up shaded)", cr.Name, sr.Seed)
		p.X.Label.Text = "time (ms)"
		p.Y.Label.Text = "dipole (nAm)"
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, mm := range models(sr) {
			for _, v := range mm.m.Dipole {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if w := rep.Config.Spectrum.WarmupMS; w > 0 {
			shade, err := plotter.NewPolygon(plotter.XYs{{X: 0, Y: lo}, {X: w, Y: lo}, {X: w, Y: hi}, {X: 0, Y: hi}})
			if err != nil {
				return err
			}
			shade.Color = color.Gray{Y: 225}
			shade.LineStyle.Width = 0
			p.Add(shade)
		}
		for _, mm := range models(sr) {
			xy := make(plotter.XYs, len(mm.m.Times))
			for k, t := range mm.m.Times {
				xy[k] = plotter.XY{X: t, Y: mm.m.Dipole[k]}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color = modelColor[mm.name]
			l.Width = vg.Points(1)
			p.Add(l)
			p.Legend.Add(mm.name, l)
		}
		p.Legend.Top = true
		grid[r] = []*plot.Plot{p}
	}
	return saveGrid(path, grid, 10*vg.Inch, 3*vg.Inch)
}

// legendGlyph adds a legend entry showing one glyph.
func legendGlyph(p *plot.Plot, label string, c color.Color, shape draw.GlyphDrawer) error {
	sc, err := plotter.NewScatter(plotter.XYs{{}})
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shape}
	p.Legend.Add(label, sc)
	return nil
}

// saveGrid draws the plots of grid on a grid of panels of the given size into a PNG.
func saveGrid(path string, grid [][]*plot.Plot, w, h vg.Length) error {
	rows, cols := len(grid), len(grid[0])
	img := vgimg.New(w*vg.Length(cols), h*vg.Length(rows))
	dc := draw.New(img)
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, t, dc)
	for r := range rows {
		for c := range cols {
			if grid[r][c] != nil {
				grid[r][c].Draw(canvases[r][c])
			}
		}
	}
	png := vgimg.PngCanvas{Canvas: img}
	return writeFile(path, func(wr io.Writer) error {
		_, err := png.WriteTo(wr)
		return err
	})
}
