package verifyout

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// Setup is what a verification takes over from the optimization it
// checks: the column, the noise drives, the simulated time, the objective
// (dipole, band, warm-up, Welch resolution) and the noise trials the
// optimizer used, which verification must avoid.
type Setup struct {
	Column       *network.Column
	Drives       []network.Drive
	TStop        float64 // ms
	Objective    network.ObjectiveConfig
	ExcludeSeeds []int
	// SpikeSlope is the surrogate network's fast-sigmoid slope (it does not
	// change the forward pass); 0 means the default.
	SpikeSlope float64
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
	Quiet        bool
}

// Register defines the flags on fs, each name prefixed with prefix (""
// for cmd/verify, "verify-" for cmd/optimize).
func (f *Flags) Register(fs *flag.FlagSet, prefix string) {
	fs.StringVar(&f.Seeds, prefix+"seeds", "", fmt.Sprintf("comma-separated held-out noise trials (default %d consecutive trials from %d)", len(network.DefaultVerifySeeds), network.DefaultVerifySeeds[0]))
	fs.IntVar(&f.NSeeds, prefix+"nseeds", len(network.DefaultVerifySeeds), "number of held-out noise trials when -"+prefix+"seeds is not given")
	fs.Float64Var(&f.Dt, prefix+"dt", 0.025, "biophysical time step (ms)")
	fs.IntVar(&f.Parallel, prefix+"parallel", 0, "biophysical simulations run at once (0: GOMAXPROCS); each splits the remaining cores across its cells")
	fs.BoolVar(&f.Surrogate, prefix+"surrogate", true, "also run the shipped surrogate network on the same noise and report its predictions")
	fs.Float64Var(&f.Target, prefix+"target", network.DefaultVerifyTargetRatio, "biophysical band-power gain (optimized / initial) called a success")
	fs.BoolVar(&f.AllowOverlap, prefix+"allow-training-seeds", false, "allow verification seeds that the optimizer trained or evaluated on")
	if prefix == "" {
		fs.BoolVar(&f.Quiet, "quiet", false, "no progress on stderr")
	}
}

// seeds resolves the seed flags.
func (f *Flags) seeds() ([]int, error) {
	if f.Seeds == "" {
		if f.NSeeds < 1 {
			return nil, fmt.Errorf("-nseeds %d: need at least one seed", f.NSeeds)
		}
		out := make([]int, f.NSeeds)
		for i := range out {
			out[i] = network.DefaultVerifySeeds[0] + i
		}
		return out, nil
	}
	var out []int
	for _, s := range strings.Split(f.Seeds, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("-seeds: %q is not a non-negative trial number", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// ShippedSurrogates loads the embedded trained surrogate of every cell type.
func ShippedSurrogates(slope float64) (*network.SurrogateModels[float32], error) {
	s := &network.SurrogateModels[float32]{Options: network.SurrogateOptions{SpikeSlope: slope}}
	for _, ct := range network.CellTypes {
		m, err := surrogate.Shipped[float32](ct.NeuronType())
		if err != nil {
			return nil, fmt.Errorf("loading the shipped %s surrogate: %w", ct, err)
		}
		s.Models[ct] = network.SurrogateCellOf[float32, *surrogate.State[float32]](m)
	}
	return s, nil
}

// Run verifies the optimized against the initial connectivity with the
// setup of the optimization, writing progress lines to progress (nil or
// -quiet: none).
func (f *Flags) Run(setup Setup, initial, optimized *network.Connectivity, progress io.Writer) (*network.VerifyReport, error) {
	seeds, err := f.seeds()
	if err != nil {
		return nil, err
	}
	opts := network.VerifyOptions{
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
	}
	if f.Surrogate {
		s, err := ShippedSurrogates(setup.SpikeSlope)
		if err != nil {
			return nil, fmt.Errorf("%w (run with -surrogate=false to verify without the surrogate's predictions)", err)
		}
		opts.Surrogate = s
	}
	if progress != nil && !f.Quiet {
		start := time.Now()
		fmt.Fprintf(progress, "verify: %d cells, %d seeds x 2 connectivities, %.0f ms each, biophysical at dt %g ms on %d cores%s\n",
			setup.Column.NumCells(), len(seeds), setup.TStop, f.Dt, runtime.GOMAXPROCS(0), map[bool]string{true: ", with the surrogate network", false: ""}[f.Surrogate])
		opts.Progress = func(msg string) {
			fmt.Fprintf(progress, "%s [%.0f s]\n", msg, time.Since(start).Seconds())
		}
	}
	return network.Verify(opts)
}
