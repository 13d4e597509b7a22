package snn

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn/snntest"
	"github.com/neurograd/neurograd/neuron"
)

func fakeModels[T autograd.Float](gain float64) [neuron.NumCellTypes]Cell[T] {
	var m [neuron.NumCellTypes]Cell[T]
	for _, ct := range neuron.CellTypes {
		m[ct] = CellOf[T, *snntest.FakeState[T]](snntest.NewFakeCell[T](ct, gain))
	}
	return m
}

func scriptModels[T autograd.Float](fire map[neuron.CellType]map[int]bool) [neuron.NumCellTypes]Cell[T] {
	var m [neuron.NumCellTypes]Cell[T]
	for _, ct := range neuron.CellTypes {
		m[ct] = CellOf[T, *snntest.ScriptState](snntest.NewScriptCell[T](ct, fire[ct]))
	}
	return m
}
