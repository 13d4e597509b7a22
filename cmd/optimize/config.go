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
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/optimize"
)

// config holds everything a run is configured with; the embedded
// summary.Config is written to summary.json.
type config struct {
	summary.Config
	CPUProfile string     `json:"-"`
	Workers    int        `json:"-"` // restarts run at once (results do not depend on it)
	Checkpoint int        `json:"-"` // checkpoint segment (steps; 0 √steps, negative the whole tape): results do not depend on it
	Keep       int        `json:"-"` // checkpoint segments kept from the forward pass (0: as many as fit in KeepMemory)
	KeepMemory cli.Bytes  `json:"-"` // memory of the kept segments' tapes, all restarts at once
	MaxMemory  *cli.Bytes `json:"-"`

	driveWeights string
	band         string
	set          map[string]bool                // flags given on the command line
	fileNet      *network.Network               // the network of -network, read once
	rateBounds   map[neuron.CellType][2]float64 // -rate-bounds
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
	if c.rateBounds, err = parseRateBounds(c.RateBounds); err != nil {
		return nil, err
	}
	if !(c.RatePenalty >= 0) || math.IsInf(c.RatePenalty, 0) || (c.RatePenalty > 0 && len(c.rateBounds) == 0) {
		return nil, fmt.Errorf("-rate-penalty %v: want a weight >= 0, and -rate-bounds to penalise", c.RatePenalty)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := checkVerifyFlags(stderr); err != nil {
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
	fs.Int64Var(&c.Seed, "seed", network.DefaultNoiseEventSeed, "seed: event seed of the drive (epoch e of restart r, both from 1, trains on drive trial (r-1)*epochs+e-1; the held-out seeds are trials 100000+k, the validation seeds 150000+k) and of random models")
	fs.IntVar(&c.Epochs, "epochs", optimize.DefaultEpochs, "epochs (one Adam step each, fresh noise each)")
	fs.Float64Var(&c.LR, "lr", optimize.DefaultLearningRate, "Adam learning rate on the log10 parameters")
	fs.Float64Var(&c.Clip, "clip", optimize.DefaultClipNorm, "gradient clipping: maximal global L2 norm (negative: none; 0 is refused)")
	fs.IntVar(&c.Replicas, "replicas", 1, "independent noise realisations per training epoch (one batch)")
	fs.IntVar(&c.Restarts, "restarts", optimize.DefaultRestarts, "independent optimizations from the initial gains, each on its own training noise; the one with the lowest loss on 3 validation noise trials (150000+k) is kept (cost: proportional)")
	fs.IntVar(&c.Workers, "workers", 0, "restarts run at once, each on its own copy of the network (0: as many as GOMAXPROCS; the results do not depend on it)")
	fs.IntVar(&c.HeldOut, "heldout", 3, "held-out noise seeds evaluated before, during and after training")
	fs.IntVar(&c.HeldOutEvery, "heldout-every", 2, "evaluate the held-out seeds every N epochs (0 or negative: only before and after)")
	fs.Float64Var(&c.TStop, "tstop", optimize.DefaultTStop, "simulated time per run (ms), warm-up included")
	fs.Float64Var(&c.Warmup, "warmup", optimize.DefaultWarmup, "simulated but excluded from the spectrum (ms)")
	fs.Float64Var(&c.Resolution, "resolution", optimize.DefaultResolution, "Welch frequency resolution aimed at (Hz): nperseg = ceil(fs/resolution)")
	fs.StringVar(&c.band, "band", optimize.DefaultBand, "frequency band LO-HI (Hz)")
	fs.StringVar(&c.Objective, "objective", "absolute", "absolute (band power), relative (band / total power), target (match -target PSD), erp (RMSE to the -target dipole, hnn-core's dipole_rmse) or erp-corr (1 - correlation, hnn-core's dipole_corr)")
	fs.StringVar(&c.Target, "target", "", "with -objective target: CSV of frequency (Hz), power (nAm²/Hz); with erp/erp-corr: the measured dipole, hnn-core's text layout (time ms, agg[, L2, L5] nAm; read_dipole) or a dipole.csv of cmd/simulate network")
	fs.Float64Var(&c.Scale, "scale", 1, "with -objective erp: factor applied to the simulated dipole before the comparison, as hnn-core's Dipole.scale (e.g. 3000)")
	fs.Float64Var(&c.Smooth, "smooth", 0, "with -objective erp: Hamming smoothing window (ms) applied to the simulated dipole, as hnn-core's Dipole.smooth (0: none)")
	fs.BoolVar(&c.FreshNoise, "fresh-noise", false, "with -objective erp: train each epoch on new noise trials (default: every epoch on the same trials, as hnn-core's Optimizer)")
	fs.StringVar(&c.ERPWindow, "erp-window", "", "with -objective erp: time window LO-HI (ms) compared (default: the whole run)")
	fs.StringVar(&c.RateBounds, "rate-bounds", "", "firing-rate constraints TYPE=LO-HI (Hz),... e.g. L5_pyramidal=1-30; each epoch reports the ones the training run violates, and the end whether the held-out run meets them")
	fs.Float64Var(&c.RatePenalty, "rate-penalty", 0, "with -rate-bounds: weight (per Hz²) of a penalty on the rates outside their bounds, added to the objective (the spikes' surrogate gradient carries it; 0: the bounds are only reported)")
	fs.StringVar(&c.Bounds, "bounds", "", "box bounds JSON, hnn-core's constraints: {\"NAME\": [lo, hi], ...} with NAME a connection class (gain) or DRIVE_RECEPTOR_CELLTYPE (drive weight, µS); parameters are clipped into them after every step")
	fs.StringVar(&c.Dipole, "dipole", optimize.DefaultDipole, "dipole the objective looks at: agg, L2 or L5")
	fs.StringVar(&c.Params, "params", "per-class", "trained parameters, comma separated: per-class or gains (one log10 gain per connection class), per-connection, drives (one log10 gain per drive, cell type and receptor: the drives' weights) and timing (the evoked drives' mu and sigma, ms), e.g. gains,drives,timing")
	fs.Float64Var(&c.Slope, "slope", nn.DefaultSpikeSlope, "fast-sigmoid surrogate slope k (1/mV): gradient 1/(1+k|v-θ|)²")
	fs.BoolVar(&c.DriveSubsteps, "drive-substeps", false, "deliver the drives' events to the exact baskets at their 0.025 ms NEURON steps instead of their 0.5 ms bins' starts (snn.Options.DriveSubsteps)")
	fs.StringVar(&c.Mesh, "mesh", optimize.DefaultMesh, "column: published (10x5 pyramidal mesh, 16 baskets per layer) or NxM (HNN's basket rule; 10x10 is HNN's 270-cell column)")
	fs.StringVar(&c.Connectivity, "connectivity", "", "initial connectivity JSON (default: HNN's 16 classes, gains 1)")
	fs.StringVar(&c.Gains, "gains", "", "initial class gains, NAME=GAIN,... (overrides -connectivity)")
	fs.Float64Var(&c.DriveRate, "drive-rate", network.DefaultNoiseRate, "Poisson drive rate (Hz), one train per cell")
	fs.Float64Var(&c.DriveWeight, "drive-weight", network.DefaultNoiseWeightAMPA, "Poisson drive AMPA weight (µS) for every cell type")
	fs.Float64Var(&c.DriveRate, "rate", network.DefaultNoiseRate, "the same as -drive-rate (cmd/verify's and cmd/simulate network's name)")
	fs.Float64Var(&c.DriveWeight, "weight-ampa", network.DefaultNoiseWeightAMPA, "the same as -drive-weight (cmd/verify's and cmd/simulate network's name)")
	fs.StringVar(&c.driveWeights, "drive-weights", "", "per cell type AMPA weights TYPE=µS,... (overrides -drive-weight for those types)")
	fs.StringVar(&c.DriveLoc, "drive-location", neuron.Proximal, "drive location: proximal or distal (baskets without that location get none)")
	fs.StringVar(&c.Drives, "drives", "", "drives JSON (as simulate network reads) replacing the default Poisson drive")
	fs.StringVar(&c.Network, "network", "", "hnn-core network configuration JSON (write_network_configuration's): its column, connectivity and drives replace -mesh, -connectivity and -drives; the optimized network is written back to network.json")
	fs.StringVar(&c.Models, "models", "shipped", "surrogate cells: shipped (embedded trained weights), random (untrained, for timing), or a directory of <cell type>.safetensors")
	fs.IntVar(&c.Float, "float", 32, "floating-point width of the network: 32 or 64")
	fs.Float64Var(&c.MaxRate, "max-rate", optimize.DefaultMaxRate, "firing rate (Hz) reported as runaway")
	fs.BoolVar(&c.Figures, "figures", true, "write the PNG figures")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the optimization to this file")
	fs.IntVar(&c.Checkpoint, "checkpoint", 0, "backpropagation in segments of this many steps, recomputed from checkpoints (0: √steps; negative: keep the whole run's tape, as before; the results do not depend on it)")
	fs.IntVar(&c.Keep, "checkpoint-keep", 0, "with -checkpoint >= 0: the last segments whose tapes the forward pass keeps instead of recomputing them (more memory, less time; 0: as many as fit in -checkpoint-memory)")
	c.KeepMemory = cli.Bytes(optimize.DefaultCheckpointMemory)
	fs.Var(&c.KeepMemory, "checkpoint-memory", "with -checkpoint >= 0 and -checkpoint-keep 0: memory the kept segments' tapes of the restarts run at once may take together (bytes, or with K, M, G); each segment kept saves its recomputation")
	c.MaxMemory = cli.MaxMemoryFlag(fs)
	registerVerifyFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: optimize [flags]\n\nOptimizes the connection gains of HNN's column of surrogate cells to maximise 15-60 Hz dipole power.\n\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseRateBounds parses -rate-bounds, TYPE=LO-HI,... (Hz).
func parseRateBounds(s string) (map[neuron.CellType][2]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[neuron.CellType][2]float64{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		ct, err := neuron.ParseCellType(strings.TrimSpace(k))
		if !ok || err != nil {
			return nil, fmt.Errorf("-rate-bounds %q: want TYPE=LO-HI with a cell type", kv)
		}
		lo, hi, err := cli.ParseBand("rate-bounds", strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		out[ct] = [2]float64{lo, hi}
	}
	return out, nil
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
		{"-checkpoint-keep must be >= 0", c.Keep >= 0},
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
	if c.isERP() {
		if c.Target == "" {
			return fmt.Errorf("-objective %s needs -target FILE (the measured dipole)", c.Objective)
		}
		if math.IsNaN(c.Scale) || math.IsInf(c.Scale, 0) || c.Scale == 0 {
			return fmt.Errorf("-scale %v must be finite and non-zero", c.Scale)
		}
		if !(c.Smooth >= 0) || math.IsInf(c.Smooth, 0) {
			return fmt.Errorf("-smooth %v must be >= 0 ms", c.Smooth)
		}
		if _, _, err := c.erpWindow(); err != nil {
			return err
		}
	} else if _, err := optimize.ParseObjectiveKind(c.Objective); err != nil {
		return fmt.Errorf("%w (or erp, erp-corr)", err)
	}
	if c.Objective == "target" && c.Target == "" {
		return fmt.Errorf("-objective target needs -target FILE")
	}
	if _, err := optimize.ParseDipoleSignal(c.Dipole); err != nil {
		return err
	}
	if _, _, _, err := c.paramModes(); err != nil {
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
