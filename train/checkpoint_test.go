package train

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// TestResumeIsTheUninterruptedRun trains a small model once straight
// through and once interrupted after each of two validations and resumed
// from its checkpoint, with dropout and EMA on (every random stream and
// averaged state in play): the parameters and the history must be equal to
// the bit. A checkpoint of another configuration or of a different format is
// refused with an error naming what differs.
func TestResumeIsTheUninterruptedRun(t *testing.T) {
	arch := surrogate.Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 4, Layers: 2, HeadHidden: 3}
	rng := rand.New(rand.NewPCG(4, 1))
	tr, val := syntheticBasketSamples(rng, 4, 120, 30), syntheticBasketSamples(rng, 2, 120, 30)
	cfg := DefaultConfig()
	cfg.Batch, cfg.WarmUp, cfg.BPTT, cfg.Steps, cfg.EvalEvery, cfg.SelectBy = 2, 10, 30, 12, 3, "score"
	cfg.Dropout, cfg.EMA = 0.2, 0.9
	newModel := func() *surrogate.Model[float32] {
		m, err := surrogate.New[float32](neuron.L2Basket, arch, 3)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	params := func(m *surrogate.Model[float32]) [][]float32 {
		var out [][]float32
		for _, p := range m.Params() {
			out = append(out, append([]float32(nil), p.Tensor.Data...))
		}
		return out
	}
	ref := newModel()
	want, err := Fit(ref, tr, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := cfg
	c.Checkpoint, c.Resume = filepath.Join(dir, "L2_basket.ckpt"), true
	for _, stop := range []int{3, 9} {
		s := c
		s.stopAfter = stop
		if _, err := Fit(newModel(), tr, val, s); !errors.Is(err, errStopped) {
			t.Fatalf("stop after %d: %v", stop, err)
		}
	}
	m := newModel()
	got, err := Fit(m, tr, val, c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(params(m), params(ref)) {
		t.Error("the resumed run's parameters differ from the uninterrupted run's")
	}
	got.Seconds, want.Seconds = 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results differ:\n resumed %+v\n straight %+v", got, want)
	}
	// another configuration: refused, naming it
	other := c
	other.LR *= 2
	if _, err := Fit(newModel(), tr, val, other); err == nil || !strings.Contains(err.Error(), "configuration differs") || !errors.Is(err, ErrCheckpointMismatch) {
		t.Errorf("a checkpoint of another configuration: %v", err)
	}
	if err := os.WriteFile(c.Checkpoint, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(newModel(), tr, val, c); err == nil || !strings.Contains(err.Error(), c.Checkpoint) {
		t.Errorf("a corrupt checkpoint: %v", err)
	}
}

// FuzzLoadCheckpoint: any bytes give a checkpoint or an error, never a
// panic, and a refused file changes nothing.
func FuzzLoadCheckpoint(f *testing.F) {
	arch := surrogate.Arch{ConvChannels: 2, ConvKernel: 2, Hidden: 3, Layers: 1, HeadHidden: 2}
	rng := rand.New(rand.NewPCG(5, 1))
	tr, val := syntheticBasketSamples(rng, 2, 60, 20), syntheticBasketSamples(rng, 1, 60, 20)
	cfg := DefaultConfig()
	cfg.Batch, cfg.WarmUp, cfg.BPTT, cfg.Steps, cfg.EvalEvery, cfg.SelectBy = 1, 5, 20, 4, 2, "loss"
	cfg.Checkpoint = filepath.Join(f.TempDir(), "c.ckpt")
	cfg.stopAfter = 2
	m, err := surrogate.New[float32](neuron.L2Basket, arch, 3)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Fit(m, tr, val, cfg); !errors.Is(err, errStopped) {
		f.Fatal(err)
	}
	good, err := os.ReadFile(cfg.Checkpoint)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add(good[:len(good)/2])
	tn, err := NewTrainer(m, tr, val, cfg)
	if err != nil {
		f.Fatal(err)
	}
	tn.begin()
	f.Fuzz(func(t *testing.T, b []byte) {
		before := append([]float32(nil), tn.params[0].Tensor.Data...)
		if _, err := tn.loadCheckpoint(b); err != nil {
			if !reflect.DeepEqual(before, tn.params[0].Tensor.Data) {
				t.Fatal("a refused checkpoint changed the parameters")
			}
		}
	})
}
