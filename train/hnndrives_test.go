package train

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

func TestHNNDriveEvents(t *testing.T) {
	for _, ct := range neuron.CellTypes {
		desc, err := neuron.Template(ct)
		if err != nil {
			t.Fatal(err)
		}
		chans := desc.Channels()
		for r, name := range HNNRegimes {
			nonEmpty := 0
			for seed := uint64(0); seed < 8; seed++ {
				a, err := HNNDriveEvents(ct, r, 2000, rand.New(rand.NewPCG(seed, 7)))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := HNNDriveEvents(ct, r, 2000, rand.New(rand.NewPCG(seed, 7)))
				if len(a) != len(b) {
					t.Fatalf("%s %s: not deterministic by seed", ct, name)
				}
				if len(a) > 0 {
					nonEmpty++
				}
				for i, e := range a {
					if e != b[i] {
						t.Fatalf("%s %s: not deterministic by seed", ct, name)
					}
					if e.T <= 0 || e.T >= 1000 || !(e.W > 0) || e.Channel < 0 || e.Channel >= len(chans) {
						t.Fatalf("%s %s: bad event %+v", ct, name, e)
					}
					if i > 0 && e.T < a[i-1].T {
						t.Fatalf("%s %s: events not sorted", ct, name)
					}
					if rc := chans[e.Channel].Receptor; rc != neuron.AMPA && rc != neuron.NMDA {
						t.Fatalf("%s %s: event on receptor %v", ct, name, rc)
					}
				}
			}
			if nonEmpty < 6 {
				t.Errorf("%s %s: only %d of 8 samples have events", ct, name, nonEmpty)
			}
		}
	}
	if _, err := HNNDriveEvents(neuron.L5Pyramidal, len(HNNRegimes), 10, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("a regime out of range should be an error")
	}
	if HNNRegimeOf(0, 60) != 0 || HNNRegimeOf(19, 60) != 0 || HNNRegimeOf(20, 60) != 1 || HNNRegimeOf(59, 60) != 2 {
		t.Error("HNNRegimeOf: want contiguous thirds")
	}
}

func TestRecipeRegimeString(t *testing.T) {
	r := Recipe{Split: "test", Seed: 1, Bins: 2000}
	if strings.Contains(r.String(), "regime") {
		t.Errorf("the default regime changed the recipe's text (and every cache): %s", r)
	}
	r.Regime = "hnn"
	if !strings.HasSuffix(r.String(), " regime=hnn") {
		t.Errorf("recipe %s does not name its regime", r)
	}
}
