package network_test

import (
	"fmt"

	"github.com/neurograd/neurograd/network"
)

// Build HNN's 10×10 column with the ERP drives, list its populations and
// the zero-distance weight of one connection class, and draw the first
// drive event exactly as hnn-core does.
func Example() {
	col, err := network.NewColumn(10, 10)
	if err != nil {
		panic(err)
	}
	conn := network.DefaultConnectivity()
	if err := conn.SetGain("L5Basket_L5Pyr_gabaa_soma", 2); err != nil {
		panic(err)
	}
	net, err := network.NewNetwork(col, conn, network.ERPDrives())
	if err != nil {
		panic(err)
	}
	for _, ct := range network.CellTypes {
		s, e := col.Range(ct)
		fmt.Printf("%-12s gids %3d-%3d\n", ct, s, e-1)
	}
	fmt.Println("gids in all:", net.NumGIDs())
	events, err := net.DriveEventTimes(1, 0, 170) // evprox1, trial 0
	if err != nil {
		panic(err)
	}
	fmt.Printf("evprox1 drive cell 0 fires at %.6f ms\n", events[0][0])
	// Output:
	// L2_basket    gids   0- 34
	// L2_pyramidal gids  35-134
	// L5_basket    gids 135-169
	// L5_pyramidal gids 170-269
	// gids in all: 1045
	// evprox1 drive cell 0 fires at 23.806416 ms
}

// Simulate the 3×3 ERP column for 40 ms and report its spikes.
func ExampleSimulate() {
	col, _ := network.NewColumn(3, 3)
	net, _ := network.NewNetwork(col, nil, network.ERPDrives())
	res, err := network.Simulate(net, network.SimOptions{TStop: 40})
	if err != nil {
		panic(err)
	}
	cells := 0
	for _, s := range res.Spikes {
		if s.GID < col.NumCells() {
			cells++
		}
	}
	fmt.Printf("%d samples, %d cell spikes\n", len(res.Times), cells)
	hnn := res.HNNDipole()
	fmt.Printf("hnn-core dipole at t=0: %.5g nAm\n", hnn.Agg[0])
	// Output:
	// 1601 samples, 27 cell spikes
	// hnn-core dipole at t=0: 0.00044105 nAm
}
