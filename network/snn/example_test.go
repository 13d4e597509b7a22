package snn_test

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// Build the published surrogate column (132 cells) with a 10 Hz Poisson drive
// on every cell, simulate 100 ms with the shipped surrogate cells in inference
// mode, and report the network's size and spikes. (snn.RandomCells gives
// untrained cells of the same shape.)
func ExampleNew() {
	col, err := network.NewPublishedColumn()
	if err != nil {
		panic(err)
	}
	drive := network.PoissonEveryCell(10, 0.003, 0, 1)
	net, err := network.NewNetwork(col, nil, []network.Drive{drive})
	if err != nil {
		panic(err)
	}
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		panic(err)
	}
	sn, err := snn.New(net, models, snn.Options{TStop: 100})
	if err != nil {
		panic(err)
	}
	tp := autograd.NewTape[float32]()
	tp.SetNoGrad(true)
	run, err := sn.Run(tp, []int{0}) // drive trial 0
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d cells, %d steps of %g ms, %d connections, %d class gains\n", col.NumCells(), sn.Steps, sn.Dt, len(sn.Connections), len(sn.LogGains.Data))
	fmt.Printf("dipole %v (aggregate, L2/3, L5; nAm)\n", run.Dipole.Shape())
	fmt.Println("spiking cell types:", run.SpikeCounts[neuron.L5Basket] > 0 && run.SpikeCounts[neuron.L5Pyramidal] > 0)
	// Output:
	// 132 cells, 200 steps of 0.5 ms, 19176 connections, 16 class gains
	// dipole [3 1 200] (aggregate, L2/3, L5; nAm)
	// spiking cell types: true
}
