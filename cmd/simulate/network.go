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
	fs := flag.NewFlagSet("network", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mesh := fs.String("mesh", "10x10", "pyramidal mesh per layer, NXxNY")
	drives := fs.String("drives", "erp", "drives: erp (hnn-core's three ERP drives), poisson (one Poisson train per cell), or a JSON file of drives with hnn-core's parameter names")
	rate := fs.Float64("rate", network.DefaultNoiseRate, "Poisson rate (Hz) for -drives poisson")
	wAMPA := fs.Float64("weight-ampa", network.DefaultNoiseWeightAMPA, "AMPA weight (µS) of the Poisson drive onto every cell (-drives poisson)")
	wNMDA := fs.Float64("weight-nmda", 0, "NMDA weight (µS) of the Poisson drive (-drives poisson; 0 for none)")
	eventSeed := fs.Int64("event-seed", network.DefaultNoiseEventSeed, "event_seed of the Poisson drive (-drives poisson)")
	netFile := fs.String("network", "", "hnn-core network configuration JSON (write_network_configuration): column, connections, drives and tonic biases; replaces -mesh, -drives and -connectivity")
	connFile := fs.String("connectivity", "", "connectivity JSON (classes and gains, as the optimizer writes); default HNN's 16 classes")
	seed := fs.Int("seed", 0, "trial index: trial r seeds every drive cell with event_seed + r·n_gids + offset, as hnn-core's trials")
	tstop := fs.Float64("tstop", 170, "simulated time (ms)")
	dt := fs.Float64("dt", cli.ValidatedDt, "time step (ms), at most 0.1")
	workers := fs.Int("workers", 0, "goroutines to partition cells across (0: GOMAXPROCS); results do not depend on it")
	smooth := fs.Float64("smooth", 0, "Hamming smoothing window (ms) applied to the nAm columns, as hnn-core's Dipole.smooth (0: none)")
	scale := fs.Float64("scale", 1, "factor applied to the nAm columns, as hnn-core's Dipole.scale (e.g. 3000)")
	vsoma := fs.String("vsoma", "", "comma-separated gids whose soma potential to write to vsoma.csv")
	out := fs.String("out", "", "output directory, replaced as a whole at the end of the run (an existing one must be empty or an earlier run's): dipole.csv, spikes.csv, config.json [, vsoma.csv]; for hnn-core dpl_TRIAL.txt (read_dipole), spk_TRIAL.txt (read_spikes) and network.json (read_network_configuration)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	maxMemory := cli.MaxMemoryFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Simulates HNN's cortical column biophysically with its drives and writes its dipole and spikes\n(also in hnn-core's file layouts).")
		fmt.Fprintln(fs.Output())
		fmt.Fprintln(fs.Output(), "usage: simulate network -mesh 10x10 -drives erp|poisson|FILE.json [-rate HZ -weight-ampa US] [-connectivity FILE.json] [-seed N] -tstop MS -out DIR")
		fmt.Fprintln(fs.Output(), "       simulate network -network HNN_NETWORK.json [-seed N] -tstop MS -out DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *out == "" {
		return fmt.Errorf("-out DIR is required")
	}
	if err := cli.CheckDt("dt", *dt, stderr); err != nil {
		return err
	}
	if !(*tstop > 0) || math.IsInf(*tstop, 0) {
		return fmt.Errorf("-tstop %v: the simulated time (ms) must be positive and finite", *tstop)
	}
	var net *network.Network
	var nx, ny int
	var err error
	if *netFile != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, k := range []string{"mesh", "drives", "connectivity", "rate", "weight-ampa", "weight-nmda", "event-seed"} {
			if set[k] {
				return fmt.Errorf("-%s cannot be combined with -network (the file holds the column, connectivity and drives)", k)
			}
		}
		var notes []string
		if net, notes, err = network.LoadHNNNetwork(*netFile); err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "%s: %s\n", *netFile, n)
		}
		nx, ny = net.Column.MeshX, net.Column.MeshY
	} else {
		if net, nx, ny, err = buildNetwork(*mesh, *drives, *connFile, *rate, *wAMPA, *wNMDA, *eventSeed); err != nil {
			return err
		}
	}
	col := net.Column
	est := cli.BiophysNetworkEstimate(col, net.Connectivity, *tstop, *dt, strings.Count(*vsoma, ",")+1, *rate)
	if err := est.Check(*maxMemory); err != nil {
		return err
	}
	if !*quiet {
		est.Report(stderr)
	}
	// hnn-core's configuration of the network, prepared before simulating.
	var hnnNet bytes.Buffer
	if err := network.WriteHNNNetwork(&hnnNet, net); err != nil {
		fmt.Fprintf(stderr, "network.json not written: %v\n", err)
		hnnNet.Reset()
	}
	var record []int
	if *vsoma != "" {
		for _, f := range strings.Split(*vsoma, ",") {
			g, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("-vsoma: %q is not a gid", f)
			}
			record = append(record, g)
		}
	}
	if math.IsNaN(*scale) || math.IsInf(*scale, 0) || *scale == 0 {
		return fmt.Errorf("-scale %v must be a non-zero finite number", *scale)
	}
	nWorkers := *workers
	if nWorkers <= 0 {
		nWorkers = runtime.GOMAXPROCS(0)
	}

	if *smooth != 0 {
		// Reject a bad window now rather than after a long simulation.
		if _, err := spectral.NewSmoother(int(math.Round(*tstop / *dt))+1, *smooth, 1000 / *dt); err != nil {
			return err
		}
	}

	// The output directory is staged (and so proven writable) before simulating.
	outDir, err := cli.NewDir("out", *out, "simulate network")
	if err != nil {
		return err
	}
	defer outDir.Abort()
	start := time.Now()
	opts := biophys.SimOptions{TStop: *tstop, Dt: *dt, Trial: *seed, Workers: nWorkers, RecordVSoma: record}
	if !*quiet {
		opts.Progress = progressReporter(stderr, start, *tstop)
	}
	res, err := biophys.Simulate(net, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if !*quiet && elapsed >= time.Second {
		fmt.Fprintln(stderr)
	}
	if err := checkDipole(res, *dt); err != nil {
		return err
	}
	hnn, err := res.HNNDipole().Smooth(*smooth)
	if err != nil {
		return err
	}
	hnn.Scale(*scale)

	cfg := networkConfig{
		Mesh: [2]int{nx, ny}, TStopMS: *tstop, DtMS: *dt, Trial: *seed, Workers: nWorkers,
		SmoothMS: *smooth, Scale: *scale, NumGIDs: net.NumGIDs(), GIDRanges: map[string][2]int{},
		Connectivity: net.Connectivity, Drives: net.Drives,
	}
	for _, ct := range neuron.CellTypes {
		s, e := col.Range(ct)
		cfg.GIDRanges[ct.String()] = [2]int{s, e}
	}
	for i, d := range net.Drives {
		s, e := net.DriveRange(i)
		cfg.GIDRanges[d.Name] = [2]int{s, e}
	}
	counts, err := writeNetworkOutputs(outDir.Dir(), net, res, hnn, record, cfg, hnnNet.Bytes())
	if err != nil {
		return err
	}
	if err := outDir.Commit(); err != nil {
		return failure(err)
	}
	fmt.Fprintf(stdout, "simulated %d cells and %d drive cells for %g ms in %.2f s on %d workers\n",
		col.NumCells(), net.NumGIDs()-col.NumCells(), *tstop, elapsed.Seconds(), nWorkers)
	for _, ct := range neuron.CellTypes {
		fmt.Fprintf(stdout, "  %-13s %5d spikes\n", ct, counts[ct.String()])
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// progressReporter returns a SimOptions.Progress callback printing at most
// one progress line per second on stderr.
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
