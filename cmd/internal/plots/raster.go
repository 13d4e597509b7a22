// Package plots holds the figure pieces that several commands draw alike: the
// cell-type colours and the spike raster of a column.
package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// CellTypeColor is the colour of each cell type in every figure.
var CellTypeColor = [neuron.NumCellTypes]color.Color{
	neuron.L2Basket:    color.RGBA{R: 30, G: 150, B: 60, A: 255},
	neuron.L2Pyramidal: color.RGBA{R: 40, G: 80, B: 200, A: 255},
	neuron.L5Basket:    color.RGBA{R: 230, G: 140, B: 20, A: 255},
	neuron.L5Pyramidal: color.RGBA{R: 200, G: 40, B: 40, A: 255},
}

// Raster adds the spikes of a column to p: one dot per spike at (time in ms,
// gid), coloured by the cell's type, of the given radius. Spikes of gids
// outside the column (drive cells) are left out. It returns the scatter of
// each type (nil where the type did not spike), for legends, and sets the
// y range to the column's gids.
func Raster(p *plot.Plot, col *network.Column, spikes []network.Spike, radius vg.Length) ([neuron.NumCellTypes]*plotter.Scatter, error) {
	var by [neuron.NumCellTypes]plotter.XYs
	for _, s := range spikes {
		if s.GID < 0 || s.GID >= col.NumCells() {
			continue
		}
		ct := col.Cells[s.GID].Type
		by[ct] = append(by[ct], plotter.XY{X: s.Time, Y: float64(s.GID)})
	}
	var out [neuron.NumCellTypes]*plotter.Scatter
	for _, ct := range neuron.CellTypes {
		if len(by[ct]) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(by[ct])
		if err != nil {
			return out, err
		}
		sc.GlyphStyle.Color = CellTypeColor[ct]
		sc.GlyphStyle.Radius = radius
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		out[ct] = sc
	}
	p.Y.Min, p.Y.Max = -1, float64(col.NumCells())
	return out, nil
}
