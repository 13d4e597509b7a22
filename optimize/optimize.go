package optimize

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
)

// Defaults of Config.
const (
	DefaultEpochs       = 10
	DefaultLearningRate = 0.2 // Adam step on log10 gains: at most a factor 10^0.2 = 1.58 per epoch
	DefaultClipNorm     = 10.0
	DefaultMaxRate      = 100.0 // Hz: firing above it is reported as runaway
	DefaultHeldOutTrial = 100000
	// DefaultRestarts is cmd/optimize's number of restarts (Config.Restarts
	// itself defaults to 1): with 3, the default run found the gamma regime on
	// each of seeds 1-9, with 1 on six of them (docs/optimize.md).
	DefaultRestarts = 3
	// DefaultValidationTrial is the first drive trial of the noise that
	// chooses among restarts (Config.Validation).
	DefaultValidationTrial = 150000
)

// Explicit values of Config's sentinel fields.
const (
	// NoClip, as Config.ClipNorm (or any negative value), turns gradient
	// clipping off; 0 means DefaultClipNorm.
	NoClip = -1.0
	// HeldOutEndsOnly, as Config.HeldOutEvery (or any negative value),
	// evaluates the held-out noise only before and after training; 0 means
	// after every epoch.
	HeldOutEndsOnly = -1
)

// DefaultHeldOut returns the held-out trials of a nil Config.HeldOut: three
// trials from DefaultHeldOutTrial.
func DefaultHeldOut() []int {
	return []int{DefaultHeldOutTrial, DefaultHeldOutTrial + 1, DefaultHeldOutTrial + 2}
}

// DefaultValidation returns the validation trials of a nil
// Config.Validation: three trials from DefaultValidationTrial.
func DefaultValidation() []int {
	return []int{DefaultValidationTrial, DefaultValidationTrial + 1, DefaultValidationTrial + 2}
}

// Config configures Run.
type Config struct {
	Epochs int     // number of Adam steps, one per epoch; 0 means DefaultEpochs
	LR     float64 // Adam learning rate on the log10 parameters; 0 means DefaultLearningRate
	// ClipNorm limits the global L2 norm of the gradient before each step;
	// 0 means DefaultClipNorm, NoClip (any negative value) means no
	// clipping.
	ClipNorm float64
	// TrainTrial is the drive trial of epoch 0's noise; epoch e uses trials
	// TrainTrial + e·TrainReplicas, …, so every epoch draws fresh noise.
	TrainTrial int
	// RepeatTrials makes every epoch of a restart train on the same noise,
	// the trials of its first epoch, as hnn-core's Optimizer re-simulates
	// the same seeds: the loss is then a deterministic function of the
	// parameters (fitting a measured ERP on the trials it was measured on).
	RepeatTrials bool
	// TrainReplicas is the number of independent noise realisations simulated
	// (as one batch) per epoch; the loss is their mean. 0 means 1.
	TrainReplicas int
	// HeldOut lists the drive trials of the held-out noise, evaluated before
	// training, every HeldOutEvery epochs and after training. nil means
	// DefaultHeldOut() (three trials from DefaultHeldOutTrial); an empty
	// but non-nil slice, []int{}, means no held-out evaluation. They must
	// not overlap the training trials.
	HeldOut []int
	// HeldOutEvery is the number of epochs between held-out evaluations
	// during training; 0 means every epoch, HeldOutEndsOnly (any negative
	// value) only before and after training.
	HeldOutEvery int
	// Restarts is the number of independent optimizations, each from the
	// initial parameters with its own training noise (restart r, 0-based,
	// starts at trial TrainTrial + r·Epochs·TrainReplicas); the one whose
	// final parameters give the lowest loss on the Validation trials is
	// kept. The loss landscape is rugged (one noisy first Adam step can
	// decide between regimes), so several restarts make the outcome more
	// reliable at a proportional cost. 0 means 1 (no validation runs).
	Restarts int
	// Workers is the number of restarts run at once, each on its own Clone
	// of the network (0 or 1: one after another). The results are identical
	// for any number of workers; the network's models must be safe for
	// concurrent stepping, as frozen surrogate models are (those of
	// snn.ShippedCells, snn.LoadCells and snn.RandomCells).
	// With several workers, Progress and Warn are called from the workers'
	// goroutines, one call at a time, so different restarts' epochs
	// interleave; RestartDone still receives the restarts in order.
	Workers int
	// Validation lists the drive trials that choose among restarts; nil
	// means DefaultValidation() (three trials from DefaultValidationTrial),
	// an empty slice is an error with several restarts. They must not
	// overlap the training or held-out trials. Unused with one restart.
	Validation []int
	// MaxRate is the firing rate (Hz) above which a cell type's firing is
	// reported as runaway; 0 means DefaultMaxRate.
	MaxRate float64
	// Progress, when not nil, receives each epoch's figures as soon as they
	// are known.
	Progress func(EpochStats)
	// RestartDone, when not nil, receives each restart's validation figures
	// as soon as they are known (several restarts only; Kept is not final
	// until the last).
	RestartDone func(RestartResult)
	// Warn, when not nil, receives warnings (silence, runaway firing).
	Warn func(string)
	// Checkpoint is the segment length (steps) of checkpointed
	// backpropagation through time (snn.Net.RunCheckpointed): the training
	// runs keep one segment's tape and a checkpoint per segment instead of
	// the whole run's tape, at the cost of recomputing each segment once,
	// with the same gradients to the bit. 0 means
	// snn.DefaultCheckpointEvery (√steps); NoCheckpoint (any negative
	// value) keeps the whole tape (snn.Net.Run), as do models whose state
	// cannot be checkpointed.
	Checkpoint int
	// CheckpointKeep is the number of final segments whose tapes the
	// forward pass keeps instead of recomputing them
	// (snn.CheckpointOptions.Keep): more memory, less time (each kept
	// segment saves its recomputation, the cost of its forward pass). 0
	// (the default) keeps as many as fit in CheckpointMemory.
	CheckpointKeep int
	// CheckpointMemory is the memory (bytes) the kept segments' tapes of
	// the restarts run at once may take together, when CheckpointKeep is
	// 0: each training run keeps the last segments that fit in its share
	// (snn.KeepFitting; at least one). 0 means DefaultCheckpointMemory;
	// negative keeps the last segment only (the least memory, the most
	// time).
	CheckpointMemory int64
	// MemoryBudget, when positive, bounds the memory (bytes) the concurrent
	// restarts may take together: Workers is lowered (to at least 1) until
	// Workers·EstimateRestartMemory fits.
	MemoryBudget int64
	// RateBounds are firing-rate constraints per cell type, [lo, hi] Hz of
	// the training run's mean rate: each epoch reports the violated ones
	// (EpochStats.RateViolations) and Result.RateViolations those of the
	// held-out evaluation after training. A
	// cell type without an entry is unconstrained.
	RateBounds map[neuron.CellType][2]float64
	// Bounds are boxes on the parameters (LogBounds maps a ParamSpace onto
	// them): the initial parameters are clipped into them, and so is every
	// Adam step (a projected gradient method); EpochStats.AtBounds names
	// the parameters the step clipped.
	Bounds []Bound
}

// DefaultCheckpointMemory is Config.CheckpointMemory's default: 900 MiB for
// the kept segments' tapes of all the restarts at once, which keeps 28 of
// the default run's 35 segments (two restarts at once, 16 MB per kept
// segment) and recomputes 7, and leaves the whole default run under 1.5 GB.
const DefaultCheckpointMemory int64 = 900 << 20

// NoCheckpoint, as Config.Checkpoint (or any negative value), turns
// checkpointing off: the whole run's tape is kept for the backward pass.
const NoCheckpoint = -1

// Evaluation is the outcome of a run on held-out noise (no gradient).
type Evaluation struct {
	Trials        []int
	BandPower     []float64 // per trial, nAm² (absolute band power of the objective's dipole)
	MeanBandPower float64   // nAm²
	Loss          float64   // the objective, averaged over the trials
	Rates         [neuron.NumCellTypes]float64
	Freqs         []float64       // Hz
	MeanPSD       []float64       // nAm²/Hz, mean over trials
	Dipole        [3][]float64    // first trial: aggregate, L2/3, L5 (nAm), sample m at (m+1)·dt
	Spikes        []network.Spike // first trial
	Seconds       float64
}

// EpochStats are the figures of one training epoch.
type EpochStats struct {
	Restart        int       // 1-based (Config.Restarts)
	Epoch          int       // 1-based
	Trials         []int     // training noise
	Loss           float64   // before the update
	TrainBandPower float64   // mean over the training replicas (nAm²), before the update
	GradNorm       float64   // before clipping
	Params         []float64 // log10 parameters after the update: snn.Net.Trainable(), concatenated
	Gains          []float64 // class gains after the update
	DriveGains     []float64 // drive classes' gains after the update, when trained
	AtBounds       []string  // parameters the update's projection clipped onto their bounds
	RateViolations []string  // Config.RateBounds violated by the epoch's training run, e.g. "L5_pyramidal 68.0 Hz > 40"
	Rates          [neuron.NumCellTypes]float64
	Spikes         int
	Seconds        float64     // forward, backward and update
	HeldOut        *Evaluation // after the update, when evaluated
	Warnings       []string
}

// Result is the history of an optimization.
type Result struct {
	Initial, Final *Evaluation
	Epochs         []EpochStats // the kept restart's
	InitialGains   []float64
	FinalGains     []float64
	// InitialDriveGains and FinalDriveGains are the drive classes' gains
	// (snn.Net.DriveClasses) when they are trained (snn.Options.DriveParams),
	// else nil.
	InitialDriveGains, FinalDriveGains []float64
	// RateViolations are Config.RateBounds violated by the held-out
	// evaluation after training (empty: all satisfied).
	RateViolations []string
	// InitialParams are the log10 parameters every restart started from
	// (snn.Net.Trainable, concatenated; bounds applied).
	InitialParams []float64
	Restarts      []RestartResult // one per restart when there are several
	Validation    []int           // the trials that chose among restarts
	Seconds       float64         // whole optimization, evaluations included
}

// RestartResult summarises one restart of a multi-start optimization.
type RestartResult struct {
	Restart             int   // 1-based
	Trials              []int // training trials, in order
	FinalGains          []float64
	FinalDriveGains     []float64 // when drive gains are trained
	ValidationLoss      float64   // the objective on the validation trials after the last epoch
	ValidationBandPower float64   // nAm², mean over the validation trials
	Kept                bool
}

// UsedTrials returns every drive trial the optimization trained on,
// validated on or evaluated as held-out noise, so that a later check (the
// biophysical verification) can avoid them.
func (r *Result) UsedTrials() []int {
	var out []int
	if len(r.Restarts) > 0 {
		for _, rr := range r.Restarts {
			out = append(out, rr.Trials...)
		}
	} else {
		for _, e := range r.Epochs {
			out = append(out, e.Trials...)
		}
	}
	for _, ev := range []*Evaluation{r.Initial, r.Final} {
		if ev != nil {
			out = append(out, ev.Trials...)
		}
	}
	return append(out, r.Validation...)
}

// Run trains the surrogate network's parameters (sn.Params) with Adam
// over full backpropagation through time to minimise the objective: each
// epoch simulates fresh drive noise, back-propagates the loss through the
// whole run and takes one (clipped) Adam step. Held-out noise is evaluated
// before, during and after training so that improvements can be told from
// fits to one noise realisation. It stops with an error naming the epoch and
// the parameter when the loss or a gradient is NaN or infinite; silence (no
// spikes, hence no gradient) and runaway firing are reported through Warn and
// in the epoch's Warnings. With Restarts > 1 it runs that many independent
// optimizations from the initial parameters, each on fresh training noise,
// and keeps the one with the lowest loss on the validation trials (never on
// the held-out ones, which only report).
func Run[T autograd.Float](sn *snn.Net[T], obj Objective[T], cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	for ct, b := range cfg.RateBounds {
		if !ct.Valid() || math.IsNaN(b[0]) || math.IsNaN(b[1]) || b[0] < 0 || b[0] > b[1] {
			return nil, fmt.Errorf("network: firing-rate bounds %v Hz for %v: want 0 <= lo <= hi", b, ct)
		}
	}
	n := len(flatParams(sn))
	for _, b := range cfg.Bounds {
		if b.Index < 0 || b.Index >= n || math.IsNaN(b.Lo) || math.IsNaN(b.Hi) || b.Lo > b.Hi {
			return nil, fmt.Errorf("network: bound %q on parameter %d of %d: [%v, %v]", b.Name, b.Index, n, b.Lo, b.Hi)
		}
	}
	if clipped := projectNet(cfg.Bounds, sn); len(clipped) > 0 && cfg.Warn != nil {
		cfg.Warn(fmt.Sprintf("initial parameters outside their bounds, clipped: %s", strings.Join(clipped, ", ")))
	}
	o := &optimizer[T]{cfg: cfg, sn: sn, obj: obj}
	return o.run()
}

// projectNet clips net's trainable parameters into bounds and returns the
// names of those that were outside.
func projectNet[T autograd.Float](bounds []Bound, net *snn.Net[T]) []string {
	if len(bounds) == 0 {
		return nil
	}
	tr := net.Trainable()
	return project(bounds, func(i int) *T {
		for _, p := range tr {
			if i < p.Len() {
				return &p.Data[i]
			}
			i -= p.Len()
		}
		panic("optimize: bound index out of range") // validated by Run
	})
}

// withDefaults returns cfg with the defaults of its zero (and nil) fields
// applied.
func (cfg Config) withDefaults() Config {
	if cfg.Epochs == 0 {
		cfg.Epochs = DefaultEpochs
	}
	if cfg.LR == 0 {
		cfg.LR = DefaultLearningRate
	}
	if cfg.ClipNorm == 0 {
		cfg.ClipNorm = DefaultClipNorm
	}
	if cfg.TrainReplicas == 0 {
		cfg.TrainReplicas = 1
	}
	if cfg.Restarts == 0 {
		cfg.Restarts = 1
	}
	if cfg.MaxRate == 0 {
		cfg.MaxRate = DefaultMaxRate
	}
	if cfg.HeldOut == nil {
		cfg.HeldOut = DefaultHeldOut()
	}
	if cfg.Restarts > 1 && cfg.Validation == nil {
		cfg.Validation = DefaultValidation()
	}
	return cfg
}

// validate checks a configuration with its defaults applied: the settings,
// and that the held-out and validation trials overlap neither the training
// trials nor each other.
func (cfg *Config) validate() error {
	if cfg.Epochs < 0 || cfg.TrainReplicas < 0 || !(cfg.LR > 0) || cfg.TrainTrial < 0 || cfg.Restarts < 0 {
		return fmt.Errorf("network: invalid optimization settings: %d epochs, %d replicas, learning rate %v, first trial %d, %d restarts",
			cfg.Epochs, cfg.TrainReplicas, cfg.LR, cfg.TrainTrial, cfg.Restarts)
	}
	if cfg.Restarts > 1 && len(cfg.Validation) == 0 {
		return fmt.Errorf("network: %d restarts need validation trials to choose among them", cfg.Restarts)
	}
	first, end := cfg.TrainTrial, cfg.trainEnd()
	for _, h := range cfg.HeldOut {
		if h >= first && h < end {
			return fmt.Errorf("network: held-out trial %d is also a training trial (%d..%d)", h, first, end-1)
		}
	}
	if cfg.Restarts <= 1 {
		return nil // the validation trials are unused
	}
	for _, v := range cfg.Validation {
		if v >= first && v < end {
			return fmt.Errorf("network: validation trial %d is also a training trial (%d..%d)", v, first, end-1)
		}
		if slices.Contains(cfg.HeldOut, v) {
			return fmt.Errorf("network: validation trial %d is also a held-out trial", v)
		}
	}
	return nil
}

// trainEnd returns one past the last training trial of all restarts.
func (cfg *Config) trainEnd() int {
	return cfg.TrainTrial + cfg.Restarts*cfg.Epochs*cfg.TrainReplicas
}

// heldOutDue reports whether the held-out noise is evaluated after epoch e
// (1-based).
func (cfg *Config) heldOutDue(e int) bool {
	return len(cfg.HeldOut) > 0 && (e == cfg.Epochs || (cfg.HeldOutEvery >= 0 && e%max(cfg.HeldOutEvery, 1) == 0))
}

// optimizer is one call of Run: the configuration with its defaults applied,
// the network and objective, and the result as it is built. With several
// restarts it also holds the state of their workers, guarded by mu.
type optimizer[T autograd.Float] struct {
	cfg      Config
	sn       *snn.Net[T]
	obj      Objective[T]
	initial  []T               // the parameters every restart starts from
	evalTape *autograd.Tape[T] // no-gradient tape for sn's evaluations
	res      *Result
	start    time.Time
	keep     int // the training runs' kept segments (CheckpointKeep)

	mu        sync.Mutex // serialises the callbacks of concurrent restarts; guards the fields below
	outs      []outcome  // per restart (0-based), once done
	next      int        // the next restart to start (0-based)
	failed    bool       // whether a restart failed: then no new one starts
	committed int        // the restarts committed so far, in order
	kept      int        // index of the kept restart in res.Restarts, -1 before the first commit
	bestLoss  float64    // its validation loss
}

// outcome is what a restart's worker hands over for its commit.
type outcome struct {
	epochs []EpochStats
	rr     RestartResult
	err    error
	done   bool
}

// run evaluates the held-out noise before training, runs the restarts and
// returns the result.
func (o *optimizer[T]) run() (*Result, error) {
	o.start = time.Now()
	o.initial = flatParams(o.sn)
	o.res = &Result{InitialGains: o.sn.Gains(), InitialDriveGains: driveGains(o.sn)}
	for _, v := range o.initial {
		o.res.InitialParams = append(o.res.InitialParams, float64(v))
	}
	o.evalTape = autograd.NewTape[T]()
	o.evalTape.SetNoGrad(true)
	atOnce := 1
	if o.cfg.Restarts > 1 {
		atOnce = o.workers()
	}
	o.keep = CheckpointKeep(o.sn, o.cfg, atOnce)
	if len(o.cfg.HeldOut) > 0 {
		ev, err := Evaluate(o.sn, o.obj, o.evalTape, o.cfg.HeldOut)
		if err != nil {
			return nil, fmt.Errorf("network: held-out evaluation before training: %w", err)
		}
		o.res.Initial, o.res.Final = ev, ev
	}
	if o.cfg.Restarts == 1 {
		epochs, err := o.newRestart(1, o.sn, autograd.NewTape[T](), o.evalTape).run()
		o.sn.ReleaseBackwardMemory()
		if err != nil {
			return nil, err
		}
		o.res.Epochs = epochs
	} else if err := o.runRestarts(); err != nil {
		return nil, err
	}
	return o.report(), nil
}

// report completes the result with the network's final gains and the time
// taken.
func (o *optimizer[T]) report() *Result {
	o.res.FinalGains = o.sn.Gains()
	o.res.FinalDriveGains = driveGains(o.sn)
	if o.res.Final != nil && len(o.cfg.RateBounds) > 0 {
		o.res.RateViolations = RateViolations(o.cfg.RateBounds, o.res.Final.Rates)
	}
	o.res.Seconds = time.Since(o.start).Seconds()
	return o.res
}

// warn records msg in st and passes it to Config.Warn.
func (o *optimizer[T]) warn(st *EpochStats, msg string) {
	st.Warnings = append(st.Warnings, msg)
	if o.cfg.Warn != nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.cfg.Warn(msg)
	}
}

// progress passes st to Config.Progress.
func (o *optimizer[T]) progress(st EpochStats) {
	if o.cfg.Progress != nil {
		o.mu.Lock()
		o.cfg.Progress(st)
		o.mu.Unlock()
	}
}

// runRestarts runs several restarts on Config.Workers workers, each on its
// own network: each restart is validated on its network, and they are
// committed (the kept one chosen, RestartDone called) in restart order. It
// returns the first restart's error, if any, else evaluates the held-out
// noise for the kept restart.
func (o *optimizer[T]) runRestarts() error {
	o.outs = make([]outcome, o.cfg.Restarts)
	o.kept, o.bestLoss = -1, math.Inf(1)
	workers := o.workers()
	nets := make([]*snn.Net[T], workers) // cloned before any worker writes sn's parameters
	nets[0] = o.sn
	for w := 1; w < workers; w++ {
		nets[w] = o.sn.Clone()
	}
	serial := workers >= runtime.GOMAXPROCS(0)
	if serial { // every core runs a restart: split products would only compete with them
		kernel.HoldSerial()
	}
	var wg sync.WaitGroup
	for w, net := range nets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.work(w, net)
		}()
	}
	wg.Wait()
	if serial {
		kernel.ReleaseSerial()
	}
	for _, out := range o.outs {
		if out.err != nil {
			return out.err
		}
	}
	if o.kept < 0 {
		return nil
	}
	return o.evaluateKept()
}

// workers returns the number of restarts run at once: Config.Workers,
// at most the number of restarts, lowered to fit Config.MemoryBudget.
func (o *optimizer[T]) workers() int {
	w := min(max(o.cfg.Workers, 1), o.cfg.Restarts)
	for o.cfg.MemoryBudget > 0 && w > 1 && int64(w)*estimateRestart(o.sn, o.cfg, w) > o.cfg.MemoryBudget {
		w--
	}
	return w
}

// CheckpointKeep returns the kept segments (snn.CheckpointOptions.Keep) of
// cfg's training runs on sn with atOnce restarts run at once:
// Config.CheckpointKeep, or with 0 the last segments that fit in
// Config.CheckpointMemory's share of one restart (at least one).
func CheckpointKeep[T autograd.Float](sn *snn.Net[T], cfg Config, atOnce int) int {
	cfg = cfg.withDefaults()
	if cfg.CheckpointKeep > 0 {
		return cfg.CheckpointKeep
	}
	mem := cfg.CheckpointMemory
	switch {
	case mem < 0:
		return 1
	case mem == 0:
		mem = DefaultCheckpointMemory
	}
	return snn.KeepFitting(sn.MemoryShape(cfg.TrainReplicas, cfg.Checkpoint, true), mem/int64(max(atOnce, 1)))
}

// work is worker w: it runs restarts on net, one after another, until none
// is left or one has failed.
func (o *optimizer[T]) work(w int, net *snn.Net[T]) {
	tp, et := autograd.NewTape[T](), o.evalTape
	if w > 0 {
		et = autograd.NewTape[T]()
		et.SetNoGrad(true)
	}
	for {
		r, ok := o.claim()
		if !ok {
			net.ReleaseBackwardMemory() // its training tapes, before the held-out evaluations after training
			return
		}
		out := o.newRestart(r+1, net, tp, et).runAndValidate()
		o.mu.Lock()
		o.outs[r] = out
		o.failed = o.failed || out.err != nil
		o.commit()
		o.mu.Unlock()
	}
}

// claim returns the next restart to run (0-based), and false when there is
// none left or one has failed.
func (o *optimizer[T]) claim() (int, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.next
	o.next++
	return r, r < o.cfg.Restarts && !o.failed
}

// commit appends the restarts done, in order up to the first not done (or
// failed), to the result, keeps the best so far and calls RestartDone; with
// mu held.
func (o *optimizer[T]) commit() {
	for o.committed < len(o.outs) && o.outs[o.committed].done && o.outs[o.committed].err == nil {
		rr := o.outs[o.committed].rr
		// A NaN validation loss never wins; the first restart is kept if all are NaN.
		if rr.ValidationLoss < o.bestLoss || o.kept < 0 {
			if !math.IsNaN(rr.ValidationLoss) {
				o.bestLoss = rr.ValidationLoss
			}
			if o.kept >= 0 {
				o.res.Restarts[o.kept].Kept = false
			}
			o.kept, o.res.Epochs, rr.Kept = len(o.res.Restarts), o.outs[o.committed].epochs, true
		}
		o.res.Restarts = append(o.res.Restarts, rr)
		if o.cfg.RestartDone != nil {
			o.cfg.RestartDone(rr)
		}
		o.committed++
	}
}

// evaluateKept evaluates the held-out noise for the kept restart's epochs,
// at its parameters of each due epoch (the same numbers as evaluating during
// training); the network ends with its last epoch's parameters.
func (o *optimizer[T]) evaluateKept() error {
	for i := range o.res.Epochs {
		st := &o.res.Epochs[i]
		setFlatParams(o.sn, st.Params)
		if !o.cfg.heldOutDue(st.Epoch) {
			continue
		}
		var err error
		if st.HeldOut, err = Evaluate(o.sn, o.obj, o.evalTape, o.cfg.HeldOut); err != nil {
			return fmt.Errorf("network: held-out evaluation after restart %d, epoch %d: %w", st.Restart, st.Epoch, err)
		}
		o.res.Final = st.HeldOut
	}
	o.res.Validation = append([]int(nil), o.cfg.Validation...)
	return nil
}

// restart is one optimization from the initial parameters on its own
// network, tapes, Adam state and training noise.
type restart[T autograd.Float] struct {
	o        *optimizer[T]
	rs       int // 1-based
	net      *snn.Net[T]
	tp       *autograd.Tape[T] // training tape
	evalTape *autograd.Tape[T] // no-gradient tape for net's evaluations
	params   []nn.Param[T]     // net.Trainable()
	adam     *nn.Adam[T]
	first    int // the training trial of epoch 1's first replica
}

// newRestart sets net's parameters to the initial ones and returns restart
// rs (1-based) on net.
func (o *optimizer[T]) newRestart(rs int, net *snn.Net[T], tp, evalTape *autograd.Tape[T]) *restart[T] {
	params := []nn.Param[T]{{Name: "log10_" + net.Mode.String(), Tensor: net.Params()}}
	for _, p := range net.Trainable()[1:] {
		name := "log10_drive_gains"
		if p == net.DriveTiming {
			name = "drive_timing_ms"
		}
		params = append(params, nn.Param[T]{Name: name, Tensor: p})
	}
	setFlatParams(net, o.initial)
	return &restart[T]{
		o: o, rs: rs, net: net, tp: tp, evalTape: evalTape, params: params,
		adam:  nn.NewAdam(params, nn.AdamConfig{LR: o.cfg.LR}),
		first: o.cfg.TrainTrial + (rs-1)*o.cfg.Epochs*o.cfg.TrainReplicas,
	}
}

// at names epoch e (and the restart, when there are several).
func (r *restart[T]) at(e int) string {
	if r.o.cfg.Restarts > 1 {
		return fmt.Sprintf("restart %d, epoch %d", r.rs, e)
	}
	return fmt.Sprintf("epoch %d", e)
}

// run runs the restart's epochs and returns them; with one restart it also
// evaluates the held-out noise as it goes.
func (r *restart[T]) run() ([]EpochStats, error) {
	cfg := &r.o.cfg
	var epochs []EpochStats
	for e := 1; e <= cfg.Epochs; e++ {
		st, err := r.epoch(e)
		if err != nil {
			return nil, err
		}
		// With several restarts the held-out noise is evaluated after the
		// selection, for the kept restart's epochs only (evaluateKept).
		if cfg.Restarts == 1 && cfg.heldOutDue(e) {
			if st.HeldOut, err = Evaluate(r.net, r.o.obj, r.evalTape, cfg.HeldOut); err != nil {
				return nil, fmt.Errorf("network: held-out evaluation after %s: %w", r.at(e), err)
			}
			r.o.res.Final = st.HeldOut
		}
		epochs = append(epochs, st)
		r.o.progress(st)
	}
	return epochs, nil
}

// runAndValidate runs the restart and evaluates its final parameters on the
// validation trials.
func (r *restart[T]) runAndValidate() outcome {
	epochs, err := r.run()
	if err != nil {
		return outcome{err: err, done: true}
	}
	val, err := Evaluate(r.net, r.o.obj, r.evalTape, r.o.cfg.Validation)
	if err != nil {
		return outcome{err: fmt.Errorf("network: validation of restart %d: %w", r.rs, err), done: true}
	}
	rr := RestartResult{Restart: r.rs, FinalGains: r.net.Gains(), FinalDriveGains: driveGains(r.net), ValidationLoss: val.Loss, ValidationBandPower: val.MeanBandPower}
	for _, e := range epochs {
		rr.Trials = append(rr.Trials, e.Trials...)
	}
	return outcome{epochs: epochs, rr: rr, done: true}
}

// epoch runs epoch e (1-based) on its fresh training noise: forward and
// backward passes, the warnings and one Adam step.
func (r *restart[T]) epoch(e int) (EpochStats, error) {
	t0 := time.Now()
	cfg := &r.o.cfg
	trials := make([]int, cfg.TrainReplicas)
	for i := range trials {
		trials[i] = r.first + (e-1)*cfg.TrainReplicas + i
		if cfg.RepeatTrials {
			trials[i] = r.first + i
		}
	}
	st := EpochStats{Restart: r.rs, Epoch: e, Trials: append([]int(nil), trials...)}
	run, err := r.forwardBackward(e, &st, trials)
	if err != nil {
		return st, err
	}
	r.warnings(e, &st, run)
	if err := r.step(e, &st); err != nil {
		return st, err
	}
	st.Seconds = time.Since(t0).Seconds()
	return st, nil
}

// forwardBackward simulates the training trials of epoch e, records the
// epoch's rates, spikes, band power and loss in st, and back-propagates the
// loss; it fails on a NaN or infinite loss or gradient.
func (r *restart[T]) forwardBackward(e int, st *EpochStats, trials []int) (*snn.Result[T], error) {
	r.tp.Reset()
	for _, p := range r.params {
		p.Tensor.ZeroGrad()
	}
	ckpt := r.o.cfg.Checkpoint >= 0 && r.net.CanCheckpoint()
	var run *snn.Result[T]
	var err error
	if ckpt {
		run, err = r.net.RunCheckpointed(trials, snn.CheckpointOptions{Every: r.o.cfg.Checkpoint, Keep: r.o.keep})
	} else {
		run, err = r.net.Run(r.tp, trials)
	}
	if err != nil {
		return nil, fmt.Errorf("network: %s: %w", r.at(e), err)
	}
	st.Rates = run.FiringRates()
	for _, c := range run.SpikeCounts {
		st.Spikes += c
	}
	st.TrainBandPower = math.NaN()
	if sp := spectrumOf(r.o.obj); sp != nil {
		bp, err := sp.BandPower(run)
		if err != nil {
			return nil, fmt.Errorf("network: %s: %w", r.at(e), err)
		}
		st.TrainBandPower = mean(bp)
	}
	loss, err := r.o.obj.Loss(r.tp, run)
	if err != nil {
		return nil, fmt.Errorf("network: %s: %w", r.at(e), err)
	}
	st.Loss = float64(loss.Item())
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return nil, fmt.Errorf("network: %s: the loss is %v (band power %v nAm²)", r.at(e), st.Loss, st.TrainBandPower)
	}
	if err := r.tp.Backward(loss); err != nil {
		return nil, fmt.Errorf("network: %s: backward: %w", r.at(e), err)
	}
	if ckpt {
		if err := run.Backward(); err != nil {
			return nil, fmt.Errorf("network: %s: backward: %w", r.at(e), err)
		}
	}
	for t, p := range r.params {
		for i, g := range p.Tensor.Grad {
			if f := float64(g); math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("network: %s: the gradient with respect to %s is %v", r.at(e), r.net.TrainableName(t, i), f)
			}
		}
	}
	return run, nil
}

// warnings reports silence and runaway firing in epoch e's run.
func (r *restart[T]) warnings(e int, st *EpochStats, run *snn.Result[T]) {
	if st.Spikes == 0 {
		r.o.warn(st, fmt.Sprintf("%s: the network is silent (no spikes in %d ms): connection weights have no effect and no gradient", r.at(e), int(float64(run.Steps)*run.Dt)))
	}
	maxRate := r.o.cfg.MaxRate
	for _, ct := range neuron.CellTypes {
		if st.Rates[ct] > maxRate {
			r.o.warn(st, fmt.Sprintf("%s: runaway firing: %s at %.1f Hz (above %.0f Hz)", r.at(e), ct, st.Rates[ct], maxRate))
		}
	}
	st.RateViolations = RateViolations(r.o.cfg.RateBounds, st.Rates)
}

// RateViolations lists the firing-rate constraints that rates (Hz) violate,
// in cell-type order, as "TYPE RATE Hz < LO" or "TYPE RATE Hz > HI".
func RateViolations(bounds map[neuron.CellType][2]float64, rates [neuron.NumCellTypes]float64) []string {
	var out []string
	for _, ct := range neuron.CellTypes {
		b, ok := bounds[ct]
		switch {
		case !ok:
		case rates[ct] < b[0]:
			out = append(out, fmt.Sprintf("%s %.1f Hz < %g", ct, rates[ct], b[0]))
		case rates[ct] > b[1]:
			out = append(out, fmt.Sprintf("%s %.1f Hz > %g", ct, rates[ct], b[1]))
		}
	}
	return out
}

// step clips the gradient (unless Config.ClipNorm is negative), takes one
// Adam step and records the new parameters and gains in st; it fails on a
// NaN or infinite parameter.
func (r *restart[T]) step(e int, st *EpochStats) error {
	if clip := r.o.cfg.ClipNorm; clip > 0 {
		st.GradNorm = nn.ClipGradNorm(r.params, clip)
	} else {
		st.GradNorm = nn.GradNorm(r.params)
	}
	r.adam.Step()
	st.AtBounds = projectNet(r.o.cfg.Bounds, r.net)
	for t, p := range r.params {
		for i, v := range p.Tensor.Data {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("network: %s: parameter %s became %v after the update", r.at(e), r.net.TrainableName(t, i), f)
			} else if g := math.Pow(10, f); !(g > 0) || math.IsInf(g, 0) {
				return fmt.Errorf("network: %s: parameter %s (a log10 gain) became %v after the update: the gain 10^%v is not a finite positive number (learning rate %v too large?)", r.at(e), r.net.TrainableName(t, i), f, f, r.o.cfg.LR)
			}
		}
	}
	st.Params = make([]float64, 0, len(r.o.initial))
	for _, v := range flatParams(r.net) {
		st.Params = append(st.Params, float64(v))
	}
	st.Gains = r.net.Gains()
	st.DriveGains = driveGains(r.net)
	return nil
}

// flatParams returns the values of net.Trainable(), concatenated.
func flatParams[T autograd.Float](net *snn.Net[T]) []T {
	var out []T
	for _, p := range net.Trainable() {
		out = append(out, p.Data...)
	}
	return out
}

// setFlatParams sets net.Trainable() from their concatenated values.
func setFlatParams[T autograd.Float, V autograd.Float](net *snn.Net[T], v []V) {
	k := 0
	for _, p := range net.Trainable() {
		for i := range p.Data {
			p.Data[i] = T(v[k])
			k++
		}
	}
}

// driveGains returns the drive classes' gains when they are trained, else nil.
func driveGains[T autograd.Float](net *snn.Net[T]) []float64 {
	if !net.DriveLogGains.RequiresGrad() {
		return nil
	}
	return net.DriveGains()
}

// Evaluate runs the network on the given trials without gradients on tp (which
// it resets) and returns the band power, loss, firing rates, mean PSD, and the
// first trial's dipoles and spikes.
func Evaluate[T autograd.Float](sn *snn.Net[T], obj Objective[T], tp *autograd.Tape[T], trials []int) (*Evaluation, error) {
	t0 := time.Now()
	tp.Reset()
	noGrad := !tp.Recording()
	tp.SetNoGrad(true)
	defer tp.SetNoGrad(noGrad)
	var run *snn.Result[T]
	var err error
	if sn.CanCheckpoint() { // one segment's memory, the same figures
		run, err = sn.RunCheckpointed(trials, snn.CheckpointOptions{NoGrad: true})
	} else {
		run, err = sn.Run(tp, trials)
	}
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Trials: append([]int(nil), trials...), Rates: run.FiringRates(), Spikes: run.Spikes[0]}
	ev.MeanBandPower = math.NaN()
	if sp := spectrumOf(obj); sp != nil {
		if err := evalSpectrum(ev, sp, run); err != nil {
			return nil, err
		}
	}
	for row := range 3 {
		ev.Dipole[row] = run.DipoleSeries(row, 0)
	}
	if loss, err := obj.Loss(tp, run); err == nil {
		ev.Loss = float64(loss.Item())
	} else {
		ev.Loss = math.NaN()
	}
	ev.Seconds = time.Since(t0).Seconds()
	return ev, nil
}

// evalSpectrum fills the evaluation's band power and mean PSD from sp.
func evalSpectrum[T autograd.Float](ev *Evaluation, sp *Spectral[T], run *snn.Result[T]) error {
	psd, err := sp.PSD(run)
	if err != nil {
		return err
	}
	if ev.BandPower, err = sp.Band.Power(nil, psd); err != nil {
		return err
	}
	ev.MeanBandPower = mean(ev.BandPower)
	nb := sp.Plan.NFreq()
	ev.Freqs = sp.Plan.Freqs(nil)
	ev.MeanPSD = make([]float64, nb)
	for r := range run.Replicas {
		for k := range nb {
			ev.MeanPSD[k] += psd[r*nb+k] / float64(run.Replicas)
		}
	}
	return nil
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// EstimateRestartMemory returns the peak heap (bytes) one restart of cfg on
// sn takes: its training runs (Config.TrainReplicas trials with the
// checkpointing of Config.Checkpoint and the kept segments of
// CheckpointKeep, Config.Workers restarts at once sharing
// Config.CheckpointMemory) and its validation runs, whose buffers it keeps
// (snn.Net.EstimateMemory).
func EstimateRestartMemory[T autograd.Float](sn *snn.Net[T], cfg Config) int64 {
	return estimateRestart(sn, cfg, min(max(cfg.Workers, 1), max(cfg.Restarts, 1)))
}

// estimateRestart is EstimateRestartMemory with atOnce restarts run at once
// (which share Config.CheckpointMemory).
func estimateRestart[T autograd.Float](sn *snn.Net[T], cfg Config, atOnce int) int64 {
	cfg = cfg.withDefaults()
	b := sn.EstimateMemory(cfg.TrainReplicas, cfg.Checkpoint, true)
	if cfg.Checkpoint >= 0 && sn.CanCheckpoint() { // the kept segments' tapes, the last one's in b already
		keep := CheckpointKeep(sn, cfg, atOnce)
		b += int64(keep-1) * snn.KeptSegmentBytes(sn.MemoryShape(cfg.TrainReplicas, cfg.Checkpoint, true))
	}
	if n := max(len(cfg.Validation), len(cfg.HeldOut)); n > 0 {
		b += sn.EstimateMemory(n, 0, false)
	}
	return b
}
