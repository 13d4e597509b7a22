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

// poissonReference is the drive of the Poisson timing on both sides (bench/hnn_neuron.py
// poisson): a cell-specific 10 Hz Poisson train on the proximal AMPA synapses of every
// cell, 0.0025 µS, delay 0.1 ms, event seed 1.
func poissonReference() []network.Drive {
	return []network.Drive{network.PoissonEveryCell(10, 0.0025, 0, 1)}
}

// BenchmarkPoissonMesh10 drives the 10×10 column (270 cells) with poissonReference for
// 1000 ms (hnn-core on NEURON 8.2.2, same drive: ~114 s of CPU on one core of an idle
// 2-core Xeon; bench/run.sh poisson times both sides).
func BenchmarkPoissonMesh10(b *testing.B) {
	benchNetwork(b, poissonReference, 1000)
}

// BenchmarkPoissonMesh10Short is BenchmarkPoissonMesh10 for 200 ms, for rounds on a
// loaded machine (bench/run.sh poisson200).
func BenchmarkPoissonMesh10Short(b *testing.B) {
	benchNetwork(b, poissonReference, 200)
}
