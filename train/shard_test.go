package train

import (
	"reflect"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

func TestShardsMergeToTheSplit(t *testing.T) {
	r := Recipe{Split: "val", Seed: 3, PoissonPer: 3, NetRuns: 1, PickPyr: 1, PickBasket: 1, Bins: 40, MeshX: 2, MeshY: 2, LogGainSpan: 1}
	whole, err := Generate(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	shards := r.Shards(3)
	if len(shards) != 3 || shards[2] != (Shard{NetFrom: 0, NetTo: 1}) {
		t.Fatalf("shards %+v: want two Poisson ranges and the network run", shards)
	}
	var parts []map[neuron.CellType]*Dataset
	for _, sh := range shards {
		p, err := GenerateShard(r, sh, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged, err := MergeShards(r, parts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range neuron.CellTypes {
		if len(merged[ct].Samples) != len(whole[ct].Samples) || len(merged[ct].Samples) < 4 {
			t.Fatalf("%s: %d samples merged, %d whole", ct, len(merged[ct].Samples), len(whole[ct].Samples))
		}
		for i := range whole[ct].Samples {
			if !reflect.DeepEqual(merged[ct].Samples[i], whole[ct].Samples[i]) {
				t.Errorf("%s sample %d differs between shards and the whole split", ct, i)
			}
		}
	}
	// Out of order or from another recipe: an error.
	other := r
	other.Seed = 4
	if _, err := MergeShards(other, parts); err == nil {
		t.Error("merging shards of another recipe succeeded")
	}
	if _, err := GenerateShard(r, Shard{PoissonFrom: 2, PoissonTo: 5}, nil); err == nil {
		t.Error("a shard outside the split was accepted")
	}
}

func TestShardsCoverTheSplit(t *testing.T) {
	for _, r := range []Recipe{{PoissonPer: 10, NetRuns: 3}, {PoissonPer: 0, NetRuns: 2}, {PoissonPer: 5}, {}, {PoissonPer: 2, NetRuns: 0}} {
		for n := 0; n < 8; n++ {
			p, nets := 0, 0
			for _, sh := range r.Shards(n) {
				if sh.Check(r) != nil {
					t.Fatalf("%+v n=%d: bad shard %+v", r, n, sh)
				}
				if sh.PoissonFrom != p && sh.PoissonTo > sh.PoissonFrom {
					t.Fatalf("%+v n=%d: Poisson gap at %d", r, n, p)
				}
				p += sh.PoissonTo - sh.PoissonFrom
				nets += sh.NetTo - sh.NetFrom
			}
			if p != r.PoissonPer || nets != r.NetRuns {
				t.Errorf("%+v n=%d: covers %d Poisson, %d runs", r, n, p, nets)
			}
		}
	}
}
