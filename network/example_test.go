package network_test

import (
	"fmt"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
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
	for _, ct := range neuron.CellTypes {
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
