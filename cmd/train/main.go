// Command train generates the surrogate neurons' training data from
// biophysical simulations and trains the CNN-LSTM surrogates of HNN's cell
// types (package neuron/surrogate), writing safetensors weights and a
// metrics JSON. See docs/surrogate.md.
//
//	go run ./cmd/train -type all
//	go run ./cmd/train -type L5_pyramidal -minutes 60
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/train"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

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
	extraSeeds      string
	extraPoisson    int
	extraNetRuns    int
	extraPick       int
	extraSpan       float64
	genOnly         bool
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
	historySchedule float64
	archFlag        string
	given           map[string]bool
}

// parseFlags reads the command line.
func parseFlags(args []string) (*options, error) {
	o := &options{given: map[string]bool{}}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.StringVar(&o.typ, "type", "all", "cell type(s), comma separated, or all")
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
	fs.StringVar(&o.extraSeeds, "extra-seeds", "shipped", "comma-separated additional training sets (split train<seed>), each seed[:poisson:netruns[:gain-span]] (defaults: the -extra-* flags); \"shipped\": the pyramidal types get "+shippedExtraSeeds+" and the baskets none; \"\": none")
	fs.IntVar(&o.extraPoisson, "extra-poisson", 300, "independent-Poisson samples per type in each additional training set")
	fs.IntVar(&o.extraNetRuns, "extra-netruns", 10, "network runs in each additional training set")
	fs.IntVar(&o.extraPick, "extra-pick-pyr", 40, "pyramidal cells per type and run in each additional training set")
	fs.Float64Var(&o.extraSpan, "extra-gain-span", 1, "network runs of the additional training sets draw connection gains 10^U(-span, span)")
	fs.BoolVar(&o.genOnly, "gen-only", false, "only generate (or check) the datasets")
	fs.StringVar(&o.outDir, "out", "neuron/surrogate/weights", "directory for the <cell_type>.safetensors weights")
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
	fs.StringVar(&o.hybridMode, "hybrid-mode", "u", "with -hybrid: what the model predicts per bin: u (the 5 ms junction kernel's residual) or held (the junction with the soma held at the bin start)")
	fs.Float64Var(&o.hybridLambda, "hybrid-lambda", 1e-6, "with -hybrid: ridge penalty on the standardised features (per sample)")
	fs.IntVar(&o.bound, "bound", 0, "only measure, on this many samples per regime and pyramidal type, the bound of the hybrid cell: the exact soma driven by the biophysical junction voltages sampled and interpolated (JSON on stdout, table on stderr; docs/surrogate.md)")
	fs.IntVar(&o.ceiling, "ceiling", 0, "only measure, on this many independent-Poisson samples per type, how closely any surrogate seeing 0.5 ms bins could follow the cell, and how the soma's r depends on spike timing (JSON on stdout)")
	fs.Float64Var(&o.historySchedule, "history-schedule", 0, "with -spike-history: teacher-force a mini-batch with probability 1 - step/(this·steps), else run free (scheduled sampling; 0: off; default: the library's, off)")
	fs.StringVar(&o.archFlag, "arch", "", "override the architecture: conv_channels,conv_kernel,hidden,layers,head_hidden")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage of train (training flags left out keep the cell type's recipe, train.ConfigFor; a given value is used as is and must be in the setting's range):")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.given[f.Name] = true })
	switch {
	case o.hybrid < 0:
		return nil, fmt.Errorf("-hybrid %d: want a number of training samples per regime (0: off)", o.hybrid)
	case o.hybridTest < 1:
		return nil, fmt.Errorf("-hybrid-test %d: want at least one test sample per regime", o.hybridTest)
	case o.hybridMode != "u" && o.hybridMode != "held":
		return nil, fmt.Errorf("-hybrid-mode %q: want u or held", o.hybridMode)
	case !(o.hybridLambda >= 0) || math.IsInf(o.hybridLambda, 0):
		return nil, fmt.Errorf("-hybrid-lambda %v: want a finite penalty ≥ 0", o.hybridLambda)
	}
	return o, nil
}

func run(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	types, err := parseTypes(o.typ)
	if err != nil {
		return err
	}
	if o.hybrid != 0 {
		rep, err := train.HybridJunction(types, o.hybrid, o.hybridTest, o.bins, o.seed, o.hybridLambda, o.hybridMode, os.Stderr)
		if err != nil {
			return err
		}
		printJSON(rep)
		return nil
	}
	if o.bound != 0 {
		rep, err := train.BoundRows(types, o.bound, o.bins, o.seed, o.boundRows, os.Stderr)
		if err != nil {
			return err
		}
		printJSON(rep)
		return nil
	}
	if o.ceiling != 0 {
		rep, err := train.Ceiling(types, o.ceiling, o.bins, o.seed, os.Stderr)
		if err != nil {
			return err
		}
		printJSON(rep)
		return nil
	}
	d, err := loadData(o, types)
	if err != nil || o.genOnly {
		return err
	}
	if o.evalDir != "" {
		return evalOnly(o, types, d)
	}
	report := map[string]any{}
	for _, ct := range types {
		entry, err := trainType(o, ct, d)
		if err != nil {
			return err
		}
		report[ct.String()] = entry
	}
	mp := o.metricsPath
	if mp == "" {
		mp = filepath.Join(o.dataDir, "metrics_"+strings.ReplaceAll(o.typ, ",", "+")+".json")
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// printJSON prints v as indented JSON on stdout.
func printJSON(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "train: writing the JSON report:", err)
		os.Exit(1)
	}
	fmt.Println(string(b))
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
	if _, err := fmt.Sscanf(o.mesh, "%dx%d", &base.MeshX, &base.MeshY); err != nil || base.MeshX < 1 || base.MeshY < 1 {
		return nil, fmt.Errorf("-mesh %q: want NxM", o.mesh)
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
	for _, sp := range []string{"val", "test", "train"} {
		ds, err := train.LoadOrGenerate(o.dataDir, types, d.splits[sp], os.Stderr)
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
		ds, err := train.LoadOrGenerate(o.dataDir, extraTypes[f], r, os.Stderr)
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

// testMetrics evaluates m on the test set, whole and split into its
// independent-Poisson and network parts.
func (d *dataSets) testMetrics(m *surrogate.Model[float32], ct neuron.CellType) (test, poisson, network surrogate.Metrics) {
	ts := d.sets["test"][ct].Samples
	np := min(d.splits["test"].PoissonPer, len(ts))
	return m.Evaluate(ts), m.Evaluate(ts[:np]), m.Evaluate(ts[np:])
}

// loadWeights reads the <cell_type>.safetensors weights in dir.
func loadWeights(dir string, ct neuron.CellType) (*surrogate.Model[float32], error) {
	f, err := os.Open(filepath.Join(dir, ct.String()+".safetensors"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return surrogate.Load[float32](f)
}

// evalOnly prints the test metrics of the weights in -eval.
func evalOnly(o *options, types []neuron.CellType, d *dataSets) error {
	report := map[string]any{}
	for _, ct := range types {
		m, err := loadWeights(o.evalDir, ct)
		if err != nil {
			return err
		}
		test, tp, tn := d.testMetrics(m, ct)
		report[ct.String()] = map[string]any{"test": test, "test_poisson": tp,
			"test_network": tn, "train": map[string]any{"steps": 0, "best_step": 0, "seconds": 0, "spike_threshold_mV": m.SpikeThreshold()}}
	}
	printJSON(report)
	return nil
}

// configFor returns the shipped recipe of a type with the training flags
// given on the command line applied. Only flags that are given change the
// recipe (there are no sentinel values): a value outside the setting's
// range (train.Config) is an error, not "the default".
func (o *options) configFor(ct neuron.CellType) train.Config {
	cfg := train.ConfigFor(ct)
	cfg.Seed, cfg.Log = o.seed, os.Stderr
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

// newModel returns the model to train: a fresh one of the type's (or
// -arch's) architecture, or the -init weights (continued training, which
// keeps their normalisation).
func (o *options) newModel(ct neuron.CellType, cfg *train.Config) (*surrogate.Model[float32], surrogate.Arch, error) {
	arch := surrogate.DefaultArch(ct)
	if o.archFlag != "" {
		if _, err := fmt.Sscanf(o.archFlag, "%d,%d,%d,%d,%d", &arch.ConvChannels, &arch.ConvKernel, &arch.Hidden, &arch.Layers, &arch.HeadHidden); err != nil {
			return nil, arch, fmt.Errorf("-arch %q: %w", o.archFlag, err)
		}
	}
	arch.SpikeHistory = o.spikeHistory
	m, err := surrogate.New[float32](ct, arch, o.seed)
	if err != nil {
		return nil, arch, err
	}
	if o.initDir != "" {
		if m, err = loadWeights(o.initDir, ct); err != nil {
			return nil, arch, err
		}
		arch = m.Arch()
		cfg.KeepNorm = true
	}
	return m, arch, nil
}

// trainType trains one cell type, writes its weights and returns its
// metrics entry.
func trainType(o *options, ct neuron.CellType, d *dataSets) (map[string]any, error) {
	cfg := o.configFor(ct)
	m, arch, err := o.newModel(ct, &cfg)
	if err != nil {
		return nil, err
	}
	tr, val := d.sets["train"][ct].Samples, d.sets["val"][ct].Samples
	fmt.Fprintf(os.Stderr, "%s: %d parameters, %d train / %d val / %d test samples\n", ct, m.NumParams(),
		len(tr), len(val), len(d.sets["test"][ct].Samples))
	res, err := train.Fit(m, tr, val, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ct, err)
	}
	test, tp, tn := d.testMetrics(m, ct)
	entry := map[string]any{"arch": arch, "params": m.NumParams(), "train": res, "test": test,
		"test_poisson": tp, "test_network": tn,
		"data": map[string]string{"train": d.trainDesc[ct], "val": d.splits["val"].String(), "test": d.splits["test"].String()},
		"train_config": map[string]any{"batch": cfg.Batch, "warmup": cfg.WarmUp, "bptt": cfg.BPTT, "steps": cfg.Steps,
			"lr": cfg.LR, "min_lr": cfg.MinLR, "clip": cfg.ClipNorm, "spike_weight": cfg.SpikeWeight, "spike_loss": cfg.SpikeLoss, "spike_pos_weight": cfg.SpikePosWeight, "dropout": cfg.Dropout, "weight_decay": cfg.WeightDecay, "seed": cfg.Seed,
			"spike_smooth": cfg.SpikeSmooth, "spike_smooth_sigma_bins": cfg.SpikeSmoothSigma, "select_by": cfg.SelectBy, "ema": cfg.EMA, "soma_weight": cfg.SomaWeight, "patience": cfg.Patience, "eval_every": cfg.EvalEvery},
		"trained_at": time.Now().UTC().Format(time.RFC3339)}
	if o.initDir != "" {
		entry["init"] = m.Metadata()[surrogate.MetaProvenance]
	}
	prov, _ := json.Marshal(entry)
	m.SetProvenance(string(prov))
	path, err := saveWeights(m, o.outDir, ct)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "%s: %.0f s, test r %v, spikes P %.3f R %.3f (threshold %.1f mV), rate %.2f vs %.2f Hz; wrote %s\n",
		ct, res.Seconds, fmtR(test.R), test.Precision, test.Recall, test.Threshold, test.PredRateHz, test.TrueRateHz, path)
	return entry, nil
}

// saveWeights writes m to dir/<cell_type>.safetensors and returns the path.
func saveWeights(m *surrogate.Model[float32], dir string, ct neuron.CellType) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
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
