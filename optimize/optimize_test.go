package optimize

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/network/snn/snntest"
	"github.com/neurograd/neurograd/neuron"
)

// tinyOptimizeSetup returns a tiny network of fake cells (150 ms) and a
// 15-60 Hz band-power objective for it.
func tinyOptimizeSetup(t *testing.T) (*snn.Net[float64], *Spectral[float64]) {
	t.Helper()
	sn, err := snn.New(tinyNet(t, 200), fakeModels[float64](2500), snn.Options{TStop: 150})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 25, Resolution: 8}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	return sn, obj
}

// TestOptimizeImprovesLoss runs a few epochs on a tiny network of fake cells
// and checks that the held-out loss falls and band power rises, that every
// epoch drew fresh noise, and that the figures are consistent.
func TestOptimizeImprovesLoss(t *testing.T) {
	sn, obj := tinyOptimizeSetup(t)
	var seen []int
	res, err := Run(sn, obj, Config{
		Epochs: 5, LR: 0.2, HeldOut: []int{500, 501},
		Progress: func(st EpochStats) { seen = append(seen, st.Trials...) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Epochs) != 5 || len(seen) != 5 {
		t.Fatalf("%d epochs reported, want 5", len(res.Epochs))
	}
	for i, tr := range seen {
		if tr != i {
			t.Errorf("epoch %d trained on trial %d, want %d (fresh noise per epoch)", i+1, tr, i)
		}
	}
	if !(res.Final.Loss < res.Initial.Loss) || !(res.Final.MeanBandPower > res.Initial.MeanBandPower) {
		t.Fatalf("held-out loss %.4f -> %.4f, band power %.4g -> %.4g: no improvement",
			res.Initial.Loss, res.Final.Loss, res.Initial.MeanBandPower, res.Final.MeanBandPower)
	}
	// The loss is −mean log band power.
	var want float64
	for _, b := range res.Final.BandPower {
		want -= math.Log(b)
	}
	want /= float64(len(res.Final.BandPower))
	if math.Abs(res.Final.Loss-want) > 1e-9*math.Abs(want) {
		t.Errorf("held-out loss %v, −mean log band power %v", res.Final.Loss, want)
	}
	changed := 0
	for i := range res.InitialGains {
		if math.Abs(math.Log(res.FinalGains[i]/res.InitialGains[i])) > 1e-3 {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no gain changed")
	}
	// The connectivity written out carries the final gains.
	c := sn.Connectivity()
	for i := range c.Classes {
		if math.Abs(c.Classes[i].Gain-res.FinalGains[i]) > 1e-12*res.FinalGains[i] {
			t.Errorf("class %s: connectivity gain %v, final gain %v", c.Classes[i].Name, c.Classes[i].Gain, res.FinalGains[i])
		}
	}
	t.Logf("held-out band power %.4g -> %.4g nAm², %d gains changed", res.Initial.MeanBandPower, res.Final.MeanBandPower, changed)
}

func TestOptimizeReportsSilenceAndBadSettings(t *testing.T) {
	net := tinyNet(t, 5)
	sn, err := snn.New(net, fakeModels[float64](1), snn.Options{TStop: 100}) // far too weak to fire
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Warmup: -1, Resolution: 10}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	res, err := Run(sn, obj, Config{Epochs: 1, HeldOut: []int{}, Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "silent") || len(res.Epochs[0].Warnings) == 0 {
		t.Fatalf("silence not reported: %q", warnings)
	}
	if _, err := Run(sn, obj, Config{Epochs: 3, HeldOut: []int{1}}); err == nil {
		t.Error("held-out trial among the training trials accepted")
	}
	if _, err := Run(sn, obj, Config{Epochs: 1, LR: -1}); err == nil {
		t.Error("negative learning rate accepted")
	}
}

func TestOptimizeStopsOnNaN(t *testing.T) {
	net := tinyNet(t, 200)
	sn, err := snn.New(net, fakeModels[float64](2500), snn.Options{TStop: 60})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Warmup: -1, Resolution: 20, Lo: 20, Hi: 200}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	sn.LogGains.Data[3] = math.Inf(1) // an infinite weight
	_, err = Run(sn, obj, Config{Epochs: 1, HeldOut: []int{}})
	if err == nil || !strings.Contains(err.Error(), "epoch 1") || !strings.Contains(err.Error(), "Inf") {
		t.Fatalf("infinite gain: error %v, want one naming epoch 1 and the infinity", err)
	}
	// A model whose backward pass yields NaN: the error names the parameter.
	models := fakeModels[float64](2500)
	fc := snntest.NewFakeCell[float64](neuron.L2Pyramidal, 2500)
	fc.NaNGrad = true
	models[neuron.L2Pyramidal] = snn.CellOf[float64, *snntest.FakeState[float64]](fc)
	sn, err = snn.New(net, models, snn.Options{TStop: 60})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(sn, obj, Config{Epochs: 2, HeldOut: []int{}})
	if err == nil || !strings.Contains(err.Error(), "epoch 1") || !strings.Contains(err.Error(), "gradient with respect to L2") {
		t.Fatalf("NaN gradient: error %v, want one naming epoch 1 and an L2 class", err)
	}
	// The same with restarts on two workers: the first restart's error, named.
	_, err = Run(sn, obj, Config{Epochs: 2, HeldOut: []int{}, Restarts: 3, Validation: []int{700}, Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "restart 1, epoch 1") || !strings.Contains(err.Error(), "gradient with respect to L2") {
		t.Fatalf("NaN gradient, parallel restarts: error %v, want one naming restart 1, epoch 1 and an L2 class", err)
	}
}

// TestOptimizeRestarts checks the multi-start optimization: every restart
// starts from the initial gains on its own training noise, exactly one is
// kept, it is the one with the lowest validation loss, the network ends with
// its gains, and validation trials may not overlap training or held-out
// noise.
func TestOptimizeRestarts(t *testing.T) {
	sn, obj := tinyOptimizeSetup(t)
	var firstGains [][]float64
	done := 0
	cfg := Config{
		Epochs: 2, LR: 0.2, HeldOut: []int{500, 501}, Restarts: 3, Validation: []int{600, 601},
		RestartDone: func(rr RestartResult) {
			done++
			if rr.Restart != done {
				t.Errorf("restart %d reported as number %d", done, rr.Restart)
			}
		},
		Progress: func(st EpochStats) {
			if st.Epoch == 1 {
				firstGains = append(firstGains, st.Gains)
			}
		},
	}
	initial := sn.Gains()
	res, err := Run(sn, obj, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if done != 3 {
		t.Errorf("RestartDone called %d times, want 3", done)
	}
	if len(res.Restarts) != 3 || len(firstGains) != 3 {
		t.Fatalf("%d restarts reported, %d first epochs seen; want 3", len(res.Restarts), len(firstGains))
	}
	kept, best := -1, math.Inf(1)
	for i, rr := range res.Restarts {
		if len(rr.Trials) != 2 || rr.Trials[0] != 2*i || rr.Trials[1] != 2*i+1 {
			t.Errorf("restart %d trained on %v, want [%d %d]", rr.Restart, rr.Trials, 2*i, 2*i+1)
		}
		if rr.Kept {
			if kept >= 0 {
				t.Fatal("more than one restart kept")
			}
			kept = i
		}
		best = math.Min(best, rr.ValidationLoss)
	}
	if kept < 0 || res.Restarts[kept].ValidationLoss != best {
		t.Fatalf("kept restart %d, validation losses %+v", kept, res.Restarts)
	}
	// Every restart started from the initial gains: one Adam step moves each
	// log10 gain by at most the learning rate.
	for r, g := range firstGains {
		for i := range g {
			if d := math.Abs(math.Log10(g[i] / initial[i])); d > 0.2+1e-9 {
				t.Errorf("restart %d: first step moved gain %d by 10^%.3f: it did not start from the initial gains", r+1, i, d)
			}
		}
	}
	for i, g := range sn.Gains() {
		if g != res.Restarts[kept].FinalGains[i] || g != res.FinalGains[i] {
			t.Fatalf("network gains %v, kept restart's %v", sn.Gains(), res.Restarts[kept].FinalGains)
		}
	}
	// The kept restart's held-out figures are evaluated after the selection,
	// at each epoch's parameters: the last equals a fresh evaluation now.
	for _, e := range res.Epochs {
		if e.HeldOut == nil {
			t.Fatalf("epoch %d of the kept restart has no held-out evaluation", e.Epoch)
		}
	}
	if res.Final != res.Epochs[len(res.Epochs)-1].HeldOut {
		t.Error("the final held-out evaluation is not the last epoch's")
	}
	tp := autograd.NewTape[float64]()
	again, err := Evaluate(sn, obj, tp, cfg.HeldOut)
	if err != nil {
		t.Fatal(err)
	}
	if again.Loss != res.Final.Loss {
		t.Errorf("held-out loss at the kept gains %v, reported %v", again.Loss, res.Final.Loss)
	}
	if res.Epochs[0].Restart != kept+1 {
		t.Errorf("epoch history from restart %d, kept %d", res.Epochs[0].Restart, kept+1)
	}
	used := res.UsedTrials()
	for _, want := range []int{0, 5, 500, 501, 600, 601} {
		found := false
		for _, u := range used {
			found = found || u == want
		}
		if !found {
			t.Errorf("UsedTrials %v lacks trial %d", used, want)
		}
	}
	for _, bad := range [][]int{{3}, {501}} {
		c := cfg
		c.Validation, c.Progress, c.RestartDone = bad, nil, nil
		if _, err := Run(sn, obj, c); err == nil || !strings.Contains(err.Error(), "validation trial") {
			t.Errorf("validation trials %v: error %v, want one naming the overlap", bad, err)
		}
	}
}

// TestOptimizeParallelRestarts checks that restarts run on several workers
// (each on a Clone of the network) give exactly the sequential result:
// every restart's epochs, validation figures and the kept one, the network's
// final gains, and RestartDone in restart order. With the shipped-style
// random surrogate cells it also gives the race detector concurrent model
// steps to look at.
func TestOptimizeParallelRestarts(t *testing.T) {
	progress := map[int]int{} // Progress calls per number of workers
	run := func(workers int) (*Result, []float64, []int) {
		sn, obj := tinyOptimizeSetup(t)
		var order []int
		var mu sync.Mutex
		res, err := Run(sn, obj, Config{
			Epochs: 2, LR: 0.2, HeldOut: []int{500}, Restarts: 3, Validation: []int{600}, Workers: workers,
			RestartDone: func(rr RestartResult) { order = append(order, rr.Restart) },
			Progress:    func(EpochStats) { mu.Lock(); progress[workers]++; mu.Unlock() },
		})
		if err != nil {
			t.Fatal(err)
		}
		return res, sn.Gains(), order
	}
	seq, seqGains, _ := run(1)
	for _, w := range []int{2, 3, 8} {
		par, parGains, order := run(w)
		if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 3 {
			t.Errorf("%d workers: RestartDone order %v, want [1 2 3]", w, order)
		}
		for i, rr := range par.Restarts {
			s := seq.Restarts[i]
			if rr.ValidationLoss != s.ValidationLoss || rr.Kept != s.Kept || !slices.Equal(rr.FinalGains, s.FinalGains) {
				t.Errorf("%d workers: restart %d %+v, sequential %+v", w, i+1, rr, s)
			}
		}
		for i, e := range par.Epochs {
			if e.Loss != seq.Epochs[i].Loss || !slices.Equal(e.Params, seq.Epochs[i].Params) || e.HeldOut.Loss != seq.Epochs[i].HeldOut.Loss {
				t.Errorf("%d workers: kept epoch %d differs from the sequential run", w, i+1)
			}
		}
		if !slices.Equal(parGains, seqGains) {
			t.Errorf("%d workers: network ends at %v, sequential at %v", w, parGains, seqGains)
		}
		if progress[w] != progress[1] || progress[1] == 0 {
			t.Errorf("%d workers: %d progress reports, sequential %d", w, progress[w], progress[1])
		}
	}

	// Real (random, frozen) surrogate cells stepped concurrently.
	models, err := snn.RandomCells[float32](3)
	if err != nil {
		t.Fatal(err)
	}
	var res [2]*Result
	for i, w := range []int{1, 2} {
		sn, err := snn.New(tinyNet(t, 200), models, snn.Options{TStop: 60})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := NewSpectral[float32](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 10, Resolution: 20}, sn.Steps, sn.Dt)
		if err != nil {
			t.Fatal(err)
		}
		if res[i], err = Run(sn, obj, Config{Epochs: 1, LR: 0.2, HeldOut: []int{500}, Restarts: 2,
			Validation: []int{600}, Workers: w}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range res[0].Restarts {
		if res[0].Restarts[i].ValidationLoss != res[1].Restarts[i].ValidationLoss {
			t.Errorf("surrogate cells: restart %d validation loss %v on one worker, %v on two",
				i+1, res[0].Restarts[i].ValidationLoss, res[1].Restarts[i].ValidationLoss)
		}
	}
}

// TestOptimizeRepeatTrials checks that RepeatTrials trains every epoch on
// the first epoch's trials and that the loss, a deterministic function of
// the parameters then, is the one of those trials.
func TestOptimizeRepeatTrials(t *testing.T) {
	sn, obj := tinyOptimizeSetup(t)
	var seen [][]int
	var losses []float64
	res, err := Run(sn, obj, Config{
		Epochs: 3, LR: 1e-9, TrainTrial: 7, TrainReplicas: 2, RepeatTrials: true, HeldOut: []int{},
		Progress: func(st EpochStats) { seen = append(seen, st.Trials); losses = append(losses, st.Loss) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Epochs) != 3 {
		t.Fatalf("%d epochs", len(res.Epochs))
	}
	for e, tr := range seen {
		if len(tr) != 2 || tr[0] != 7 || tr[1] != 8 {
			t.Errorf("epoch %d trained on %v, want [7 8]", e+1, tr)
		}
	}
	// A negligible learning rate leaves the parameters, hence the loss on
	// the same noise, as they were.
	for e := 1; e < len(losses); e++ {
		if math.Abs(losses[e]-losses[0]) > 1e-6*math.Abs(losses[0]) {
			t.Errorf("epoch %d loss %v, epoch 1 %v: not the same noise", e+1, losses[e], losses[0])
		}
	}
}
