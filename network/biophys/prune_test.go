package biophys

import (
	"testing"

	"github.com/neurograd/neurograd/network"
)

// The biophysical column links exactly the pairs a pruned class keeps
// (network.Network.ClassPairs, hnn-core's draw).
func TestPrunedLinks(t *testing.T) {
	col, err := network.NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	conn := network.DefaultConnectivity()
	for i := range conn.Classes {
		conn.Classes[i].Probability, conn.Classes[i].ConnSeed = 0.5, int64(10+i)
	}
	net, err := network.NewNetwork(col, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := newSimulation(net, SimOptions{TStop: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.buildCells(); err != nil {
		t.Fatal(err)
	}
	if err := sim.connect(); err != nil {
		t.Fatal(err)
	}
	type pair struct{ s, t int }
	got := map[pair]int{}
	for _, ch := range sim.chunks {
		for s, links := range ch.out {
			for _, l := range links {
				got[pair{s, int(l.tgt)}]++
			}
		}
	}
	want := map[pair]int{}
	kept, all := 0, 0
	for ci := range conn.Classes {
		cc := &conn.Classes[ci]
		s0, s1 := col.Range(cc.Source)
		t0, t1 := col.Range(cc.Target)
		all += (s1 - s0) * (t1 - t0)
		for s, tg := range net.ClassPairs(ci) {
			want[pair{s, tg}]++
			kept++
		}
	}
	if len(got) != len(want) || kept >= all*3/4 {
		t.Fatalf("%d linked pairs, %d kept pairs (%d of %d)", len(got), len(want), kept, all)
	}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("pair %v: %d links, want %d", p, got[p], n)
		}
	}
}
