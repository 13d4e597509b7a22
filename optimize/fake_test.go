package optimize

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/network/snn/snntest"
	"github.com/neurograd/neurograd/neuron"
)

// fakeModels returns snntest's fake cells of every type with the given gain.
func fakeModels[T autograd.Float](gain float64) [neuron.NumCellTypes]snn.Cell[T] {
	var m [neuron.NumCellTypes]snn.Cell[T]
	for _, ct := range neuron.CellTypes {
		m[ct] = snn.CellOf[T, *snntest.FakeState[T]](snntest.NewFakeCell[T](ct, gain))
	}
	return m
}

func tinyNet(t testing.TB, rate float64) *network.Network { return snntest.TinyNetwork(t, rate) }
