package main

import (
	"fmt"
	"io"
	"math"
	"runtime"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/optimize"
)

// estimate returns the memory and time of cfg's optimization on col and
// conn, with the restarts run at once that fit -max-memory (at least one),
// before anything is built: one restart's training runs (checkpointed unless
// -checkpoint is negative) and validation runs, times the restarts at once.
func (c *config) estimate(col *network.Column, conn *network.Connectivity) (cli.Estimate, int) {
	elem := c.Float / 8
	run := cli.SurrogateNetworkEstimate(col, conn, c.TStop, 0.5, c.Replicas, max(c.HeldOut, 3), c.Checkpoint, elem, c.DriveRate)
	// per returns one restart's memory with atOnce restarts at once, the
	// kept segments' tapes included (the last one's is in run.Bytes).
	per := func(atOnce int) int64 {
		if c.Checkpoint < 0 {
			return run.Bytes
		}
		steps := int(math.Min(math.Round(c.TStop/0.5), math.MaxInt32))
		shape := snn.MemoryShape{Cells: col.NumCells(), Steps: steps, Replicas: c.Replicas, Every: c.Checkpoint, Grad: true, ElemSize: elem}
		if shape.Every == 0 {
			shape.Every = snn.DefaultCheckpointEvery(steps)
		}
		keep := c.Keep
		if keep == 0 {
			keep = snn.KeepFitting(shape, int64(c.KeepMemory)/int64(atOnce))
		}
		kept := float64(keep-1) * float64(snn.KeptSegmentBytes(shape))
		if float64(run.Bytes)+kept >= math.MaxInt64/2 {
			return math.MaxInt64 / 2 // saturated estimates stay saturated
		}
		return run.Bytes + int64(kept)
	}
	workers := c.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(max(workers, 1), c.Restarts)
	for c.MaxMemory != nil && workers > 1 && float64(workers)*float64(per(workers)) > float64(*c.MaxMemory) {
		workers--
	}
	perRestart := per(workers)
	// Training runs, and evaluations of three (or -heldout) trials:
	// validation per restart, held-out before, during and after training.
	train := cli.SurrogateNetworkEstimate(col, conn, c.TStop, 0.5, c.Replicas, 0, c.Checkpoint, elem, c.DriveRate).Seconds
	eval := cli.SurrogateNetworkEstimate(col, conn, c.TStop, 0.5, 0, max(c.HeldOut, 3), 0, elem, c.DriveRate).Seconds
	evals := float64(c.Restarts + 2 + c.Epochs/max(c.HeldOutEvery, 1))
	return cli.Estimate{
		Bytes:   max(perRestart, perRestart*int64(workers)), // saturated estimates stay saturated
		Seconds: train*float64(c.Restarts*c.Epochs) + eval*evals,
		What:    fmt.Sprintf("%d restarts of %d epochs (%s, %d replicas; %d at once)", c.Restarts, c.Epochs, run.What, c.Replicas, workers),
		Flags:   "-mesh, -tstop, -replicas, -workers or -checkpoint-memory",
	}, workers
}

// checkMemory writes the estimate to stderr and refuses (an input error)
// runs that would not fit -max-memory with one restart at a time.
func (c *config) checkMemory(col *network.Column, conn *network.Connectivity, stderr io.Writer) error {
	e, _ := c.estimate(col, conn)
	if err := e.Check(*c.MaxMemory); err != nil {
		return err
	}
	e.Report(stderr)
	if verifyFlags.on { // the biophysical runs of -verify, after the optimization
		par := verifyFlags.Parallel
		if par <= 0 {
			par = runtime.GOMAXPROCS(0)
		}
		v := cli.BiophysNetworkEstimate(col, conn, c.TStop, verifyFlags.Dt, 0, c.DriveRate)
		v.Bytes = max(v.Bytes, v.Bytes*int64(par)) // saturated estimates stay saturated
		v.What = fmt.Sprintf("-verify's biophysical runs (%s, %d at once)", v.What, par)
		v.Flags = "-verify-dt, -verify-parallel, -tstop or -mesh"
		if err := v.Check(*c.MaxMemory); err != nil {
			return err
		}
	}
	return nil
}

// memoryConfig sets the optimizer's checkpointing and memory budget from
// -checkpoint, -checkpoint-keep, -checkpoint-memory and -max-memory.
func (c *config) memoryConfig(ocfg *optimize.Config) {
	ocfg.Checkpoint, ocfg.CheckpointKeep, ocfg.CheckpointMemory = c.Checkpoint, c.Keep, int64(c.KeepMemory)
	if c.Checkpoint < 0 {
		ocfg.Checkpoint = optimize.NoCheckpoint
	}
	if c.MaxMemory != nil {
		ocfg.MemoryBudget = int64(*c.MaxMemory)
	}
}
