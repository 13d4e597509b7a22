// Command recover runs the parameter-recovery experiment of an ERP fit
// against the biophysical column (package recovery, docs/erp-fit.md): a
// perturbation of the default ERP drives' weights and two class gains,
// drawn by -seed within ±-span decades and never shown to the fit, is
// simulated in the biophysical column for -trials trials; the trial-averaged
// hnn-core dipole, scaled (-scale) and smoothed (-smooth), is the "measured"
// ERP. The surrogate network is fitted to it from the defaults (Adam on the
// same parameters, hnn-core's dipole_rmse, bounds ±-span decades), the fit
// is re-simulated biophysically, and a gradient-free search (-search cmaes
// or nelder-mead, gonum) on the biophysical column itself gets -budget
// evaluations of the same loss.
//
// Usage:
//
//	recover [-seed 1] [-mesh 5x5] [-trials 3] [-span 0.3] [-epochs 40] [-budget 30] [-out results-recover]
//
// It prints its seed and configuration and the results on stdout and
// progress with ETAs on stderr, and writes results.json, params.csv,
// loss_per_sim.csv, erp.csv, erp_surrogate.csv, epochs.csv and the figures
// erp.png, loss_per_sim.png and params.png to -out (staged beside it, moved into place
// at the end). Bad input exits with status 2, other failures with status 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/recovery"
)

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

// runMain runs the command and returns its exit status.
func runMain(args []string, stdout, stderr io.Writer) int {
	return cli.ExitCode("recover", run(args, stdout, stderr), stderr)
}

// options are the command's flags beyond recovery.Config.
type options struct {
	out     string
	figures bool
	quiet   bool
}

// parseFlags reads args into a configuration; errors name the flag.
func parseFlags(args []string, stderr io.Writer) (recovery.Config, options, error) {
	var cfg recovery.Config
	var o options
	fs := flag.NewFlagSet("recover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Parameter recovery of an ERP fit against the biophysical column, beside a gradient-free search on it (docs/erp-fit.md).\n\nusage: recover [flags]\n")
		fs.PrintDefaults()
	}
	seed := fs.Uint64("seed", 1, "seed: draws the true parameters and the search's samples")
	mesh := fs.String("mesh", fmt.Sprintf("%dx%d", recovery.DefaultMeshX, recovery.DefaultMeshY), "pyramidal mesh per layer, NXxNY, HNN's basket rule (10x10 is HNN's 270-cell column; 5x5 has 70 cells)")
	fs.IntVar(&cfg.Trials, "trials", recovery.DefaultTrials, "noise trials averaged per evaluation (the measurement, every check and every search evaluation use trials 0..N-1)")
	fs.Float64Var(&cfg.TStop, "tstop", recovery.DefaultTStop, "simulated time (ms)")
	fs.Float64Var(&cfg.Dt, "dt", recovery.DefaultDt, "biophysical time step (ms), at most 0.1")
	fs.Float64Var(&cfg.Span, "span", recovery.DefaultSpan, "decades: the true values are drawn log-uniformly within default·10^±span, and both fits are bounded there")
	params := fs.String("params", strings.Join(recovery.DefaultParams(), ","), "comma-separated parameters, hnn-core's names: DRIVE_RECEPTOR_CELLTYPE drive weights of evprox1, evdist1, evprox2 and connection class names (gains)")
	fs.Float64Var(&cfg.Scale, "scale", recovery.DefaultScale, "factor applied to the simulated dipoles, hnn-core's scale_factor")
	fs.Float64Var(&cfg.SmoothMS, "smooth", recovery.DefaultSmoothMS, "Hamming smoothing window (ms), hnn-core's smooth_window_len (0: none)")
	fs.IntVar(&cfg.Epochs, "epochs", recovery.DefaultEpochs, "Adam steps of the surrogate fit")
	fs.Float64Var(&cfg.LR, "lr", recovery.DefaultLR, "Adam learning rate on the log10 parameters")
	fs.BoolVar(&cfg.FreshNoise, "fresh-noise", false, "train the surrogate on fresh noise every epoch (-replicas trials from trial 1000 on) instead of re-simulating the measurement's trials 0..N-1 (hnn-core's way)")
	fs.IntVar(&cfg.Replicas, "replicas", 0, "with -fresh-noise: training noise replicas per epoch (0: -trials)")
	fs.StringVar(&cfg.Search, "search", recovery.DefaultSearch, "gradient-free search on the biophysical column: cmaes (gonum CmaEsChol) or nelder-mead")
	fs.IntVar(&cfg.Budget, "budget", recovery.DefaultBudget, "biophysical evaluations of the search (each -trials simulations)")
	fs.BoolVar(&cfg.SelfRecovery, "self", true, "add the control without model mismatch: the surrogate fitted to its own ERP at the true parameters (no biophysical simulation)")
	fs.IntVar(&cfg.Workers, "workers", 0, "goroutines per biophysical simulation (0: GOMAXPROCS); results do not depend on it")
	fs.StringVar(&o.out, "out", "results-recover", "output directory, replaced as a whole at the end")
	fs.BoolVar(&o.figures, "figures", true, "write erp.png, loss_per_sim.png and params.png")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cfg, o, err
	}
	cfg.Seed = *seed
	var err error
	if cfg.MeshX, cfg.MeshY, err = cli.ParseMesh("mesh", *mesh); err != nil {
		return cfg, o, cli.Input(err)
	}
	for _, p := range strings.Split(*params, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.Params = append(cfg.Params, p)
		}
	}
	if cfg.Params == nil {
		return cfg, o, cli.Inputf("-params %q: no parameters", *params)
	}
	if cfg.Replicas < 0 {
		return cfg, o, cli.Inputf("-replicas %d: want >= 0", cfg.Replicas)
	}
	if !(cfg.SmoothMS >= 0) {
		return cfg, o, cli.Inputf("-smooth %v: want >= 0 ms (0: none)", cfg.SmoothMS)
	}
	if cfg.SmoothMS == 0 {
		cfg.SmoothMS = -1 // recovery.Config's "none"
	}
	// Validated as given: a 0 from the command line is refused, never a default.
	given := cfg
	if given.Replicas == 0 {
		given.Replicas = given.Trials
	}
	if err := given.Validate(); err != nil {
		return cfg, o, cli.Input(fmt.Errorf("-%w", err))
	}
	if err := recovery.CheckParams(cfg.Params); err != nil {
		return cfg, o, cli.Input(fmt.Errorf("-%w", err))
	}
	if err := cli.CheckDt("dt", cfg.Dt, stderr); err != nil {
		return cfg, o, cli.Input(err)
	}
	return cfg, o, nil
}

// run parses the flags, runs the experiment and writes its files.
func run(args []string, stdout, stderr io.Writer) error {
	cfg, o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		return err
	}
	out, err := cli.NewDir("out", o.out, "recover")
	if err != nil {
		return cli.Input(err)
	}
	defer out.Abort()
	cj, _ := json.Marshal(cfg.WithDefaults())
	fmt.Fprintf(stdout, "recover: seed %d\nconfiguration: %s\n", cfg.Seed, cj)
	start := time.Now()
	if !o.quiet {
		cfg.Progress = func(s string) { fmt.Fprintf(stderr, "[%6.0f s] %s\n", time.Since(start).Seconds(), s) }
	}
	res, err := recovery.Run(cfg, models)
	if err != nil {
		return err
	}
	if err := writeFiles(out.Dir(), res); err != nil {
		return err
	}
	if o.figures {
		if err := writeFigures(out.Dir(), res); err != nil {
			return err
		}
	}
	if err := out.Commit(); err != nil {
		return err
	}
	printResults(stdout, res, o.out)
	return nil
}

// printResults prints the headline numbers.
func printResults(w io.Writer, r *recovery.Result, dir string) {
	fmt.Fprintf(w, "column: %d cells, %d trials of %g ms; %d biophysical simulations of %.1f s each\n",
		r.Cells, r.Config.Trials, r.Config.TStop, r.BioSimulations, r.BioSecondsPerSimulation)
	fmt.Fprintf(w, "surrogate ERP vs measured:     RMSE %.4g -> %.4g nAm, r %.3f -> %.3f (fit %.1f s, 0 biophysical simulations)\n",
		r.SurrogateInitial.RMSE, r.SurrogateFitted.RMSE, r.SurrogateInitial.Corr, r.SurrogateFitted.Corr, r.FitSeconds)
	fmt.Fprintf(w, "biophysical ERP vs measured:   RMSE %.4g (defaults) -> %.4g (surrogate fit, 1 evaluation) ; %s best %.4g after %d evaluations\n",
		r.BioInitial.RMSE, r.BioFitted.RMSE, r.Config.Search, r.BioSearch.RMSE, len(r.Search))
	fmt.Fprintf(w, "                               r    %.3f -> %.3f ; %s %.3f\n", r.BioInitial.Corr, r.BioFitted.Corr, r.Config.Search, r.BioSearch.Corr)
	if r.SearchBeatsFitAt > 0 {
		fmt.Fprintf(w, "%s's best fell below the surrogate fit's biophysical RMSE at evaluation %d\n", r.Config.Search, r.SearchBeatsFitAt)
	} else {
		fmt.Fprintf(w, "%s did not reach the surrogate fit's biophysical RMSE within %d evaluations\n", r.Config.Search, len(r.Search))
	}
	d, f, s := r.MeanLogError()
	fmt.Fprintf(w, "parameter error |log10(value/true)|, mean: defaults %.3f, surrogate fit %.3f, %s %.3f decades\n", d, f, r.Config.Search, s)
	for _, p := range r.Params {
		fmt.Fprintf(w, "  %-28s true %-10.4g default %-10.4g (%.3f)  fitted %-10.4g (%.3f)  %s %-10.4g (%.3f)\n",
			p.Name, p.True, p.Default, p.ErrDefault, p.Fitted, p.ErrFitted, r.Config.Search, p.Search, p.ErrSearch)
	}
	if s := r.Self; s != nil {
		fmt.Fprintf(w, "self-recovery (surrogate fitted to its own ERP at the truth): RMSE %.4g -> %.4g nAm, r %.3f -> %.3f; parameter error %.3f decades (defaults %.3f)\n",
			s.Initial.RMSE, s.Fitted.RMSE, s.Initial.Corr, s.Fitted.Corr, s.MeanErr(), d)
	}
	fmt.Fprintf(w, "wall time %.0f s; results in %s\n", r.WallSeconds, dir)
}
