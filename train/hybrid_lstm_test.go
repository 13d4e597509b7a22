package train

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
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
	// minibatches with a cosine decay: deterministic, and the teacher-forced loss falls
	bc := lc
	bc.Batch, bc.LRFinal, bc.DaggerLR = 2, 1e-3, 3e-3
	mini := func() (HybridLSTMReport, string) {
		rep, err := HybridLSTMJunction([]neuron.CellType{neuron.L2Pyramidal}, 1, 1, 300, 3, bc, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := rep[neuron.L2Pyramidal.String()]
		b, _ := json.Marshal([]any{r.Rows, r.OneStepRMS, r.TFLoss, r.DaggerLoss})
		return r, string(b)
	}
	mb, jm := mini()
	if _, jm2 := mini(); jm != jm2 {
		t.Error("minibatched runs differ")
	}
	if jm == ja || !(mb.TFLoss[len(mb.TFLoss)-1] < 0.9*mb.TFLoss[0]) {
		t.Errorf("minibatched teacher-forced loss %v does not fall (or equals the full-batch run)", mb.TFLoss)
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

// hybridTraceSource replays the biophysical held junction (the dendrite following the
// whole cell, not the hybrid).
type hybridTraceSource struct{ tr *hybridTrace }

func (s hybridTraceSource) held(k int, _, _ []float64, _ [][]float64) []float64 { return s.tr.held[k] }
func (hybridTraceSource) follow([][]float64) []float64                          { return nil }

// hybridNoOverride is the held-dendrite oracle keeping the op's own vbStart.
type hybridNoOverride struct{ *hybridDendriteSource }

func (n hybridNoOverride) follow(traj [][]float64) []float64 {
	n.hybridDendriteSource.follow(traj)
	return nil
}

// TestHybridHeldMustFollow measures what docs/surrogate.md ("A learned junction trained
// free-running") reports: the op with its held junction frozen at rest leaves rest by
// itself (logged; L2/3 and L5), while with a dendrite following the hybrid's own soma and
// the op's own vbStart (what a learned model runs with) it fires the whole cell's spikes.
func TestHybridHeldMustFollow(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates cells")
	}
	for _, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
		op, err := surrogate.NewHybridSoma[float64](ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		hs := op.NewState(nil, 1)
		K := op.StateWidth() - 3
		held := append([]float64(nil), hs.S.Data[K:K+2]...)
		rest := hs.S.Data[1]
		var dev []float64
		for k := range 16 {
			y, _ := op.Step(nil, autograd.Zeros[float64](1, 2), autograd.MustNew(append([]float64(nil), held...), 1, 2), hs)
			if k%4 == 3 {
				dev = append(dev, y.Data[0]-rest)
			}
		}
		t.Logf("%s, held frozen at rest: soma − rest after 2, 4, 6, 8 ms: %.3g mV", ct, dev)
	}
	ct := neuron.L2Pyramidal
	desc, _ := neuron.Template(ct)
	j, _ := neuron.NewJunction(desc, 0)
	op, _ := surrogate.NewHybridSoma[float64](ct, nil)
	syn, _ := newHybridSyn(desc)
	kl, err := j.LinearKernel(neuron.DefaultConfig(), 200, math.NaN(), 200, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	bins := 600
	n := 0
	for _, reg := range []string{"poisson", "sparse", "evoked"} {
		evs, err := boundEvents(ct, desc, reg, bins, rand.New(rand.NewPCG(7, 9)))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := hybridRunTraceClip(desc, j, syn, kl, evs, bins, op.HoldClip())
		if err != nil {
			t.Fatal(err)
		}
		d, err := boundDendriteCell(desc, j, evs)
		if err != nil {
			t.Fatal(err)
		}
		soma, sp, err := hybridRunFree(desc, j, op.Kernel(), op.HoldClip(), hybridNoOverride{&hybridDendriteSource{d: d, clip: op.HoldClip()}}, tr, bins)
		if err != nil {
			t.Fatal(err)
		}
		soma2, sp2, err := hybridRunFree(desc, j, op.Kernel(), op.HoldClip(), hybridTraceSource{tr}, tr, bins)
		if err != nil {
			t.Fatal(err)
		}
		r2 := boundAggregate([]boundSample{boundCompare(tr.full, soma2, sp2, bins)}, float64(bins)*0.5)
		t.Logf("%s, the biophysical held replayed: %d spikes for %d, clipped RMSE %.2f mV", reg, r2.NPred, r2.NTrue, r2.ClipRMSE)
		r := boundAggregate([]boundSample{boundCompare(tr.full, soma, sp, bins)}, float64(bins)*0.5)
		t.Logf("%s: %d spikes for %d, Γ %.3f, clipped RMSE %.2f mV", reg, r.NPred, r.NTrue, r.Gamma, r.ClipRMSE)
		n += r.NTrue
		if r.NPred != r.NTrue || (r.NTrue > 0 && r.Gamma < 0.9) || r.ClipRMSE > 2 {
			t.Errorf("%s: own vbStart, following dendrite: %d spikes for %d, Γ %.3f, clipped RMSE %.2f mV", reg, r.NPred, r.NTrue, r.Gamma, r.ClipRMSE)
		}
	}
	if n == 0 {
		t.Error("no spikes: the check checks nothing")
	}
}

func TestHybridFitCosine(t *testing.T) {
	p := hybridFit{epochs: 11, lr0: 3e-3, lr1: 1e-4}
	if p.lr(0) != 3e-3 || math.Abs(p.lr(10)-1e-4) > 1e-18 {
		t.Errorf("cosine ends %g / %g, want 3e-3 / 1e-4", p.lr(0), p.lr(10))
	}
	for ep := 1; ep < 11; ep++ {
		if !(p.lr(ep) < p.lr(ep-1)) {
			t.Errorf("lr(%d) = %g not below lr(%d) = %g", ep, p.lr(ep), ep-1, p.lr(ep-1))
		}
	}
	if mid := p.lr(5); math.Abs(mid-(3e-3+1e-4)/2) > 1e-12 {
		t.Errorf("lr(5) = %g, want the midpoint", mid)
	}
	p.lr1 = 0
	if p.lr(7) != 3e-3 {
		t.Errorf("no decay: lr(7) = %g", p.lr(7))
	}
}
