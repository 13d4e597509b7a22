package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// Recipe sets the size of one split of the training data.
type Recipe struct {
	Split       string // "train", "val", "test"
	Seed        uint64 // base seed; splits use disjoint streams
	PoissonPer  int    // independent-Poisson samples per cell type
	NetRuns     int    // biophysical network runs
	PickPyr     int    // pyramidal cells re-simulated per type and run
	PickBasket  int    // basket cells re-simulated per type and run
	Bins        int    // bins per sample (1 s = 2000)
	MeshX       int
	MeshY       int
	LogGainSpan float64
	// Regime "" draws the training-style independent-Poisson inputs for the
	// PoissonPer samples; "hnn" draws hnn-core's drives instead
	// (HNNDriveEvents; contiguous thirds evoked, poisson, bursty).
	Regime string
}

func (r Recipe) String() string {
	return fmt.Sprintf("split=%s seed=%d poisson=%d netruns=%d pick_pyr=%d pick_basket=%d bins=%d mesh=%dx%d log10_gain_span=%g",
		r.Split, r.Seed, r.PoissonPer, r.NetRuns, r.PickPyr, r.PickBasket, r.Bins, r.MeshX, r.MeshY, r.LogGainSpan) + r.regimeString()
}

// regimeString is the recipe's regime as it appears in String ("" for the
// default, so that older recipes keep their text and their caches).
func (r Recipe) regimeString() string {
	if r.Regime == "" {
		return ""
	}
	return " regime=" + r.Regime
}

// splitStream separates the random streams of the splits.
func splitStream(split string) uint64 {
	switch split {
	case "train":
		return 1 << 40
	case "val":
		return 2 << 40
	case "test":
		return 3 << 40
	case "test_hnn":
		return 5 << 40
	}
	return 4 << 40
}

func datasetPath(dir string, ct neuron.CellType, split string) string {
	return filepath.Join(dir, fmt.Sprintf("%s_%s.ds", ct, split))
}

// LoadOrGenerate returns the datasets of one split for the given cell types,
// reading them from dir when a file with the same recipe exists and
// generating (and caching) them otherwise, with Generate.
func LoadOrGenerate(dir string, types []neuron.CellType, r Recipe, log io.Writer) (map[neuron.CellType]*Dataset, error) {
	return LoadOrGenerateWith(dir, types, r, Generate, log)
}

// Generator simulates a whole split for all four cell types, as Generate
// does (cmd/train's -queue generator runs its shards as batch jobs).
type Generator func(r Recipe, log io.Writer) (map[neuron.CellType]*Dataset, error)

// LoadOrGenerateWith is LoadOrGenerate with the split's simulations made
// by gen.
func LoadOrGenerateWith(dir string, types []neuron.CellType, r Recipe, gen Generator, log io.Writer) (map[neuron.CellType]*Dataset, error) {
	out := map[neuron.CellType]*Dataset{}
	missing := false
	for _, ct := range types {
		d, err := LoadDataset(datasetPath(dir, ct, r.Split))
		if err == nil && d.Recipe == r.String() {
			out[ct] = d
			continue
		}
		missing = true
	}
	if !missing {
		return out, nil
	}
	// Network runs produce every type at once: generate all types together.
	all, err := gen(r, log)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, ct := range neuron.CellTypes {
		if all[ct] == nil {
			return nil, fmt.Errorf("train: the generator made no %s dataset for split %s", ct, r.Split)
		}
		if err := all[ct].Save(datasetPath(dir, ct, r.Split)); err != nil {
			return nil, err
		}
	}
	for _, ct := range types {
		out[ct] = all[ct]
	}
	return out, nil
}

// Generate simulates one split for all four cell types, reporting progress
// to log (nil: none). It is GenerateShard of the whole split.
func Generate(r Recipe, log io.Writer) (map[neuron.CellType]*Dataset, error) {
	return GenerateShard(r, r.Whole(), log)
}

// GenerateShard simulates one shard of a split for all four cell types: the
// independent-Poisson samples sh.PoissonFrom ≤ i < sh.PoissonTo of every
// type and the network runs sh.NetFrom ≤ run < sh.NetTo. Every sample's
// random stream depends only on the recipe and its index, so the shards of
// a split, merged in order by MergeShards, are the split Generate makes.
// The datasets carry the whole split's recipe.
func GenerateShard(r Recipe, sh Shard, log io.Writer) (map[neuron.CellType]*Dataset, error) {
	if err := sh.Check(r); err != nil {
		return nil, err
	}
	start := time.Now()
	out := map[neuron.CellType]*Dataset{}
	for _, ct := range neuron.CellTypes {
		d, err := NewDataset(ct, r.Bins, r.String())
		if err != nil {
			return nil, err
		}
		out[ct] = d
	}
	if err := poissonSamples(r, sh, out, start, log); err != nil {
		return nil, err
	}
	stream := splitStream(r.Split)
	pick := map[neuron.CellType]int{neuron.L2Pyramidal: r.PickPyr, neuron.L5Pyramidal: r.PickPyr,
		neuron.L2Basket: r.PickBasket, neuron.L5Basket: r.PickBasket}
	for run := sh.NetFrom; run < sh.NetTo; run++ {
		got, rates, err := NetworkRun(NetRunConfig{MeshX: r.MeshX, MeshY: r.MeshY, LogGainSpan: r.LogGainSpan, Bins: r.Bins},
			r.Seed^(stream+uint64(run)*0x9e3779b97f4a7c15), pick)
		if err != nil {
			return nil, fmt.Errorf("network run %d: %w", run, err)
		}
		for ct, ss := range got {
			out[ct].Samples = append(out[ct].Samples, ss...)
		}
		logf(log, "data %s: network run %d/%d:%s, %.0f s\n", r.Split, run+1, r.NetRuns, rates, time.Since(start).Seconds())
	}
	return out, nil
}

// poissonSamples simulates the shard's independent-Poisson samples of every
// type, all types in one parallel loop, appending them to out in order.
func poissonSamples(r Recipe, sh Shard, out map[neuron.CellType]*Dataset, start time.Time, log io.Writer) error {
	type job struct {
		typeIdx int
		i       int
	}
	var jobs []job
	for k := range neuron.CellTypes {
		for i := sh.PoissonFrom; i < sh.PoissonTo; i++ {
			jobs = append(jobs, job{k, i})
		}
	}
	samples := make([]*surrogate.Sample, len(jobs))
	errs := make([]error, len(jobs))
	done := make(chan struct{}, len(jobs))
	go func() {
		for k := 1; k <= len(jobs); k++ {
			<-done
			if k%50 == 0 || k == len(jobs) {
				logf(log, "data %s: poisson %d/%d samples, %.0f s\n", r.Split, k, len(jobs), time.Since(start).Seconds())
			}
		}
	}()
	parallel.For(len(jobs), 0, func(j int) {
		defer func() { done <- struct{}{} }()
		jb := jobs[j]
		ct := neuron.CellTypes[jb.typeIdx]
		evs, err := r.PoissonSampleEvents(ct, jb.i)
		if err != nil {
			errs[j] = err
			return
		}
		samples[j], errs[j] = Simulate(ct, evs, r.Bins)
	})
	for j, jb := range jobs {
		if errs[j] != nil {
			return errs[j]
		}
		ct := neuron.CellTypes[jb.typeIdx]
		out[ct].Samples = append(out[ct].Samples, samples[j])
	}
	return nil
}

// logf writes a progress line to w unless it is nil.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
