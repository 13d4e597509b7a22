package biophys_test

import (
	"fmt"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
)

// Simulate the 3×3 ERP column for 40 ms and report its spikes.
func ExampleSimulate() {
	col, _ := network.NewColumn(3, 3)
	net, _ := network.NewNetwork(col, nil, network.ERPDrives())
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: 40})
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
