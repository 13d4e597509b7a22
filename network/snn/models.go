package snn

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// CellFor erases the state type of a surrogate.Model (see
// CellOf).
func CellFor[T autograd.Float](m *surrogate.Model[T]) Cell[T] {
	return CellOf[T, *surrogate.State[T]](m)
}

// ExactCellFor erases the state type of a surrogate.ExactBasket (see
// CellOf).
func ExactCellFor[T autograd.Float](m *surrogate.ExactBasket[T]) Cell[T] {
	return CellOf[T, *surrogate.ExactState[T]](m)
}

// ShippedCells returns the shipped cell models of the four cell types,
// indexed by CellType: the embedded trained surrogates of the pyramidal
// cells and the exact baskets (surrogate.ExactBasket: HNN's single-
// compartment basket cell integrated at NEURON's 0.025 ms inside each step).
// ShippedCellsLearnedBaskets has the learned baskets instead.
func ShippedCells[T autograd.Float]() ([neuron.NumCellTypes]Cell[T], error) {
	out, err := ShippedCellsLearnedBaskets[T]()
	if err != nil {
		return out, err
	}
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		m, err := surrogate.NewExactBasket[T](ct)
		if err != nil {
			return out, fmt.Errorf("network: exact basket %s: %w", ct, err)
		}
		out[ct] = ExactCellFor(m)
	}
	return out, nil
}

// ShippedCellsLearnedBaskets returns the embedded trained surrogates of all
// four cell types (the learned baskets too, as ShippedCells did before the
// exact baskets), indexed by CellType.
func ShippedCellsLearnedBaskets[T autograd.Float]() ([neuron.NumCellTypes]Cell[T], error) {
	var out [neuron.NumCellTypes]Cell[T]
	for _, ct := range neuron.CellTypes {
		m, err := surrogate.Shipped[T](ct)
		if err != nil {
			return out, fmt.Errorf("network: shipped surrogate of %s: %w", ct, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = CellFor(m)
	}
	return out, nil
}

// RandomCells returns untrained surrogates of the four cell types
// (surrogate.New with the default architecture), deterministic by seed: for
// tests and for timing when no trained weights are at hand.
func RandomCells[T autograd.Float](seed uint64) ([neuron.NumCellTypes]Cell[T], error) {
	var out [neuron.NumCellTypes]Cell[T]
	for i, ct := range neuron.CellTypes {
		m, err := surrogate.New[T](ct, surrogate.DefaultArch(ct), seed+uint64(i)*1000)
		if err != nil {
			return out, fmt.Errorf("network: random surrogate of %s: %w", ct, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = CellFor(m)
	}
	return out, nil
}

// LoadCells reads the surrogates of the four cell types from dir, one
// weight file per type named as surrogate.ShippedFile names the embedded ones
// ("<cell type>.safetensors", e.g. L5_pyramidal.safetensors). A file whose
// weights are of another cell type is an error naming both.
func LoadCells[T autograd.Float](dir string) ([neuron.NumCellTypes]Cell[T], error) {
	var out [neuron.NumCellTypes]Cell[T]
	for _, ct := range neuron.CellTypes {
		path := filepath.Join(dir, filepath.Base(surrogate.ShippedFile(ct)))
		f, err := os.Open(path)
		if err != nil {
			return out, fmt.Errorf("network: surrogate of %s: %w", ct, err)
		}
		m, err := surrogate.LoadFor[T](f, surrogate.Want{CellType: ct})
		f.Close()
		if err != nil {
			return out, fmt.Errorf("network: surrogate of %s from %s: %w", ct, path, err)
		}
		m.SetTrainable(false) // the network optimizes connections, not the cells
		out[ct] = CellFor(m)
	}
	return out, nil
}
