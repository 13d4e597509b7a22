package snn

import (
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// The surrogate network wires exactly the pairs a pruned class keeps
// (network.Network.ClassPairs, hnn-core's draw), and the drives' pruned
// connections (network.Network.DriveConnections).
func TestPrunedConnections(t *testing.T) {
	net := tinyNet(t, 50)
	conn := net.Connectivity.Clone()
	for i := range conn.Classes {
		conn.Classes[i].Probability, conn.Classes[i].ConnSeed = 0.5, int64(i)
	}
	drives := make([]network.Drive, len(net.Drives))
	for i := range net.Drives {
		drives[i] = net.Drives[i].Clone()
		drives[i].Probability = map[neuron.CellType]float64{}
		for _, ct := range drives[i].Targets() {
			drives[i].Probability[ct] = 0.5
		}
	}
	pruned, err := network.NewNetwork(net.Column, conn, drives)
	if err != nil {
		t.Fatal(err)
	}
	models := fakeModels[float64](1000)
	full, err := New(net, models, Options{TStop: 1000})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := New(pruned, models, Options{TStop: 1000})
	if err != nil {
		t.Fatal(err)
	}
	type pair struct{ s, t int }
	for ci := range conn.Classes {
		want := map[pair]bool{}
		for s, tg := range pruned.ClassPairs(ci) {
			want[pair{s, tg}] = true
		}
		got := map[pair]bool{}
		for _, c := range sn.Connections {
			if c.Class == ci {
				if !want[pair{c.Src, c.Tgt}] {
					t.Errorf("class %s: connection %d -> %d is not a kept pair", conn.Classes[ci].Name, c.Src, c.Tgt)
				}
				got[pair{c.Src, c.Tgt}] = true
			}
		}
		if len(got) != len(want) {
			t.Errorf("class %s: %d connections, %d kept pairs", conn.Classes[ci].Name, len(got), len(want))
		}
	}
	if len(sn.Connections) >= len(full.Connections) {
		t.Errorf("%d connections pruned, %d all-to-all", len(sn.Connections), len(full.Connections))
	}
	for i := range drives {
		if len(sn.drives[i]) >= len(full.drives[i]) {
			t.Errorf("drive %s: %d synapses pruned, %d in full", drives[i].Name, len(sn.drives[i]), len(full.drives[i]))
		}
	}
}
