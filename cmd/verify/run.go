package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurograd/neurograd/cmd/internal/verifyout"
	"github.com/neurograd/neurograd/network"
)

func run(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	connFile := fs.String("connectivity", "", "optimized connectivity JSON (as cmd/optimize writes: results/connectivity.json); required")
	initFile := fs.String("initial", "", "initial connectivity JSON; default HNN's 16 classes with unit gains, where cmd/optimize starts")
	out := fs.String("out", "", "output directory; default the directory of -connectivity")
	mesh := fs.String("mesh", "published", "column: published (10x5 pyramidal mesh, 16 baskets per layer) or NxM (HNN's basket rule); must match the optimization")
	tstop := fs.Float64("tstop", 600, "simulated time per run (ms), warm-up included")
	warmup := fs.Float64("warmup", 100, "simulated but excluded from the spectrum and rates (ms)")
	band := fs.String("band", "15-60", "frequency band LO-HI (Hz)")
	resolution := fs.Float64("resolution", 4, "Welch bin spacing aimed at (Hz): nperseg = ceil(fs/resolution)")
	signal := fs.String("dipole", "agg", "dipole analysed: agg, L2 or L5")
	rate := fs.Float64("rate", 10, "Poisson drive rate onto every cell (Hz)")
	wAMPA := fs.Float64("weight-ampa", 0.001, "AMPA weight of the Poisson drive (µS)")
	wNMDA := fs.Float64("weight-nmda", 0, "NMDA weight of the Poisson drive (µS; 0 for none)")
	eventSeed := fs.Int64("event-seed", network.DefaultEventSeed, "event_seed of the Poisson drive")
	var vf verifyout.Flags
	vf.Register(fs, "")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: verify -connectivity results/connectivity.json [-initial FILE] [-seeds a,b,c | -nseeds N] [-out DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *connFile == "" {
		return fmt.Errorf("-connectivity FILE is required (the optimized connectivity, e.g. results/connectivity.json)")
	}
	optimized, err := network.LoadConnectivity(*connFile)
	if err != nil {
		return err
	}
	initial := network.DefaultConnectivity()
	if *initFile != "" {
		if initial, err = network.LoadConnectivity(*initFile); err != nil {
			return err
		}
	}
	setup := verifyout.Setup{TStop: *tstop}
	if setup.Column, err = parseColumn(*mesh); err != nil {
		return err
	}
	lo, hi, err := parseBand(*band)
	if err != nil {
		return err
	}
	sig, err := network.ParseDipoleSignal(*signal)
	if err != nil {
		return err
	}
	w := *warmup
	if w == 0 {
		w = -1 // ObjectiveConfig: negative means none
	}
	setup.Objective = network.ObjectiveConfig{Signal: sig, Lo: lo, Hi: hi, Warmup: w, Resolution: *resolution}
	setup.Drives = []network.Drive{network.PoissonEveryCell(*rate, *wAMPA, *wNMDA, *eventSeed)}

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

// parseColumn builds the published column or an NxM mesh with HNN's rule.
func parseColumn(s string) (*network.Column, error) {
	if s == "published" {
		return network.NewPublishedColumn()
	}
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	nx, err1 := strconv.Atoi(a)
	ny, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("-mesh %q: want published or NxM, e.g. 10x10", s)
	}
	return network.NewColumn(nx, ny)
}

// parseBand parses "LO-HI" in Hz.
func parseBand(s string) (lo, hi float64, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err == nil {
			hi, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil || !(hi > lo) {
		return 0, 0, fmt.Errorf("-band %q: want LO-HI in Hz, e.g. 15-60", s)
	}
	return lo, hi, nil
}
