// Command train generates the surrogate neurons' training data from
// biophysical simulations and trains the CNN-LSTM surrogates of HNN's cell
// types (package neuron/surrogate), writing safetensors weights and a
// metrics JSON. See docs/surrogate.md.
//
//	go run ./cmd/train -type all                  # weights into train-out/
//	go run ./cmd/train -type L5_pyramidal -minutes 60
//	go run ./cmd/train -type all -out neuron/surrogate/weights -overwrite-shipped
//
// Without arguments it prints its usage and exits with status 2. The
// weights go to -out (default train-out/, never the embedded weights in
// neuron/surrogate/weights unless -overwrite-shipped is given); they are
// written into a staging directory created before any data is generated
// and moved into place after the last type is trained, so a failed run
// leaves no weights. -init and -eval weights are read and checked (cell
// type) before any data is generated. Bad input exits with status 2, other
// failures with status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/train"
)

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

// runMain runs the command and returns its exit status: 0, 1 for a runtime
// failure, 2 for bad input (the error is printed on stderr).
func runMain(args []string, stdout, stderr io.Writer) int {
	return cli.ExitCode("train", run(args, stdout, stderr), stderr)
}

// defaultOut is -out's default: a results folder, never the source tree's
// embedded weights.
const defaultOut = "train-out"

// shippedDir is where the embedded weights live in the source tree.
var shippedDir = filepath.Join("neuron", "surrogate", "weights")

// shippedExtraSeeds are the additional training sets of the shipped
// pyramidal weights (docs/surrogate.md).
const shippedExtraSeeds = "2,3,4,5:200:12,6:200:12,7:200:12:1.5,8:200:12:1.5"

func parseTypes(s string) ([]neuron.CellType, error) {
	if s == "all" {
		return append([]neuron.CellType(nil), neuron.CellTypes[:]...), nil
	}
	var out []neuron.CellType
	for _, f := range strings.Split(s, ",") {
		ct, err := neuron.ParseCellType(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-type %q: want L2_pyramidal, L5_pyramidal, L2_basket, L5_basket or all", f)
		}
		out = append(out, ct)
	}
	return out, nil
}

// options are the command-line flags; given names those set explicitly.
type options struct {
	typ             string
	dataDir         string
	seed            uint64
	poisson         int
	netRuns         int
	pickPyr         int
	bins            int
	mesh            string
	valPoisson      int
	valNetRuns      int
	testPoisson     int
	testNetRuns     int
	testHNN         int
	seedProtocol    bool
	resume          bool
	extraSeeds      string
	extraPoisson    int
	extraNetRuns    int
	extraPick       int
	extraSpan       float64
	genOnly         bool
	q               queueFlags
	outDir          string
	metricsPath     string
	steps           int
	minutes         float64
	batch           int
	warmup          int
	bptt            int
	lr              float64
	spikeWeight     float64
	dropout         float64
	weightDecay     float64
	spikePos        float64
	spikeLoss       float64
	somaWeight      float64
	patience        int
	evalEvery       int
	selectBy        string
	spikeSmooth     float64
	ema             float64
	spikeSigma      float64
	initDir         string
	evalDir         string
	spikeHistory    int
	historyTeacher  bool
	ceiling         int
	bound           int
	boundRows       string
	hybrid          int
	hybridTest      int
	hybridLambda    float64
	hybridMode      string
	hybridLSTM      train.HybridLSTMConfig
	historySchedule float64
	archFlag        string
	overwrite       bool
	given           map[string]bool
	stdout, stderr  io.Writer
	maxMemory       *cli.Bytes
}

// parseFlags reads the command line.
func parseFlags(args []string, stdout, stderr io.Writer) (*options, error) {
	o := &options{given: map[string]bool{}, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.typ, "type", "all", "cell type(s), comma separated, or all")
	o.maxMemory = cli.MaxMemoryFlag(fs)
	fs.StringVar(&o.dataDir, "data", "cache/surrogate", "dataset cache directory")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of data generation and training")
	fs.IntVar(&o.poisson, "poisson", 160, "independent-Poisson training samples (1 s) per cell type")
	fs.IntVar(&o.netRuns, "netruns", 8, "biophysical network runs for the training set")
	fs.IntVar(&o.pickPyr, "pick-pyr", 15, "pyramidal cells per type re-simulated from each training network run")
	fs.IntVar(&o.bins, "bins", 2000, "bins (0.5 ms) per sample")
	fs.StringVar(&o.mesh, "mesh", "10x5", "pyramidal mesh of the network runs")
	fs.IntVar(&o.valPoisson, "val-poisson", 20, "independent-Poisson samples per type in the validation set")
	fs.IntVar(&o.valNetRuns, "val-netruns", 2, "network runs for the validation set")
	fs.IntVar(&o.testPoisson, "test-poisson", 80, "independent-Poisson samples per type in the test set")
	fs.IntVar(&o.testNetRuns, "test-netruns", 8, "network runs for the test set")
	fs.BoolVar(&o.resume, "resume", false, "continue each type's training from its checkpoint <data>/checkpoints/<type>.ckpt (written after every validation) when one exists; the result is the uninterrupted run's, bit for bit; a checkpoint of other settings or data is refused")
	fs.BoolVar(&o.seedProtocol, "seed-protocol", false, "with -eval: also score the pyramidal types on the seed's protocol (9 cells per network run, 7 windows of 250 ms from rest, the last 150 ms scored) against the test truth and the cells re-simulated from the binned input at dt 0.025 and 0.5 ms")
	fs.IntVar(&o.testHNN, "test-hnn", 60, "samples per type of the HNN-drive test split (hnn-core's evoked, Poisson and bursty drives, a third each; 0: none)")
	fs.StringVar(&o.extraSeeds, "extra-seeds", "shipped", "comma-separated additional training sets (split train<seed>), each seed[:poisson:netruns[:gain-span]] (defaults: the -extra-* flags); \"shipped\": the pyramidal types get "+shippedExtraSeeds+" and the baskets none; \"\": none")
	fs.IntVar(&o.extraPoisson, "extra-poisson", 300, "independent-Poisson samples per type in each additional training set")
	fs.IntVar(&o.extraNetRuns, "extra-netruns", 10, "network runs in each additional training set")
	fs.IntVar(&o.extraPick, "extra-pick-pyr", 40, "pyramidal cells per type and run in each additional training set")
	fs.Float64Var(&o.extraSpan, "extra-gain-span", 1, "network runs of the additional training sets draw connection gains 10^U(-span, span)")
	fs.BoolVar(&o.genOnly, "gen-only", false, "only generate (or check) the datasets")
	fs.StringVar(&o.q.queue, "queue", "", "generate missing datasets as batch jobs (docs/batch.md): \"embedded\" (a JetStream server in this process) or a NATS URL (nats://host:4222, workers started by `cmd/batch worker -queue URL`); default: in this process, without a queue")
	fs.IntVar(&o.q.shards, "shards", 16, "with -queue: jobs per split (each network run is one; the independent-Poisson samples are cut into the rest)")
	fs.IntVar(&o.q.workers, "queue-workers", 0, "with -queue: jobs run in this process at once (0: GOMAXPROCS with \"embedded\", none with a URL; -1 none)")
	fs.StringVar(&o.outDir, "out", defaultOut, "directory for the <cell_type>.safetensors weights (other files in it are left alone); neuron/surrogate/weights of this source tree only with -overwrite-shipped")
	fs.BoolVar(&o.overwrite, "overwrite-shipped", false, "allow -out to be neuron/surrogate/weights, the embedded weights of this source tree (docs/surrogate.md, \"Regenerating the weights\")")
	fs.StringVar(&o.metricsPath, "metrics", "", "metrics JSON (default <data>/metrics_<types>.json)")
	fs.IntVar(&o.steps, "steps", 0, "maximum optimizer steps per cell type (default: the library's for the type)")
	fs.Float64Var(&o.minutes, "minutes", 0, "wall-clock cap per cell type, minutes (default: the library's for the type)")
	fs.IntVar(&o.batch, "batch", 0, "windows per mini-batch (default: the library's for the type)")
	fs.IntVar(&o.warmup, "warmup", 0, "warm-up bins per window (default: the library's)")
	fs.IntVar(&o.bptt, "bptt", 0, "backpropagation-through-time bins per window (default: the library's)")
	fs.Float64Var(&o.lr, "lr", 0, "peak learning rate (default: the library's)")
	fs.Float64Var(&o.spikeWeight, "spike-weight", 0, "extra MSE weight of bins near somatic spikes (default: the library's)")
	fs.Float64Var(&o.dropout, "dropout", 0, "LSTM inter-layer dropout while training (default: the library's)")
	fs.Float64Var(&o.weightDecay, "weight-decay", 0, "AdamW weight decay (default: the library's)")
	fs.Float64Var(&o.spikePos, "spike-pos", 0, "extra cross-entropy weight of spike bins (default: the library's)")
	fs.Float64Var(&o.spikeLoss, "spike-loss", 0, "weight of the spike-logit cross-entropy (default: the library's)")
	fs.Float64Var(&o.somaWeight, "soma-weight", 0, "MSE weight of the somatic voltage relative to the other outputs (default: the library's)")
	fs.IntVar(&o.patience, "patience", 0, "validation evaluations without improvement before stopping (default: the library's)")
	fs.IntVar(&o.evalEvery, "eval-every", 0, "optimizer steps between validation evaluations (default: the library's)")
	fs.StringVar(&o.selectBy, "select", "", "keep the parameters with the best validation \"loss\" or \"score\" (default: the library's)")
	fs.Float64Var(&o.spikeSmooth, "spike-smooth", 0, "weight of the timing-tolerant (Gaussian-smoothed) spike term (default: the library's)")
	fs.Float64Var(&o.ema, "ema", 0, "decay in [0, 1) per step of the moving average of the parameters that is validated and kept (0: off; default: the library's, off)")
	fs.Float64Var(&o.spikeSigma, "spike-smooth-sigma", 0, "width (bins) of the spike term's Gaussian (default: the library's)")
	fs.StringVar(&o.initDir, "init", "", "start from the <cell_type>.safetensors weights in this directory (continued training)")
	fs.StringVar(&o.evalDir, "eval", "", "only evaluate the <cell_type>.safetensors weights in this directory on the test set")
	fs.IntVar(&o.spikeHistory, "spike-history", 0, "traces of the model's own spike onsets fed back as inputs (0: none; docs/surrogate.md)")
	fs.BoolVar(&o.historyTeacher, "history-teacher", false, "with -spike-history: train on the biophysical spikes' traces (teacher forcing) instead of the model's own")
	fs.StringVar(&o.boundRows, "bound-rows", "", "with -bound: only the interfaces whose name contains one of these |-separated substrings (e.g. \"kernel|closed loop\")")
	fs.IntVar(&o.hybrid, "hybrid", 0, "only fit the kernel hybrid's junction model (ridge ARX) on this many biophysical samples per regime and evaluate the hybrid free-running on -hybrid-test samples per regime of -bound's (JSON on stdout, table on stderr; docs/surrogate.md)")
	fs.IntVar(&o.hybridTest, "hybrid-test", 10, "with -hybrid: test samples per regime")
	fs.StringVar(&o.hybridMode, "hybrid-mode", "u", "with -hybrid: what the model predicts per bin: u (the 5 ms junction kernel's residual) or held (the junction with the soma held at the bin start), both ridge ARX; lstm: an LSTM predicting held, trained teacher-forced then free-running through the exact soma")
	d := train.DefaultHybridLSTMConfig()
	fs.IntVar(&o.hybridLSTM.Hidden, "hybrid-hidden", d.Hidden, "with -hybrid-mode lstm: LSTM units")
	fs.IntVar(&o.hybridLSTM.TFEpochs, "hybrid-tf-epochs", d.TFEpochs, "with -hybrid-mode lstm: teacher-forced epochs")
	fs.IntVar(&o.hybridLSTM.FREpochs, "hybrid-fr-epochs", d.FREpochs, "with -hybrid-mode lstm: free-running epochs through the exact soma")
	fs.IntVar(&o.hybridLSTM.Window, "hybrid-window", d.Window, "with -hybrid-mode lstm: bins per truncated-BPTT window")
	fs.Float64Var(&o.hybridLSTM.FRLR, "hybrid-fr-lr", d.FRLR, "with -hybrid-mode lstm: Adam's learning rate in the free-running stage")
	fs.Float64Var(&o.hybridLSTM.TFWeight, "hybrid-tf-weight", d.TFWeight, "with -hybrid-mode lstm: weight of the teacher-forced loss kept in the free-running stage")
	fs.BoolVar(&o.hybridLSTM.Absolute, "hybrid-absolute", false, "with -hybrid-mode lstm: predict the held junction itself, not its increment over the bin-start junction")
	fs.BoolVar(&o.hybridLSTM.Shoot, "hybrid-shoot", false, "with -hybrid-mode lstm: start every free-running window from a run driven by the biophysical held junction (multiple shooting) instead of running each sample free from rest")
	fs.IntVar(&o.hybridLSTM.DaggerRounds, "hybrid-dagger", d.DaggerRounds, "with -hybrid-mode lstm: DAgger rounds (the expert: a biophysical dendrite following the hybrid's soma)")
	fs.IntVar(&o.hybridLSTM.Batch, "hybrid-batch", 0, "with -hybrid-mode lstm: sequences per Adam step in the teacher-forced and DAgger fits (0: all, one step per window)")
	fs.Float64Var(&o.hybridLSTM.LR, "hybrid-lr", d.LR, "with -hybrid-mode lstm: Adam's learning rate of the teacher-forced and DAgger fits")
	fs.Float64Var(&o.hybridLSTM.LRFinal, "hybrid-lr-final", 0, "with -hybrid-mode lstm: decay the teacher-forced and DAgger fits' learning rate along a cosine to this value (0: constant)")
	fs.Float64Var(&o.hybridLSTM.DaggerLR, "hybrid-dagger-lr", 0, "with -hybrid-mode lstm: starting learning rate of each DAgger round's fit (0: -hybrid-lr)")
	fs.IntVar(&o.hybridLSTM.DaggerEpochs, "hybrid-dagger-epochs", d.DaggerEpochs, "with -hybrid-mode lstm: epochs per DAgger round")
	fs.BoolVar(&o.hybridLSTM.LongKernel, "hybrid-long", false, "with -hybrid-mode lstm: predict the held junction less the 5 ms rest kernel's response to the soma's history (needs -hybrid-fr-epochs 0)")
	fs.Float64Var(&o.hybridLambda, "hybrid-lambda", 1e-6, "with -hybrid: ridge penalty on the standardised features (per sample)")
	fs.IntVar(&o.bound, "bound", 0, "only measure, on this many samples per regime and pyramidal type, the bound of the hybrid cell: the exact soma driven by the biophysical junction voltages sampled and interpolated (JSON on stdout, table on stderr; docs/surrogate.md)")
	fs.IntVar(&o.ceiling, "ceiling", 0, "only measure, on this many independent-Poisson samples per type, how closely any surrogate seeing 0.5 ms bins could follow the cell, and how the soma's r depends on spike timing (JSON on stdout)")
	fs.Float64Var(&o.historySchedule, "history-schedule", 0, "with -spike-history: teacher-force a mini-batch with probability 1 - step/(this·steps), else run free (scheduled sampling; 0: off; default: the library's, off)")
	fs.StringVar(&o.archFlag, "arch", "", "override the architecture: conv_channels,conv_kernel,hidden,layers,head_hidden")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: train -type TYPES [flags]\n\nGenerates (and caches) biophysical training data and trains the surrogate cells of the given types,\nwriting <cell_type>.safetensors to -out and a metrics JSON; -eval DIR only evaluates weights, -ceiling\nand -bound only measure. Training flags left out keep the cell type's recipe (train.ConfigFor); a\ngiven value is used as is and must be in the setting's range. docs/surrogate.md has the commands.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		fs.Usage()
		return nil, cli.Inputf("no flags: training takes hours; give at least -type (e.g. -type L2_basket)")
	}
	fs.Visit(func(f *flag.Flag) { o.given[f.Name] = true })
	switch {
	case o.hybrid < 0:
		return nil, fmt.Errorf("-hybrid %d: want a number of training samples per regime (0: off)", o.hybrid)
	case o.hybridTest < 1:
		return nil, fmt.Errorf("-hybrid-test %d: want at least one test sample per regime", o.hybridTest)
	case o.hybridMode != "u" && o.hybridMode != "held" && o.hybridMode != "lstm":
		return nil, fmt.Errorf("-hybrid-mode %q: want u, held or lstm", o.hybridMode)
	case o.hybridLSTM.Hidden < 1:
		return nil, fmt.Errorf("-hybrid-hidden %d: want at least 1", o.hybridLSTM.Hidden)
	case o.hybridLSTM.TFEpochs < 0 || o.hybridLSTM.FREpochs < 0:
		return nil, fmt.Errorf("-hybrid-tf-epochs %d / -hybrid-fr-epochs %d: want ≥ 0", o.hybridLSTM.TFEpochs, o.hybridLSTM.FREpochs)
	case o.hybridLSTM.DaggerRounds < 0 || o.hybridLSTM.DaggerEpochs < 0:
		return nil, fmt.Errorf("-hybrid-dagger %d / -hybrid-dagger-epochs %d: want ≥ 0", o.hybridLSTM.DaggerRounds, o.hybridLSTM.DaggerEpochs)
	case o.hybridLSTM.Batch < 0:
		return nil, fmt.Errorf("-hybrid-batch %d: want ≥ 0", o.hybridLSTM.Batch)
	case !(o.hybridLSTM.LR > 0) || math.IsInf(o.hybridLSTM.LR, 0) || !(o.hybridLSTM.LRFinal >= 0) || math.IsInf(o.hybridLSTM.LRFinal, 0) || !(o.hybridLSTM.DaggerLR >= 0) || math.IsInf(o.hybridLSTM.DaggerLR, 0):
		return nil, fmt.Errorf("-hybrid-lr %g / -hybrid-lr-final %g / -hybrid-dagger-lr %g: want a positive rate, the others ≥ 0", o.hybridLSTM.LR, o.hybridLSTM.LRFinal, o.hybridLSTM.DaggerLR)
	case o.hybridLSTM.LongKernel && o.given["hybrid-fr-epochs"] && o.hybridLSTM.FREpochs > 0:
		return nil, fmt.Errorf("-hybrid-long with -hybrid-fr-epochs %d: the long kernel has no free-running stage through the op", o.hybridLSTM.FREpochs)
	case o.hybridLSTM.Window < 1:
		return nil, fmt.Errorf("-hybrid-window %d: want at least 1", o.hybridLSTM.Window)
	case !(o.hybridLSTM.FRLR > 0) || math.IsInf(o.hybridLSTM.FRLR, 0):
		return nil, fmt.Errorf("-hybrid-fr-lr %v: want a finite rate > 0", o.hybridLSTM.FRLR)
	case !(o.hybridLSTM.TFWeight >= 0) || math.IsInf(o.hybridLSTM.TFWeight, 0):
		return nil, fmt.Errorf("-hybrid-tf-weight %v: want a finite weight ≥ 0", o.hybridLSTM.TFWeight)
	case !(o.hybridLambda >= 0) || math.IsInf(o.hybridLambda, 0):
		return nil, fmt.Errorf("-hybrid-lambda %v: want a finite penalty ≥ 0", o.hybridLambda)
	}
	if o.hybridLSTM.LongKernel {
		o.hybridLSTM.FREpochs = 0
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	types, err := parseTypes(o.typ)
	if err != nil {
		return cli.Input(err)
	}
	est := o.estimate(types)
	if err := est.Check(*o.maxMemory); err != nil {
		return err
	}
	est.Report(stderr)
	if o.hybrid != 0 && o.hybridMode == "lstm" {
		rep, err := train.HybridLSTMJunction(types, o.hybrid, o.hybridTest, o.bins, o.seed, o.hybridLSTM, stderr)
		if err != nil {
			return err
		}
		return printJSON(stdout, rep)
	}
	if o.hybrid != 0 {
		rep, err := train.HybridJunction(types, o.hybrid, o.hybridTest, o.bins, o.seed, o.hybridLambda, o.hybridMode, stderr)
		if err != nil {
			return err
		}
		return printJSON(stdout, rep)
	}
	if o.bound != 0 {
		rep, err := train.BoundRows(types, o.bound, o.bins, o.seed, o.boundRows, stderr)
		if err != nil {
			return err
		}
		return printJSON(stdout, rep)
	}
	if o.ceiling != 0 {
		rep, err := train.Ceiling(types, o.ceiling, o.bins, o.seed, stderr)
		if err != nil {
			return err
		}
		return printJSON(stdout, rep)
	}
	// Everything the run reads or writes is checked before any data is
	// generated: the -eval and -init weights, -arch, the output directory
	// and the metrics file.
	evalModels, initModels, err := o.preload(types)
	if err != nil {
		return err
	}
	if _, err := o.arch(types[0]); err != nil {
		return err
	}
	if _, _, err := o.parseMesh(); err != nil {
		return err
	}
	if o.testHNN < 0 {
		return cli.Inputf("-test-hnn %d: want a number of samples >= 0", o.testHNN)
	}
	for _, ct := range types {
		if err := o.configFor(ct).Validate(); err != nil {
			return cli.Inputf("training flags for %s: %w", ct, err)
		}
	}
	var out *cli.Output
	var metrics *cli.File
	if o.evalDir == "" && !o.genOnly {
		if out, err = o.output(); err != nil {
			return err
		}
		defer out.Abort()
		mp := o.metricsPath
		if mp == "" {
			mp = filepath.Join(o.dataDir, "metrics_"+strings.ReplaceAll(o.typ, ",", "+")+".json")
		}
		if metrics, err = cli.CreateFile("metrics", mp, stdout); err != nil {
			return cli.Input(err)
		}
		defer metrics.Abort()
	}
	d, err := loadData(o, types)
	if err != nil || o.genOnly {
		return err
	}
	if o.evalDir != "" {
		return evalOnly(o, types, d, evalModels)
	}
	report := map[string]any{}
	for _, ct := range types {
		entry, err := trainType(o, ct, d, initModels[ct], out)
		if err != nil {
			return err
		}
		report[ct.String()] = entry
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	if _, err := metrics.Write(b); err != nil {
		return err
	}
	if err := out.Commit(); err != nil {
		return err
	}
	if err := metrics.Commit(); err != nil {
		return err
	}
	for _, ct := range types {
		fmt.Fprintf(stderr, "wrote %s\n", filepath.Join(o.outDir, ct.String()+".safetensors"))
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}

// output stages -out, refusing the source tree's embedded weights unless
// -overwrite-shipped is given.
func (o *options) output() (*cli.Output, error) {
	if root, ok := sourceTree(o.outDir); ok && !o.overwrite {
		return nil, cli.Inputf("-out %s: is the embedded weights of the source tree at %s (neuron/surrogate/weights); pass -overwrite-shipped to replace them, or choose another -out (default %s)", o.outDir, root, defaultOut)
	}
	out, err := cli.NewFiles("out", o.outDir)
	if err != nil {
		return nil, cli.Input(err)
	}
	return out, nil
}

// sourceTree reports whether dir is neuron/surrogate/weights of a
// neurograd source tree, and that tree's root.
func sourceTree(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for root := filepath.Dir(abs); ; root = filepath.Dir(root) {
		if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if strings.TrimSpace(first) == "module github.com/neurograd/neurograd" {
				rel, err := filepath.Rel(root, abs)
				return root, err == nil && rel == shippedDir
			}
		}
		if filepath.Dir(root) == root {
			return "", false
		}
	}
}

// preload reads and checks the -eval and -init weights of every type
// before any data is generated.
func (o *options) preload(types []neuron.CellType) (eval, init map[neuron.CellType]*surrogate.Model[float32], err error) {
	read := func(flag, dir string) (map[neuron.CellType]*surrogate.Model[float32], error) {
		if dir == "" {
			return nil, nil
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			if err == nil {
				err = errors.New("not a directory")
			}
			return nil, cli.Inputf("-%s %s: %v (want a directory of <cell_type>.safetensors)", flag, dir, err)
		}
		ms := map[neuron.CellType]*surrogate.Model[float32]{}
		for _, ct := range types {
			m, err := loadWeights(dir, ct)
			if err != nil {
				return nil, cli.Inputf("-%s %s: %w", flag, dir, err)
			}
			ms[ct] = m
		}
		return ms, nil
	}
	if eval, err = read("eval", o.evalDir); err != nil {
		return nil, nil, err
	}
	if init, err = read("init", o.initDir); err != nil {
		return nil, nil, err
	}
	return eval, init, nil
}

// printJSON prints v as indented JSON on w; a report that cannot be
// encoded (a NaN figure) is a runtime failure.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// dataSets are the datasets of the run: per split ("train", "val", "test")
// and cell type, with the recipes and the description of each type's
// training data (its split plus any additional sets).
type dataSets struct {
	sets      map[string]map[neuron.CellType]*train.Dataset
	splits    map[string]train.Recipe
	trainDesc map[neuron.CellType]string
}

// loadData loads or generates the three splits and the additional training
// sets the flags ask for.
func loadData(o *options, types []neuron.CellType) (*dataSets, error) {
	base := train.Recipe{Seed: o.seed, Bins: o.bins, LogGainSpan: 1, PickPyr: 15, PickBasket: 16}
	var err error
	if base.MeshX, base.MeshY, err = o.parseMesh(); err != nil {
		return nil, err
	}
	d := &dataSets{sets: map[string]map[neuron.CellType]*train.Dataset{}, splits: map[string]train.Recipe{}, trainDesc: map[neuron.CellType]string{}}
	for _, sp := range []string{"train", "val", "test"} {
		r := base
		r.Split = sp
		r.PoissonPer, r.NetRuns = o.valPoisson, o.valNetRuns
		if sp == "test" {
			r.PoissonPer, r.NetRuns = o.testPoisson, o.testNetRuns
		}
		if sp == "train" {
			r.PoissonPer, r.NetRuns, r.PickPyr = o.poisson, o.netRuns, o.pickPyr
		}
		d.splits[sp] = r
	}
	if o.testHNN > 0 {
		r := base
		r.Split, r.Regime, r.PoissonPer, r.NetRuns = "test_hnn", "hnn", o.testHNN, 0
		d.splits["test_hnn"] = r
	}
	for _, sp := range []string{"val", "test", "test_hnn", "train"} {
		if _, ok := d.splits[sp]; !ok || (o.evalDir != "" && sp != "test" && sp != "test_hnn") {
			continue // -eval needs only the test splits
		}
		ds, err := train.LoadOrGenerateWith(o.dataDir, types, d.splits[sp], o.q.generator(o.dataDir), o.stderr)
		if err != nil {
			return nil, err
		}
		d.sets[sp] = ds
	}
	for _, ct := range types {
		d.trainDesc[ct] = d.splits["train"].String()
	}
	if o.evalDir != "" { // -eval needs only the test set
		return d, nil
	}
	return d, d.addExtraSets(o, types, base)
}

// addExtraSets appends the additional training sets (-extra-seeds) to the
// training split.
func (d *dataSets) addExtraSets(o *options, types []neuron.CellType, base train.Recipe) error {
	var extraOrder []string
	extraTypes := map[string][]neuron.CellType{}
	for _, ct := range types {
		if e := extraSetsFor(ct, o.extraSeeds); e != "" {
			for _, f := range strings.Split(e, ",") {
				f = strings.TrimSpace(f)
				if _, ok := extraTypes[f]; !ok {
					extraOrder = append(extraOrder, f)
				}
				extraTypes[f] = append(extraTypes[f], ct)
			}
		}
	}
	for _, f := range extraOrder {
		r := base
		r.PoissonPer, r.NetRuns, r.PickPyr, r.LogGainSpan = o.extraPoisson, o.extraNetRuns, o.extraPick, o.extraSpan
		sd, err := parseExtraSet(f, &r)
		if err != nil {
			return fmt.Errorf("-extra-seeds %q: %w", o.extraSeeds, err)
		}
		r.Split, r.Seed = fmt.Sprintf("train%d", sd), sd
		ds, err := train.LoadOrGenerateWith(o.dataDir, extraTypes[f], r, o.q.generator(o.dataDir), o.stderr)
		if err != nil {
			return err
		}
		for _, ct := range extraTypes[f] {
			d.sets["train"][ct].Samples = append(d.sets["train"][ct].Samples, ds[ct].Samples...)
			d.trainDesc[ct] += " + " + r.String()
		}
	}
	return nil
}

// parseMesh parses -mesh, NxM.
func (o *options) parseMesh() (nx, ny int, err error) {
	if _, err := fmt.Sscanf(o.mesh, "%dx%d", &nx, &ny); err != nil || nx < 1 || ny < 1 {
		return 0, 0, cli.Inputf("-mesh %q: want NxM", o.mesh)
	}
	return nx, ny, nil
}

// testMetrics evaluates m on the test set, whole and split into its
// independent-Poisson and network parts, and on the HNN-drive test split
// (when -test-hnn > 0), whole and per regime: keys "test", "test_poisson",
// "test_network", "test_hnn", "test_hnn_<regime>".
func (d *dataSets) testMetrics(m *surrogate.Model[float32], ct neuron.CellType) map[string]surrogate.Metrics {
	return d.testMetricsOf(m.Evaluate, ct)
}

// testMetricsOf is testMetrics for any scoring function (the exact basket's).
func (d *dataSets) testMetricsOf(score func([]*surrogate.Sample) surrogate.Metrics, ct neuron.CellType) map[string]surrogate.Metrics {
	ts := d.sets["test"][ct].Samples
	np := min(d.splits["test"].PoissonPer, len(ts))
	out := map[string]surrogate.Metrics{"test": score(ts), "test_poisson": score(ts[:np]), "test_network": score(ts[np:])}
	if hs := d.sets["test_hnn"][ct]; hs != nil && len(hs.Samples) > 0 {
		out["test_hnn"] = score(hs.Samples)
		for r, name := range train.HNNRegimes {
			var sub []*surrogate.Sample
			for i, s := range hs.Samples {
				if train.HNNRegimeOf(i, len(hs.Samples)) == r {
					sub = append(sub, s)
				}
			}
			out["test_hnn_"+name] = score(sub)
		}
	}
	return out
}

// trueTimeMetrics scores the exact basket with every event at its own
// NEURON step (ExactBasket.EvaluateSubsteps, as simulate cell -surrogate runs
// it) on the test samples whose events can be regenerated: the
// independent-Poisson part ("test_poisson") and the HNN-drive split
// ("test_hnn", "test_hnn_<regime>"). The network samples' events come from
// network runs that the cache does not keep: they are scored binned only.
func (d *dataSets) trueTimeMetrics(ex *surrogate.ExactBasket[float64], ct neuron.CellType) (map[string]surrogate.Metrics, error) {
	out := map[string]surrogate.Metrics{}
	score := func(key string, r train.Recipe, ds *train.Dataset, keep func(i, n int) bool) error {
		in, err := train.TrueTimeInputs(r, ds)
		if err != nil {
			return err
		}
		var ss []*surrogate.Sample
		var xs [][]float64
		for i := range in {
			if keep(i, len(in)) {
				ss, xs = append(ss, ds.Samples[i]), append(xs, in[i])
			}
		}
		if out[key], err = ex.EvaluateSubsteps(ss, xs); err != nil {
			return err
		}
		return nil
	}
	all := func(int, int) bool { return true }
	if err := score("test_poisson", d.splits["test"], d.sets["test"][ct], all); err != nil {
		return nil, err
	}
	if hs := d.sets["test_hnn"][ct]; hs != nil && len(hs.Samples) > 0 {
		if err := score("test_hnn", d.splits["test_hnn"], hs, all); err != nil {
			return nil, err
		}
		for r, name := range train.HNNRegimes {
			if err := score("test_hnn_"+name, d.splits["test_hnn"], hs, func(i, n int) bool { return train.HNNRegimeOf(i, n) == r }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// splitOrder is the order of testMetrics' keys in the table on stderr.
var splitOrder = []string{"test", "test_poisson", "test_network", "test_hnn", "test_hnn_evoked", "test_hnn_poisson", "test_hnn_bursty"}

// fieldTable writes the field's metrics of one type per split (testMetrics'
// keys) to w: Γ, spike precision / recall, spikes within 0.5 ms, the mean
// spike-time error, AUC, the clipped soma's RMSE and variance explained, the
// soma / apical-tuft / dipole r and the rates.
func fieldTable(w io.Writer, ct string, ms map[string]surrogate.Metrics) {
	fmt.Fprintf(w, "%s: split               n     Γ   P / R   ≤0.5ms   bias ms   AUC  clip RMSE  clip EV   r soma / tuft / dipole   rate pred / true Hz\n", ct)
	for _, k := range splitOrder {
		mt, ok := ms[k]
		if !ok || mt.Samples == 0 {
			continue
		}
		r := func(name string) string {
			for i, o := range mt.Outputs {
				if o == name {
					return fmt.Sprintf("%.3f", mt.R[i])
				}
			}
			return "–"
		}
		fmt.Fprintf(w, "%s: %-17s %4d %5.3f %.2f / %.2f  %5.2f  %+7.3f  %5.3f  %6.2f  %7.1f%%   %s / %s / %s   %.1f / %.1f\n",
			ct, k, mt.Samples, mt.Gamma, mt.Precision, mt.Recall, mt.SpikeWithin["0.5_ms"], mt.SpikeBiasMS, mt.SpikeAUC,
			mt.ClippedRMSE, 100*mt.ClippedEV, r("v_soma"), r("v_apical_tuft"), r("dipole_nAm"), mt.PredRateHz, mt.TrueRateHz)
	}
}

// loadWeights reads the <cell_type>.safetensors weights in dir, which
// must be of cell type ct.
func loadWeights(dir string, ct neuron.CellType) (*surrogate.Model[float32], error) {
	path := filepath.Join(dir, ct.String()+".safetensors")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := surrogate.LoadFor[float32](f, surrogate.Want{CellType: ct})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// evalOnly prints the test metrics of the -eval weights (models).
func evalOnly(o *options, types []neuron.CellType, d *dataSets, models map[neuron.CellType]*surrogate.Model[float32]) error {
	report := map[string]any{}
	for _, ct := range types {
		m := models[ct]
		entry := map[string]any{"train": map[string]any{"steps": 0, "best_step": 0, "seconds": 0, "spike_threshold_mV": m.SpikeThreshold()}}
		ms := d.testMetrics(m, ct)
		for k, mt := range ms {
			entry[k] = mt
		}
		fieldTable(o.stderr, ct.String(), ms)
		if o.seedProtocol && ct.IsPyramidal() {
			rows, err := train.SeedProtocol(m, d.sets["test"][ct].Samples, d.splits["test"].PoissonPer, d.splits["test"].PickPyr)
			if err != nil {
				return fmt.Errorf("-seed-protocol %s: %w", ct, err)
			}
			entry["seed_protocol"] = rows
			for _, r := range rows {
				fmt.Fprintf(o.stderr, "%s: seed's protocol, truth %-20s %3d windows of %d cells: r soma / tuft / dipole %.3f / %.3f / %.3f, Γ %.3f\n",
					ct, r.Truth, r.Windows, r.Cells, r.RSoma, r.RTuft, r.RDipole, r.Gamma)
			}
		}
		if !ct.IsPyramidal() {
			// the network runs the exact basket (snn.ShippedCells): score it too
			ex, err := surrogate.NewExactBasket[float64](ct)
			if err != nil {
				return err
			}
			var evalErr error
			ems := d.testMetricsOf(func(ss []*surrogate.Sample) surrogate.Metrics {
				mt, err := ex.Evaluate(ss)
				if err != nil && evalErr == nil {
					evalErr = err
				}
				return mt
			}, ct)
			if evalErr != nil {
				return fmt.Errorf("%s exact basket: %w", ct, evalErr)
			}
			entry["exact_basket"] = ems
			fieldTable(o.stderr, ct.String()+" (exact)", ems)
			tms, err := d.trueTimeMetrics(ex, ct)
			if err != nil {
				return fmt.Errorf("%s exact basket, true times: %w", ct, err)
			}
			entry["exact_basket_true_times"] = tms
			fieldTable(o.stderr, ct.String()+" (exact, true times)", tms)
		}
		report[ct.String()] = entry
	}
	return printJSON(o.stdout, report)
}

// configFor returns the shipped recipe of a type with the training flags
// given on the command line applied. Only flags that are given change the
// recipe (there are no sentinel values): a value outside the setting's
// range (train.Config) is an error, not "the default".
func (o *options) configFor(ct neuron.CellType) train.Config {
	cfg := train.ConfigFor(ct)
	cfg.Seed, cfg.Log = o.seed, o.stderr
	for _, f := range []struct {
		flag string
		dst  *int
		v    int
	}{{"steps", &cfg.Steps, o.steps}, {"batch", &cfg.Batch, o.batch}, {"warmup", &cfg.WarmUp, o.warmup},
		{"bptt", &cfg.BPTT, o.bptt}, {"patience", &cfg.Patience, o.patience}, {"eval-every", &cfg.EvalEvery, o.evalEvery}} {
		if o.given[f.flag] {
			*f.dst = f.v
		}
	}
	for _, f := range []struct {
		flag string
		dst  *float64
		v    float64
	}{{"lr", &cfg.LR, o.lr}, {"soma-weight", &cfg.SomaWeight, o.somaWeight}, {"spike-smooth-sigma", &cfg.SpikeSmoothSigma, o.spikeSigma},
		{"spike-weight", &cfg.SpikeWeight, o.spikeWeight}, {"dropout", &cfg.Dropout, o.dropout}, {"weight-decay", &cfg.WeightDecay, o.weightDecay},
		{"spike-pos", &cfg.SpikePosWeight, o.spikePos}, {"spike-loss", &cfg.SpikeLoss, o.spikeLoss}, {"spike-smooth", &cfg.SpikeSmooth, o.spikeSmooth},
		{"ema", &cfg.EMA, o.ema}, {"history-schedule", &cfg.HistorySchedule, o.historySchedule}} {
		if o.given[f.flag] {
			*f.dst = f.v
		}
	}
	if o.given["minutes"] {
		cfg.MaxDuration = time.Duration(o.minutes * float64(time.Minute))
	}
	if o.given["select"] {
		cfg.SelectBy = o.selectBy
	}
	cfg.HistoryTeacher = o.historyTeacher
	return cfg
}

// arch returns the architecture of a fresh model of type ct: the type's,
// or -arch's, with -spike-history.
func (o *options) arch(ct neuron.CellType) (surrogate.Arch, error) {
	arch := surrogate.DefaultArch(ct)
	if o.archFlag != "" {
		if _, err := fmt.Sscanf(o.archFlag, "%d,%d,%d,%d,%d", &arch.ConvChannels, &arch.ConvKernel, &arch.Hidden, &arch.Layers, &arch.HeadHidden); err != nil {
			return arch, cli.Inputf("-arch %q: want conv_channels,conv_kernel,hidden,layers,head_hidden: %w", o.archFlag, err)
		}
	}
	arch.SpikeHistory = o.spikeHistory
	if err := arch.Validate(); err != nil {
		return arch, cli.Inputf("-arch %q / -spike-history %d: %w", o.archFlag, o.spikeHistory, err)
	}
	return arch, nil
}

// newModel returns the model to train: a fresh one of the type's (or
// -arch's) architecture, or init, the -init weights (continued training,
// which keeps their normalisation).
func (o *options) newModel(ct neuron.CellType, cfg *train.Config, init *surrogate.Model[float32]) (*surrogate.Model[float32], surrogate.Arch, error) {
	if init != nil {
		cfg.KeepNorm = true
		return init, init.Arch(), nil
	}
	arch, err := o.arch(ct)
	if err != nil {
		return nil, arch, err
	}
	m, err := surrogate.New[float32](ct, arch, o.seed)
	if err != nil {
		return nil, arch, err
	}
	return m, arch, nil
}

// trainType trains one cell type, writes its weights and returns its
// metrics entry.
func trainType(o *options, ct neuron.CellType, d *dataSets, init *surrogate.Model[float32], out *cli.Output) (map[string]any, error) {
	cfg := o.configFor(ct)
	m, arch, err := o.newModel(ct, &cfg, init)
	if err != nil {
		return nil, err
	}
	tr, val := d.sets["train"][ct].Samples, d.sets["val"][ct].Samples
	ckDir := filepath.Join(o.dataDir, "checkpoints")
	if err := os.MkdirAll(ckDir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	cfg.Checkpoint, cfg.Resume = filepath.Join(ckDir, ct.String()+".ckpt"), o.resume
	fmt.Fprintf(o.stderr, "%s: %d parameters, %d train / %d val / %d test samples\n", ct, m.NumParams(),
		len(tr), len(val), len(d.sets["test"][ct].Samples))
	res, err := train.Fit(m, tr, val, cfg)
	if errors.Is(err, train.ErrCheckpointMismatch) {
		return nil, cli.Inputf("-resume %s: %w (drop -resume to start afresh)", ct, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w (rerun with -resume to continue from %s)", ct, err, cfg.Checkpoint)
	}
	ms := d.testMetrics(m, ct)
	test := ms["test"]
	entry := map[string]any{"arch": arch, "params": m.NumParams(), "train": res,
		"data": map[string]string{"train": d.trainDesc[ct], "val": d.splits["val"].String(), "test": d.splits["test"].String(), "test_hnn": d.splits["test_hnn"].String()},
		"train_config": map[string]any{"batch": cfg.Batch, "warmup": cfg.WarmUp, "bptt": cfg.BPTT, "steps": cfg.Steps,
			"lr": cfg.LR, "min_lr": cfg.MinLR, "clip": cfg.ClipNorm, "spike_weight": cfg.SpikeWeight, "spike_loss": cfg.SpikeLoss, "spike_pos_weight": cfg.SpikePosWeight, "dropout": cfg.Dropout, "weight_decay": cfg.WeightDecay, "seed": cfg.Seed,
			"spike_smooth": cfg.SpikeSmooth, "spike_smooth_sigma_bins": cfg.SpikeSmoothSigma, "select_by": cfg.SelectBy, "ema": cfg.EMA, "soma_weight": cfg.SomaWeight, "patience": cfg.Patience, "eval_every": cfg.EvalEvery},
		"trained_at": time.Now().UTC().Format(time.RFC3339)}
	for k, mt := range ms {
		entry[k] = mt
	}
	fieldTable(o.stderr, ct.String(), ms)
	if o.initDir != "" {
		entry["init"] = m.Metadata()[surrogate.MetaProvenance]
	}
	prov, _ := json.Marshal(entry)
	m.SetProvenance(string(prov))
	if _, err := saveWeights(m, out.Dir(), ct); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.stderr, "%s: %.0f s, test r %v, spikes P %.3f R %.3f (threshold %.1f mV), rate %.2f vs %.2f Hz\n",
		ct, res.Seconds, fmtR(test.R), test.Precision, test.Recall, test.Threshold, test.PredRateHz, test.TrueRateHz)
	return entry, nil
}

// saveWeights writes m to dir/<cell_type>.safetensors and returns the path.
func saveWeights(m *surrogate.Model[float32], dir string, ct neuron.CellType) (string, error) {
	path := filepath.Join(dir, ct.String()+".safetensors")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// extraSetsFor returns the -extra-seeds list a cell type trains on: flag
// itself, except that "shipped" gives the pyramidal types the sets of the
// shipped weights and the baskets none.
func extraSetsFor(ct neuron.CellType, flag string) string {
	if flag != "shipped" {
		return flag
	}
	if ct == neuron.L2Pyramidal || ct == neuron.L5Pyramidal {
		return shippedExtraSeeds
	}
	return ""
}

// parseExtraSet reads one -extra-seeds entry, seed[:poisson:netruns[:span]],
// into r (whose fields hold the defaults) and returns the seed.
func parseExtraSet(f string, r *train.Recipe) (uint64, error) {
	parts := strings.Split(f, ":")
	if len(parts) != 1 && len(parts) != 3 && len(parts) != 4 {
		return 0, fmt.Errorf("entry %q: want seed or seed:poisson:netruns[:gain-span]", f)
	}
	var sd uint64
	if _, err := fmt.Sscan(parts[0], &sd); err != nil {
		return 0, fmt.Errorf("entry %q: seed: %w", f, err)
	}
	if len(parts) >= 3 {
		if _, err := fmt.Sscan(parts[1], &r.PoissonPer); err != nil || r.PoissonPer < 0 {
			return 0, fmt.Errorf("entry %q: want a non-negative count of Poisson samples", f)
		}
		if _, err := fmt.Sscan(parts[2], &r.NetRuns); err != nil || r.NetRuns < 0 {
			return 0, fmt.Errorf("entry %q: want a non-negative count of network runs", f)
		}
	}
	if len(parts) == 4 {
		if _, err := fmt.Sscan(parts[3], &r.LogGainSpan); err != nil {
			return 0, fmt.Errorf("entry %q: gain span: %w", f, err)
		}
	}
	if !(r.LogGainSpan > 0) || math.IsInf(r.LogGainSpan, 0) {
		return 0, fmt.Errorf("entry %q: gain span %g: want a positive number of decades", f, r.LogGainSpan)
	}
	return sd, nil
}

func fmtR(r []float64) string {
	s := ""
	for i, v := range r {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.3f", v)
	}
	return s
}
