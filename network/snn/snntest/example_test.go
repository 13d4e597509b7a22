package snntest_test

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/network/snn/snntest"
	"github.com/neurograd/neurograd/neuron"
)

// Run the tiny test column with fake cells for 50 ms and count its spikes.
func Example() {
	var models [neuron.NumCellTypes]snn.Cell[float64]
	for _, ct := range neuron.CellTypes {
		models[ct] = snn.CellOf[float64, *snntest.FakeState[float64]](snntest.NewFakeCell[float64](ct, 2500))
	}
	net, err := snntest.NewTinyNetwork(200)
	if err != nil {
		panic(err)
	}
	sn, err := snn.New(net, models, snn.Options{TStop: 50})
	if err != nil {
		panic(err)
	}
	tp := autograd.NewTape[float64]()
	run, err := sn.Run(tp, []int{0})
	if err != nil {
		panic(err)
	}
	n := 0
	for _, c := range run.SpikeCounts {
		n += c
	}
	fmt.Println(sn.Net.Column.NumCells(), "cells, spikes:", n > 0)
	// Output: 10 cells, spikes: true
}
