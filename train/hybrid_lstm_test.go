package train

import (
	"encoding/json"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestHybridLSTMShort trains the learned junction with tiny sizes on one short L2/3
// sample per regime: both stages' losses must fall, two runs must agree bit for bit, and
// with the held-dendrite oracle in place of the model the free-running runner must
// reproduce the whole cell's spikes (the runner is HybridSoma's formula).
func TestHybridLSTMShort(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates cells")
	}
	cfg := HybridLSTMConfig{Hidden: 8, Layers: 1, TFEpochs: 8, FREpochs: 4, Window: 50, LR: 1e-2, FRLR: 1e-3, Clip: 1, JuncWeight: 1, TFWeight: 1}
	if _, err := HybridLSTMJunction([]neuron.CellType{neuron.L2Pyramidal}, 0, 1, 200, 3, cfg, nil); err == nil {
		t.Error("-hybrid 0: no error")
	}
	run := func() (HybridLSTMReport, string) {
		rep, err := HybridLSTMJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 300, 3, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := rep[neuron.L2Pyramidal.String()]
		b, _ := json.Marshal([]any{r.Rows, r.OneStepRMS, r.TFLoss, r.FRLoss})
		return r, string(b)
	}
	a, ja := run()
	_, jb := run()
	if ja != jb {
		t.Error("two runs differ")
	}
	if len(a.Rows) != 3 || len(a.TFLoss) != cfg.TFEpochs || len(a.FRLoss) != cfg.FREpochs {
		t.Fatalf("%d rows, %d / %d epochs", len(a.Rows), len(a.TFLoss), len(a.FRLoss))
	}
	if !(a.TFLoss[len(a.TFLoss)-1] < 0.9*a.TFLoss[0]) {
		t.Errorf("teacher-forced loss %v does not fall", a.TFLoss)
	}
	if !(a.FRLoss[len(a.FRLoss)-1] < a.FRLoss[0]) {
		t.Errorf("free-running loss %v does not fall", a.FRLoss)
	}
	// the long-kernel residual with one DAgger round: runs, records its losses, finite
	lc := cfg
	lc.LongKernel, lc.FREpochs, lc.DaggerRounds, lc.DaggerEpochs = true, 0, 1, 2
	rep, err := HybridLSTMJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 300, 3, lc, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := rep[neuron.L2Pyramidal.String()]
	if len(l.DaggerLoss) != 2 || len(l.FRLoss) != 0 || !(l.DaggerLoss[1] < 1e3) || len(l.Rows) != 3 {
		t.Errorf("long kernel + DAgger: losses %v / %v, %d rows", l.DaggerLoss, l.FRLoss, len(l.Rows))
	}
	lc.FREpochs = 1
	if _, err := HybridLSTMJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 300, 3, lc, nil); err == nil {
		t.Error("long kernel with a free-running stage: no error")
	}
	hybridLSTMOracle = true
	defer func() { hybridLSTMOracle = false }()
	o, _ := run()
	spikes := 0
	for _, r := range o.Rows {
		t.Logf("%s: oracle %d spikes for %d, Γ %.3f, clipped RMSE %.2f mV", r.Regime, r.NPred, r.NTrue, r.Gamma, r.ClipRMSE)
		spikes += r.NTrue
		if r.NTrue != r.NPred || (r.NTrue > 0 && r.Gamma < 0.9) || r.ClipRMSE > 2 {
			t.Errorf("%s: oracle hybrid %d spikes for %d, Γ %.3f, clipped RMSE %.2f mV", r.Regime, r.NPred, r.NTrue, r.Gamma, r.ClipRMSE)
		}
	}
	if spikes == 0 {
		t.Error("no spikes in any regime: the oracle check checks nothing")
	}
}
