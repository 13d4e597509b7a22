package train

import (
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// freshSamples simulates n new 1 s samples of the independent-Poisson regime
// with a seed never used for the shipped weights' data.
func freshSamples(t *testing.T, ct neuron.CellType, n int) []*surrogate.Sample {
	t.Helper()
	out := make([]*surrogate.Sample, n)
	errs := make([]error, n)
	parallel.For(n, 0, func(i int) {
		rng := rand.New(rand.NewPCG(20261128+uint64(len(ct.String())), 7<<40+uint64(ct.String()[1])<<20+uint64(i)))
		evs, err := PoissonEvents(ct, DefaultPoissonConfig(ct), 2000, rng)
		if err != nil {
			errs[i] = err
			return
		}
		out[i], errs[i] = Simulate(ct, evs, 2000)
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// issueTargets are the accuracy targets of issue 8 (Pearson r per output,
// spike precision and recall within ±2 ms).
var issueTargets = map[neuron.CellType]map[string]float64{
	neuron.L5Pyramidal: {"v_soma": 0.90, "v_apical_tuft": 0.92, surrogate.DipoleName: 0.85, "precision": 0.8, "recall": 0.8},
	neuron.L2Pyramidal: {"v_soma": 0.90, "v_apical_tuft": 0.92, surrogate.DipoleName: 0.85, "precision": 0.8, "recall": 0.8},
	neuron.L2Basket:    {"v_soma": 0.90, "precision": 0.8, "recall": 0.8},
	neuron.L5Basket:    {"v_soma": 0.90, "precision": 0.8, "recall": 0.8},
}

// shippedFloor is what the shipped weights are required to keep reaching
// where they fall short of issueTargets (docs/surrogate.md, Accuracy): the
// figures measured on this fresh set when the weights were shipped, less the
// margin below. A retrained model must not fall below them.
var shippedFloor = map[neuron.CellType]map[string]float64{
	neuron.L5Pyramidal: {"v_soma": 0.56, "v_apical_tuft": 0.59, surrogate.DipoleName: 0.36, "precision": 0.56, "recall": 0.40},
	neuron.L2Pyramidal: {"v_soma": 0.70, "v_apical_tuft": 0.72, surrogate.DipoleName: 0.61, "precision": 0.72, "recall": 0.74},
}

// TestShippedAccuracy checks the embedded weights of every cell type on a
// small fresh test set (independent-Poisson regime, seeds never used in
// training) against the issue's targets, less a margin for the small sample,
// and, where a type is documented to fall short, against its shipped floor.
func TestShippedAccuracy(t *testing.T) {
	const margin = 0.05
	for _, ct := range neuron.CellTypes {
		m, err := surrogate.Shipped[float32](ct)
		if err != nil {
			t.Fatal(err)
		}
		if m.CellType() != ct {
			t.Fatalf("shipped %s weights are for %s", ct, m.CellType())
		}
		n := 12
		if m.DipoleOutput() < 0 {
			n = 16 // baskets are cheap to simulate
		}
		mt := m.Evaluate(freshSamples(t, ct, n))
		if mt.TrueSpikes < 5 {
			t.Fatalf("%s: only %d biophysical spikes in the fresh test set", ct, mt.TrueSpikes)
		}
		got := map[string]float64{"precision": mt.Precision, "recall": mt.Recall}
		for o, name := range mt.Outputs {
			got[name] = mt.R[o]
		}
		t.Logf("%s: r %.3f, spikes %d/%d, precision %.3f recall %.3f, rate %.1f vs %.1f Hz",
			ct, mt.R, mt.PredSpikes, mt.TrueSpikes, mt.Precision, mt.Recall, mt.PredRateHz, mt.TrueRateHz)
		for name, target := range issueTargets[ct] {
			want := target - margin
			if f, ok := shippedFloor[ct][name]; ok && f-margin < want {
				if got[name] < want {
					t.Logf("%s %s = %.3f: short of the issue target %.2f (documented shortfall)", ct, name, got[name], target)
				}
				want = f - margin
			}
			if got[name] < want {
				t.Errorf("%s %s = %.3f, want >= %.3f", ct, name, got[name], want)
			}
		}
	}
}
