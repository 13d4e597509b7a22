package train

import (
	"fmt"
	"io"
	"math/rand/v2"
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
}

func (r Recipe) String() string {
	return fmt.Sprintf("split=%s seed=%d poisson=%d netruns=%d pick_pyr=%d pick_basket=%d bins=%d mesh=%dx%d log10_gain_span=%g",
		r.Split, r.Seed, r.PoissonPer, r.NetRuns, r.PickPyr, r.PickBasket, r.Bins, r.MeshX, r.MeshY, r.LogGainSpan)
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
	}
	return 4 << 40
}

func datasetPath(dir string, ct neuron.CellType, split string) string {
	return filepath.Join(dir, fmt.Sprintf("%s_%s.ds", ct, split))
}

// LoadOrGenerate returns the datasets of one split for the given cell types,
// reading them from dir when a file with the same recipe exists and
// generating (and caching) them otherwise.
func LoadOrGenerate(dir string, types []neuron.CellType, r Recipe, log io.Writer) (map[neuron.CellType]*Dataset, error) {
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
	gen, err := Generate(r, log)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, ct := range neuron.CellTypes {
		if err := gen[ct].Save(datasetPath(dir, ct, r.Split)); err != nil {
			return nil, err
		}
	}
	for _, ct := range types {
		out[ct] = gen[ct]
	}
	return out, nil
}

// Generate simulates one split for all four cell types, reporting progress
// to log (nil: none).
func Generate(r Recipe, log io.Writer) (map[neuron.CellType]*Dataset, error) {
	start := time.Now()
	out := map[neuron.CellType]*Dataset{}
	for _, ct := range neuron.CellTypes {
		d, err := NewDataset(ct, r.Bins, r.String())
		if err != nil {
			return nil, err
		}
		out[ct] = d
	}
	stream := splitStream(r.Split)
	// Independent Poisson regime, all types in one parallel loop.
	type job struct {
		ct neuron.CellType
		i  int
	}
	var jobs []job
	for _, ct := range neuron.CellTypes {
		for i := 0; i < r.PoissonPer; i++ {
			jobs = append(jobs, job{ct, i})
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
		typeIdx := uint64(0)
		for k, c := range neuron.CellTypes {
			if c == jb.ct {
				typeIdx = uint64(k)
			}
		}
		rng := rand.New(rand.NewPCG(r.Seed, stream+typeIdx<<20+uint64(jb.i)))
		evs, err := PoissonEvents(jb.ct, DefaultPoissonConfig(jb.ct), r.Bins, rng)
		if err != nil {
			errs[j] = err
			return
		}
		samples[j], errs[j] = Simulate(jb.ct, evs, r.Bins)
	})
	for j, jb := range jobs {
		if errs[j] != nil {
			return nil, errs[j]
		}
		out[jb.ct].Samples = append(out[jb.ct].Samples, samples[j])
	}
	pick := map[neuron.CellType]int{neuron.L2Pyramidal: r.PickPyr, neuron.L5Pyramidal: r.PickPyr,
		neuron.L2Basket: r.PickBasket, neuron.L5Basket: r.PickBasket}
	for run := 0; run < r.NetRuns; run++ {
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

// logf writes a progress line to w unless it is nil.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
