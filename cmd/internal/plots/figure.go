package plots

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// WarmUpColor shades the warm-up, simulated but left out of the spectrum
// and the rates.
var WarmUpColor = color.NRGBA{R: 160, G: 160, B: 160, A: 60}

// Rates returns the firing rate (Hz per cell) of every cell type in the
// spikes of one run of tstop ms: the rates of exactly what a raster of
// those spikes shows.
func Rates(col *network.Column, spikes []network.Spike, tstop float64) [neuron.NumCellTypes]float64 {
	var n [neuron.NumCellTypes]int
	for _, s := range spikes {
		if s.GID >= 0 && s.GID < col.NumCells() {
			n[col.Cells[s.GID].Type]++
		}
	}
	var r [neuron.NumCellTypes]float64
	for _, ct := range neuron.CellTypes {
		if c := col.Count(ct); c > 0 && tstop > 0 {
			r[ct] = float64(n[ct]) / float64(c) / (tstop / 1000)
		}
	}
	return r
}

// WarmUp shades [0, warmup] ms of p between y0 and y1 and adds it to legend
// (nil: none) as "warm-up (not analysed)". It does nothing for warmup <= 0.
func WarmUp(p *plot.Plot, legend *plot.Legend, warmup, y0, y1 float64) error {
	if !(warmup > 0) {
		return nil
	}
	shade, err := plotter.NewPolygon(plotter.XYs{{X: 0, Y: y0}, {X: warmup, Y: y0}, {X: warmup, Y: y1}, {X: 0, Y: y1}})
	if err != nil {
		return err
	}
	shade.Color, shade.LineStyle.Width = WarmUpColor, 0
	p.Add(shade)
	if legend != nil {
		legend.Add(fmt.Sprintf("warm-up, %g ms (not analysed)", warmup), shade)
	}
	return nil
}

// SaveLegendRight saves p as a PNG of w x h with legend drawn in a column
// of width lw to the right of the axes, where it never covers the data.
func SaveLegendRight(p *plot.Plot, legend plot.Legend, w, h, lw vg.Length, path string) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(dc, w-lw+vg.Points(4), 0, 0, -vg.Points(8)))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
