package main

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/verifyout"
)

// estimate returns the memory and time of the verification of setup:
// -parallel biophysical runs at once (two per seed: initial and optimized)
// and the surrogate network's runs of all seeds as one batch.
func (o *options) estimate(setup verifyout.Setup) cli.Estimate {
	seeds := o.vf.NSeeds
	if o.vf.Seeds != "" {
		seeds = strings.Count(o.vf.Seeds, ",") + 1
	}
	par := o.vf.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	par = min(max(par, 1), 2*max(seeds, 1))
	bio := cli.BiophysNetworkEstimate(setup.Column, nil, o.tstop, o.vf.Dt, 0, o.rate)
	if bio.What == "" {
		return cli.Estimate{} // invalid times: the verification's validation names them
	}
	e := cli.Estimate{Bytes: bio.Bytes, Seconds: bio.Seconds * float64(2*seeds), Flags: "-tstop, -dt, -mesh, -nseeds or -parallel"}
	if bio.Bytes < 1<<62 {
		e.Bytes = bio.Bytes * int64(par)
	}
	if o.vf.Surrogate {
		sur := cli.SurrogateNetworkEstimate(setup.Column, nil, o.tstop, 0.5, 0, max(seeds, 1), 0, 4, o.rate)
		e.Bytes = max(e.Bytes, sur.Bytes) // the surrogate runs after the biophysical ones
		e.Seconds += 2 * sur.Seconds
	}
	e.What = fmt.Sprintf("%d biophysical runs (%s; %d at once)", 2*seeds, bio.What, par)
	return e
}

// isMemoryError reports whether err is a run refused by -max-memory (exit
// status 2).
func isMemoryError(err error) bool {
	var me *cli.MemoryError
	return errors.As(err, &me)
}
