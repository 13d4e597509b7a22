package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/verifyout"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/optimize"
	"github.com/neurograd/neurograd/verify"
)

// verifyFlags are the settings of -verify: after the optimization, the
// initial and the final connectivity are simulated in the biophysical column
// on held-out noise, beside the surrogate network on the same noise (what
// cmd/verify does from the written files).
var verifyFlags struct {
	on bool
	verifyout.Flags
}

// registerVerifyFlags adds -verify and the -verify-* settings to fs.
func registerVerifyFlags(fs *flag.FlagSet) {
	verifyFlags.on = false
	verifyFlags.Flags = verifyout.Flags{}
	fs.BoolVar(&verifyFlags.on, "verify", false, "after optimizing, check the initial and final connectivity in the biophysical column on held-out noise beside the surrogate network (as cmd/verify); writes verify.json, verify_*.csv and verify_*.png to -out")
	verifyFlags.Register(fs, "verify-")
}

// checkVerifyFlags checks the -verify-* settings before any work.
func checkVerifyFlags(stderr io.Writer) error {
	if !verifyFlags.on {
		return nil
	}
	return verifyFlags.Check(stderr)
}

// verifyAfterOptimize runs the verification when -verify is set, with the
// optimization's column, drives, objective and surrogate cells, avoiding its
// training and held-out noise trials.
func verifyAfterOptimize[T autograd.Float](cfg *config, s *setup[T], res *optimize.Result, stdout, stderr io.Writer) error {
	if !verifyFlags.on {
		return nil
	}
	oc, err := cfg.objective()
	if err != nil {
		return err
	}
	exclude := res.UsedTrials()
	setup := verifyout.Setup{
		Column: s.net.Column, Drives: s.net.Drives, TStop: cfg.TStop, Objective: oc,
		ExcludeSeeds: exclude, SpikeSlope: cfg.Slope,
		Surrogate: &verify.SurrogateModels[T]{Models: s.sn.Models, Options: snn.Options{SpikeSlope: cfg.Slope, DriveSubsteps: cfg.DriveSubsteps}},
	}
	if cfg.Params == "per-connection" {
		fmt.Fprintln(stderr, "verify: warning: per-connection weights are verified through their per-class geometric means (connectivity.json)")
	}
	rep, err := verifyFlags.Run(setup, s.net.Connectivity, s.sn.Connectivity(), stderr)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	out, err := cli.NewFiles("out", cfg.Out)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer out.Abort()
	files, err := verifyout.Write(out.Dir(), rep, s.net.Column)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := out.Commit(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	verifyout.Summary(stdout, rep)
	fmt.Fprintf(stdout, "verification written to %d files in %s\n", len(files), cfg.Out)
	return nil
}
