package optimize

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
)

// trainableGrads runs sn on trials (checkpointed every `every` steps, or
// on the whole tape for every <= 0), back-propagates obj's loss and returns
// the gradient of every trainable tensor, concatenated.
func trainableGrads(t *testing.T, sn *snn.Net[float64], obj Objective[float64], trials []int, every int) []float64 {
	t.Helper()
	for _, p := range sn.Trainable() {
		p.ZeroGrad()
	}
	tp := autograd.NewTape[float64]()
	var run *snn.Result[float64]
	var err error
	if every > 0 {
		run, err = sn.RunCheckpointed(trials, snn.CheckpointOptions{Every: every})
	} else {
		run, err = sn.Run(tp, trials)
	}
	if err != nil {
		t.Fatal(err)
	}
	l, err := obj.Loss(tp, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(l); err != nil {
		t.Fatal(err)
	}
	if every > 0 {
		if err := run.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	var g []float64
	for _, p := range sn.Trainable() {
		g = append(g, p.Grad...)
	}
	return g
}

// objectiveFunc adapts a function to Objective.
type objectiveFunc func(*autograd.Tape[float64], *snn.Result[float64]) (*autograd.Tensor[float64], error)

func (f objectiveFunc) Loss(tp *autograd.Tape[float64], run *snn.Result[float64]) (*autograd.Tensor[float64], error) {
	return f(tp, run)
}
