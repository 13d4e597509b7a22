package verifyout

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/optimize"
	"github.com/neurograd/neurograd/verify"
)

// Setup is what a verification takes over from the optimization it
// checks: the column, the noise drives, the simulated time, the objective
// (dipole, band, warm-up, Welch resolution) and the noise trials the
// optimizer used, which verification must avoid.
type Setup struct {
	Column       *network.Column
	Drives       []network.Drive
	TStop        float64 // ms
	Objective    optimize.ObjectiveConfig
	ExcludeSeeds []int
	// SpikeSlope is the surrogate network's fast-sigmoid slope (it does not
	// change the forward pass); 0 means the default.
	SpikeSlope float64
	// Surrogate runs the surrogate network the optimization used; nil means
	// the models named by Flags.Models.
	Surrogate verify.SurrogateRunner
}

// Flags are the verification's own command-line settings.
type Flags struct {
	Seeds        string
	NSeeds       int
	Dt           float64
	Parallel     int
	Surrogate    bool
	Target       float64
	AllowOverlap bool
	OpenLoop     bool
	Quiet        bool
	// Models names the surrogate cells when Setup has none: shipped,
	// random[:SEED] (untrained) or a directory of <cell type>.safetensors.
	Models string

	prefix string // of the flag names, for error messages
}

// Register defines the flags on fs, each name prefixed with prefix (""
// for cmd/verify, "verify-" for cmd/optimize).
func (f *Flags) Register(fs *flag.FlagSet, prefix string) {
	f.prefix = prefix
	fs.StringVar(&f.Seeds, prefix+"seeds", "", fmt.Sprintf("comma-separated held-out noise trials (default %d consecutive trials from %d)", len(verify.DefaultSeeds), verify.DefaultSeeds[0]))
	fs.IntVar(&f.NSeeds, prefix+"nseeds", len(verify.DefaultSeeds), "number of held-out noise trials when -"+prefix+"seeds is not given")
	fs.Float64Var(&f.Dt, prefix+"dt", verify.DefaultDt, "biophysical time step (ms), positive")
	fs.IntVar(&f.Parallel, prefix+"parallel", 0, "biophysical simulations run at once (0: GOMAXPROCS; negative is an error); each splits the remaining cores across its cells")
	fs.BoolVar(&f.Surrogate, prefix+"surrogate", true, "also run the shipped surrogate network on the same noise and report its predictions")
	fs.Float64Var(&f.Target, prefix+"target", verify.DefaultTargetRatio, "biophysical band-power gain (optimized / initial) called a success, positive")
	fs.BoolVar(&f.OpenLoop, prefix+"open-loop", true, "with -"+prefix+"surrogate, also drive the surrogate cells with each biophysical run's own spikes (open loop), to separate cell-surrogate errors from network divergence")
	fs.BoolVar(&f.AllowOverlap, prefix+"allow-training-seeds", false, "allow verification seeds that the optimizer trained or evaluated on")
	if prefix == "" {
		fs.BoolVar(&f.Quiet, "quiet", false, "no progress on stderr")
		fs.StringVar(&f.Models, "models", "shipped", "surrogate cells: shipped (embedded trained weights), random[:SEED] (untrained), or a directory of <cell type>.safetensors; default the optimization's (summary.json)")
	}
}

// Check rejects, before any work, the values that verify.Options would
// read as "the default" (0) rather than as given, a time step beyond
// cli.MaxDt (one coarser than cli.ValidatedDt draws a warning on warn) and
// malformed seeds; its errors are input errors naming the flag.
func (f *Flags) Check(warn io.Writer) error {
	if err := cli.CheckDt(f.prefix+"dt", f.Dt, warn); err != nil {
		return err
	}
	if !(f.Target > 0) {
		return cli.Inputf("-%starget %v: the band-power gain called a success must be positive", f.prefix, f.Target)
	}
	if f.Parallel < 0 {
		return cli.Inputf("-%sparallel %d: must be >= 0", f.prefix, f.Parallel)
	}
	if _, err := f.seeds(); err != nil {
		return cli.Input(err)
	}
	return nil
}

// seeds resolves the seed flags.
func (f *Flags) seeds() ([]int, error) {
	if f.Seeds == "" {
		if f.NSeeds < 1 {
			return nil, fmt.Errorf("-%snseeds %d: need at least one seed", f.prefix, f.NSeeds)
		}
		out := make([]int, f.NSeeds)
		for i := range out {
			out[i] = verify.DefaultSeeds[0] + i
		}
		return out, nil
	}
	var out []int
	for _, s := range strings.Split(f.Seeds, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("-%sseeds: %q is not a non-negative trial number", f.prefix, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// LoadSurrogates returns the surrogate network runner of the named cells:
// shipped (embedded trained weights), random[:SEED] (untrained, for timing)
// or a directory of <cell type>.safetensors.
func LoadSurrogates(models string, slope float64) (*verify.SurrogateModels[float32], error) {
	s := &verify.SurrogateModels[float32]{Options: snn.Options{SpikeSlope: slope}}
	var err error
	switch {
	case models == "" || models == "shipped":
		s.Models, err = snn.ShippedCells[float32]()
	case models == "random" || strings.HasPrefix(models, "random:"):
		var seed uint64 = 1
		if _, v, ok := strings.Cut(models, ":"); ok {
			if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
				return nil, fmt.Errorf("-models %q: want random:SEED with an unsigned integer seed", models)
			}
		}
		s.Models, err = snn.RandomCells[float32](seed)
	default:
		s.Models, err = snn.LoadCells[float32](models)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Run verifies the optimized against the initial connectivity with the
// setup of the optimization, writing progress lines to progress (nil or
// -quiet: none).
func (f *Flags) Run(setup Setup, initial, optimized *network.Connectivity, progress io.Writer) (*verify.Report, error) {
	if err := f.Check(nil); err != nil {
		return nil, err
	}
	seeds, err := f.seeds()
	if err != nil {
		return nil, err
	}
	opts := verify.Options{
		Column:      setup.Column,
		Initial:     initial,
		Optimized:   optimized,
		Drives:      setup.Drives,
		Seeds:       seeds,
		TStop:       setup.TStop,
		Dt:          f.Dt,
		Objective:   setup.Objective,
		TargetRatio: f.Target,
		Parallel:    f.Parallel,
	}
	if !f.AllowOverlap {
		opts.ExcludeSeeds = setup.ExcludeSeeds
		for _, s := range seeds {
			if slices.Contains(setup.ExcludeSeeds, s) {
				return nil, cli.Inputf("-%sseeds: seed %d is a noise trial the optimizer used; verification needs held-out noise (-%sallow-training-seeds to allow it)", f.prefix, s, f.prefix)
			}
		}
	}
	if f.Surrogate {
		opts.OpenLoop = f.OpenLoop
		opts.Surrogate = setup.Surrogate
		if opts.Surrogate == nil {
			s, err := LoadSurrogates(f.Models, setup.SpikeSlope)
			if err != nil {
				err = fmt.Errorf("-%smodels %s: %w (run with -surrogate=false to verify without the surrogate's predictions)", f.prefix, f.Models, err)
				if f.Models != "" && f.Models != "shipped" {
					err = cli.Input(err)
				}
				return nil, err
			}
			opts.Surrogate = s
		}
	}
	if progress != nil && !f.Quiet {
		start := time.Now()
		with := ""
		if f.Surrogate {
			with = ", with the surrogate network"
			if f.OpenLoop {
				with += " and the open-loop surrogate cells"
			}
		}
		fmt.Fprintf(progress, "verify: %d cells, %d seeds x 2 connectivities, %.0f ms each, biophysical at dt %g ms on %d cores%s\n",
			setup.Column.NumCells(), len(seeds), setup.TStop, f.Dt, runtime.GOMAXPROCS(0), with)
		opts.Progress = func(msg string) {
			fmt.Fprintf(progress, "%s [%.0f s]\n", msg, time.Since(start).Seconds())
		}
	}
	return verify.Run(opts)
}
