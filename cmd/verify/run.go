package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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

// run parses the command line, reads the optimization's set-up beside
// -connectivity, simulates and writes the verification.
func run(args []string, stdout, stderr io.Writer) error {
	o := newOptions(stdout, stderr)
	if err := o.parse(args); err != nil {
		return err
	}
	optimized, err := network.LoadConnectivity(o.connFile)
	if err != nil {
		return cli.Input(err)
	}
	exclude, err := o.applySummary()
	if err != nil {
		return cli.Input(err)
	}
	initial, err := o.initial()
	if err != nil {
		return cli.Input(err)
	}
	setup, err := o.setup(exclude)
	if err != nil {
		return cli.Input(err)
	}
	if err := o.vf.Check(stderr); err != nil {
		return err
	}
	est := o.estimate(setup)
	if err := est.Check(*o.maxMemory); err != nil {
		return err
	}
	if !o.vf.Quiet {
		est.Report(o.stderr)
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Dir(o.connFile)
	}
	out, err := cli.NewFiles("out", dir)
	if err != nil {
		return cli.Input(err)
	}
	defer out.Abort()
	rep, err := o.vf.Run(setup, initial, optimized, stderr)
	if err != nil {
		return err
	}
	files, err := verifyout.Write(out.Dir(), rep, setup.Column)
	if err != nil {
		return err
	}
	if err := out.Commit(); err != nil {
		return err
	}
	verifyout.Summary(stdout, rep)
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", filepath.Join(dir, f))
	}
	return nil
}

// options holds verify's flags and which of them were given explicitly.
type options struct {
	fset                                          *flag.FlagSet
	connFile, sumFile, initFile, drivesFile, out  string
	networkFile                                   string
	fileNet                                       *network.Network // the network of -network, read once
	mesh, band, signal                            string
	tstop, warmup, resolution, rate, wAMPA, slope float64
	eventSeed                                     int64
	vf                                            verifyout.Flags
	set                                           map[string]bool // flags given on the command line
	stdout, stderr                                io.Writer
	maxMemory                                     *cli.Bytes
}

// newOptions registers verify's flags.
func newOptions(stdout, stderr io.Writer) *options {
	o := &options{fset: flag.NewFlagSet("verify", flag.ContinueOnError), stdout: stdout, stderr: stderr}
	fset := o.fset
	fset.SetOutput(stderr)
	o.maxMemory = cli.MaxMemoryFlag(fset)
	fset.StringVar(&o.connFile, "connectivity", "", "optimized connectivity JSON (as cmd/optimize writes: results/connectivity.json); required")
	fset.StringVar(&o.sumFile, "summary", "", "cmd/optimize's summary.json whose set-up (column, simulated time, objective, noise trials, models) to reproduce; default summary.json beside -connectivity when present")
	fset.StringVar(&o.initFile, "initial", "", "initial connectivity JSON; default connectivity_initial.json beside -connectivity when present, else HNN's 16 classes with unit gains")
	fset.StringVar(&o.drivesFile, "drives", "", "noise drives JSON (hnn-core's names); default drives.json beside -connectivity when present, else a Poisson drive per -rate, -weight-ampa")
	fset.StringVar(&o.out, "out", "", "output directory; default the directory of -connectivity")
	fset.StringVar(&o.networkFile, "network", "", "hnn-core network configuration JSON (as cmd/optimize -network read): its column and connectivity (the initial one) replace -mesh and connectivity_initial.json, its drives are used when there is no drives.json; default the network_file of summary.json")
	fset.StringVar(&o.mesh, "mesh", optimize.DefaultMesh, "column: published (10x5 pyramidal mesh, 16 baskets per layer) or NxM (HNN's basket rule)")
	fset.Float64Var(&o.tstop, "tstop", optimize.DefaultTStop, "simulated time per run (ms), warm-up included")
	fset.Float64Var(&o.warmup, "warmup", optimize.DefaultWarmup, "simulated but excluded from the spectrum and rates (ms)")
	fset.StringVar(&o.band, "band", optimize.DefaultBand, "frequency band LO-HI (Hz)")
	fset.Float64Var(&o.resolution, "resolution", optimize.DefaultResolution, "Welch bin spacing aimed at (Hz): nperseg = ceil(fs/resolution)")
	fset.StringVar(&o.signal, "dipole", optimize.DefaultDipole, "dipole analysed: agg, L2 or L5")
	fset.Float64Var(&o.rate, "rate", network.DefaultNoiseRate, "Poisson drive rate onto every cell (Hz), without a drives file")
	fset.Float64Var(&o.wAMPA, "weight-ampa", network.DefaultNoiseWeightAMPA, "AMPA weight of the Poisson drive (µS), without a drives file")
	fset.Int64Var(&o.eventSeed, "event-seed", network.DefaultNoiseEventSeed, "event_seed of the Poisson drive, without a drives file")
	fset.Float64Var(&o.slope, "slope", nn.DefaultSpikeSlope, "the surrogate network's fast-sigmoid slope (1/mV; no effect on the forward pass)")
	o.vf.Register(fset, "")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: verify -connectivity results/connectivity.json [-seeds a,b,c | -nseeds N] [-out DIR]\n\nSimulates the biophysical column with the initial and the optimized connectivity on held-out\nnoise, beside the surrogate network on the same noise. The set-up of the optimization is read\nfrom summary.json, connectivity_initial.json and drives.json beside -connectivity; flags given\nexplicitly override it.\n\nflags:")
		fset.PrintDefaults()
	}
	return o
}

// parse parses args, requires -connectivity and records the flags given.
func (o *options) parse(args []string) error {
	if err := cli.ParseFlags(o.fset, args); err != nil {
		return err
	}
	if o.connFile == "" {
		return cli.Inputf("-connectivity FILE is required (the optimized connectivity, e.g. results/connectivity.json)")
	}
	o.set = map[string]bool{}
	o.fset.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.set["network"] && o.set["mesh"] {
		return fmt.Errorf("-network %s gives the column: -mesh cannot be given with it", o.networkFile)
	}
	return nil
}

// hnnNetwork returns the network of -network, read once. Its tonic biases
// are refused: the verification simulates synaptic drive only.
func (o *options) hnnNetwork() (*network.Network, error) {
	if o.fileNet == nil {
		n, notes, err := network.LoadHNNNetwork(o.networkFile)
		if err != nil {
			return nil, err
		}
		for _, s := range notes {
			fmt.Fprintf(os.Stderr, "verify: -network %s: %s\n", o.networkFile, s)
		}
		for _, b := range n.TonicBiases {
			if b.Amplitude != 0 {
				return nil, fmt.Errorf("-network %s: external_biases.tonic.%s: amplitude %v nA: verify simulates synaptic drive only", o.networkFile, b.CellType, b.Amplitude)
			}
		}
		o.fileNet = n
	}
	return o.fileNet, nil
}

// beside returns explicit when given, else the file name beside
// -connectivity when it exists, else "".
func (o *options) beside(explicit, name string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	p := filepath.Join(filepath.Dir(o.connFile), name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return "", nil
}

// applySummary reads the optimization's summary.json (-summary, or beside
// -connectivity), takes its set-up for every flag not given explicitly and
// returns the noise trials it used, to be excluded from verification.
func (o *options) applySummary() ([]int, error) {
	sf, err := o.beside(o.sumFile, "summary.json")
	if err != nil || sf == "" {
		return nil, err
	}
	sum, err := summary.Read(sf)
	if err != nil {
		return nil, err
	}
	if sum.Config == nil {
		return nil, fmt.Errorf("%s: no config", sf)
	}
	c := sum.Config
	take := func(name string, apply func()) {
		if !o.set[name] {
			apply()
		}
	}
	take("mesh", func() { o.mesh = c.Mesh })
	take("network", func() { o.networkFile = c.Network })
	take("tstop", func() { o.tstop = c.TStop })
	take("warmup", func() { o.warmup = c.Warmup })
	take("resolution", func() { o.resolution = c.Resolution })
	take("band", func() { o.band = fmt.Sprintf("%g-%g", c.Band[0], c.Band[1]) })
	take("dipole", func() { o.signal = c.Dipole })
	take("slope", func() { o.slope = c.Slope })
	take("models", func() {
		o.vf.Models = c.Models
		if c.Models == "random" {
			o.vf.Models = fmt.Sprintf("random:%d", c.Seed)
		}
	})
	if c.Params == "per-connection" {
		fmt.Fprintln(o.stderr, "verify: warning: the optimization trained per-connection weights; connectivity.json holds per-class gains (geometric means), which is what is verified")
	}
	var exclude []int
	for _, e := range sum.Epochs {
		exclude = append(exclude, e.Trials...)
	}
	if sum.HeldOutInitial != nil {
		exclude = append(exclude, sum.HeldOutInitial.Trials...)
	}
	fmt.Fprintf(o.stderr, "verify: set-up of the optimization read from %s\n", sf)
	return exclude, nil
}

// initial returns the initial connectivity: -initial, or that of -network,
// or connectivity_initial.json beside -connectivity, else HNN's default.
func (o *options) initial() (*network.Connectivity, error) {
	if o.networkFile != "" && o.initFile == "" {
		n, err := o.hnnNetwork()
		if err != nil {
			return nil, err
		}
		return n.Connectivity.Clone(), nil
	}
	inf, err := o.beside(o.initFile, "connectivity_initial.json")
	if err != nil {
		return nil, err
	}
	if inf == "" {
		return network.DefaultConnectivity(), nil
	}
	return network.LoadConnectivity(inf)
}

// setup returns the verification's set-up from the flags: drives, column
// and objective, with the noise trials in exclude left out.
func (o *options) setup(exclude []int) (verifyout.Setup, error) {
	setup := verifyout.Setup{TStop: o.tstop, ExcludeSeeds: exclude, SpikeSlope: o.slope}
	var err error
	if setup.Drives, err = o.drives(); err != nil {
		return setup, err
	}
	if o.networkFile != "" {
		n, err := o.hnnNetwork()
		if err != nil {
			return setup, err
		}
		setup.Column = n.Column
	} else if setup.Column, err = cli.ParseColumn("mesh", o.mesh); err != nil {
		return setup, err
	}
	lo, hi, err := cli.ParseBand("band", o.band)
	if err != nil {
		return setup, err
	}
	sig, err := optimize.ParseDipoleSignal(o.signal)
	if err != nil {
		return setup, err
	}
	w := o.warmup
	if w == 0 {
		w = -1 // ObjectiveConfig: negative means none
	}
	setup.Objective = optimize.ObjectiveConfig{Signal: sig, Lo: lo, Hi: hi, Warmup: w, Resolution: o.resolution}
	return setup, nil
}

// drives returns the noise drives: -drives or drives.json beside
// -connectivity (what the optimization used), else those of -network,
// unless a Poisson drive flag is given; else the Poisson drive of -rate,
// -weight-ampa, -event-seed.
func (o *options) drives() ([]network.Drive, error) {
	df, err := o.beside(o.drivesFile, "drives.json")
	if err != nil {
		return nil, err
	}
	poisson := o.set["rate"] || o.set["weight-ampa"] || o.set["event-seed"]
	if df != "" && !poisson {
		return network.LoadDrives(df)
	}
	if o.networkFile != "" && !poisson {
		n, err := o.hnnNetwork()
		if err != nil {
			return nil, err
		}
		return n.Drives, nil
	}
	d, err := network.PoissonNoise(neuron.Proximal, o.rate, o.wAMPA, nil, o.eventSeed)
	if err != nil {
		return nil, err
	}
	return []network.Drive{d}, nil
}
