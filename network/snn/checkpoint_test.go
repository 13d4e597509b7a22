package snn

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// fullGradient returns the dipole, the spike count and the parameter
// gradient of testLoss over a Run on one tape.
func fullGradient(t *testing.T, sn *Net[float64], trials []int) ([]float64, int, []float64) {
	t.Helper()
	tp := autograd.NewTape[float64]()
	sn.Params().ZeroGrad()
	run, err := sn.Run(tp, trials)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := newTestLoss(run.Dipole.Len()).Loss(tp, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range run.SpikeCounts {
		n += c
	}
	return append([]float64(nil), run.Dipole.Data...), n, append([]float64(nil), sn.Params().Grad...)
}

// checkpointGradient is fullGradient over RunCheckpointed with segments of
// every steps, the last keep of them kept from the forward pass.
func checkpointGradient(t *testing.T, sn *Net[float64], trials []int, every, keep int) ([]float64, int, []float64) {
	t.Helper()
	tp := autograd.NewTape[float64]()
	sn.Params().ZeroGrad()
	run, err := sn.RunCheckpointed(trials, CheckpointOptions{Every: every, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	loss, err := newTestLoss(run.Dipole.Len()).Loss(tp, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	if err := run.Backward(); err != nil {
		t.Fatal(err)
	}
	if err := run.Backward(); err == nil {
		t.Error("a second Backward of one run was accepted")
	}
	n := 0
	for _, c := range run.SpikeCounts {
		n += c
	}
	return append([]float64(nil), run.Dipole.Data...), n, append([]float64(nil), sn.Params().Grad...)
}

// sameBits fails unless got and want are equal element by element.
func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s[%d] = %v, want %v (difference %g)", what, i, got[i], want[i], got[i]-want[i])
		}
	}
}

// checkCheckpointing compares RunCheckpointed's dipole and gradient with
// Run's for several segment lengths, among them ones that do not divide the
// number of steps, a single step and more than the run, keeping one, some or
// all segments' tapes from the forward pass.
func checkCheckpointing(t *testing.T, sn *Net[float64], trials []int, everies []int) {
	t.Helper()
	dip, n, g := fullGradient(t, sn, trials)
	if n == 0 {
		t.Fatal("the network is silent: the test would check nothing of the routing")
	}
	nonzero := 0
	for _, v := range g {
		if v != 0 {
			nonzero++
		}
	}
	if nonzero < 2 {
		t.Fatalf("only %d nonzero gradient entries", nonzero)
	}
	for _, every := range everies {
		keeps := []int{0, 2, 3, 1000} // the last segment, a few, all
		if testing.Short() {
			keeps = []int{0, 2}
		}
		for _, keep := range keeps {
			d2, n2, g2 := checkpointGradient(t, sn, trials, every, keep)
			if n2 != n {
				t.Fatalf("K=%d, keep %d: %d spikes, Run %d", every, keep, n2, n)
			}
			sameBits(t, "dipole", d2, dip)
			sameBits(t, "gradient", g2, g)
		}
	}
}

// TestCheckpointedGradientEqualsRun: the stand-in cells on a 3x3 column,
// three noise replicas, per-class and per-connection parameters.
func TestCheckpointedGradientEqualsRun(t *testing.T) {
	net := smallNet(t)
	for _, mode := range []ParamMode{ParamsPerClass, ParamsPerConnection} {
		sn, err := New(net, fakeModels[float64](1000), Options{TStop: 60, Params: mode})
		if err != nil {
			t.Fatal(err)
		}
		if sn.MaxDelaySteps() < 3 {
			t.Fatalf("longest delay %d steps: the ring carries little across segments", sn.MaxDelaySteps())
		}
		checkCheckpointing(t, sn, []int{0, 1, 2}, []int{1, 2, 3, 7, 11, 40, 119, 500})
	}
}

// smallNet is a 3x3 column (HNN's basket rule) with a Poisson drive of every
// cell, hard enough that the cells fire in 40 ms.
func smallNet(t *testing.T) *network.Network {
	col, err := network.NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(40, 0.006, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestCheckpointedGradientShippedCells: the shipped cells (learned pyramidal
// cells with their convolution history and LSTM states, exact baskets) on a
// small column, with two replicas.
func TestCheckpointedGradientShippedCells(t *testing.T) {
	models, err := ShippedCells[float64]()
	if err != nil {
		t.Skip(err)
	}
	sn, err := New(smallNet(t), models, Options{TStop: 40})
	if err != nil {
		t.Fatal(err)
	}
	checkCheckpointing(t, sn, []int{0, 1}, []int{1, 3, 9, 25})
}

// TestCheckpointedNoGradAndErrors: NoGrad gives Run's dipole and no
// Backward; a later run invalidates Backward; a model whose state cannot
// be checkpointed is refused.
func TestCheckpointedNoGradAndErrors(t *testing.T) {
	net := tinyNet(t, 50)
	sn, err := New(net, fakeModels[float64](1000), Options{TStop: 30})
	if err != nil {
		t.Fatal(err)
	}
	dip, _, _ := fullGradient(t, sn, []int{3})
	ev, err := sn.RunCheckpointed([]int{3}, CheckpointOptions{Every: 4, NoGrad: true})
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "no-grad dipole", ev.Dipole.Data, dip)
	if err := ev.Backward(); err == nil {
		t.Error("Backward of a NoGrad run accepted")
	}
	run, err := sn.RunCheckpointed([]int{3}, CheckpointOptions{Every: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.RunCheckpointed([]int{4}, CheckpointOptions{Every: 4}); err != nil {
		t.Fatal(err)
	}
	if err := run.Backward(); err == nil {
		t.Error("Backward after another run on the same buffers accepted")
	}
	run, err = sn.RunCheckpointed([]int{3}, CheckpointOptions{Every: 4, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	sn.ReleaseBackwardMemory()
	if err := run.Backward(); err == nil {
		t.Error("Backward after ReleaseBackwardMemory accepted")
	}
	if _, _, g := checkpointGradient(t, sn, []int{3}, 4, 2); g == nil {
		t.Error("no gradient after ReleaseBackwardMemory")
	}
	if _, err := sn.RunCheckpointed([]int{3}, CheckpointOptions{Every: -1}); err == nil {
		t.Error("a negative segment length accepted")
	}
	if _, err := sn.RunCheckpointed(nil, CheckpointOptions{}); err == nil {
		t.Error("a run without trials accepted")
	}
	models := fakeModels[float64](1000)
	models[neuron.L2Basket] = plainCell{models[neuron.L2Basket]}
	sn2, err := New(net, models, Options{TStop: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn2.RunCheckpointed([]int{0}, CheckpointOptions{}); err == nil {
		t.Error("a model without checkpointable state accepted")
	}
}

// plainCell hides its cell's stepper behind a Stepper without checkpoints.
type plainCell struct{ Cell[float64] }

func (c plainCell) Begin(tp *autograd.Tape[float64], batch int) Stepper[float64] {
	return struct{ Stepper[float64] }{c.Cell.Begin(tp, batch)}
}
