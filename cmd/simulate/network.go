package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/neurograd/neurograd/network"
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

func runNetwork(args []string) error {
	fs := flag.NewFlagSet("network", flag.ContinueOnError)
	mesh := fs.String("mesh", "10x10", "pyramidal mesh per layer, NXxNY")
	drives := fs.String("drives", "erp", "drives: erp (hnn-core's three ERP drives), poisson (one Poisson train per cell), or a JSON file of drives with hnn-core's parameter names")
	rate := fs.Float64("rate", 10, "Poisson rate (Hz) for -drives poisson")
	wAMPA := fs.Float64("weight-ampa", 0.001, "AMPA weight (µS) of the Poisson drive onto every cell (-drives poisson)")
	wNMDA := fs.Float64("weight-nmda", 0, "NMDA weight (µS) of the Poisson drive (-drives poisson; 0 for none)")
	eventSeed := fs.Int64("event-seed", 2, "event_seed of the Poisson drive (-drives poisson)")
	connFile := fs.String("connectivity", "", "connectivity JSON (classes and gains, as the optimizer writes); default HNN's 16 classes")
	seed := fs.Int("seed", 0, "trial index: trial r seeds every drive cell with event_seed + r·n_gids + offset, as hnn-core's trials")
	tstop := fs.Float64("tstop", 170, "simulated time (ms)")
	dt := fs.Float64("dt", 0.025, "time step (ms)")
	workers := fs.Int("workers", 0, "goroutines to partition cells across (0: GOMAXPROCS); results do not depend on it")
	smooth := fs.Float64("smooth", 0, "Hamming smoothing window (ms) applied to the nAm columns, as hnn-core's Dipole.smooth (0: none)")
	scale := fs.Float64("scale", 1, "factor applied to the nAm columns, as hnn-core's Dipole.scale (e.g. 3000)")
	vsoma := fs.String("vsoma", "", "comma-separated gids whose soma potential to write to vsoma.csv")
	out := fs.String("out", "", "output directory (created): dipole.csv, spikes.csv, config.json [, vsoma.csv]")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: simulate network -mesh 10x10 -drives erp|poisson|FILE.json [-rate HZ -weight-ampa US] [-connectivity FILE.json] [-seed N] -tstop MS -out DIR")
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
	nx, ny, err := parseMesh(*mesh)
	if err != nil {
		return err
	}
	col, err := network.NewColumn(nx, ny)
	if err != nil {
		return err
	}
	var conn *network.Connectivity
	if *connFile != "" {
		if conn, err = network.LoadConnectivity(*connFile); err != nil {
			return err
		}
	}
	var driveList []network.Drive
	switch *drives {
	case "erp":
		driveList = network.ERPDrives()
	case "poisson":
		driveList = []network.Drive{network.PoissonEveryCell(*rate, *wAMPA, *wNMDA, *eventSeed)}
	default:
		if driveList, err = network.LoadDrives(*drives); err != nil {
			return err
		}
	}
	net, err := network.NewNetwork(col, conn, driveList)
	if err != nil {
		return err
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
	if *scale != *scale || *scale == 0 {
		return fmt.Errorf("-scale %v must be a non-zero number", *scale)
	}
	nWorkers := *workers
	if nWorkers <= 0 {
		nWorkers = runtime.GOMAXPROCS(0)
	}

	start := time.Now()
	lastReport := start
	opts := network.SimOptions{TStop: *tstop, Dt: *dt, Trial: *seed, Workers: nWorkers, RecordVSoma: record}
	if !*quiet {
		opts.Progress = func(t float64) {
			if now := time.Now(); now.Sub(lastReport) >= time.Second {
				lastReport = now
				fmt.Fprintf(os.Stderr, "\rnetwork: %.1f / %.1f ms simulated (%.0f%%), %.1f s elapsed", t, *tstop, 100*t / *tstop, now.Sub(start).Seconds())
			}
		}
	}
	res, err := network.Simulate(net, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if !*quiet && elapsed >= time.Second {
		fmt.Fprintln(os.Stderr)
	}
	hnn, err := res.HNNDipole().Smooth(*smooth)
	if err != nil {
		return err
	}
	hnn.Scale(*scale)

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return failure(err)
	}
	if err := writeFile(filepath.Join(*out, "dipole.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm")
		for k, t := range res.Times {
			fmt.Fprintf(w, "%.10g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g\n", t, res.Agg[k], res.L2[k], res.L5[k], hnn.Agg[k], hnn.L2[k], hnn.L5[k])
		}
		return nil
	}); err != nil {
		return err
	}
	names := gidNames(net)
	counts := map[string]int{}
	if err := writeFile(filepath.Join(*out, "spikes.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "t_ms,gid,cell_type")
		for _, s := range res.Spikes {
			fmt.Fprintf(w, "%.12g,%d,%s\n", s.Time, s.GID, names[s.GID])
			counts[names[s.GID]]++
		}
		return nil
	}); err != nil {
		return err
	}
	if len(record) > 0 {
		if err := writeFile(filepath.Join(*out, "vsoma.csv"), func(w io.Writer) error {
			fmt.Fprint(w, "t_ms")
			for _, g := range record {
				fmt.Fprintf(w, ",v_gid%d", g)
			}
			fmt.Fprintln(w)
			for k, t := range res.Times {
				fmt.Fprintf(w, "%.10g", t)
				for _, g := range record {
					fmt.Fprintf(w, ",%.12g", res.VSoma[g][k])
				}
				fmt.Fprintln(w)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	cfg := networkConfig{
		Mesh: [2]int{nx, ny}, TStopMS: *tstop, DtMS: *dt, Trial: *seed, Workers: nWorkers,
		SmoothMS: *smooth, Scale: *scale, NumGIDs: net.NumGIDs(), GIDRanges: map[string][2]int{},
		Connectivity: net.Connectivity, Drives: net.Drives,
	}
	for _, ct := range network.CellTypes {
		s, e := col.Range(ct)
		cfg.GIDRanges[ct.String()] = [2]int{s, e}
	}
	for i, d := range net.Drives {
		s, e := net.DriveRange(i)
		cfg.GIDRanges[d.Name] = [2]int{s, e}
	}
	if err := writeFile(filepath.Join(*out, "config.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	}); err != nil {
		return err
	}

	fmt.Printf("simulated %d cells and %d drive cells for %g ms in %.2f s on %d workers\n",
		col.NumCells(), net.NumGIDs()-col.NumCells(), *tstop, elapsed.Seconds(), nWorkers)
	for _, ct := range network.CellTypes {
		fmt.Printf("  %-13s %5d spikes\n", ct, counts[ct.String()])
	}
	fmt.Printf("wrote %s\n", *out)
	return nil
}

// parseMesh parses "NXxNY" (or a single N for a square mesh).
func parseMesh(s string) (nx, ny int, err error) {
	a, b, found := strings.Cut(strings.ToLower(s), "x")
	if !found {
		b = a
	}
	nx, err1 := strconv.Atoi(a)
	ny, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || nx < 1 || ny < 1 {
		return 0, 0, fmt.Errorf("-mesh %q: want NXxNY with positive integers, e.g. 10x10", s)
	}
	return nx, ny, nil
}

// gidNames returns, per gid, the cell type or drive name.
func gidNames(net *network.Network) []string {
	names := make([]string, net.NumGIDs())
	for _, c := range net.Column.Cells {
		names[c.GID] = c.Type.String()
	}
	for i, d := range net.Drives {
		s, e := net.DriveRange(i)
		for g := s; g < e; g++ {
			names[g] = d.Name
		}
	}
	return names
}

// writeFile writes a file through a buffered writer; I/O failures are
// runtime errors (exit status 1).
func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return failure(err)
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return failure(err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return failure(err)
	}
	return failure(f.Close())
}
