package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/summary"
	"github.com/neurograd/neurograd/cmd/internal/verifyout"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/optimize"
)

func run(args []string) error {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	connFile := fset.String("connectivity", "", "optimized connectivity JSON (as cmd/optimize writes: results/connectivity.json); required")
	sumFile := fset.String("summary", "", "cmd/optimize's summary.json whose set-up (column, simulated time, objective, noise trials, models) to reproduce; default summary.json beside -connectivity when present")
	initFile := fset.String("initial", "", "initial connectivity JSON; default connectivity_initial.json beside -connectivity when present, else HNN's 16 classes with unit gains")
	drivesFile := fset.String("drives", "", "noise drives JSON (hnn-core's names); default drives.json beside -connectivity when present, else a Poisson drive per -rate, -weight-ampa")
	out := fset.String("out", "", "output directory; default the directory of -connectivity")
	mesh := fset.String("mesh", "published", "column: published (10x5 pyramidal mesh, 16 baskets per layer) or NxM (HNN's basket rule)")
	tstop := fset.Float64("tstop", 600, "simulated time per run (ms), warm-up included")
	warmup := fset.Float64("warmup", 100, "simulated but excluded from the spectrum and rates (ms)")
	band := fset.String("band", "15-60", "frequency band LO-HI (Hz)")
	resolution := fset.Float64("resolution", 4, "Welch bin spacing aimed at (Hz): nperseg = ceil(fs/resolution)")
	signal := fset.String("dipole", "agg", "dipole analysed: agg, L2 or L5")
	rate := fset.Float64("rate", 10, "Poisson drive rate onto every cell (Hz), without a drives file")
	wAMPA := fset.Float64("weight-ampa", 0.003, "AMPA weight of the Poisson drive (µS), without a drives file")
	eventSeed := fset.Int64("event-seed", 1, "event_seed of the Poisson drive, without a drives file")
	slope := fset.Float64("slope", nn.DefaultSpikeSlope, "the surrogate network's fast-sigmoid slope (1/mV; no effect on the forward pass)")
	var vf verifyout.Flags
	vf.Register(fset, "")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: verify -connectivity results/connectivity.json [-seeds a,b,c | -nseeds N] [-out DIR]\n\nSimulates the biophysical column with the initial and the optimized connectivity on held-out\nnoise, beside the surrogate network on the same noise. The set-up of the optimization is read\nfrom summary.json, connectivity_initial.json and drives.json beside -connectivity; flags given\nexplicitly override it.\n\nflags:")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fset.Args())
	}
	if *connFile == "" {
		return fmt.Errorf("-connectivity FILE is required (the optimized connectivity, e.g. results/connectivity.json)")
	}
	set := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { set[f.Name] = true })
	beside := func(explicit, name string) (string, error) {
		if explicit != "" {
			return explicit, nil
		}
		p := filepath.Join(filepath.Dir(*connFile), name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", nil
	}

	optimized, err := network.LoadConnectivity(*connFile)
	if err != nil {
		return err
	}
	var exclude []int
	sf, err := beside(*sumFile, "summary.json")
	if err != nil {
		return err
	}
	if sf != "" {
		sum, err := summary.Read(sf)
		if err != nil {
			return err
		}
		if sum.Config == nil {
			return fmt.Errorf("%s: no config", sf)
		}
		c := sum.Config
		take := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		take("mesh", func() { *mesh = c.Mesh })
		take("tstop", func() { *tstop = c.TStop })
		take("warmup", func() { *warmup = c.Warmup })
		take("resolution", func() { *resolution = c.Resolution })
		take("band", func() { *band = fmt.Sprintf("%g-%g", c.Band[0], c.Band[1]) })
		take("dipole", func() { *signal = c.Dipole })
		take("slope", func() { *slope = c.Slope })
		take("models", func() {
			vf.Models = c.Models
			if c.Models == "random" {
				vf.Models = fmt.Sprintf("random:%d", c.Seed)
			}
		})
		if c.Params == "per-connection" {
			fmt.Fprintln(os.Stderr, "verify: warning: the optimization trained per-connection weights; connectivity.json holds per-class gains (geometric means), which is what is verified")
		}
		for _, e := range sum.Epochs {
			exclude = append(exclude, e.Trials...)
		}
		if sum.HeldOutInitial != nil {
			exclude = append(exclude, sum.HeldOutInitial.Trials...)
		}
		fmt.Fprintf(os.Stderr, "verify: set-up of the optimization read from %s\n", sf)
	}

	initial := network.DefaultConnectivity()
	inf, err := beside(*initFile, "connectivity_initial.json")
	if err != nil {
		return err
	}
	if inf != "" {
		if initial, err = network.LoadConnectivity(inf); err != nil {
			return err
		}
	}
	setup := verifyout.Setup{TStop: *tstop, ExcludeSeeds: exclude, SpikeSlope: *slope}
	df, err := beside(*drivesFile, "drives.json")
	if err != nil {
		return err
	}
	if df != "" && !set["rate"] && !set["weight-ampa"] && !set["event-seed"] {
		if setup.Drives, err = network.LoadDrives(df); err != nil {
			return err
		}
	} else {
		d, err := network.PoissonNoise(neuron.Proximal, *rate, *wAMPA, nil, *eventSeed)
		if err != nil {
			return err
		}
		setup.Drives = []network.Drive{d}
	}
	if setup.Column, err = cli.ParseColumn("mesh", *mesh); err != nil {
		return err
	}
	lo, hi, err := cli.ParseBand("band", *band)
	if err != nil {
		return err
	}
	sig, err := optimize.ParseDipoleSignal(*signal)
	if err != nil {
		return err
	}
	w := *warmup
	if w == 0 {
		w = -1 // ObjectiveConfig: negative means none
	}
	setup.Objective = optimize.ObjectiveConfig{Signal: sig, Lo: lo, Hi: hi, Warmup: w, Resolution: *resolution}

	dir := *out
	if dir == "" {
		dir = filepath.Dir(*connFile)
	}
	rep, err := vf.Run(setup, initial, optimized, os.Stderr)
	if err != nil {
		return err
	}
	files, err := verifyout.Write(dir, rep, setup.Column)
	if err != nil {
		return err
	}
	verifyout.Summary(os.Stdout, rep)
	for _, f := range files {
		fmt.Fprintln(os.Stdout, "wrote", f)
	}
	return nil
}
