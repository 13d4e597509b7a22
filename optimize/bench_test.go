package optimize

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// benchEpoch builds the published column (132 cells) with the default drive
// and the given models and returns a function running one epoch: 600 ms at
// 0.5 ms (1,200 steps), forward, loss and backward through time.
func benchEpoch(b *testing.B, models [neuron.NumCellTypes]snn.Cell[float32]) func() {
	sn, obj := benchNet(b, models)
	tp := autograd.NewTape[float32]()
	trial := 0
	return func() {
		tp.Reset()
		sn.LogGains.ZeroGrad()
		run, err := sn.Run(tp, []int{trial})
		if err != nil {
			b.Fatal(err)
		}
		trial++
		loss, err := obj.Loss(tp, run)
		if err != nil {
			b.Fatal(err)
		}
		if err := tp.Backward(loss); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSurrogateEpoch times one training epoch of the published column
// with untrained surrogates of the shipped architecture (the cost does not
// depend on the weights).
func BenchmarkSurrogateEpoch(b *testing.B) {
	models, err := snn.RandomCells[float32](1)
	if err != nil {
		b.Fatal(err)
	}
	epoch := benchEpoch(b, models)
	epoch() // warm the tape
	b.ReportAllocs()
	cpu0 := cputime.Process().Seconds()
	n := 0
	for b.Loop() {
		epoch()
		n++
	}
	b.ReportMetric((cputime.Process().Seconds()-cpu0)/float64(n), "cpu-s/op")
}

// BenchmarkSurrogateEpochShipped times one training epoch of the published
// column with the shipped trained surrogates (skipped when none are embedded).
// With trained cells the network fires, so the routing carries spikes.
func BenchmarkSurrogateEpochShipped(b *testing.B) {
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		b.Skip(err)
	}
	timeEpochs(b, benchEpoch(b, models))
}

// BenchmarkSurrogateEpochFake times the network machinery alone (routing,
// readout, spectrum, tape) with the tiny fake cell model.
func BenchmarkSurrogateEpochFake(b *testing.B) {
	timeEpochs(b, benchEpoch(b, fakeModels[float32](2500)))
}

// timeEpochs runs epoch once to warm the tape, then times it per iteration,
// reporting allocations and process CPU seconds per epoch.
func timeEpochs(b *testing.B, epoch func()) {
	epoch()
	b.ReportAllocs()
	cpu0 := cputime.Process().Seconds()
	n := 0
	for b.Loop() {
		epoch()
		n++
	}
	b.ReportMetric((cputime.Process().Seconds()-cpu0)/float64(n), "cpu-s/op")
}

// BenchmarkSurrogateEvaluate times a held-out evaluation of the published
// column: three noise seeds as one batch, forward only, 600 ms.
func BenchmarkSurrogateEvaluate(b *testing.B) {
	models, err := snn.RandomCells[float32](1)
	if err != nil {
		b.Fatal(err)
	}
	sn, obj := benchNet(b, models)
	tp := autograd.NewTape[float32]()
	trials := []int{DefaultHeldOutTrial, DefaultHeldOutTrial + 1, DefaultHeldOutTrial + 2}
	if _, err := Evaluate(sn, obj, tp, trials); err != nil {
		b.Fatal(err)
	}
	cpu0 := cputime.Process().Seconds()
	n := 0
	for b.Loop() {
		if _, err := Evaluate(sn, obj, tp, trials); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric((cputime.Process().Seconds()-cpu0)/float64(n), "cpu-s/op")
}

// benchNet builds the published column of surrogate cells under 10 Hz Poisson
// drive for 600 ms and its default objective, the set-up every benchmark here shares.
func benchNet(b testing.TB, models [neuron.NumCellTypes]snn.Cell[float32]) (*snn.Net[float32], *Spectral[float32]) {
	b.Helper()
	col, err := network.NewPublishedColumn()
	if err != nil {
		b.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(10, 0.003, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	sn, err := snn.New(net, models, snn.Options{TStop: 600})
	if err != nil {
		b.Fatal(err)
	}
	obj, err := NewSpectral[float32](ObjectiveConfig{}, sn.Steps, sn.Dt)
	if err != nil {
		b.Fatal(err)
	}
	return sn, obj
}

// benchEpochCheckpointed is benchEpoch with checkpointed backpropagation in
// segments of every steps (0: the default), the last keep of them kept from
// the forward pass (0: as many as the default run keeps, two restarts at
// once sharing DefaultCheckpointMemory).
func benchEpochCheckpointed(b *testing.B, models [neuron.NumCellTypes]snn.Cell[float32], every, keep int) func() {
	sn, obj := benchNet(b, models)
	if keep == 0 {
		keep = CheckpointKeep(sn, Config{Checkpoint: every}, 2)
	}
	tp := autograd.NewTape[float32]()
	trial := 0
	return func() {
		tp.Reset()
		sn.LogGains.ZeroGrad()
		run, err := sn.RunCheckpointed([]int{trial}, snn.CheckpointOptions{Every: every, Keep: keep})
		if err != nil {
			b.Fatal(err)
		}
		trial++
		loss, err := obj.Loss(tp, run)
		if err != nil {
			b.Fatal(err)
		}
		if err := tp.Backward(loss); err != nil {
			b.Fatal(err)
		}
		if err := run.Backward(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSurrogateEpochShippedCheckpointed is BenchmarkSurrogateEpochShipped
// with checkpointed backpropagation as the optimizer's default run does it:
// 35 segments, the last 28 kept from the forward pass, 7 recomputed.
func BenchmarkSurrogateEpochShippedCheckpointed(b *testing.B) {
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		b.Skip(err)
	}
	timeEpochs(b, benchEpochCheckpointed(b, models, 0, 0))
}

// BenchmarkSurrogateEpochShippedCheckpointedKeep1 keeps only the last
// segment (-checkpoint-keep 1): one extra forward
// pass per segment but the last, the least memory.
func BenchmarkSurrogateEpochShippedCheckpointedKeep1(b *testing.B) {
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		b.Skip(err)
	}
	timeEpochs(b, benchEpochCheckpointed(b, models, 0, 1))
}
