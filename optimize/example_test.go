package optimize_test

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/optimize"
)

// Build the published surrogate column (132 cells) with a 10 Hz Poisson drive
// on every cell, simulate 100 ms with surrogate cells, and back-propagate the
// 15-60 Hz band-power loss of the dipole to the 16 class log-gains. (Untrained
// surrogates are used here; snn.ShippedCells gives the trained
// ones.)
func ExampleSpectral() {
	col, err := network.NewPublishedColumn()
	if err != nil {
		panic(err)
	}
	drive := network.PoissonEveryCell(10, 0.003, 0, 1)
	net, err := network.NewNetwork(col, nil, []network.Drive{drive})
	if err != nil {
		panic(err)
	}
	models, err := snn.RandomCells[float32](1)
	if err != nil {
		panic(err)
	}
	sn, err := snn.New(net, models, snn.Options{TStop: 100})
	if err != nil {
		panic(err)
	}
	obj, err := optimize.NewSpectral[float32](optimize.ObjectiveConfig{Warmup: 20, Resolution: 12.5}, sn.Steps, sn.Dt)
	if err != nil {
		panic(err)
	}
	tp := autograd.NewTape[float32]()
	run, err := sn.Run(tp, []int{0}) // drive trial 0
	if err != nil {
		panic(err)
	}
	loss, err := obj.Loss(tp, run)
	if err != nil {
		panic(err)
	}
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	fmt.Printf("%d cells, %d steps of %g ms, %d connections\n", col.NumCells(), sn.Steps, sn.Dt, len(sn.Connections))
	fmt.Printf("dipole %v, gradient of %d log-gains\n", run.Dipole.Shape(), len(sn.LogGains.Grad))
	fmt.Printf("Welch: %d-sample segments, %.1f Hz bins\n", obj.Plan.Params().NPerSeg, obj.Plan.Params().Resolution())
	// Output:
	// 132 cells, 200 steps of 0.5 ms, 19176 connections
	// dipole [3 1 200], gradient of 16 log-gains
	// Welch: 160-sample segments, 12.5 Hz bins
}
