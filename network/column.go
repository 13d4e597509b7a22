package network

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurograd/neurograd/neuron"
)

// Default geometry of HNN's column.
const (
	// DefaultInplaneDistance is the grid spacing of the pyramidal mesh (µm).
	DefaultInplaneDistance = 1.0
	// DefaultLayerSeparation is the distance between the L5 and L2 pyramidal
	// layers (µm).
	DefaultLayerSeparation = 1307.4
)

// Position is a point in the column (µm). z runs along the column axis from
// L5 (z = 0) toward the pial surface.
type Position struct {
	X, Y, Z float64
}

// Cell is one cell of the column.
type Cell struct {
	GID  int             // global id, in hnn-core's order
	Type neuron.CellType // population
	Pos  Position        // soma position (µm)
}

// Column is HNN's cortical column: the cells of the four populations, their
// positions and gids, built from a pyramidal mesh of MeshX by MeshY cells per
// layer with HNN's basket placement rule. It does not depend on how the
// cells are simulated.
type Column struct {
	MeshX, MeshY    int     // pyramidal cells per layer along x and y
	InplaneDistance float64 // grid spacing (µm)
	LayerSeparation float64 // L5-to-L2 pyramidal distance (µm)
	Cells           []Cell  // all cells, indexed by gid

	start [neuron.NumCellTypes + 1]int
}

// NewColumn builds the default column (1 µm grid spacing, 1307.4 µm layer
// separation) for an nx by ny pyramidal mesh.
func NewColumn(nx, ny int) (*Column, error) {
	return NewColumnGeometry(nx, ny, DefaultInplaneDistance, DefaultLayerSeparation)
}

// NewColumnGeometry builds a column for an nx by ny pyramidal mesh with the
// given grid spacing and layer separation (µm). Positions follow hnn-core:
// pyramidal cells at (i·Δ, j·Δ) ordered x-major; basket cells at x in
// {0,3,6,…} with even y and x in {1,4,7,…} with odd y, stably sorted by y;
// L5 pyramidal z = 0, L2 pyramidal z = separation, L5 basket z = 0.2·sep,
// L2 basket z = 0.8·sep. Gids run L2 basket, L2 pyramidal, L5 basket,
// L5 pyramidal.
func NewColumnGeometry(nx, ny int, inplane, layerSep float64) (*Column, error) {
	if nx < 1 || ny < 1 {
		return nil, fmt.Errorf("network: mesh %dx%d: both sides must be at least 1", nx, ny)
	}
	if nx*ny > 1<<20 {
		return nil, fmt.Errorf("network: mesh %dx%d is too large", nx, ny)
	}
	if !(inplane > 0) || math.IsInf(inplane, 0) {
		return nil, fmt.Errorf("network: inplane distance %v must be positive and finite", inplane)
	}
	if !(layerSep >= 0) || math.IsInf(layerSep, 0) {
		return nil, fmt.Errorf("network: layer separation %v must be non-negative and finite", layerSep)
	}
	c := &Column{MeshX: nx, MeshY: ny, InplaneDistance: inplane, LayerSeparation: layerSep}

	var pyr [][2]float64
	for i := range nx {
		for j := range ny {
			pyr = append(pyr, [2]float64{float64(i) * inplane, float64(j) * inplane})
		}
	}
	var basket [][2]float64
	for x := 0; x < nx; x += 3 {
		for y := 0; y < ny; y += 2 {
			basket = append(basket, [2]float64{float64(x) * inplane, float64(y) * inplane})
		}
	}
	for x := 1; x < nx; x += 3 {
		for y := 1; y < ny; y += 2 {
			basket = append(basket, [2]float64{float64(x) * inplane, float64(y) * inplane})
		}
	}
	sort.SliceStable(basket, func(a, b int) bool {
		if basket[a][1] != basket[b][1] {
			return basket[a][1] < basket[b][1]
		}
		return basket[a][0] < basket[b][0]
	})

	add := func(ct neuron.CellType, xy [][2]float64, z float64) {
		c.start[ct] = len(c.Cells)
		for _, p := range xy {
			c.Cells = append(c.Cells, Cell{GID: len(c.Cells), Type: ct, Pos: Position{p[0], p[1], z}})
		}
	}
	add(neuron.L2Basket, basket, 0.8*layerSep)
	add(neuron.L2Pyramidal, pyr, layerSep)
	add(neuron.L5Basket, basket, 0.2*layerSep)
	add(neuron.L5Pyramidal, pyr, 0)
	c.start[neuron.NumCellTypes] = len(c.Cells)
	return c, nil
}

// NumCells returns the number of cells in the column.
func (c *Column) NumCells() int { return len(c.Cells) }

// Range returns the half-open gid range [start, end) of cell type ct.
func (c *Column) Range(ct neuron.CellType) (start, end int) {
	return c.start[ct], c.start[ct+1]
}

// Count returns the number of cells of type ct.
func (c *Column) Count(ct neuron.CellType) int { return c.start[ct+1] - c.start[ct] }

// NumPyramidalPerLayer returns MeshX·MeshY, the N_pyr of hnn-core's dipole
// renormalisation.
func (c *Column) NumPyramidalPerLayer() int { return c.MeshX * c.MeshY }

// Origin returns the position hnn-core gives every external drive cell:
// the pyramidal grid coordinate with index (MeshX−1)/2, (MeshY−1)/2 in the
// plane and z = floor(LayerSeparation/2).
func (c *Column) Origin() Position {
	return Position{
		X: float64((c.MeshX-1)/2) * c.InplaneDistance,
		Y: float64((c.MeshY-1)/2) * c.InplaneDistance,
		Z: math.Floor(c.LayerSeparation / 2),
	}
}
