package main

import (
	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// cellEstimate estimates a single-cell run of cell type typ (any sections
// count when typ is not a cell type: the error comes later) for tstop ms
// at dt ms recording every every-th step, or of its surrogate.
func cellEstimate(typ string, tstop, dt float64, every int, useSurrogate bool) cli.Estimate {
	sections := 16
	if ct, err := neuron.ParseCellType(typ); err == nil {
		if d, err := neuron.Template(ct); err == nil {
			sections = len(d.Sections)
		}
	}
	if useSurrogate {
		return cli.SurrogateCellEstimate(tstop, surrogate.BinDt, 32, sections+1)
	}
	return cli.CellEstimate(tstop, dt, every, sections)
}
