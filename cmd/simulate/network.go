package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/spectral"
)

// networkConfig is the configuration a network run writes next to its outputs.
type networkConfig struct {
	Mesh         [2]int                `json:"mesh"`
	TStopMS      float64               `json:"tstop_ms"`
	DtMS         float64               `json:"dt_ms"`
	Trial        int                   `json:"trial"`
	Workers      int                   `json:"workers"`
	SmoothMS     float64               `json:"smooth_ms"`
	Scale        float64               `json:"scale"`
	NumGIDs      int                   `json:"n_gids"`
	GIDRanges    map[string][2]int     `json:"gid_ranges"`
	Connectivity *network.Connectivity `json:"connectivity"`
	Drives       []network.Drive       `json:"drives"`
}

func runNetwork(args []string, stdout, stderr io.Writer) error {
	f := newNetworkFlags(stderr)
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	net, nx, ny, err := f.network(stderr)
	if err != nil {
		return err
	}
	est := cli.BiophysNetworkEstimate(net.Column, net.Connectivity, f.tstop, f.dt, strings.Count(f.vsoma, ",")+1, f.rate)
	if err := est.Check(f.maxMemory); err != nil {
		return err
	}
	if !f.quiet {
		est.Report(stderr)
	}
	// hnn-core's configuration of the network, prepared before simulating.
	var hnnNet bytes.Buffer
	if err := network.WriteHNNNetwork(&hnnNet, net); err != nil {
		fmt.Fprintf(stderr, "network.json not written: %v\n", err)
		hnnNet.Reset()
	}
	record, err := f.recorded()
	if err != nil {
		return err
	}
	// The output directory is staged (and so proven writable) before simulating.
	outDir, err := cli.NewDir("out", f.out, "simulate network")
	if err != nil {
		return err
	}
	defer outDir.Abort()
	res, hnn, elapsed, err := f.simulate(net, record, stderr)
	if err != nil {
		return err
	}
	counts, err := writeNetworkOutputs(outDir.Dir(), net, res, hnn, record, f.config(net, nx, ny), hnnNet.Bytes())
	if err != nil {
		return err
	}
	if err := outDir.Commit(); err != nil {
		return failure(err)
	}
	fmt.Fprintf(stdout, "simulated %d cells and %d drive cells for %g ms in %.2f s on %d workers\n",
		net.Column.NumCells(), net.NumGIDs()-net.Column.NumCells(), f.tstop, elapsed.Seconds(), f.nWorkers())
	for _, ct := range neuron.CellTypes {
		fmt.Fprintf(stdout, "  %-13s %5d spikes\n", ct, counts[ct.String()])
	}
	fmt.Fprintf(stdout, "wrote %s\n", f.out)
	return nil
}

// networkFlags are simulate network's flags.
type networkFlags struct {
	fs                              *flag.FlagSet
	mesh, drives, netFile, connFile string
	vsoma, out                      string
	rate, wAMPA, wNMDA, tstop, dt   float64
	smooth, scale                   float64
	eventSeed                       int64
	seed, workers                   int
	quiet                           bool
	maxMemory                       cli.Bytes
	maxMemoryFlag                   *cli.Bytes
	set                             map[string]bool // the flags given
}

// newNetworkFlags registers simulate network's flags.
func newNetworkFlags(stderr io.Writer) *networkFlags {
	f := &networkFlags{fs: flag.NewFlagSet("network", flag.ContinueOnError)}
	fs := f.fs
	fs.SetOutput(stderr)
	fs.StringVar(&f.mesh, "mesh", "10x10", "pyramidal mesh per layer, NXxNY")
	fs.StringVar(&f.drives, "drives", "erp", "drives: erp (hnn-core's three ERP drives), poisson (one Poisson train per cell), or a JSON file of drives with hnn-core's parameter names")
	fs.Float64Var(&f.rate, "rate", network.DefaultNoiseRate, "Poisson rate (Hz) for -drives poisson")
	fs.Float64Var(&f.wAMPA, "weight-ampa", network.DefaultNoiseWeightAMPA, "AMPA weight (µS) of the Poisson drive onto every cell (-drives poisson)")
	fs.Float64Var(&f.wNMDA, "weight-nmda", 0, "NMDA weight (µS) of the Poisson drive (-drives poisson; 0 for none)")
	fs.Int64Var(&f.eventSeed, "event-seed", network.DefaultNoiseEventSeed, "event_seed of the Poisson drive (-drives poisson)")
	fs.StringVar(&f.netFile, "network", "", "hnn-core network configuration JSON (write_network_configuration): column, connections, drives and tonic biases; replaces -mesh, -drives and -connectivity")
	fs.StringVar(&f.connFile, "connectivity", "", "connectivity JSON (classes and gains, as the optimizer writes); default HNN's 16 classes")
	fs.IntVar(&f.seed, "seed", 0, "trial index: trial r seeds every drive cell with event_seed + r·n_gids + offset, as hnn-core's trials")
	fs.Float64Var(&f.tstop, "tstop", 170, "simulated time (ms)")
	fs.Float64Var(&f.dt, "dt", cli.ValidatedDt, "time step (ms), at most 0.1")
	fs.IntVar(&f.workers, "workers", 0, "goroutines to partition cells across (0: GOMAXPROCS); results do not depend on it")
	fs.Float64Var(&f.smooth, "smooth", 0, "Hamming smoothing window (ms) applied to the nAm columns, as hnn-core's Dipole.smooth (0: none)")
	fs.Float64Var(&f.scale, "scale", 1, "factor applied to the nAm columns, as hnn-core's Dipole.scale (e.g. 3000)")
	fs.StringVar(&f.vsoma, "vsoma", "", "comma-separated gids whose soma potential to write to vsoma.csv")
	fs.StringVar(&f.out, "out", "", "output directory, replaced as a whole at the end of the run (an existing one must be empty or an earlier run's): dipole.csv, spikes.csv, config.json [, vsoma.csv]; for hnn-core dpl_TRIAL.txt (read_dipole), spk_TRIAL.txt (read_spikes) and network.json (read_network_configuration)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	f.maxMemoryFlag = cli.MaxMemoryFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Simulates HNN's cortical column biophysically with its drives and writes its dipole and spikes\n(also in hnn-core's file layouts).")
		fmt.Fprintln(fs.Output())
		fmt.Fprintln(fs.Output(), "usage: simulate network -mesh 10x10 -drives erp|poisson|FILE.json [-rate HZ -weight-ampa US] [-connectivity FILE.json] [-seed N] -tstop MS -out DIR")
		fmt.Fprintln(fs.Output(), "       simulate network -network HNN_NETWORK.json [-seed N] -tstop MS -out DIR")
		fs.PrintDefaults()
	}
	return f
}

// parse parses args and checks every value that needs no file.
func (f *networkFlags) parse(args []string, stderr io.Writer) error {
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	f.maxMemory = *f.maxMemoryFlag
	f.set = map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	switch {
	case f.fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %v", f.fs.Args())
	case f.out == "":
		return fmt.Errorf("-out DIR is required")
	}
	if err := cli.CheckDt("dt", f.dt, stderr); err != nil {
		return err
	}
	if !(f.tstop > 0) || math.IsInf(f.tstop, 0) {
		return fmt.Errorf("-tstop %v: the simulated time (ms) must be positive and finite", f.tstop)
	}
	if math.IsNaN(f.scale) || math.IsInf(f.scale, 0) || f.scale == 0 {
		return fmt.Errorf("-scale %v must be a non-zero finite number", f.scale)
	}
	if f.smooth != 0 {
		// Reject a bad window now rather than after a long simulation.
		if _, err := spectral.NewSmoother(int(math.Round(f.tstop/f.dt))+1, f.smooth, 1000/f.dt); err != nil {
			return err
		}
	}
	return nil
}

// network builds the simulated network: -network's file, or the column of
// -mesh with -drives and -connectivity; it returns the pyramidal mesh too.
func (f *networkFlags) network(stderr io.Writer) (*network.Network, int, int, error) {
	if f.netFile == "" {
		return buildNetwork(f.mesh, f.drives, f.connFile, f.rate, f.wAMPA, f.wNMDA, f.eventSeed)
	}
	for _, k := range []string{"mesh", "drives", "connectivity", "rate", "weight-ampa", "weight-nmda", "event-seed"} {
		if f.set[k] {
			return nil, 0, 0, fmt.Errorf("-%s cannot be combined with -network (the file holds the column, connectivity and drives)", k)
		}
	}
	net, notes, err := network.LoadHNNNetwork(f.netFile)
	if err != nil {
		return nil, 0, 0, err
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "%s: %s\n", f.netFile, n)
	}
	return net, net.Column.MeshX, net.Column.MeshY, nil
}

// recorded parses -vsoma.
func (f *networkFlags) recorded() ([]int, error) {
	var record []int
	if f.vsoma == "" {
		return nil, nil
	}
	for _, s := range strings.Split(f.vsoma, ",") {
		g, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("-vsoma: %q is not a gid", s)
		}
		record = append(record, g)
	}
	return record, nil
}

// nWorkers resolves -workers.
func (f *networkFlags) nWorkers() int {
	if f.workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return f.workers
}

// simulate runs the biophysical column and returns its result, hnn-core's
// dipole (smoothed and scaled) and the time it took.
func (f *networkFlags) simulate(net *network.Network, record []int, stderr io.Writer) (*biophys.SimResult, network.Dipole, time.Duration, error) {
	start := time.Now()
	opts := biophys.SimOptions{TStop: f.tstop, Dt: f.dt, Trial: f.seed, Workers: f.nWorkers(), RecordVSoma: record}
	if !f.quiet {
		opts.Progress = progressReporter(stderr, start, f.tstop)
	}
	res, err := biophys.Simulate(net, opts)
	if err != nil {
		return nil, network.Dipole{}, 0, err
	}
	elapsed := time.Since(start)
	if !f.quiet && elapsed >= time.Second {
		fmt.Fprintln(stderr)
	}
	if err := checkDipole(res, f.dt); err != nil {
		return nil, network.Dipole{}, 0, err
	}
	hnn, err := res.HNNDipole().Smooth(f.smooth)
	if err != nil {
		return nil, network.Dipole{}, 0, err
	}
	return res, hnn.Scale(f.scale), elapsed, nil
}

// config returns config.json's record of the run.
func (f *networkFlags) config(net *network.Network, nx, ny int) networkConfig {
	cfg := networkConfig{
		Mesh: [2]int{nx, ny}, TStopMS: f.tstop, DtMS: f.dt, Trial: f.seed, Workers: f.nWorkers(),
		SmoothMS: f.smooth, Scale: f.scale, NumGIDs: net.NumGIDs(), GIDRanges: map[string][2]int{},
		Connectivity: net.Connectivity, Drives: net.Drives,
	}
	for _, ct := range neuron.CellTypes {
		s, e := net.Column.Range(ct)
		cfg.GIDRanges[ct.String()] = [2]int{s, e}
	}
	for i, d := range net.Drives {
		s, e := net.DriveRange(i)
		cfg.GIDRanges[d.Name] = [2]int{s, e}
	}
	return cfg
}

func progressReporter(stderr io.Writer, start time.Time, tstop float64) func(t float64) {
	last := start
	return func(t float64) {
		if now := time.Now(); now.Sub(last) >= time.Second {
			last = now
			fmt.Fprintf(stderr, "\rnetwork: %.1f / %.1f ms simulated (%.0f%%), %.1f s elapsed",
				t, tstop, 100*t/tstop, now.Sub(start).Seconds())
		}
	}
}

// checkDipole returns a runtime error naming the first step and layer at
// which the column's dipole is NaN or Inf, rather than writing NaN rows.
func checkDipole(res *biophys.SimResult, dt float64) error {
	for k := range res.Times {
		for _, l := range []struct {
			name string
			v    []float64
		}{{"L2/3", res.L2}, {"L5", res.L5}} {
			if v := l.v[k]; math.IsNaN(v) || math.IsInf(v, 0) {
				return failure(fmt.Errorf("the %s pyramidal cells' dipole is %v at step %d (t = %g ms): a cell's voltage diverged; drive weights or connection gains out of the cells' range, or -dt %g too coarse", l.name, v, k, res.Times[k], dt))
			}
		}
	}
	return nil
}

// buildNetwork builds the column, connectivity and drives from the flags.
func buildNetwork(mesh, drives, connFile string, rate, wAMPA, wNMDA float64, eventSeed int64) (*network.Network, int, int, error) {
	nx, ny, err := cli.ParseMesh("mesh", mesh)
	if err != nil {
		return nil, 0, 0, err
	}
	col, err := network.NewColumn(nx, ny)
	if err != nil {
		return nil, 0, 0, err
	}
	var conn *network.Connectivity
	if connFile != "" {
		if conn, err = network.LoadConnectivity(connFile); err != nil {
			return nil, 0, 0, err
		}
	}
	var driveList []network.Drive
	switch drives {
	case "erp":
		driveList = network.ERPDrives()
	case "poisson":
		driveList = []network.Drive{network.PoissonEveryCell(rate, wAMPA, wNMDA, eventSeed)}
	default:
		if driveList, err = network.LoadDrives(drives); err != nil {
			return nil, 0, 0, err
		}
	}
	net, err := network.NewNetwork(col, conn, driveList)
	return net, nx, ny, err
}
