package train

import (
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// TestPoissonSampleEventsReproduceSplit checks that the events
// PoissonSampleEvents draws are those of the split's cached samples (binned,
// they give each sample's X exactly, and not another sample's), in both
// regimes, and that SubstepInputs sums to the binned input.
func TestPoissonSampleEventsReproduceSplit(t *testing.T) {
	for _, regime := range []string{"", "hnn"} {
		r := Recipe{Split: "test", Seed: 5, PoissonPer: 3, Bins: 200, MeshX: 2, MeshY: 2, LogGainSpan: 1, Regime: regime}
		if regime == "hnn" {
			r.Split = "test_hnn"
		}
		sets, err := Generate(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range neuron.CellTypes {
			ss := sets[ct].Samples
			C := len(sets[ct].Inputs)
			for i, s := range ss {
				evs, err := r.PoissonSampleEvents(ct, i)
				if err != nil {
					t.Fatal(err)
				}
				if !BinnedInputMatches(evs, s, C) {
					t.Fatalf("regime %q %s sample %d: the regenerated events do not bin to the sample's input", regime, ct, i)
				}
				if other := ss[(i+1)%len(ss)]; BinnedInputMatches(evs, other, C) {
					t.Fatalf("regime %q %s sample %d: its events also match sample %d", regime, ct, i, (i+1)%len(ss))
				}
				sub, err := SubstepInputs(evs, C, s.Bins)
				if err != nil {
					t.Fatal(err)
				}
				W := surrogate.ExactSubsteps * C
				for k := range s.Bins {
					for c := range C {
						var sum float64
						for j := range surrogate.ExactSubsteps {
							sum += sub[k*W+j*C+c]
						}
						if d := sum - float64(s.X[k*C+c]); d > 1e-6 || d < -1e-6 {
							t.Fatalf("regime %q %s sample %d bin %d channel %d: substeps sum to %v, binned %v", regime, ct, i, k, c, sum, s.X[k*C+c])
						}
					}
				}
			}
		}
		if _, err := r.PoissonSampleEvents(neuron.L5Basket, r.PoissonPer); err == nil {
			t.Errorf("sample %d of %d: no error", r.PoissonPer, r.PoissonPer)
		}
	}
	if _, err := SubstepInputs([]Event{{Channel: 3, T: 1, W: 1}}, 3, 10); err == nil {
		t.Error("channel 3 of 3: no error")
	}
}

// TestTrueTimeInputsRefusesOtherData checks that TrueTimeInputs names the
// sample whose cached input is not its recipe's events.
func TestTrueTimeInputsRefusesOtherData(t *testing.T) {
	r := Recipe{Split: "test", Seed: 9, PoissonPer: 2, Bins: 100, MeshX: 2, MeshY: 2, LogGainSpan: 1}
	sets, err := Generate(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := sets[neuron.L2Basket]
	in, err := TrueTimeInputs(r, d)
	if err != nil || len(in) != 2 {
		t.Fatalf("the split's own data: %d inputs, %v", len(in), err)
	}
	d.Samples[0], d.Samples[1] = d.Samples[1], d.Samples[0]
	if _, err := TrueTimeInputs(r, d); err == nil || !strings.Contains(err.Error(), "sample 0") {
		t.Errorf("swapped samples: %v, want an error naming sample 0", err)
	}
}
