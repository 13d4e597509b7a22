package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/summary"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/optimize"
)

// Defaults of the drive: 10 Hz Poisson trains, one per cell, on the AMPA
// synapses of the proximal dendrites (pyramidal cells) or soma (baskets).
const (
	defaultDriveRate   = 10.0  // Hz
	defaultDriveWeight = 0.003 // µS per event, every cell type
)

// config holds everything a run is configured with; the embedded
// summary.Config is written to summary.json.
type config struct {
	summary.Config
	CPUProfile string `json:"-"`
	Workers    int    `json:"-"` // restarts run at once (results do not depend on it)

	driveWeights string
	band         string
	set          map[string]bool  // flags given on the command line
	fileNet      *network.Network // the network of -network, read once
}

// parseFlags reads the command line into a config.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := c.flagSet(stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.Band[0], c.Band[1], err = cli.ParseBand("band", c.band); err != nil {
		return nil, err
	}
	if c.driveWeights != "" {
		if c.DriveWeights, err = parseDriveWeights(c.driveWeights); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// flagSet returns the command's flags, bound to c's fields, with errors and
// usage written to stderr.
func (c *config) flagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("optimize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Out, "out", "results", "output directory")
	fs.Int64Var(&c.Seed, "seed", 1, "seed: event seed of the drive (epoch e of restart r, both from 1, trains on drive trial (r-1)*epochs+e-1; the held-out seeds are trials 100000+k, the validation seeds 150000+k) and of random models")
	fs.IntVar(&c.Epochs, "epochs", optimize.DefaultEpochs, "epochs (one Adam step each, fresh noise each)")
	fs.Float64Var(&c.LR, "lr", optimize.DefaultLearningRate, "Adam learning rate on the log10 parameters")
	fs.Float64Var(&c.Clip, "clip", optimize.DefaultClipNorm, "gradient clipping: maximal global L2 norm (negative: none; 0 is refused)")
	fs.IntVar(&c.Replicas, "replicas", 1, "independent noise realisations per training epoch (one batch)")
	fs.IntVar(&c.Restarts, "restarts", optimize.DefaultRestarts, "independent optimizations from the initial gains, each on its own training noise; the one with the lowest loss on 3 validation noise trials (150000+k) is kept (cost: proportional)")
	fs.IntVar(&c.Workers, "workers", 0, "restarts run at once, each on its own copy of the network (0: as many as GOMAXPROCS; the results do not depend on it)")
	fs.IntVar(&c.HeldOut, "heldout", 3, "held-out noise seeds evaluated before, during and after training")
	fs.IntVar(&c.HeldOutEvery, "heldout-every", 2, "evaluate the held-out seeds every N epochs (0 or negative: only before and after)")
	fs.Float64Var(&c.TStop, "tstop", 600, "simulated time per run (ms), warm-up included")
	fs.Float64Var(&c.Warmup, "warmup", 100, "simulated but excluded from the spectrum (ms)")
	fs.Float64Var(&c.Resolution, "resolution", 4, "Welch frequency resolution aimed at (Hz): nperseg = ceil(fs/resolution)")
	fs.StringVar(&c.band, "band", "15-60", "frequency band LO-HI (Hz)")
	fs.StringVar(&c.Objective, "objective", "absolute", "absolute (band power), relative (band / total power) or target (match -target PSD)")
	fs.StringVar(&c.Target, "target", "", "target PSD for -objective target: CSV of frequency (Hz), power (nAm²/Hz)")
	fs.StringVar(&c.Dipole, "dipole", "agg", "dipole the objective looks at: agg, L2 or L5")
	fs.StringVar(&c.Params, "params", "per-class", "trained parameters: per-class (one log10 gain per connection class) or per-connection")
	fs.Float64Var(&c.Slope, "slope", nn.DefaultSpikeSlope, "fast-sigmoid surrogate slope k (1/mV): gradient 1/(1+k|v-θ|)²")
	fs.StringVar(&c.Mesh, "mesh", "published", "column: published (10x5 pyramidal mesh, 16 baskets per layer) or NxM (HNN's basket rule; 10x10 is HNN's 270-cell column)")
	fs.StringVar(&c.Connectivity, "connectivity", "", "initial connectivity JSON (default: HNN's 16 classes, gains 1)")
	fs.StringVar(&c.Gains, "gains", "", "initial class gains, NAME=GAIN,... (overrides -connectivity)")
	fs.Float64Var(&c.DriveRate, "drive-rate", defaultDriveRate, "Poisson drive rate (Hz), one train per cell")
	fs.Float64Var(&c.DriveWeight, "drive-weight", defaultDriveWeight, "Poisson drive AMPA weight (µS) for every cell type")
	fs.StringVar(&c.driveWeights, "drive-weights", "", "per cell type AMPA weights TYPE=µS,... (overrides -drive-weight for those types)")
	fs.StringVar(&c.DriveLoc, "drive-location", neuron.Proximal, "drive location: proximal or distal (baskets without that location get none)")
	fs.StringVar(&c.Drives, "drives", "", "drives JSON (as simulate network reads) replacing the default Poisson drive")
	fs.StringVar(&c.Network, "network", "", "hnn-core network configuration JSON (write_network_configuration's): its column, connectivity and drives replace -mesh, -connectivity and -drives; the optimized network is written back to network.json")
	fs.StringVar(&c.Models, "models", "shipped", "surrogate cells: shipped (embedded trained weights), random (untrained, for timing), or a directory of <cell type>.safetensors")
	fs.IntVar(&c.Float, "float", 32, "floating-point width of the network: 32 or 64")
	fs.Float64Var(&c.MaxRate, "max-rate", optimize.DefaultMaxRate, "firing rate (Hz) reported as runaway")
	fs.BoolVar(&c.Figures, "figures", true, "write the PNG figures")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the optimization to this file")
	registerVerifyFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: optimize [flags]\n\nOptimizes the connection gains of HNN's column of surrogate cells to maximise 15-60 Hz dipole power.\n\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseDriveWeights parses -drive-weights, TYPE=µS,..., into weights by
// cell type name.
func parseDriveWeights(s string) (map[string]float64, error) {
	m := map[string]float64{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		ct, err2 := neuron.ParseCellType(strings.TrimSpace(k))
		if !ok || err != nil || err2 != nil || !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("-drive-weights %q: want TYPE=µS,... with a cell type and a weight >= 0", kv)
		}
		m[ct.String()] = w
	}
	return m, nil
}

// validate checks the parsed flags' ranges and spellings.
func (c *config) validate() error {
	for _, v := range []struct {
		name string
		ok   bool
	}{
		{"-epochs must be >= 1", c.Epochs >= 1},
		{"-lr must be positive", c.LR > 0 && !math.IsInf(c.LR, 0)},
		{"-clip must be positive, or negative for no clipping", c.Clip != 0 && !math.IsNaN(c.Clip)},
		{"-replicas must be >= 1", c.Replicas >= 1},
		{"-restarts must be >= 1", c.Restarts >= 1},
		{"-workers must be >= 0", c.Workers >= 0},
		{"-heldout must be >= 0", c.HeldOut >= 0},
		{"-tstop must be positive", c.TStop > 0 && !math.IsInf(c.TStop, 0)},
		{"-warmup must be >= 0 and below -tstop", c.Warmup >= 0 && c.Warmup < c.TStop},
		{"-resolution must be positive", c.Resolution > 0},
		{"-slope must be positive", c.Slope > 0 && !math.IsInf(c.Slope, 0)},
		{"-drive-rate must be positive", c.DriveRate > 0 && !math.IsInf(c.DriveRate, 0)},
		{"-drive-weight must be >= 0", c.DriveWeight >= 0 && !math.IsInf(c.DriveWeight, 0)},
		{"-float must be 32 or 64", c.Float == 32 || c.Float == 64},
		{"-max-rate must be positive", c.MaxRate > 0},
		{"-seed must be in [0, 2^31)", c.Seed >= 0 && c.Seed < 1<<31},
	} {
		if !v.ok {
			return fmt.Errorf("%s", v.name)
		}
	}
	if c.Network != "" {
		for _, f := range []string{"mesh", "connectivity", "drives", "drive-rate", "drive-weight", "drive-weights", "drive-location"} {
			if c.set[f] {
				return fmt.Errorf("-network %s gives the column, connectivity and drives: -%s cannot be given with it", c.Network, f)
			}
		}
	}
	if _, err := optimize.ParseObjectiveKind(c.Objective); err != nil {
		return err
	}
	if c.Objective == "target" && c.Target == "" {
		return fmt.Errorf("-objective target needs -target FILE")
	}
	if _, err := optimize.ParseDipoleSignal(c.Dipole); err != nil {
		return err
	}
	if _, err := snn.ParseParamMode(c.Params); err != nil {
		return err
	}
	return nil
}

// hnnNetwork returns the network of -network, read once; what the file
// holds that is left out is noted on stderr.
func (c *config) hnnNetwork() (*network.Network, error) {
	if c.fileNet == nil {
		n, notes, err := network.LoadHNNNetwork(c.Network)
		if err != nil {
			return nil, err
		}
		for _, s := range notes {
			fmt.Fprintf(os.Stderr, "optimize: -network %s: %s\n", c.Network, s)
		}
		c.fileNet = n
	}
	return c.fileNet, nil
}

// column builds the column of -mesh, or takes that of -network.
func (c *config) column() (*network.Column, error) {
	if c.Network != "" {
		n, err := c.hnnNetwork()
		if err != nil {
			return nil, err
		}
		return n.Column, nil
	}
	return cli.ParseColumn("mesh", c.Mesh)
}

// drives returns the drives of the run: -drives FILE or those of -network
// (event seeds offset by -seed), or one cell-specific Poisson drive at
// -drive-rate on AMPA of every cell that has the location.
func (c *config) drives() ([]network.Drive, error) {
	if c.Drives != "" || c.Network != "" {
		var d []network.Drive
		var err error
		if c.Network != "" {
			var n *network.Network
			if n, err = c.hnnNetwork(); err == nil {
				for i := range n.Drives {
					d = append(d, n.Drives[i].Clone())
				}
			}
		} else {
			d, err = network.LoadDrives(c.Drives)
		}
		if err != nil {
			return nil, err
		}
		for i := range d {
			d[i].EventSeed += c.Seed
		}
		return d, nil
	}
	per := map[neuron.CellType]float64{}
	for name, w := range c.DriveWeights {
		ct, err := neuron.ParseCellType(name)
		if err != nil {
			return nil, fmt.Errorf("-drive-weights: %w", err)
		}
		per[ct] = w
	}
	d, err := network.PoissonNoise(c.DriveLoc, c.DriveRate, c.DriveWeight, per, c.Seed)
	if err != nil {
		return nil, fmt.Errorf("-drive-location/-drive-weight: %w", err)
	}
	return []network.Drive{d}, nil
}

// connectivity returns the initial connectivity.
func (c *config) connectivity() (*network.Connectivity, error) {
	conn := network.DefaultConnectivity()
	if c.Network != "" {
		n, err := c.hnnNetwork()
		if err != nil {
			return nil, err
		}
		conn = n.Connectivity.Clone()
	}
	if c.Connectivity != "" {
		var err error
		if conn, err = network.LoadConnectivity(c.Connectivity); err != nil {
			return nil, err
		}
	}
	if c.Gains != "" {
		for _, kv := range strings.Split(c.Gains, ",") {
			k, v, ok := strings.Cut(kv, "=")
			g, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if !ok || err != nil || !(g > 0) || math.IsInf(g, 0) {
				return nil, fmt.Errorf("-gains %q: want NAME=GAIN with a gain > 0", kv)
			}
			if err := conn.SetGain(strings.TrimSpace(k), g); err != nil {
				return nil, err
			}
		}
	}
	return conn, nil
}

// objective returns the objective configuration.
func (c *config) objective() (optimize.ObjectiveConfig, error) {
	kind, _ := optimize.ParseObjectiveKind(c.Objective)
	sig, _ := optimize.ParseDipoleSignal(c.Dipole)
	oc := optimize.ObjectiveConfig{Kind: kind, Signal: sig, Lo: c.Band[0], Hi: c.Band[1], Warmup: c.Warmup, Resolution: c.Resolution}
	if c.Warmup == 0 {
		oc.Warmup = -1 // none
	}
	if kind == optimize.MatchPSD {
		f, p, err := readTargetPSD(c.Target)
		if err != nil {
			return oc, err
		}
		oc.TargetFreqs, oc.TargetPSD = f, p
	}
	return oc, nil
}

// readTargetPSD reads a CSV of frequency (Hz), power (nAm²/Hz); a first line
// that does not parse is taken as a header.
func readTargetPSD(path string) (freqs, psd []float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
		if len(fields) < 2 {
			return nil, nil, fmt.Errorf("%s line %d: want frequency, power", path, i+1)
		}
		f, err1 := strconv.ParseFloat(fields[0], 64)
		p, err2 := strconv.ParseFloat(fields[1], 64)
		if err1 != nil || err2 != nil {
			if len(freqs) == 0 && i == 0 {
				continue // header
			}
			return nil, nil, fmt.Errorf("%s line %d: %q is not two numbers", path, i+1, line)
		}
		freqs, psd = append(freqs, f), append(psd, p)
	}
	return freqs, psd, nil
}
