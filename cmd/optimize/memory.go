package main

import (
	"fmt"
	"io"
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
	per := run.Bytes
	if c.Checkpoint >= 0 && c.Keep > 1 { // the kept segments' tapes (an upper bound)
		every := c.Checkpoint
		if every == 0 {
			every = snn.DefaultCheckpointEvery(int(c.TStop / 0.5))
		}
		kept := cli.SurrogateNetworkEstimate(col, nil, float64((c.Keep-1)*every)*0.5, 0.5, c.Replicas, 0, -1, elem, 0)
		per = max(per, per+kept.Bytes) // saturated estimates stay saturated
	}
	workers := c.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(max(workers, 1), c.Restarts)
	if c.MaxMemory != nil {
		workers = min(workers, max(1, int(int64(*c.MaxMemory)/max(per, 1))))
	}
	// Training runs, and evaluations of three (or -heldout) trials:
	// validation per restart, held-out before, during and after training.
	train := cli.SurrogateNetworkEstimate(col, conn, c.TStop, 0.5, c.Replicas, 0, c.Checkpoint, elem, c.DriveRate).Seconds
	eval := cli.SurrogateNetworkEstimate(col, conn, c.TStop, 0.5, 0, max(c.HeldOut, 3), 0, elem, c.DriveRate).Seconds
	evals := float64(c.Restarts + 2 + c.Epochs/max(c.HeldOutEvery, 1))
	return cli.Estimate{
		Bytes:   max(per, per*int64(workers)), // saturated estimates stay saturated
		Seconds: train*float64(c.Restarts*c.Epochs) + eval*evals,
		What:    fmt.Sprintf("%d restarts of %d epochs (%s, %d replicas; %d at once)", c.Restarts, c.Epochs, run.What, c.Replicas, workers),
		Flags:   "-mesh, -tstop, -replicas or -workers",
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
// -checkpoint and -max-memory.
func (c *config) memoryConfig(ocfg *optimize.Config) {
	ocfg.Checkpoint, ocfg.CheckpointKeep = c.Checkpoint, c.Keep
	if c.Checkpoint < 0 {
		ocfg.Checkpoint = optimize.NoCheckpoint
	}
	if c.MaxMemory != nil {
		ocfg.MemoryBudget = int64(*c.MaxMemory)
	}
}
