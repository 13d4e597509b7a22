package optimize

import (
	"slices"
	"testing"

	"github.com/neurograd/neurograd/network/snn"
)

// TestCheckpointingChangesNothing: an optimization with checkpointed
// backpropagation (the default, and segments that do not divide the run)
// takes the same steps to the bit as one with the whole tape, with two
// replicas and restarts on two workers; the shipped cells in float32 (the
// command's default) too.
func TestCheckpointingChangesNothing(t *testing.T) {
	run := func(ck int) *Result {
		sn, obj := tinyOptimizeSetup(t)
		res, err := Run(sn, obj, Config{Epochs: 2, LR: 0.2, TrainReplicas: 2, HeldOut: []int{500}, Restarts: 2,
			Validation: []int{600}, Workers: 2, Checkpoint: ck})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	same := func(what string, a, b *Result) {
		t.Helper()
		for i, e := range a.Epochs {
			f := b.Epochs[i]
			if e.Loss != f.Loss || e.GradNorm != f.GradNorm || !slices.Equal(e.Params, f.Params) || e.HeldOut.Loss != f.HeldOut.Loss {
				t.Errorf("%s: epoch %d: loss %v, grad norm %v, params %v; whole tape %v, %v, %v", what, i+1, e.Loss, e.GradNorm, e.Params, f.Loss, f.GradNorm, f.Params)
			}
		}
		for i := range a.Restarts {
			if a.Restarts[i].ValidationLoss != b.Restarts[i].ValidationLoss {
				t.Errorf("%s: restart %d validation loss %v, whole tape %v", what, i+1, a.Restarts[i].ValidationLoss, b.Restarts[i].ValidationLoss)
			}
		}
	}
	whole := run(NoCheckpoint)
	if whole.Epochs[0].GradNorm == 0 {
		t.Fatal("zero gradient: the comparison would check nothing")
	}
	same("default segments", run(0), whole)
	same("7-step segments", run(7), whole)

	models, err := snn.ShippedCells[float32]()
	if err != nil {
		t.Skip(err)
	}
	var res [2]*Result
	for i, ck := range []int{NoCheckpoint, 0} {
		sn, err := snn.New(tinyNet(t, 200), models, snn.Options{TStop: 60})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := NewSpectral[float32](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 10, Resolution: 20}, sn.Steps, sn.Dt)
		if err != nil {
			t.Fatal(err)
		}
		if res[i], err = Run(sn, obj, Config{Epochs: 2, LR: 0.2, HeldOut: []int{500}, Checkpoint: ck}); err != nil {
			t.Fatal(err)
		}
	}
	if res[0].Epochs[0].GradNorm == 0 {
		t.Fatal("shipped cells: zero gradient")
	}
	same("shipped cells, float32", res[1], res[0])
}

// TestWorkersFitTheMemoryBudget: a budget below two restarts' estimate runs
// them one at a time.
func TestWorkersFitTheMemoryBudget(t *testing.T) {
	sn, obj := tinyOptimizeSetup(t)
	cfg := Config{Restarts: 3, Workers: 3, Validation: []int{600}}
	per := EstimateRestartMemory(sn, cfg)
	if per <= 0 {
		t.Fatalf("estimate %d bytes", per)
	}
	o := &optimizer[float64]{cfg: cfg.withDefaults(), sn: sn, obj: obj}
	if w := o.workers(); w != 3 {
		t.Errorf("no budget: %d workers, want 3", w)
	}
	o.cfg.MemoryBudget = per*2 - 1
	if w := o.workers(); w != 1 {
		t.Errorf("budget %d below two restarts of %d bytes: %d workers, want 1", o.cfg.MemoryBudget, per, w)
	}
	o.cfg.MemoryBudget = 1
	if w := o.workers(); w != 1 {
		t.Errorf("a tiny budget: %d workers, want 1", w)
	}
	if whole := EstimateRestartMemory(sn, Config{Checkpoint: NoCheckpoint}); whole <= EstimateRestartMemory(sn, Config{}) {
		t.Errorf("the whole tape's estimate %d is not above the checkpointed one's %d", whole, EstimateRestartMemory(sn, Config{}))
	}
}

// TestRecomputedSegmentsChangeNothing: an optimization that keeps only the
// last segment (CheckpointMemory negative: every other segment recomputed)
// and one that keeps a few take the whole tape's steps to the bit (the
// default keeps every segment of so short a run).
func TestRecomputedSegmentsChangeNothing(t *testing.T) {
	run := func(cfg Config) *Result {
		sn, obj := tinyOptimizeSetup(t)
		cfg.Epochs, cfg.LR, cfg.TrainReplicas, cfg.HeldOut = 2, 0.2, 2, []int{500}
		res, err := Run(sn, obj, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	whole := run(Config{Checkpoint: NoCheckpoint})
	for _, cfg := range []Config{{Checkpoint: 5, CheckpointMemory: -1}, {Checkpoint: 5, CheckpointKeep: 3}} {
		got := run(cfg)
		for i, e := range got.Epochs {
			f := whole.Epochs[i]
			if e.Loss != f.Loss || e.GradNorm != f.GradNorm || !slices.Equal(e.Params, f.Params) {
				t.Errorf("%+v: epoch %d: loss %v, grad norm %v; whole tape %v, %v", cfg, i+1, e.Loss, e.GradNorm, f.Loss, f.GradNorm)
			}
		}
	}
}

// TestCheckpointKeepFitsTheMemory: the kept segments of the default run's
// training (35 segments of 16.6 MB) are those that fit in
// DefaultCheckpointMemory's share: 28 with two restarts at once, all 35
// alone; an explicit CheckpointKeep wins, a negative CheckpointMemory keeps
// the last segment only.
func TestCheckpointKeepFitsTheMemory(t *testing.T) {
	sn, _ := benchNet(t, fakeModels[float32](2500))
	for _, c := range []struct {
		cfg    Config
		atOnce int
		want   int
	}{
		{Config{}, 2, 28},
		{Config{}, 1, 35},
		{Config{}, 3, 18},
		{Config{CheckpointKeep: 5}, 2, 5},
		{Config{CheckpointMemory: -1}, 2, 1},
		{Config{CheckpointMemory: 1}, 2, 1},
		{Config{CheckpointMemory: 1 << 40}, 2, 35},
	} {
		if got := CheckpointKeep(sn, c.cfg, c.atOnce); got != c.want {
			t.Errorf("%+v, %d at once: keep %d, want %d", c.cfg, c.atOnce, got, c.want)
		}
	}
	one, two := EstimateRestartMemory(sn, Config{Workers: 1, Restarts: 1}), EstimateRestartMemory(sn, Config{Workers: 2, Restarts: 2})
	if one-two != 7*snn.KeptSegmentBytes(sn.MemoryShape(1, 0, true)) {
		t.Errorf("one restart alone %d bytes, two at once %d each: want 7 kept segments' difference", one, two)
	}
}
