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

func run(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	typ := fs.String("type", "all", "cell type(s), comma separated, or all")
	dataDir := fs.String("data", "cache/surrogate", "dataset cache directory")
	seed := fs.Uint64("seed", 1, "seed of data generation and training")
	poisson := fs.Int("poisson", 160, "independent-Poisson training samples (1 s) per cell type")
	netRuns := fs.Int("netruns", 8, "biophysical network runs for the training set")
	pickPyr := fs.Int("pick-pyr", 15, "pyramidal cells per type re-simulated from each training network run")
	bins := fs.Int("bins", 2000, "bins (0.5 ms) per sample")
	mesh := fs.String("mesh", "10x5", "pyramidal mesh of the network runs")
	valPoisson := fs.Int("val-poisson", 20, "independent-Poisson samples per type in the validation set")
	valNetRuns := fs.Int("val-netruns", 2, "network runs for the validation set")
	testPoisson := fs.Int("test-poisson", 80, "independent-Poisson samples per type in the test set")
	testNetRuns := fs.Int("test-netruns", 8, "network runs for the test set")
	extraSeeds := fs.String("extra-seeds", "shipped", "comma-separated additional training sets (split train<seed>), each seed[:poisson:netruns[:gain-span]] (defaults: the -extra-* flags); \"shipped\": the pyramidal types get "+shippedExtraSeeds+" and the baskets none; \"\": none")
	extraPoisson := fs.Int("extra-poisson", 300, "independent-Poisson samples per type in each additional training set")
	extraNetRuns := fs.Int("extra-netruns", 10, "network runs in each additional training set")
	extraPick := fs.Int("extra-pick-pyr", 40, "pyramidal cells per type and run in each additional training set")
	extraSpan := fs.Float64("extra-gain-span", 1, "network runs of the additional training sets draw connection gains 10^U(-span, span)")
	genOnly := fs.Bool("gen-only", false, "only generate (or check) the datasets")
	outDir := fs.String("out", "neuron/surrogate/weights", "directory for the <cell_type>.safetensors weights")
	metricsPath := fs.String("metrics", "", "metrics JSON (default <data>/metrics_<types>.json)")
	steps := fs.Int("steps", 0, "maximum optimizer steps per cell type (default: the library's for the type)")
	minutes := fs.Float64("minutes", 0, "wall-clock cap per cell type, minutes (default: the library's for the type)")
	batch := fs.Int("batch", 0, "windows per mini-batch (default: the library's for the type)")
	warmup := fs.Int("warmup", 0, "warm-up bins per window (default: the library's)")
	bptt := fs.Int("bptt", 0, "backpropagation-through-time bins per window (default: the library's)")
	lr := fs.Float64("lr", 0, "peak learning rate (default: the library's)")
	spikeWeight := fs.Float64("spike-weight", 0, "extra MSE weight of bins near somatic spikes (default: the library's)")
	dropout := fs.Float64("dropout", 0, "LSTM inter-layer dropout while training (default: the library's)")
	weightDecay := fs.Float64("weight-decay", 0, "AdamW weight decay (default: the library's)")
	spikePos := fs.Float64("spike-pos", 0, "extra cross-entropy weight of spike bins (default: the library's)")
	spikeLoss := fs.Float64("spike-loss", 0, "weight of the spike-logit cross-entropy (default: the library's)")
	somaWeight := fs.Float64("soma-weight", 0, "MSE weight of the somatic voltage relative to the other outputs (default: the library's)")
	patience := fs.Int("patience", 0, "validation evaluations without improvement before stopping (default: the library's)")
	evalEvery := fs.Int("eval-every", 0, "optimizer steps between validation evaluations (default: the library's)")
	selectBy := fs.String("select", "", "keep the parameters with the best validation \"loss\" or \"score\" (default: the library's)")
	spikeSmooth := fs.Float64("spike-smooth", 0, "weight of the timing-tolerant (Gaussian-smoothed) spike term (default: the library's)")
	ema := fs.Float64("ema", 0, "decay in [0, 1) per step of the moving average of the parameters that is validated and kept (0: off; default: the library's, off)")
	spikeSigma := fs.Float64("spike-smooth-sigma", 0, "width (bins) of the spike term's Gaussian (default: the library's)")
	initDir := fs.String("init", "", "start from the <cell_type>.safetensors weights in this directory (continued training)")
	evalDir := fs.String("eval", "", "only evaluate the <cell_type>.safetensors weights in this directory on the test set")
	spikeHistory := fs.Int("spike-history", 0, "traces of the model's own spike onsets fed back as inputs (0: none; docs/surrogate.md)")
	historyTeacher := fs.Bool("history-teacher", false, "with -spike-history: train on the biophysical spikes' traces (teacher forcing) instead of the model's own")
	ceiling := fs.Int("ceiling", 0, "only measure, on this many independent-Poisson samples per type, how closely any surrogate seeing 0.5 ms bins could follow the cell, and how the soma's r depends on spike timing (JSON on stdout)")
	historySchedule := fs.Float64("history-schedule", 0, "with -spike-history: teacher-force a mini-batch with probability 1 - step/(this·steps), else run free (scheduled sampling; 0: off; default: the library's, off)")
	archFlag := fs.String("arch", "", "override the architecture: conv_channels,conv_kernel,hidden,layers,head_hidden")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage of train (training flags left out keep the cell type's recipe, train.ConfigFor; a given value is used as is and must be in the setting's range):")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	types, err := parseTypes(*typ)
	if err != nil {
		return err
	}
	if *ceiling != 0 {
		rep, err := train.Ceiling(types, *ceiling, *bins, *seed, os.Stderr)
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Println(string(b))
		return nil
	}
	base := train.Recipe{Seed: *seed, Bins: *bins, LogGainSpan: 1, PickPyr: 15, PickBasket: 16}
	if _, err := fmt.Sscanf(*mesh, "%dx%d", &base.MeshX, &base.MeshY); err != nil || base.MeshX < 1 || base.MeshY < 1 {
		return fmt.Errorf("-mesh %q: want NxM", *mesh)
	}
	splits := map[string]train.Recipe{}
	for _, sp := range []string{"train", "val", "test"} {
		r := base
		r.Split = sp
		r.PoissonPer, r.NetRuns = *valPoisson, *valNetRuns
		if sp == "test" {
			r.PoissonPer, r.NetRuns = *testPoisson, *testNetRuns
		}
		if sp == "train" {
			r.PoissonPer, r.NetRuns, r.PickPyr = *poisson, *netRuns, *pickPyr
		}
		splits[sp] = r
	}
	data := map[string]map[neuron.CellType]*train.Dataset{}
	for _, sp := range []string{"val", "test", "train"} {
		d, err := train.LoadOrGenerate(*dataDir, types, splits[sp], os.Stderr)
		if err != nil {
			return err
		}
		data[sp] = d
	}
	trainDesc := map[neuron.CellType]string{}
	for _, ct := range types {
		trainDesc[ct] = splits["train"].String()
	}
	var extraOrder []string
	extraTypes := map[string][]neuron.CellType{}
	for _, ct := range types {
		if e := extraSetsFor(ct, *extraSeeds); e != "" && *evalDir == "" { // -eval needs only the test set
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
		r.PoissonPer, r.NetRuns, r.PickPyr, r.LogGainSpan = *extraPoisson, *extraNetRuns, *extraPick, *extraSpan
		sd, err := parseExtraSet(f, &r)
		if err != nil {
			return fmt.Errorf("-extra-seeds %q: %w", *extraSeeds, err)
		}
		r.Split, r.Seed = fmt.Sprintf("train%d", sd), sd
		d, err := train.LoadOrGenerate(*dataDir, extraTypes[f], r, os.Stderr)
		if err != nil {
			return err
		}
		for _, ct := range extraTypes[f] {
			data["train"][ct].Samples = append(data["train"][ct].Samples, d[ct].Samples...)
			trainDesc[ct] += " + " + r.String()
		}
	}
	if *genOnly {
		return nil
	}
	if *evalDir != "" {
		report := map[string]any{}
		for _, ct := range types {
			f, err := os.Open(filepath.Join(*evalDir, ct.String()+".safetensors"))
			if err != nil {
				return err
			}
			m, err := surrogate.Load[float32](f)
			f.Close()
			if err != nil {
				return err
			}
			ts := data["test"][ct].Samples
			np := min(splits["test"].PoissonPer, len(ts))
			report[ct.String()] = map[string]any{"test": m.Evaluate(ts), "test_poisson": m.Evaluate(ts[:np]),
				"test_network": m.Evaluate(ts[np:]), "train": map[string]any{"steps": 0, "best_step": 0, "seconds": 0, "spike_threshold_mV": m.SpikeThreshold()}}
		}
		b, _ := json.MarshalIndent(report, "", "  ")
		fmt.Println(string(b))
		return nil
	}
	// configFor returns the shipped recipe of a type with the training
	// flags given on the command line applied. Only flags that are given
	// change the recipe (there are no sentinel values): a value outside the
	// setting's range (train.Config) is an error, not "the default".
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	configFor := func(ct neuron.CellType) train.Config {
		cfg := train.ConfigFor(ct)
		cfg.Seed, cfg.Log = *seed, os.Stderr
		for _, o := range []struct {
			flag string
			dst  *int
			v    int
		}{{"steps", &cfg.Steps, *steps}, {"batch", &cfg.Batch, *batch}, {"warmup", &cfg.WarmUp, *warmup},
			{"bptt", &cfg.BPTT, *bptt}, {"patience", &cfg.Patience, *patience}, {"eval-every", &cfg.EvalEvery, *evalEvery}} {
			if given[o.flag] {
				*o.dst = o.v
			}
		}
		for _, o := range []struct {
			flag string
			dst  *float64
			v    float64
		}{{"lr", &cfg.LR, *lr}, {"soma-weight", &cfg.SomaWeight, *somaWeight}, {"spike-smooth-sigma", &cfg.SpikeSmoothSigma, *spikeSigma},
			{"spike-weight", &cfg.SpikeWeight, *spikeWeight}, {"dropout", &cfg.Dropout, *dropout}, {"weight-decay", &cfg.WeightDecay, *weightDecay},
			{"spike-pos", &cfg.SpikePosWeight, *spikePos}, {"spike-loss", &cfg.SpikeLoss, *spikeLoss}, {"spike-smooth", &cfg.SpikeSmooth, *spikeSmooth},
			{"ema", &cfg.EMA, *ema}, {"history-schedule", &cfg.HistorySchedule, *historySchedule}} {
			if given[o.flag] {
				*o.dst = o.v
			}
		}
		if given["minutes"] {
			cfg.MaxDuration = time.Duration(*minutes * float64(time.Minute))
		}
		if given["select"] {
			cfg.SelectBy = *selectBy
		}
		cfg.HistoryTeacher = *historyTeacher
		return cfg
	}
	report := map[string]any{}
	for _, ct := range types {
		cfg := configFor(ct)
		arch := surrogate.DefaultArch(ct)
		if *archFlag != "" {
			if _, err := fmt.Sscanf(*archFlag, "%d,%d,%d,%d,%d", &arch.ConvChannels, &arch.ConvKernel, &arch.Hidden, &arch.Layers, &arch.HeadHidden); err != nil {
				return fmt.Errorf("-arch %q: %w", *archFlag, err)
			}
		}
		arch.SpikeHistory = *spikeHistory
		m, err := surrogate.New[float32](ct, arch, *seed)
		if err != nil {
			return err
		}
		if *initDir != "" {
			f, err := os.Open(filepath.Join(*initDir, ct.String()+".safetensors"))
			if err != nil {
				return err
			}
			m, err = surrogate.Load[float32](f)
			f.Close()
			if err != nil {
				return err
			}
			arch = m.Arch()
			cfg.KeepNorm = true
		}
		fmt.Fprintf(os.Stderr, "%s: %d parameters, %d train / %d val / %d test samples\n", ct, m.NumParams(),
			len(data["train"][ct].Samples), len(data["val"][ct].Samples), len(data["test"][ct].Samples))
		res, err := train.Fit(m, data["train"][ct].Samples, data["val"][ct].Samples, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", ct, err)
		}
		ts := data["test"][ct].Samples
		test := m.Evaluate(ts)
		np := min(splits["test"].PoissonPer, len(ts))
		entry := map[string]any{"arch": arch, "params": m.NumParams(), "train": res, "test": test,
			"test_poisson": m.Evaluate(ts[:np]), "test_network": m.Evaluate(ts[np:]),
			"data": map[string]string{"train": trainDesc[ct], "val": splits["val"].String(), "test": splits["test"].String()},
			"train_config": map[string]any{"batch": cfg.Batch, "warmup": cfg.WarmUp, "bptt": cfg.BPTT, "steps": cfg.Steps,
				"lr": cfg.LR, "min_lr": cfg.MinLR, "clip": cfg.ClipNorm, "spike_weight": cfg.SpikeWeight, "spike_loss": cfg.SpikeLoss, "spike_pos_weight": cfg.SpikePosWeight, "dropout": cfg.Dropout, "weight_decay": cfg.WeightDecay, "seed": cfg.Seed,
				"spike_smooth": cfg.SpikeSmooth, "spike_smooth_sigma_bins": cfg.SpikeSmoothSigma, "select_by": cfg.SelectBy, "ema": cfg.EMA, "soma_weight": cfg.SomaWeight, "patience": cfg.Patience, "eval_every": cfg.EvalEvery},
			"trained_at": time.Now().UTC().Format(time.RFC3339)}
		if *initDir != "" {
			entry["init"] = m.Metadata()[surrogate.MetaProvenance]
		}
		report[ct.String()] = entry
		prov, _ := json.Marshal(entry)
		m.SetProvenance(string(prov))
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			return err
		}
		path := filepath.Join(*outDir, ct.String()+".safetensors")
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := m.Save(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %.0f s, test r %v, spikes P %.3f R %.3f (threshold %.1f mV), rate %.2f vs %.2f Hz; wrote %s\n",
			ct, res.Seconds, fmtR(test.R), test.Precision, test.Recall, test.Threshold, test.PredRateHz, test.TrueRateHz, path)
	}
	mp := *metricsPath
	if mp == "" {
		mp = filepath.Join(*dataDir, "metrics_"+strings.ReplaceAll(*typ, ",", "+")+".json")
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
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
