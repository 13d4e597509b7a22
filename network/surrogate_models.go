package network

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// SurrogateCellFor erases the state type of a surrogate.Model (see
// SurrogateCellOf).
func SurrogateCellFor[T autograd.Float](m *surrogate.Model[T]) SurrogateCell[T] {
	return SurrogateCellOf[T, *surrogate.State[T]](m)
}

// ShippedSurrogateCells returns the embedded trained surrogates of the four
// cell types, indexed by CellType.
func ShippedSurrogateCells[T autograd.Float]() ([NumCellTypes]SurrogateCell[T], error) {
	var out [NumCellTypes]SurrogateCell[T]
	for _, ct := range CellTypes {
		m, err := surrogate.Shipped[T](ct.NeuronType())
		if err != nil {
			return out, fmt.Errorf("network: shipped surrogate of %s: %w", ct, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = SurrogateCellFor(m)
	}
	return out, nil
}

// RandomSurrogateCells returns untrained surrogates of the four cell types
// (surrogate.New with the default architecture), deterministic by seed: for
// tests and for timing when no trained weights are at hand.
func RandomSurrogateCells[T autograd.Float](seed uint64) ([NumCellTypes]SurrogateCell[T], error) {
	var out [NumCellTypes]SurrogateCell[T]
	for i, ct := range CellTypes {
		m, err := surrogate.New[T](ct.NeuronType(), surrogate.DefaultArch(ct.NeuronType()), seed+uint64(i)*1000)
		if err != nil {
			return out, fmt.Errorf("network: random surrogate of %s: %w", ct, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = SurrogateCellFor(m)
	}
	return out, nil
}

// LoadSurrogateCells reads the surrogates of the four cell types from dir, one
// weight file per type named as surrogate.ShippedFile names the embedded ones
// ("<cell type>.safetensors", e.g. L5_pyramidal.safetensors).
func LoadSurrogateCells[T autograd.Float](dir string) ([NumCellTypes]SurrogateCell[T], error) {
	var out [NumCellTypes]SurrogateCell[T]
	for _, ct := range CellTypes {
		path := filepath.Join(dir, filepath.Base(surrogate.ShippedFile(ct.NeuronType())))
		f, err := os.Open(path)
		if err != nil {
			return out, fmt.Errorf("network: surrogate of %s: %w", ct, err)
		}
		m, err := surrogate.Load[T](f)
		f.Close()
		if err != nil {
			return out, fmt.Errorf("network: surrogate of %s from %s: %w", ct, path, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = SurrogateCellFor(m)
	}
	return out, nil
}
