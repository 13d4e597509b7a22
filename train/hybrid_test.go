package train

import (
	"encoding/json"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestHybridShort fits the kernel hybrid's junction model on one short L2/3 sample per
// regime and evaluates it on one: it must report every regime, repeat itself bit for bit,
// and, with the whole cell's own residual in place of the model, reproduce the cell's
// spikes (the runner is the oracle row's).
func TestHybridShort(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates cells")
	}
	if _, err := HybridJunction([]neuron.CellType{neuron.L2Pyramidal}, 0, 1, 200, 3, 1e-6, "u", nil); err == nil {
		t.Error("-hybrid 0: no error")
	}
	if _, err := HybridJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 200, 3, 1e-6, "v", nil); err == nil {
		t.Error("-hybrid-mode v: no error")
	}
	run := func() (HybridReport, string) {
		rep, err := HybridJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 200, 3, 1e-6, "u", nil)
		if err != nil {
			t.Fatal(err)
		}
		r := rep[neuron.L2Pyramidal.String()]
		b, _ := json.Marshal([]any{r.Rows, r.OneStepRMS, r.Model.W}) // not FitSeconds
		return r, string(b)
	}
	a, ja := run()
	_, jb := run()
	if ja != jb {
		t.Error("two runs differ")
	}
	if len(a.Rows) != 3 || len(a.OneStepRMS) != 2 || a.Features < 10 {
		t.Fatalf("%d rows, one-step RMS %v, %d features", len(a.Rows), a.OneStepRMS, a.Features)
	}
	hybridOracle = true
	defer func() { hybridOracle = false }()
	o, _ := run()
	for _, r := range o.Rows {
		if r.NTrue != r.NPred || (r.NTrue > 0 && r.Gamma < 0.99) || r.ClipRMSE > 0.5 {
			t.Errorf("%s: oracle hybrid %d spikes for %d, Γ %.3f, clipped RMSE %.2f mV", r.Regime, r.NPred, r.NTrue, r.Gamma, r.ClipRMSE)
		}
	}
}
