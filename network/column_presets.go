package network

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/neuron"
)

// Published surrogate column: a 10 x 5 pyramidal mesh per layer with 16 basket
// cells per layer (50 + 16 cells in each of L2/3 and L5, 132 cells in all), as in
// the surrogate-network paper of Tolley & Jones.
const (
	PublishedMeshX          = 10
	PublishedMeshY          = 5
	PublishedBasketsPerSide = 4 // baskets on a 4 x 4 lattice: 16 per layer
)

// NewPublishedColumn returns the column of the published surrogate network:
// pyramidal cells on a 10 x 5 mesh (1 µm spacing, hnn-core's x-major order) and
// 16 basket cells per layer on a 4 x 4 lattice spread evenly over the mesh, at
// x in {0, 3, 6, 9} and y in {0, 4/3, 8/3, 4} grid units (the lattice spans the
// mesh from corner to corner, so every pyramidal cell has a basket cell within
// 1.7 grid units). HNN's own basket rule (NewColumn) would place 18 baskets per
// layer on this mesh. Layer heights are hnn-core's.
func NewPublishedColumn() (*Column, error) {
	return NewColumnWithBasketLattice(PublishedMeshX, PublishedMeshY, PublishedBasketsPerSide, PublishedBasketsPerSide,
		DefaultInplaneDistance, DefaultLayerSeparation)
}

// NewColumnWithBasketLattice builds a column with an nx by ny pyramidal mesh
// placed as by NewColumnGeometry, but with bx by by basket cells per layer on an
// even lattice spanning the mesh: x_i = i·(nx−1)/(bx−1) and y_j = j·(ny−1)/(by−1)
// grid units (the centre of the mesh when a side has one basket), ordered by y
// then x as hnn-core orders its baskets. Gids run L2 basket, L2 pyramidal, L5
// basket, L5 pyramidal as in NewColumnGeometry.
func NewColumnWithBasketLattice(nx, ny, bx, by int, inplane, layerSep float64) (*Column, error) {
	if bx < 1 || by < 1 || bx*by > 1<<20 {
		return nil, fmt.Errorf("network: basket lattice %dx%d: both sides must be at least 1", bx, by)
	}
	lattice := func(n, b int) []float64 {
		out := make([]float64, b)
		for i := range out {
			if b == 1 {
				out[i] = float64(n-1) / 2
			} else {
				out[i] = float64(i) * float64(n-1) / float64(b-1)
			}
		}
		return out
	}
	xs, ys := lattice(nx, bx), lattice(ny, by)
	var baskets [][2]float64
	for _, y := range ys {
		for _, x := range xs {
			baskets = append(baskets, [2]float64{x, y})
		}
	}
	return NewColumnWithBaskets(nx, ny, baskets, inplane, layerSep)
}

// NewColumnWithBaskets builds a column with an nx by ny pyramidal mesh (as
// NewColumnGeometry) and the given basket positions (x, y in grid units, the
// same for both layers, in the order given). Basket heights are hnn-core's:
// 0.8·layerSep for L2/3 and 0.2·layerSep for L5.
func NewColumnWithBaskets(nx, ny int, baskets [][2]float64, inplane, layerSep float64) (*Column, error) {
	c, err := NewColumnGeometry(nx, ny, inplane, layerSep)
	if err != nil {
		return nil, err
	}
	if len(baskets) == 0 {
		return nil, fmt.Errorf("network: a column needs at least one basket cell per layer")
	}
	for i, b := range baskets {
		if math.IsNaN(b[0]) || math.IsNaN(b[1]) || math.IsInf(b[0], 0) || math.IsInf(b[1], 0) {
			return nil, fmt.Errorf("network: basket %d position %v is not finite", i, b)
		}
	}
	var pyr []Position
	s, e := c.Range(neuron.L2Pyramidal)
	for _, cell := range c.Cells[s:e] {
		pyr = append(pyr, Position{X: cell.Pos.X, Y: cell.Pos.Y})
	}
	c.Cells = c.Cells[:0]
	add := func(ct neuron.CellType, z float64, xy func(i int) (float64, float64), n int) {
		c.start[ct] = len(c.Cells)
		for i := range n {
			x, y := xy(i)
			c.Cells = append(c.Cells, Cell{GID: len(c.Cells), Type: ct, Pos: Position{x, y, z}})
		}
	}
	bxy := func(i int) (float64, float64) { return baskets[i][0] * inplane, baskets[i][1] * inplane }
	pxy := func(i int) (float64, float64) { return pyr[i].X, pyr[i].Y }
	add(neuron.L2Basket, 0.8*layerSep, bxy, len(baskets))
	add(neuron.L2Pyramidal, layerSep, pxy, len(pyr))
	add(neuron.L5Basket, 0.2*layerSep, bxy, len(baskets))
	add(neuron.L5Pyramidal, 0, pxy, len(pyr))
	c.start[neuron.NumCellTypes] = len(c.Cells)
	return c, nil
}
