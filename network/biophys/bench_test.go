package biophys

import (
	"fmt"
	"testing"

	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/network"
)

// benchNetwork simulates a 10×10 column (270 cells) with the given drives
// for tstop ms on each worker count; network construction is included, as
// it is in hnn-core's timing.
func benchNetwork(b *testing.B, drives func() []network.Drive, tstop float64) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			spikes := 0
			cpu0 := cputime.Process().Seconds()
			for b.Loop() {
				col, err := network.NewColumn(10, 10)
				if err != nil {
					b.Fatal(err)
				}
				n, err := network.NewNetwork(col, nil, drives())
				if err != nil {
					b.Fatal(err)
				}
				res, err := Simulate(n, SimOptions{TStop: tstop, Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				spikes = len(res.Spikes)
			}
			b.ReportMetric(float64(spikes), "spikes")
			// CPU time is less disturbed than wall time by other load on a
			// shared machine; it is what hnn-core's figures measure.
			b.ReportMetric((cputime.Process().Seconds()-cpu0)/float64(b.N), "cpu-s/op")
		})
	}
}

// BenchmarkERPMesh10 is hnn-core's ERP example: 270 cells, three evoked
// drives, 170 ms at dt 0.025 ms (hnn-core on NEURON 8.2.2: 47-50 s of CPU
// on one core of the project machine).
func BenchmarkERPMesh10(b *testing.B) {
	benchNetwork(b, network.ERPDrives, 170)
}

// BenchmarkPoissonMesh10 drives every cell of the 10×10 column with its own
// 10 Hz Poisson train (AMPA 0.001 µS, proximal) for 1000 ms (hnn-core on
// NEURON 8.2.2: 160-210 s of CPU on one core).
func BenchmarkPoissonMesh10(b *testing.B) {
	benchNetwork(b, func() []network.Drive { return []network.Drive{network.PoissonEveryCell(10, 0.001, 0, 2)} }, 1000)
}
