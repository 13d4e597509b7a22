// Command optimize finds the connection gains of HNN's cortical column that
// maximise the 15-60 Hz power of its current dipole, by gradient descent
// through a network of learned surrogate cells.
//
// The column (by default the published one: 50 pyramidal and 16 basket cells
// in each of L2/3 and L5) is built from the shipped surrogates of the four cell
// types, driven by independent 10 Hz Poisson trains on every cell, and
// simulated at 0.5 ms steps with spikes routed over HNN's connection classes,
// weights and delays. Each epoch simulates fresh noise for 600 ms,
// back-propagates -log(Welch band power of the dipole after a 100 ms warm-up)
// through the whole run and takes one Adam step on the 16 class log-gains.
// Fixed held-out noise seeds are evaluated before, during and after training.
//
// Usage:
//
//	optimize [-epochs 10] [-lr 0.2] [-band 15-60] [-objective absolute|relative|target]
//	         [-dipole agg|L2|L5] [-params per-class|per-connection] [-mesh published|NxM]
//	         [-models shipped|random|DIR] [-out results] ...
//
// It writes summary.json, CSVs, the final connectivity (connectivity.json,
// readable by "simulate network -connectivity") and figures (A)-(F) to -out,
// and with -network FILE (an hnn-core network configuration) the optimized
// network in the same format (network.json, gains applied to the weights);
// prints its seed and configuration on stdout and a progress line per epoch on
// stderr. The files are written into a temporary directory beside -out,
// created before anything is simulated, which replaces -out at the end (an
// existing -out must be empty or an earlier run's, marked by
// .neurograd-output): a failed run leaves the earlier results as they were.
// With -verify the verification's files are added after the optimization's
// results are in place. Bad input exits with status 2, other failures with
// status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/internal/kernel"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

// inputError marks a failure caused by the user's input (exit status 2).
type inputError = cli.InputError

func main() {
	if os.Getenv("GOGC") == "" {
		// The heap is mostly the training runs' tapes, allocated once and
		// reused every epoch: the collector's default headroom (as much
		// garbage again as is live) would let the little garbage of the
		// checkpoints pile up to the tapes' size. A quarter of it costs a
		// few more collections (0.35 s of CPU time in the default run).
		debug.SetGCPercent(25)
	}
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain runs the command and returns its exit status: 0, 1 for a runtime
// failure, 2 for bad input (the error is printed on stderr).
func runMain(args []string, stdout, stderr io.Writer) int {
	return cli.ExitCode("optimize", run(args, stdout, stderr), stderr)
}

// run parses args and performs the optimization.
func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return cli.Input(err)
	}
	if cfg.Float == 64 {
		return runOptimize[float64](cfg, stdout, stderr)
	}
	return runOptimize[float32](cfg, stdout, stderr)
}

// setup is everything built from the configuration.
type setup[T autograd.Float] struct {
	net *network.Network
	sn  *snn.Net[T]
	obj *optimize.Spectral[T] // the spectral read-out (and, unless -objective erp, the loss)
	// loss is what Run minimises: obj, or the ERP fit with obj's read-out.
	loss   optimize.Objective[T]
	erp    *optimize.ERPObjective[T] // -objective erp
	bounds []optimize.Bound
}

// build builds the column, drives, network, surrogate network and objective
// of cfg.
func build[T autograd.Float](cfg *config, stderr io.Writer) (*setup[T], error) {
	col, err := cfg.column()
	if err != nil {
		return nil, cli.Input(err)
	}
	conn, err := cfg.connectivity()
	if err != nil {
		return nil, cli.Input(err)
	}
	drives, err := cfg.drives()
	if err != nil {
		return nil, cli.Input(err)
	}
	if err := cfg.checkMemory(col, conn, stderr); err != nil {
		return nil, inputError{Err: err}
	}
	net, err := network.NewNetwork(col, conn, drives)
	if err != nil {
		return nil, cli.Input(err)
	}
	if cfg.Network != "" {
		net.TonicBiases = cfg.fileNet.TonicBiases // the surrogate cells refuse non-zero ones
	}
	var models [neuron.NumCellTypes]snn.Cell[T]
	switch cfg.Models {
	case "shipped":
		models, err = snn.ShippedCells[T]()
		if err != nil {
			err = fmt.Errorf("%w (train them with cmd/train, or pass -models random to time the machinery)", err)
		}
	case "random":
		models, err = snn.RandomCells[T](uint64(cfg.Seed))
	default:
		if models, err = snn.LoadCells[T](cfg.Models); err != nil {
			return nil, cli.Input(fmt.Errorf("-models %s: %w", cfg.Models, err))
		}
	}
	if err != nil {
		return nil, err
	}
	mode, driveParams, timing, _ := cfg.paramModes()
	sn, err := snn.New(net, models, snn.Options{TStop: cfg.TStop, SpikeSlope: cfg.Slope, Params: mode, DriveParams: driveParams, DriveTiming: timing, DriveSubsteps: cfg.DriveSubsteps})
	if err != nil {
		return nil, cli.Input(err)
	}
	oc, err := cfg.objective()
	if err != nil {
		return nil, cli.Input(err)
	}
	obj, err := optimize.NewSpectral[T](oc, sn.Steps, sn.Dt)
	if err != nil {
		return nil, cli.Input(err)
	}
	s := &setup[T]{net: net, sn: sn, obj: obj, loss: obj}
	if cfg.isERP() {
		if s.loss, s.erp, err = erpObjective(cfg, sn, obj); err != nil {
			return nil, inputError{Err: err}
		}
	}
	if cfg.RatePenalty > 0 {
		pen, err := optimize.NewRatePenalty[T](cfg.rateBounds)
		if err != nil {
			return nil, inputError{Err: err}
		}
		if s.loss, err = optimize.NewSum([]optimize.Objective[T]{s.loss, pen}, []float64{1, cfg.RatePenalty}, []string{cfg.Objective, "rate penalty"}); err != nil {
			return nil, inputError{Err: err}
		}
	}
	if s.bounds, err = bounds(cfg, sn); err != nil {
		return nil, inputError{Err: err}
	}
	return s, nil
}

// runOptimize builds the set-up of cfg, runs the optimization with
// float type T, writes the outputs and figures, prints the results and runs
// the verification when asked to.
func runOptimize[T autograd.Float](cfg *config, stdout, stderr io.Writer) error {
	start := time.Now()
	s, err := build[T](cfg, stderr)
	if err != nil {
		return err
	}
	out, err := cli.NewDir("out", cfg.Out, "optimize")
	if err != nil {
		return cli.Input(err)
	}
	defer out.Abort()
	printSetup(cfg, s, stdout)
	stopProfile, err := startCPUProfile(cfg.CPUProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	ocfg := optimizeConfig(cfg, stderr)
	atOnce := 1
	if cfg.Restarts > 1 {
		_, w := cfg.estimate(s.net.Column, s.net.Connectivity)
		atOnce = min(ocfg.Workers, cfg.Restarts, w)
		fmt.Fprintf(stderr, "%d restarts, up to %d at once\n", cfg.Restarts, atOnce)
	}
	if ocfg.Checkpoint >= 0 && s.sn.CanCheckpoint() {
		every := ocfg.Checkpoint
		if every == 0 {
			every = snn.DefaultCheckpointEvery(s.sn.Steps)
		}
		every = min(every, s.sn.Steps)
		nseg := (s.sn.Steps + every - 1) / every
		keep := min(optimize.CheckpointKeep(s.sn, ocfg, atOnce), nseg)
		fmt.Fprintf(stderr, "checkpointed backpropagation: %d segments of %d steps, the last %d kept from the forward pass, %d recomputed\n", nseg, every, keep, nseg-keep)
	}
	if cfg.HeldOut > 0 {
		fmt.Fprintf(stderr, "held-out evaluation before training (%d seeds)...\n", cfg.HeldOut)
	}
	ocfg.Bounds = s.bounds
	res, err := optimize.Run(s.sn, s.loss, ocfg)
	if err != nil {
		return err
	}
	stopProfile()
	wall := time.Since(start).Seconds()
	if err := writeOutputs(out.Dir(), cfg, s, res, wall); err != nil {
		return err
	}
	if cfg.Figures {
		if err := writeFigures(out.Dir(), cfg, s, res); err != nil {
			return err
		}
	}
	if err := out.Commit(); err != nil {
		return err
	}
	printResults(cfg, s, res, start, stdout)
	return verifyAfterOptimize(cfg, s, res, stdout, stderr)
}

// printSetup prints the seed, the configuration, the network and the
// objective on stdout.
func printSetup[T autograd.Float](cfg *config, s *setup[T], stdout io.Writer) {
	cj, _ := json.Marshal(cfg)
	p := s.obj.Plan.Params()
	fmt.Fprintf(stdout, "optimize: seed %d\nkernels: %s (results are identical for any GOMAXPROCS and -workers on one dispatch path, not across avx512 / avx2 / purego; GODEBUG=cpu.avx512f=off selects avx2)\nconfiguration: %s\n", cfg.Seed, kernel.Implementation(), cj)
	mesh := cfg.Mesh
	if cfg.Network != "" {
		mesh = fmt.Sprintf("%dx%d from %s", s.net.Column.MeshX, s.net.Column.MeshY, cfg.Network)
	}
	fmt.Fprintf(stdout, "network: %d cells (%s), %d connections (%d synapses, longest delay %d steps), %d steps of %g ms; %d parameters (%s)\n",
		s.net.Column.NumCells(), mesh, len(s.sn.Connections), s.sn.NumSynapses(), s.sn.MaxDelaySteps(), s.sn.Steps, s.sn.Dt, len(flatTrainable(s.sn)), cfg.Params)
	if e := s.erp; e != nil {
		fmt.Fprintf(stdout, "objective: %s of the trial-averaged %s dipole (x%g, smoothed %g ms) against %s, %d samples compared (simulated %d-%d, target %d-%d); band power reported\n",
			e.Config.Metric, cfg.Dipole, e.Config.Scale, e.Config.SmoothMS, cfg.Target, e.Compared, e.SimFrom, e.SimTo, e.TargetFrom, e.TargetTo)
	}
	if len(s.bounds) > 0 {
		fmt.Fprintf(stdout, "bounds: %d parameters boxed (%s)\n", len(s.bounds), cfg.Bounds)
	}
	what := cfg.Objective
	if s.erp != nil {
		what = "reported"
	}
	fmt.Fprintf(stdout, "objective: %s band power %g-%g Hz of the %s dipole, Welch nperseg %d (%.2f Hz bins), %d samples after %d warm-up samples\n",
		what, cfg.Band[0], cfg.Band[1], cfg.Dipole, p.NPerSeg, p.Resolution(), s.obj.Samples, s.obj.Skip)
}

// startCPUProfile starts a CPU profile into path (none when path is "") and
// returns the function that stops it, which may be called more than once.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	stopped := false
	return func() {
		if !stopped {
			stopped = true
			pprof.StopCPUProfile()
			f.Close()
		}
	}, nil
}

// optimizeConfig returns the optimizer's configuration of cfg, with
// warnings and progress lines written to stderr.
func optimizeConfig(cfg *config, stderr io.Writer) optimize.Config {
	heldOut := make([]int, cfg.HeldOut) // not nil: -heldout 0 means none, not optimize.DefaultHeldOut()
	for k := range heldOut {
		heldOut[k] = optimize.DefaultHeldOutTrial + k
	}
	every := cfg.HeldOutEvery
	if every <= 0 {
		every = optimize.HeldOutEndsOnly // optimize.Config's 0 would mean every epoch
	}
	clip := cfg.Clip
	if clip < 0 {
		clip = optimize.NoClip
	}
	ocfg := optimize.Config{
		Epochs: cfg.Epochs, LR: cfg.LR, ClipNorm: clip, TrainTrial: 0, TrainReplicas: cfg.Replicas, Restarts: cfg.Restarts,
		HeldOut: heldOut, HeldOutEvery: every, MaxRate: cfg.MaxRate,
		Warn: func(msg string) { fmt.Fprintf(stderr, "warning: %s\n", msg) },
		RestartDone: func(rr optimize.RestartResult) {
			fmt.Fprintf(stderr, "restart %d/%d done: validation band power %.4g nAm² (loss %.4f)\n", rr.Restart, cfg.Restarts, rr.ValidationBandPower, rr.ValidationLoss)
		},
		Progress: func(st optimize.EpochStats) { fmt.Fprintln(stderr, progressLine(cfg, st)) },
	}
	ocfg.Workers = cfg.Workers
	if ocfg.Workers == 0 {
		ocfg.Workers = runtime.GOMAXPROCS(0)
	}
	ocfg.RateBounds = cfg.rateBounds
	// An ERP fit re-simulates the same noise every epoch, as hnn-core's
	// Optimizer re-simulates its seeds: fresh noise makes the loss wander
	// by as much as the steps gain (docs/erp-fit.md).
	ocfg.RepeatTrials = cfg.isERP() && !cfg.FreshNoise
	cfg.memoryConfig(&ocfg)
	return ocfg
}

// progressLine is the line printed after each epoch.
func progressLine(cfg *config, st optimize.EpochStats) string {
	line := fmt.Sprintf("epoch %2d/%d  loss %.4f  band power %.4g nAm² (train)", st.Epoch, cfg.Epochs, st.Loss, st.TrainBandPower)
	if cfg.Restarts > 1 {
		line = fmt.Sprintf("restart %d/%d  ", st.Restart, cfg.Restarts) + line
	}
	if st.HeldOut != nil {
		line += fmt.Sprintf("  %.4g nAm² (held-out)", st.HeldOut.MeanBandPower)
	}
	line += fmt.Sprintf("  rates %s  %.2f s", formatRates(st.Rates), st.Seconds)
	if len(st.RateViolations) > 0 {
		line += "  outside -rate-bounds: " + strings.Join(st.RateViolations, ", ")
	}
	if len(st.AtBounds) > 0 {
		line += "  at -bounds: " + strings.Join(st.AtBounds, ", ")
	}
	return line
}

// printResults prints the held-out change, the restarts, the gain changes
// and the wall time on stdout.
func printResults[T autograd.Float](cfg *config, s *setup[T], res *optimize.Result, start time.Time, stdout io.Writer) {
	if res.Initial != nil && s.erp != nil {
		unit := " nAm"
		if s.erp.Config.Metric == optimize.ERPCorrelation {
			unit = " (1 - r)"
		}
		fmt.Fprintf(stdout, "held-out ERP %s: %.4g -> %.4g%s over %d seeds\n", s.erp.Config.Metric, res.Initial.Loss, res.Final.Loss, unit, cfg.HeldOut)
	}
	if len(cfg.rateBounds) > 0 && res.Final != nil {
		if len(res.RateViolations) == 0 {
			fmt.Fprintln(stdout, "firing rates after training (held-out): within -rate-bounds")
		} else {
			fmt.Fprintf(stdout, "firing rates after training (held-out): outside -rate-bounds: %s\n", strings.Join(res.RateViolations, ", "))
		}
	}
	if len(res.FinalDriveGains) > 0 {
		fmt.Fprintf(stdout, "drive weights: %s\n", formatDriveChanges(s.sn, res.InitialDriveGains, res.FinalDriveGains))
	}
	if res.Initial != nil {
		fmt.Fprintf(stdout, "held-out %g-%g Hz band power: %.4g -> %.4g nAm² (x%.3g) over %d seeds\n",
			cfg.Band[0], cfg.Band[1], res.Initial.MeanBandPower, res.Final.MeanBandPower, res.Final.MeanBandPower/res.Initial.MeanBandPower, cfg.HeldOut)
	}
	for _, rr := range res.Restarts {
		mark := ""
		if rr.Kept {
			mark = " (kept)"
		}
		fmt.Fprintf(stdout, "restart %d: validation band power %.4g nAm², loss %.4f%s\n", rr.Restart, rr.ValidationBandPower, rr.ValidationLoss, mark)
	}
	fmt.Fprintf(stdout, "gains: %s\n", formatGainChanges(s.net.Connectivity, res.InitialGains, res.FinalGains))
	fmt.Fprintf(stdout, "wall time %.1f s (optimization %.1f s); results in %s\n", time.Since(start).Seconds(), res.Seconds, cfg.Out)
}

// formatDriveChanges lists the drive weights whose gain changed by more
// than 5 %, as DRIVE_RECEPTOR_CELLTYPE xFACTOR.
func formatDriveChanges[T autograd.Float](sn *snn.Net[T], g0, g1 []float64) string {
	var parts []string
	for i, c := range sn.DriveClasses {
		if f := g1[i] / g0[i]; math.Abs(math.Log(f)) > math.Log(1.05) {
			parts = append(parts, fmt.Sprintf("%s x%.3g", c.Name(sn.Net), f))
		}
	}
	if len(parts) == 0 {
		return "none changed by more than 5 %"
	}
	return strings.Join(parts, ", ")
}

// formatRates formats the mean firing rate of every cell type.
func formatRates(r [neuron.NumCellTypes]float64) string {
	s := ""
	for _, ct := range neuron.CellTypes {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("%s %.1f", ct.ShortName(), r[ct])
	}
	return s + " Hz"
}

// formatGainChanges lists the classes whose gain changed by more than 5 %,
// largest change first.
func formatGainChanges(conn *network.Connectivity, g0, g1 []float64) string {
	type ch struct {
		name   string
		factor float64
	}
	var list []ch
	for i := range g0 {
		f := g1[i] / g0[i]
		if f > 1.05 || f < 1/1.05 {
			list = append(list, ch{conn.Classes[i].Name, f})
		}
	}
	for i := range list { // insertion sort by |log factor|
		for j := i; j > 0 && abslog(list[j].factor) > abslog(list[j-1].factor); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	if len(list) == 0 {
		return "none changed by more than 5 %"
	}
	s := ""
	for _, c := range list {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s x%.3g", c.name, c.factor)
	}
	return s
}
