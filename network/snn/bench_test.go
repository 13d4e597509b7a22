package snn

import (
	"fmt"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/network"
)

// benchColumn builds the default optimization column (the published 132-cell
// column, 10 Hz Poisson on every cell at 0.003 µS, event seed 1, 600 ms) with
// the shipped cells: learned pyramidal cells, exact baskets.
func benchColumn(b *testing.B) *Net[float32] {
	b.Helper()
	col, err := network.NewPublishedColumn()
	if err != nil {
		b.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(10, 0.003, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	models, err := ShippedCells[float32]()
	if err != nil {
		b.Skip(err)
	}
	sn, err := New(net, models, Options{TStop: 600})
	if err != nil {
		b.Fatal(err)
	}
	return sn
}

// reportCellSeconds reports the process CPU time per simulated cell-second
// (ms of CPU per cell and second of simulated time, all replicas counted).
func reportCellSeconds(b *testing.B, sn *Net[float32], reps, n int, cpu float64) {
	cellSec := float64(sn.Net.Column.NumCells()*reps) * float64(sn.Steps) * sn.Dt / 1000
	b.ReportMetric(cpu/float64(n), "cpu-s/op")
	b.ReportMetric(cpu/float64(n)/cellSec*1000, "cpu-ms/cell-s")
}

// BenchmarkColumnForward times the surrogate column's forward pass in
// inference mode (no tape recording), the replicas (independent noise
// trials) as one batch: run is Run on one tape for the whole run, segments
// RunCheckpointed with NoGrad (one segment's tape at a time, as the
// optimizer's evaluations run).
func BenchmarkColumnForward(b *testing.B) {
	for _, seg := range []bool{false, true} {
		for _, reps := range []int{1, 4, 16} {
			name := fmt.Sprintf("run/replicas=%d", reps)
			if seg {
				name = fmt.Sprintf("segments/replicas=%d", reps)
			}
			b.Run(name, func(b *testing.B) { benchForward(b, seg, reps) })
		}
	}
}

func benchForward(b *testing.B, seg bool, reps int) {
	sn := benchColumn(b)
	tp := autograd.NewTape[float32]()
	tp.SetNoGrad(true)
	trials := make([]int, reps)
	for i := range trials {
		trials[i] = i
	}
	run := func() {
		var err error
		if seg {
			_, err = sn.RunCheckpointed(trials, CheckpointOptions{NoGrad: true})
		} else {
			tp.Reset()
			_, err = sn.Run(tp, trials)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	run() // size the tape
	cpu0 := cputime.Process().Seconds()
	n := 0
	for b.Loop() {
		run()
		n++
	}
	reportCellSeconds(b, sn, reps, n, cputime.Process().Seconds()-cpu0)
}

// BenchmarkColumnBPTT times the forward pass recorded on a tape and
// backpropagation through all 1,200 steps to the class gains (loss: the sum
// of squares of the aggregate dipole), the replicas as one batch: tape is Run
// with the whole tape, segments RunCheckpointed (the optimizer's default).
func BenchmarkColumnBPTT(b *testing.B) {
	for _, seg := range []bool{false, true} {
		for _, reps := range []int{1, 4} {
			name := fmt.Sprintf("tape/replicas=%d", reps)
			if seg {
				name = fmt.Sprintf("segments/replicas=%d", reps)
			}
			b.Run(name, func(b *testing.B) { benchBPTT(b, seg, reps) })
		}
	}
}

func benchBPTT(b *testing.B, seg bool, reps int) {
	sn := benchColumn(b)
	tp := autograd.NewTape[float32]()
	trials := make([]int, reps)
	for i := range trials {
		trials[i] = i
	}
	run := func() {
		tp.Reset()
		sn.LogGains.ZeroGrad()
		var res *Result[float32]
		var err error
		if seg {
			res, err = sn.RunCheckpointed(trials, CheckpointOptions{})
		} else {
			res, err = sn.Run(tp, trials)
		}
		if err != nil {
			b.Fatal(err)
		}
		d := tp.Narrow(res.Dipole, 0, 0, 1)
		if err := tp.Backward(tp.Sum(tp.Mul(d, d))); err != nil {
			b.Fatal(err)
		}
		if seg {
			if err := res.Backward(); err != nil {
				b.Fatal(err)
			}
		}
	}
	run() // size the tape
	cpu0 := cputime.Process().Seconds()
	n := 0
	for b.Loop() {
		run()
		n++
	}
	reportCellSeconds(b, sn, reps, n, cputime.Process().Seconds()-cpu0)
}
