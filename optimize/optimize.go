package optimize

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/neurograd/neurograd/autograd"
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

// Config configures Run.
type Config struct {
	Epochs int     // number of Adam steps, one per epoch; 0 means DefaultEpochs
	LR     float64 // Adam learning rate on the log10 parameters; 0 means DefaultLearningRate
	// ClipNorm limits the global L2 norm of the gradient before each step;
	// 0 means DefaultClipNorm, negative means no clipping.
	ClipNorm float64
	// TrainTrial is the drive trial of epoch 0's noise; epoch e uses trials
	// TrainTrial + e·TrainReplicas, …, so every epoch draws fresh noise.
	TrainTrial int
	// TrainReplicas is the number of independent noise realisations simulated
	// (as one batch) per epoch; the loss is their mean. 0 means 1.
	TrainReplicas int
	// HeldOut lists the drive trials of the held-out noise, evaluated before
	// training, every HeldOutEvery epochs and after training; nil means
	// three trials from DefaultHeldOutTrial. They must not overlap the
	// training trials.
	HeldOut      []int
	HeldOutEvery int // 0 means every epoch; negative means only before and after
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
	// means three trials from DefaultValidationTrial. They must not overlap
	// the training or held-out trials. Unused with one restart.
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
}

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
	Params         []float64 // log10 parameters after the update
	Gains          []float64 // class gains after the update
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
	Restarts       []RestartResult // one per restart when there are several
	Validation     []int           // the trials that chose among restarts
	Seconds        float64         // whole optimization, evaluations included
}

// RestartResult summarises one restart of a multi-start optimization.
type RestartResult struct {
	Restart             int   // 1-based
	Trials              []int // training trials, in order
	FinalGains          []float64
	ValidationLoss      float64 // the objective on the validation trials after the last epoch
	ValidationBandPower float64 // nAm², mean over the validation trials
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
func Run[T autograd.Float](sn *snn.Net[T], obj *Objective[T], cfg Config) (*Result, error) {
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
		cfg.HeldOut = []int{DefaultHeldOutTrial, DefaultHeldOutTrial + 1, DefaultHeldOutTrial + 2}
	}
	if cfg.Epochs < 0 || cfg.TrainReplicas < 0 || !(cfg.LR > 0) || cfg.TrainTrial < 0 || cfg.Restarts < 0 {
		return nil, fmt.Errorf("network: invalid optimization settings: %d epochs, %d replicas, learning rate %v, first trial %d, %d restarts",
			cfg.Epochs, cfg.TrainReplicas, cfg.LR, cfg.TrainTrial, cfg.Restarts)
	}
	if cfg.Restarts > 1 && cfg.Validation == nil {
		cfg.Validation = []int{DefaultValidationTrial, DefaultValidationTrial + 1, DefaultValidationTrial + 2}
	}
	if cfg.Restarts > 1 && len(cfg.Validation) == 0 {
		return nil, fmt.Errorf("network: %d restarts need validation trials to choose among them", cfg.Restarts)
	}
	lastTrain := cfg.TrainTrial + cfg.Restarts*cfg.Epochs*cfg.TrainReplicas
	for _, h := range cfg.HeldOut {
		if h >= cfg.TrainTrial && h < lastTrain {
			return nil, fmt.Errorf("network: held-out trial %d is also a training trial (%d..%d)", h, cfg.TrainTrial, lastTrain-1)
		}
	}
	if cfg.Restarts > 1 {
		for _, v := range cfg.Validation {
			if v >= cfg.TrainTrial && v < lastTrain {
				return nil, fmt.Errorf("network: validation trial %d is also a training trial (%d..%d)", v, cfg.TrainTrial, lastTrain-1)
			}
			for _, h := range cfg.HeldOut {
				if v == h {
					return nil, fmt.Errorf("network: validation trial %d is also a held-out trial", v)
				}
			}
		}
	}
	start := time.Now()
	param := sn.Params()
	initial := append([]T(nil), param.Data...)
	res := &Result{InitialGains: sn.Gains()}
	evalTape := autograd.NewTape[T]()
	evalTape.SetNoGrad(true)
	var err error
	if len(cfg.HeldOut) > 0 {
		if res.Initial, err = Evaluate(sn, obj, evalTape, cfg.HeldOut); err != nil {
			return nil, fmt.Errorf("network: held-out evaluation before training: %w", err)
		}
		res.Final = res.Initial
	}
	heldOutDue := func(e int) bool {
		return len(cfg.HeldOut) > 0 && (e == cfg.Epochs || (cfg.HeldOutEvery >= 0 && e%max(cfg.HeldOutEvery, 1) == 0))
	}
	var mu sync.Mutex // serialises the callbacks of concurrent restarts
	warn := func(st *EpochStats, msg string) {
		st.Warnings = append(st.Warnings, msg)
		if cfg.Warn != nil {
			mu.Lock()
			defer mu.Unlock()
			cfg.Warn(msg)
		}
	}
	// runRestart runs restart rs (1-based) on net with its own tapes and
	// returns its epochs; with one restart it also evaluates the held-out
	// noise as it goes.
	runRestart := func(rs int, net *snn.Net[T], tp, evalTape *autograd.Tape[T]) ([]EpochStats, error) {
		param := net.Params()
		params := []nn.Param[T]{{Name: "log10_" + net.Mode.String(), Tensor: param}}
		copy(param.Data, initial)
		adam := nn.NewAdam(params, nn.AdamConfig{LR: cfg.LR})
		var epochs []EpochStats
		trials := make([]int, cfg.TrainReplicas)
		first := cfg.TrainTrial + (rs-1)*cfg.Epochs*cfg.TrainReplicas
		at := func(e int) string { // names the epoch (and the restart, when there are several)
			if cfg.Restarts > 1 {
				return fmt.Sprintf("restart %d, epoch %d", rs, e)
			}
			return fmt.Sprintf("epoch %d", e)
		}
		for e := 1; e <= cfg.Epochs; e++ {
			t0 := time.Now()
			for r := range trials {
				trials[r] = first + (e-1)*cfg.TrainReplicas + r
			}
			st := EpochStats{Restart: rs, Epoch: e, Trials: append([]int(nil), trials...)}
			tp.Reset()
			param.ZeroGrad()
			run, err := net.Run(tp, trials)
			if err != nil {
				return nil, fmt.Errorf("network: %s: %w", at(e), err)
			}
			st.Rates = run.FiringRates()
			for _, c := range run.SpikeCounts {
				st.Spikes += c
			}
			bp, err := obj.BandPower(run)
			if err != nil {
				return nil, fmt.Errorf("network: %s: %w", at(e), err)
			}
			st.TrainBandPower = mean(bp)
			loss, err := obj.Loss(tp, run)
			if err != nil {
				return nil, fmt.Errorf("network: %s: %w", at(e), err)
			}
			st.Loss = float64(loss.Item())
			if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
				return nil, fmt.Errorf("network: %s: the loss is %v (band power %v nAm²)", at(e), st.Loss, st.TrainBandPower)
			}
			if err := tp.Backward(loss); err != nil {
				return nil, fmt.Errorf("network: %s: backward: %w", at(e), err)
			}
			for i, g := range param.Grad {
				if f := float64(g); math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, fmt.Errorf("network: %s: the gradient with respect to %s is %v", at(e), net.ParamName(i), f)
				}
			}
			if st.Spikes == 0 {
				warn(&st, fmt.Sprintf("%s: the network is silent (no spikes in %d ms): connection weights have no effect and no gradient", at(e), int(float64(run.Steps)*run.Dt)))
			}
			for _, ct := range neuron.CellTypes {
				if st.Rates[ct] > cfg.MaxRate {
					warn(&st, fmt.Sprintf("%s: runaway firing: %s at %.1f Hz (above %.0f Hz)", at(e), ct, st.Rates[ct], cfg.MaxRate))
				}
			}
			if cfg.ClipNorm > 0 {
				st.GradNorm = nn.ClipGradNorm(params, cfg.ClipNorm)
			} else {
				st.GradNorm = nn.GradNorm(params)
			}
			adam.Step()
			for i, v := range param.Data {
				if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, fmt.Errorf("network: %s: parameter %s became %v after the update", at(e), net.ParamName(i), f)
				}
			}
			st.Params = make([]float64, len(param.Data))
			for i, v := range param.Data {
				st.Params[i] = float64(v)
			}
			st.Gains = net.Gains()
			st.Seconds = time.Since(t0).Seconds()
			// With several restarts the held-out noise is evaluated after the
			// selection, for the kept restart's epochs only (heldOutDue).
			if cfg.Restarts == 1 && heldOutDue(e) {
				if st.HeldOut, err = Evaluate(net, obj, evalTape, cfg.HeldOut); err != nil {
					return nil, fmt.Errorf("network: held-out evaluation after %s: %w", at(e), err)
				}
				res.Final = st.HeldOut
			}
			epochs = append(epochs, st)
			if cfg.Progress != nil {
				mu.Lock()
				cfg.Progress(st)
				mu.Unlock()
			}
		}
		return epochs, nil
	}
	if cfg.Restarts == 1 {
		if res.Epochs, err = runRestart(1, sn, autograd.NewTape[T](), evalTape); err != nil {
			return nil, err
		}
		res.FinalGains = sn.Gains()
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}
	// Several restarts: each is validated on its own network; they are
	// committed (the kept one chosen, RestartDone called) in restart order.
	type outcome struct {
		epochs []EpochStats
		rr     RestartResult
		err    error
		done   bool
	}
	outs := make([]outcome, cfg.Restarts)
	kept, bestLoss := -1, math.Inf(1) // index of the kept restart in res.Restarts, its validation loss
	committed := 0
	commit := func() { // with mu held
		for committed < len(outs) && outs[committed].done && outs[committed].err == nil {
			rr := outs[committed].rr
			// A NaN validation loss never wins; the first restart is kept if all are NaN.
			if rr.ValidationLoss < bestLoss || kept < 0 {
				if !math.IsNaN(rr.ValidationLoss) {
					bestLoss = rr.ValidationLoss
				}
				if kept >= 0 {
					res.Restarts[kept].Kept = false
				}
				kept, res.Epochs, rr.Kept = len(res.Restarts), outs[committed].epochs, true
			}
			res.Restarts = append(res.Restarts, rr)
			if cfg.RestartDone != nil {
				cfg.RestartDone(rr)
			}
			committed++
		}
	}
	runAndValidate := func(rs int, net *snn.Net[T], tp, evalTape *autograd.Tape[T]) outcome {
		epochs, err := runRestart(rs, net, tp, evalTape)
		if err != nil {
			return outcome{err: err, done: true}
		}
		val, err := Evaluate(net, obj, evalTape, cfg.Validation)
		if err != nil {
			return outcome{err: fmt.Errorf("network: validation of restart %d: %w", rs, err), done: true}
		}
		rr := RestartResult{Restart: rs, FinalGains: net.Gains(), ValidationLoss: val.Loss, ValidationBandPower: val.MeanBandPower}
		for _, e := range epochs {
			rr.Trials = append(rr.Trials, e.Trials...)
		}
		return outcome{epochs: epochs, rr: rr, done: true}
	}
	workers := min(max(cfg.Workers, 1), cfg.Restarts)
	next, failed := 0, false             // next restart to start (0-based), whether one failed; with mu held
	nets := make([]*snn.Net[T], workers) // cloned before any worker writes sn's parameters
	nets[0] = sn
	for w := 1; w < workers; w++ {
		nets[w] = sn.Clone()
	}
	var wg sync.WaitGroup
	for w, net := range nets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tp, et := autograd.NewTape[T](), evalTape
			if w > 0 {
				et = autograd.NewTape[T]()
				et.SetNoGrad(true)
			}
			for {
				mu.Lock()
				r := next
				next++
				stop := r >= cfg.Restarts || failed // no new restart after a failure
				mu.Unlock()
				if stop {
					return
				}
				o := runAndValidate(r+1, net, tp, et)
				mu.Lock()
				outs[r] = o
				failed = failed || o.err != nil
				commit()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, o := range outs {
		if o.err != nil {
			return nil, o.err
		}
	}
	if kept >= 0 {
		// The kept restart's held-out figures, at its parameters of each due
		// epoch (the same numbers as evaluating during training); the network
		// ends with its last epoch's parameters.
		for i := range res.Epochs {
			st := &res.Epochs[i]
			for j, v := range st.Params {
				param.Data[j] = T(v)
			}
			if !heldOutDue(st.Epoch) {
				continue
			}
			var err error
			if st.HeldOut, err = Evaluate(sn, obj, evalTape, cfg.HeldOut); err != nil {
				return nil, fmt.Errorf("network: held-out evaluation after restart %d, epoch %d: %w", st.Restart, st.Epoch, err)
			}
			res.Final = st.HeldOut
		}
		res.Validation = append([]int(nil), cfg.Validation...)
	}
	res.FinalGains = sn.Gains()
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// Evaluate runs the network on the given trials without gradients on tp (which
// it resets) and returns the band power, loss, firing rates, mean PSD, and the
// first trial's dipoles and spikes.
func Evaluate[T autograd.Float](sn *snn.Net[T], obj *Objective[T], tp *autograd.Tape[T], trials []int) (*Evaluation, error) {
	t0 := time.Now()
	tp.Reset()
	noGrad := !tp.Recording()
	tp.SetNoGrad(true)
	defer tp.SetNoGrad(noGrad)
	run, err := sn.Run(tp, trials)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Trials: append([]int(nil), trials...), Rates: run.FiringRates(), Spikes: run.Spikes[0]}
	psd, err := obj.PSD(run)
	if err != nil {
		return nil, err
	}
	if ev.BandPower, err = obj.Band.Power(nil, psd); err != nil {
		return nil, err
	}
	ev.MeanBandPower = mean(ev.BandPower)
	nb := obj.Plan.NFreq()
	ev.Freqs = obj.Plan.Freqs(nil)
	ev.MeanPSD = make([]float64, nb)
	for r := range run.Replicas {
		for k := range nb {
			ev.MeanPSD[k] += psd[r*nb+k] / float64(run.Replicas)
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

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
