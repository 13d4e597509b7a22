package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/nn"
)

// Config sets the training of a surrogate on windows of the training
// samples: Batch windows of WarmUp + BPTT bins, the warm-up run without
// gradient (it carries the state but does not count in the loss), AdamW
// with a cosine learning-rate schedule, gradient clipping, and early
// stopping on the free-running validation loss or score.
//
// No field has a hidden "0 means default": every value is used as given,
// and Validate lists the allowed ranges. Where 0 is allowed it means what it
// says (no dropout, no weight decay, no extra weight, no moving average, no
// scheduled sampling). Start from DefaultConfig or ConfigFor and change
// fields, rather than from a zero Config.
type Config struct {
	Batch  int // windows per mini-batch, > 0
	WarmUp int // warm-up bins per window, run without gradient, >= 0
	BPTT   int // gradient (backpropagation-through-time) bins per window, > 0
	Steps  int // maximum optimizer steps, > 0
	// LR and MinLR are the peak and final learning rates of the cosine
	// schedule over Steps (after 100 warm-up steps); LR > 0, MinLR >= 0.
	LR, MinLR      float64
	ClipNorm       float64 // gradient-norm clip, > 0
	Dropout        float64 // LSTM inter-layer dropout while training, in [0, 1); 0: none
	WeightDecay    float64 // AdamW decoupled weight decay, >= 0; 0: none
	SpikeWeight    float64 // extra MSE weight of bins within ±1 ms of a somatic spike, >= 0; 0: none
	SpikeLoss      float64 // weight of the spike-logit cross-entropy, >= 0; 0: no spike term
	SomaWeight     float64 // MSE weight of the (clipped) somatic voltage relative to the other outputs (1: equal), > 0
	SpikePosWeight float64 // extra cross-entropy weight of spike bins, >= 0; 0: none
	// SpikeSmooth (>= 0; 0: off) weighs a timing-tolerant spike term: the
	// squared difference of the spike probability σ(z) and the spike
	// labels after both are smoothed in time by a Gaussian of
	// SpikeSmoothSigma bins (> 0 when SpikeSmooth is on; a van Rossum-like
	// distance), so a spike predicted a bin or two off costs little, where
	// the per-bin cross-entropy counts it as a miss and a false alarm.
	SpikeSmooth      float64
	SpikeSmoothSigma float64
	// SelectBy chooses the kept parameters: "loss" (lowest free-running
	// validation loss) or "score" (highest Model.Score on the validation
	// set: the targets' Pearson r and the spike F1).
	SelectBy string
	// EMA, in [0, 1), is the decay per optimizer step of an exponential
	// moving average of the parameters (Polyak averaging, with the warm-up
	// min(EMA, (1+n)/(10+n)) after n steps); when positive, validation,
	// selection and the returned parameters use the averaged parameters
	// instead of the raw iterates. 0: off (the default).
	EMA float64
	// HistoryTeacher feeds models with spike history (Arch.SpikeHistory)
	// the traces of the biophysical spikes while training (teacher
	// forcing, fast, sequence mode). Otherwise (the default) training runs
	// the windows step by step with the model's own spikes fed back, as it
	// runs free: teacher forcing trained to a low windowed loss while the
	// free-running validation loss rose (docs/surrogate.md, round 6).
	HistoryTeacher bool
	// HistorySchedule (>= 0; 0: off, the default), when positive, mixes
	// the two for models with spike history (scheduled sampling): a
	// mini-batch is teacher-forced with probability
	// max(0, 1 − step/(HistorySchedule·Steps)) and otherwise run free on
	// the model's own spikes, so training starts from the biophysical
	// history and ends on the model's own.
	HistorySchedule float64
	EvalEvery       int           // steps between validation evaluations, > 0
	Patience        int           // evaluations without improvement before stopping, > 0
	MaxDuration     time.Duration // wall-clock cap, > 0 (training also ends after the evaluation that passes it)
	Seed            uint64
	KeepNorm        bool      // keep the model's output normalisation and spike peak (continued training)
	Log             io.Writer // progress (may be nil)
	// Checkpoint, when not empty, is a file the trainer writes after every
	// validation (atomically: a temporary file renamed into place): the
	// parameters, the kept and averaged ones, Adam's moments, the random
	// streams and the history (checkpoint.go). With Resume, a run whose
	// Checkpoint exists continues from it, and ends with the very
	// parameters and Result an uninterrupted run gives; a checkpoint of
	// another configuration, model or data is refused.
	Checkpoint string
	Resume     bool

	stopAfter int // tests: return errStopped after the validation that ends this step (0: never)
}

// DefaultConfig returns the settings of the shipped L2/3 pyramidal
// weights: windows of 300 warm-up and 1,000 gradient bins (150 + 500 ms),
// 8 per batch, 45,000 AdamW steps (no weight decay, no dropout) with a
// cosine schedule from 5e-3 to 1e-4, the soma's MSE weighted 5 and the
// spike cross-entropy 0.5, and the parameters kept at the best validation
// Score. ConfigFor gives each cell type's shipped recipe.
func DefaultConfig() Config {
	return Config{Batch: 8, WarmUp: 300, BPTT: 1000, Steps: 45000, LR: 5e-3, MinLR: 1e-4, ClipNorm: 1, Dropout: 0, WeightDecay: 0,
		SpikeWeight: 0, SpikeLoss: 0.5, SomaWeight: 5, SpikePosWeight: 5, SpikeSmooth: 0, SpikeSmoothSigma: 2, SelectBy: "score",
		EvalEvery: 300, Patience: 1000, MaxDuration: 58 * time.Minute, Seed: 1}
}

// ConfigFor returns the recipe of the shipped weights of a cell type
// (docs/surrogate.md, Training):
//
//   - L2/3 pyramidal: DefaultConfig.
//   - L5 pyramidal: windows of 200 warm-up and 400 gradient bins, 16 per
//     batch, 20,000 steps, equal output weights and a spike cross-entropy
//     of weight 1, kept at the best validation Score. (The L2/3 recipe gave
//     L5 a higher r but 28 % too few spikes, and the surrogate network
//     built on it no longer optimized.)
//   - Baskets: windows of 100 warm-up and 200 gradient bins, 32 per batch,
//     9,000 steps, equal output weights, kept at the lowest validation loss
//     with a patience of 10 evaluations.
func ConfigFor(ct neuron.CellType) Config {
	c := DefaultConfig()
	switch ct {
	case neuron.L5Pyramidal:
		c.Batch, c.WarmUp, c.BPTT, c.Steps = 16, 200, 400, 20000
		c.SpikeLoss, c.SomaWeight = 1, 1
	case neuron.L2Basket, neuron.L5Basket:
		c.Batch, c.WarmUp, c.BPTT, c.Steps = 32, 100, 200, 9000
		c.SpikeLoss, c.SomaWeight, c.SelectBy, c.Patience, c.MaxDuration = 1, 1, "loss", 10, 55*time.Minute
	}
	return c
}

// Result summarises a training run.
type Result struct {
	Steps       int       `json:"steps"`
	BestStep    int       `json:"best_step"`
	Seconds     float64   `json:"seconds"`
	TrainLoss   []float64 `json:"train_loss"` // mean per evaluation interval
	ValLoss     []float64 `json:"val_loss"`
	BestValLoss float64   `json:"best_val_loss"`
	ValScore    []float64 `json:"val_score,omitempty"` // Model.Score per evaluation (SelectBy "score")
	BestScore   float64   `json:"best_val_score,omitempty"`
	Threshold   float64   `json:"spike_threshold_mV"`
	ValF1       float64   `json:"val_spike_f1"`
}

// Validate reports the first setting outside its range (see Config).
func (c Config) Validate() error {
	pos := []struct {
		name string
		v    float64
	}{{"Batch", float64(c.Batch)}, {"BPTT", float64(c.BPTT)}, {"Steps", float64(c.Steps)}, {"LR", c.LR},
		{"ClipNorm", c.ClipNorm}, {"SomaWeight", c.SomaWeight}, {"EvalEvery", float64(c.EvalEvery)},
		{"Patience", float64(c.Patience)}, {"MaxDuration", float64(c.MaxDuration)}}
	for _, f := range pos {
		if !(f.v > 0) {
			return fmt.Errorf("train: %s %v: want a positive value", f.name, f.v)
		}
	}
	nonNeg := []struct {
		name string
		v    float64
	}{{"WarmUp", float64(c.WarmUp)}, {"MinLR", c.MinLR}, {"WeightDecay", c.WeightDecay}, {"SpikeWeight", c.SpikeWeight},
		{"SpikeLoss", c.SpikeLoss}, {"SpikePosWeight", c.SpikePosWeight}}
	for _, f := range nonNeg {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("train: %s %v: want a finite value >= 0 (0: none)", f.name, f.v)
		}
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return fmt.Errorf("train: Dropout %g: want 0 (none) or a probability below 1", c.Dropout)
	}
	if c.SelectBy != "loss" && c.SelectBy != "score" {
		return fmt.Errorf("train: SelectBy %q: want \"loss\" or \"score\"", c.SelectBy)
	}
	if c.SpikeSmooth < 0 || math.IsNaN(c.SpikeSmooth) || (c.SpikeSmooth > 0 && !(c.SpikeSmoothSigma > 0)) {
		return fmt.Errorf("train: SpikeSmooth %g with sigma %g bins: want a weight >= 0 and a positive sigma", c.SpikeSmooth, c.SpikeSmoothSigma)
	}
	if c.HistorySchedule < 0 || math.IsNaN(c.HistorySchedule) {
		return fmt.Errorf("train: HistorySchedule %g: want 0 (off) or a positive fraction of the steps", c.HistorySchedule)
	}
	if c.EMA < 0 || c.EMA >= 1 || math.IsNaN(c.EMA) {
		return fmt.Errorf("train: EMA decay %g: want 0 (off) or a value in (0, 1)", c.EMA)
	}
	return nil
}

// prepared holds one sample's features, normalised targets (soma clipped at
// SomaClip), spike labels (bins whose somatic peak exceeds 0 mV) and MSE
// weights.
type prepared struct {
	feat, target, label, weight []float32 // bins·CK, bins·O, bins, bins
}

// somaTarget returns the subthreshold-branch target of a somatic voltage.
func somaTarget(v float32) float64 { return math.Min(float64(v), surrogate.SomaClip) }

// Fit trains m on the training samples (NewTrainer, then Run): it sets the
// output normalisation from the training targets (unless cfg.KeepNorm),
// keeps the parameters with the best free-running validation loss or score
// (cfg.SelectBy) and sets the spike threshold from the validation data.
func Fit[T autograd.Float](m *surrogate.Model[T], train, val []*surrogate.Sample, cfg Config) (*Result, error) {
	t, err := NewTrainer(m, train, val, cfg)
	if err != nil {
		return nil, err
	}
	return t.Run()
}

// Trainer is one training run of a model (Fit).
type Trainer[T autograd.Float] struct {
	m            *surrogate.Model[T]
	cfg          Config
	val          []*surrogate.Sample
	ptrain, pval []prepared
	bins         int
	C, O, CK     int // inputs, outputs, features (inputs and spike-history traces)
	hist         int // convolution history (kernel − 1)

	params []nn.Param[T]
	opt    *nn.Adam[T]
	rng    *rand.Rand
	src    *rand.PCG // rng's source (checkpoints)
	tp     *autograd.Tape[T]
	st     *surrogate.State[T]
	smooth *autograd.Tensor[T] // [BPTT, BPTT] Gaussian smoothing in time (SpikeSmooth)

	best, ema, raw [][]T // kept parameters; the average (EMA) and the raw iterates while it is evaluated
	res            *Result
	start          time.Time
	sinceBest      int
	accLoss        float64
	accN           int
	bestCrit       float64
	dataFP         string // the data's fingerprint (checkpoints), computed once
}

// NewTrainer checks the settings and the samples, sets the model's output
// normalisation (unless cfg.KeepNorm) and prepares the samples.
func NewTrainer[T autograd.Float](m *surrogate.Model[T], train, val []*surrogate.Sample, cfg Config) (*Trainer[T], error) {
	if len(train) == 0 || len(val) == 0 {
		return nil, fmt.Errorf("train: training needs training and validation samples")
	}
	t := &Trainer[T]{m: m, cfg: cfg, val: val, C: len(m.Inputs()), O: len(m.Outputs()), CK: m.FeatureWidth(),
		hist: m.Arch().ConvKernel - 1, bins: train[0].Bins}
	for _, s := range append(append([]*surrogate.Sample(nil), train...), val...) {
		if s.Bins != t.bins || len(s.X) != t.bins*t.C || len(s.Y) != t.bins*t.O {
			return nil, fmt.Errorf("train: samples must all have %d bins of %d inputs and %d outputs", t.bins, t.C, t.O)
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.WarmUp+cfg.BPTT > t.bins {
		return nil, fmt.Errorf("train: window %d+%d bins longer than the samples (%d)", cfg.WarmUp, cfg.BPTT, t.bins)
	}
	if !cfg.KeepNorm {
		if err := setNormFrom(m, train); err != nil {
			return nil, err
		}
	}
	t.ptrain, t.pval = t.prepare(train), t.prepare(val)
	return t, nil
}

// prepare computes the features, normalised targets, labels and weights of
// samples.
func (t *Trainer[T]) prepare(ss []*surrogate.Sample) []prepared {
	m, bins, C, O, CK := t.m, t.bins, t.C, t.O, t.CK
	sc, off := m.OutputNorm()
	out := make([]prepared, len(ss))
	for i, s := range ss {
		p := prepared{feat: make([]float32, bins*CK), target: make([]float32, bins*O), label: make([]float32, bins), weight: make([]float32, bins)}
		tmp := make([]T, bins*C)
		m.Features(tmp, s.X, bins)
		for k := 0; k < bins; k++ {
			for c := 0; c < C; c++ {
				p.feat[k*CK+c] = float32(tmp[k*C+c])
			}
		}
		for k := 0; k < bins; k++ {
			for o := 0; o < O; o++ {
				v := float64(s.Y[k*O+o])
				if o == 0 {
					v = somaTarget(s.Y[k*O])
				}
				p.target[k*O+o] = float32((v - off[o]) / sc[o])
			}
			p.weight[k] = 1
			if s.Y[k*O] > 0 {
				p.label[k] = 1
			}
		}
		if CK > C { // teacher forcing: the traces of the biophysical spike onsets
			m.LabelTraces(p.feat, CK, C, p.label)
		}
		for k := 0; k < bins; k++ {
			if s.Y[k*O] > 0 {
				for j := max(0, k-2); j <= min(bins-1, k+2); j++ {
					p.weight[j] = float32(1 + t.cfg.SpikeWeight)
				}
			}
		}
		out[i] = p
	}
	return out
}

// Run trains: optimizer steps with a validation every EvalEvery steps,
// until Steps, the patience or MaxDuration runs out; it then restores the
// kept parameters and sets the spike threshold.
func (t *Trainer[T]) Run() (*Result, error) {
	t.begin()
	m, cfg := t.m, t.cfg
	defer func() { m.SetDropout(0); m.SetTraining(false) }()
	first, err := t.resume()
	if err != nil {
		return nil, err
	}
	for step := first; step < cfg.Steps; step++ {
		lv, err := t.step(step)
		if err != nil {
			return nil, err
		}
		t.accLoss += lv
		t.accN++
		t.res.Steps = step + 1
		last := step == cfg.Steps-1 || time.Since(t.start) > cfg.MaxDuration
		if (step+1)%cfg.EvalEvery == 0 || last {
			if t.evaluate(step, last) {
				break
			}
			if err := t.saveCheckpoint(step + 1); err != nil {
				return nil, err
			}
			if cfg.stopAfter == step+1 {
				return nil, errStopped
			}
		}
	}
	return t.finish()
}

// begin sets up the optimizer, the random stream and the state of a run.
func (t *Trainer[T]) begin() {
	m, cfg := t.m, t.cfg
	t.params = m.Params()
	t.opt = nn.NewAdamW(t.params, nn.AdamConfig{WeightDecay: cfg.WeightDecay,
		Schedule: nn.CosineLR{Base: cfg.LR, Min: cfg.MinLR, Warmup: 100, Total: cfg.Steps}})
	m.SetDropout(cfg.Dropout)
	m.SetTraining(true)
	t.src = rand.NewPCG(cfg.Seed, 0x747261696e)
	t.rng = rand.New(t.src)
	t.tp = autograd.NewTape[T]()
	t.st = m.NewState(nil, cfg.Batch)
	t.best = snapshot(t.params)
	if cfg.EMA > 0 {
		t.ema, t.raw = snapshot(t.params), snapshot(t.params)
	}
	t.res = &Result{BestValLoss: math.Inf(1)}
	t.start = time.Now()
	t.sinceBest, t.accLoss, t.accN = 0, 0, 0
	t.bestCrit = math.Inf(1)
	if cfg.SpikeSmooth > 0 {
		t.smooth = gaussianSmoother[T](cfg.BPTT, cfg.SpikeSmoothSigma)
	}
}

// step runs one optimizer step on a random mini-batch of windows and
// returns its loss.
func (t *Trainer[T]) step(step int) (float64, error) {
	tp, cfg := t.tp, t.cfg
	tp.Reset()
	t.st.Zero()
	own := t.ownHistory(step)
	idx, starts, fromRest := t.windows()
	if !fromRest {
		t.warmUp(idx, starts, own)
	}
	tg := t.targets(idx, starts)
	loss := t.loss(t.forward(idx, starts, own), tg)
	lv := float64(loss.Data[0])
	if math.IsNaN(lv) || math.IsInf(lv, 0) {
		return 0, fmt.Errorf("train: training loss %v at step %d", lv, step)
	}
	nn.ZeroGrad(t.params)
	if err := tp.Backward(loss); err != nil {
		return 0, fmt.Errorf("train: backward at step %d: %w", step, err)
	}
	nn.ClipGradNorm(t.params, cfg.ClipNorm)
	t.opt.Step()
	if t.ema != nil {
		updateEMA(t.ema, t.params, min(cfg.EMA, float64(1+step)/float64(10+step)))
	}
	return lv, nil
}

// ownHistory reports whether the mini-batch of a step runs on the model's
// own spike history (free) rather than the biophysical one (teacher
// forcing); only models with spike history use either.
func (t *Trainer[T]) ownHistory(step int) bool {
	own := t.CK > t.C && !t.cfg.HistoryTeacher
	if own && t.cfg.HistorySchedule > 0 {
		pTeacher := 1 - float64(step)/(t.cfg.HistorySchedule*float64(t.cfg.Steps))
		own = t.rng.Float64() >= pTeacher
	}
	return own
}

// windows draws a mini-batch: the training sample and the first gradient
// bin of each window. Windows start at 0 (no warm-up: the true initial
// state) in one batch of ten, else after a warm-up of WarmUp bins.
func (t *Trainer[T]) windows() (idx, starts []int, fromRest bool) {
	B, W, L := t.cfg.Batch, t.cfg.WarmUp, t.cfg.BPTT
	fromRest = t.rng.IntN(10) == 0
	starts = make([]int, B)
	idx = make([]int, B)
	for b := range starts {
		idx[b] = t.rng.IntN(len(t.ptrain))
		if !fromRest {
			starts[b] = W + t.rng.IntN(t.bins-W-L+1)
		}
	}
	return idx, starts, fromRest
}

// warmUp runs the WarmUp bins before each window without gradient,
// leaving the state for the window.
func (t *Trainer[T]) warmUp(idx, starts []int, own bool) {
	tp, B, W, C, CK, hist := t.tp, t.cfg.Batch, t.cfg.WarmUp, t.C, t.CK, t.hist
	tp.SetNoGrad(true)
	if own {
		f := tp.NewTensor(B, W, C)
		for b := 0; b < B; b++ {
			copyConductances(f.Data[b*W*C:], t.ptrain[idx[b]].feat, C, CK, starts[b]-W, W)
		}
		t.m.ForwardFreeFrom(tp, f, 0, t.st)
	} else {
		f := tp.NewTensor(B, hist+W, CK)
		for b := 0; b < B; b++ {
			fill(f.Data[b*(hist+W)*CK:], t.ptrain[idx[b]].feat, starts[b]-W-hist, hist+W, CK)
		}
		t.m.ForwardFeatures(tp, f, t.st)
	}
	t.st.Detach()
	tp.SetNoGrad(false)
}

// forward runs the windows' gradient bins and returns the head's raw
// output [Batch, BPTT, O+1].
func (t *Trainer[T]) forward(idx, starts []int, own bool) *autograd.Tensor[T] {
	tp, B, L, C, CK, hist := t.tp, t.cfg.Batch, t.cfg.BPTT, t.C, t.CK, t.hist
	if own {
		f := tp.NewTensor(B, L, C)
		for b := 0; b < B; b++ {
			copyConductances(f.Data[b*L*C:], t.ptrain[idx[b]].feat, C, CK, starts[b], L)
		}
		return t.m.ForwardFreeFrom(tp, f, 0, t.st)
	}
	f := tp.NewTensor(B, hist+L, CK)
	for b := 0; b < B; b++ {
		fill(f.Data[b*(hist+L)*CK:], t.ptrain[idx[b]].feat, starts[b]-hist, hist+L, CK)
	}
	return t.m.ForwardFeatures(tp, f, t.st)
}

// windowTargets are the normalised targets and MSE weights [Batch, BPTT, O]
// and the spike labels and cross-entropy weights [Batch, BPTT, 1] of a
// mini-batch.
type windowTargets[T autograd.Float] struct {
	tgt, wt, lab, wl *autograd.Tensor[T]
}

// targets gathers the windows' targets, labels and weights.
func (t *Trainer[T]) targets(idx, starts []int) windowTargets[T] {
	tp, cfg, B, L, O := t.tp, t.cfg, t.cfg.Batch, t.cfg.BPTT, t.O
	w := windowTargets[T]{tgt: tp.NewTensor(B, L, O), wt: tp.NewTensor(B, L, O), lab: tp.NewTensor(B, L, 1), wl: tp.NewTensor(B, L, 1)}
	for b := 0; b < B; b++ {
		p := &t.ptrain[idx[b]]
		fill(w.tgt.Data[b*L*O:], p.target, starts[b], L, O)
		for k := 0; k < L; k++ {
			wk := T(p.weight[starts[b]+k])
			w.wt.Data[(b*L+k)*O] = wk * T(cfg.SomaWeight)
			for o := 1; o < O; o++ {
				w.wt.Data[(b*L+k)*O+o] = wk
			}
			l := p.label[starts[b]+k]
			w.lab.Data[b*L+k] = T(l)
			w.wl.Data[b*L+k] = T(cfg.SpikeLoss * (1 + cfg.SpikePosWeight*float64(l)))
		}
	}
	return w
}

// loss returns the training loss of the windows' raw output yz: the
// weighted MSE of the normalised outputs, the weighted spike cross-entropy
// and, with SpikeSmooth, the timing-tolerant spike term.
func (t *Trainer[T]) loss(yz *autograd.Tensor[T], w windowTargets[T]) *autograd.Tensor[T] {
	tp, B, L, O := t.tp, t.cfg.Batch, t.cfg.BPTT, t.O
	tgt, wt, lab, wl := w.tgt, w.wt, w.lab, w.wl
	d := tp.Sub(tp.Narrow(yz, 2, 0, O), tgt)
	z := tp.Narrow(yz, 2, O, 1)
	bce := tp.Sub(tp.Softplus(z), tp.Mul(z, lab))
	loss := tp.Add(tp.Mean(tp.Mul(wt, tp.Mul(d, d))), tp.Mean(tp.Mul(wl, bce)))
	if t.smooth != nil {
		fp := tp.MatMul(tp.Reshape(tp.Sigmoid(z), B, L), t.smooth)
		fl := tp.MatMul(tp.Reshape(lab, B, L), t.smooth)
		dv := tp.Sub(fp, fl)
		loss = tp.Add(loss, tp.Scale(tp.Mean(tp.Mul(dv, dv)), t.cfg.SpikeSmooth))
	}
	return loss
}

// evaluate validates the model (the moving average with EMA) after step,
// keeps the parameters if they are the best so far, logs, and reports
// whether training stops (patience spent, or last).
func (t *Trainer[T]) evaluate(step int, last bool) bool {
	m, cfg, res := t.m, t.cfg, t.res
	m.SetTraining(false)
	if t.ema != nil {
		copySnapshot(t.raw, t.params)
		restoreSnapshot(t.params, t.ema)
	}
	vl, vpred := validate(m, t.pval, t.bins, cfg.SpikeLoss, cfg.SpikePosWeight, cfg.SomaWeight)
	res.TrainLoss = append(res.TrainLoss, t.accLoss/float64(t.accN))
	res.ValLoss = append(res.ValLoss, vl)
	t.accLoss, t.accN = 0, 0
	score, th, mt := m.ScorePredictions(t.val, vpred)
	crit := vl
	if cfg.SelectBy == "score" {
		crit = -score
		res.ValScore = append(res.ValScore, score)
	}
	if crit < t.bestCrit {
		t.bestCrit, res.BestStep = crit, step+1
		res.BestValLoss, res.BestScore = vl, score
		copySnapshot(t.best, t.params)
		t.sinceBest = 0
	} else {
		t.sinceBest++
	}
	if t.ema != nil {
		restoreSnapshot(t.params, t.raw)
	}
	if cfg.Log != nil {
		el := time.Since(t.start)
		eta := time.Duration(float64(el) / float64(step+1) * float64(cfg.Steps-step-1))
		fmt.Fprintf(cfg.Log, "%s step %d/%d train %.4f val %.4f score %.4f (best at %d) val r %s spikes P %.2f R %.2f (%.0f mV); %s elapsed, ETA %s\n",
			m.CellType(), step+1, cfg.Steps, res.TrainLoss[len(res.TrainLoss)-1], vl, score, res.BestStep,
			fmtFloats(mt.R, 2), mt.Precision, mt.Recall, th, el.Round(time.Second), eta.Round(time.Second))
	}
	m.SetTraining(true)
	return t.sinceBest >= cfg.Patience || last
}

// finish restores the kept parameters and sets the spike threshold.
func (t *Trainer[T]) finish() (*Result, error) {
	m, res := t.m, t.res
	m.SetTraining(false)
	restoreSnapshot(t.params, t.best)
	res.Seconds = time.Since(t.start).Seconds()
	res.Threshold, res.ValF1 = m.ChooseThreshold(t.val)
	if err := m.SetSpikeThreshold(res.Threshold); err != nil {
		return nil, err
	}
	return res, nil
}

// fill copies bins from … from+length−1 of a prepared sequence src
// (width values per bin) into dst, leaving bins before 0 untouched (zeros
// on a fresh tensor).
func fill[T autograd.Float](dst []T, src []float32, from, length, width int) {
	for k := 0; k < length; k++ {
		t := from + k
		if t < 0 {
			continue
		}
		for c := 0; c < width; c++ {
			dst[k*width+c] = T(src[t*width+c])
		}
	}
}

// gaussianSmoother returns the [L, L] matrix K with K[i][j] =
// exp(-(i-j)²/(2σ²)) (σ in bins), so that s·K smooths rows of s in time.
func gaussianSmoother[T autograd.Float](L int, sigma float64) *autograd.Tensor[T] {
	var tp *autograd.Tape[T]
	k := tp.NewTensor(L, L)
	for i := 0; i < L; i++ {
		for j := 0; j < L; j++ {
			d := float64(i - j)
			if math.Abs(d) <= 6*sigma {
				k.Data[i*L+j] = T(math.Exp(-d * d / (2 * sigma * sigma)))
			}
		}
	}
	return k
}

// validate runs the model free over whole validation samples once and
// returns the training loss on them (weighted normalised MSE plus the spike
// cross-entropy, per bin) and the predictions in physical units (bins·O per
// sample, as Predict gives them).
func validate[T autograd.Float](m *surrogate.Model[T], pval []prepared, bins int, spikeLoss, spikePos, somaWeight float64) (float64, [][]float32) {
	C, O := len(m.Inputs()), len(m.Outputs())
	hist := m.Arch().ConvKernel - 1
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	var mse, bce float64
	var nb float64
	pred := make([][]float32, len(pval))
	const chunk = 32
	for i0 := 0; i0 < len(pval); i0 += chunk {
		i1 := min(i0+chunk, len(pval))
		B := i1 - i0
		tp.Reset()
		f := tp.NewTensor(B, hist+bins, C)
		CK := m.FeatureWidth()
		for b := 0; b < B; b++ {
			copyConductances(f.Data[(b*(hist+bins)+hist)*C:], pval[i0+b].feat, C, CK, 0, bins)
		}
		var y *autograd.Tensor[T]
		if CK > C { // free-running: the model's own spike history, not the labels'
			y = m.ForwardFreeFrom(tp, f, hist, m.NewState(nil, f.Dim(0)))
		} else {
			y = m.ForwardFeatures(tp, f, nil)
		}
		py := m.Physical(tp, y)
		for b := 0; b < B; b++ {
			out := make([]float32, bins*O)
			for i := range out {
				out[i] = float32(py.Data[b*bins*O+i])
			}
			pred[i0+b] = out
			p := &pval[i0+b]
			for k := 0; k < bins; k++ {
				row := y.Data[(b*bins+k)*(O+1):]
				w := float64(p.weight[k])
				for o := 0; o < O; o++ {
					d := float64(row[o]) - float64(p.target[k*O+o])
					wo := w
					if o == 0 {
						wo *= somaWeight
					}
					mse += wo * d * d / float64(O)
				}
				z, l := float64(row[O]), float64(p.label[k])
				bce += spikeLoss * (1 + spikePos*l) * (softplus(z) - z*l)
				nb++
			}
		}
	}
	return (mse + bce) / nb, pred
}

// fmtFloats formats v with prec decimals, separated by spaces.
func fmtFloats(v []float64, prec int) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.*f", prec, x)
	}
	return s
}

// setNormFrom sets the output normalisation (mean and standard deviation
// per output, the soma on its clipped branch) and the spike peak (mean
// somatic value of the bins above 0 mV) from training samples.
func setNormFrom[T autograd.Float](m *surrogate.Model[T], train []*surrogate.Sample) error {
	O := len(m.Outputs())
	sc, off := make([]float64, O), make([]float64, O)
	val := func(s *surrogate.Sample, k, o int) float64 {
		if o == 0 {
			return somaTarget(s.Y[k*O])
		}
		return float64(s.Y[k*O+o])
	}
	n := 0.0
	for _, s := range train {
		for k := 0; k < s.Bins; k++ {
			for o := 0; o < O; o++ {
				off[o] += val(s, k, o)
			}
		}
		n += float64(s.Bins)
	}
	for o := range off {
		off[o] /= n
	}
	peak, np := 0.0, 0
	for _, s := range train {
		for k := 0; k < s.Bins; k++ {
			for o := 0; o < O; o++ {
				d := val(s, k, o) - off[o]
				sc[o] += d * d
			}
			if v := s.Y[k*O]; v > 0 {
				peak += float64(v)
				np++
			}
		}
	}
	for o := range sc {
		sc[o] = math.Sqrt(sc[o]/n) + 1e-12
	}
	if err := m.SetOutputNorm(sc, off); err != nil {
		return err
	}
	if np > 0 {
		return m.SetSpikePeak(peak / float64(np))
	}
	return nil
}

func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

func snapshot[T autograd.Float](ps []nn.Param[T]) [][]T {
	out := make([][]T, len(ps))
	for i, p := range ps {
		out[i] = append([]T(nil), p.Tensor.Data...)
	}
	return out
}

func copySnapshot[T autograd.Float](dst [][]T, ps []nn.Param[T]) {
	for i, p := range ps {
		copy(dst[i], p.Tensor.Data)
	}
}

// copyConductances fills dst [length, C] with the conductance features
// (the first C of every CK values) of bins from … from+length−1 of a prepared
// feature sequence feat, leaving bins before 0 untouched (zeros on a fresh
// tensor).
func copyConductances[T autograd.Float](dst []T, feat []float32, C, CK, from, length int) {
	for k := 0; k < length; k++ {
		if t := from + k; t >= 0 {
			for c := 0; c < C; c++ {
				dst[k*C+c] = T(feat[t*CK+c])
			}
		}
	}
}

// updateEMA moves the averaged parameters towards the current ones:
// avg ← decay·avg + (1−decay)·p.
func updateEMA[T autograd.Float](avg [][]T, ps []nn.Param[T], decay float64) {
	d, e := T(decay), T(1-decay)
	for i, p := range ps {
		a := avg[i]
		for j, v := range p.Tensor.Data {
			a[j] = d*a[j] + e*v
		}
	}
}

func restoreSnapshot[T autograd.Float](ps []nn.Param[T], src [][]T) {
	for i, p := range ps {
		copy(p.Tensor.Data, src[i])
	}
	nn.WeightsChanged() // weights packed for the step GEMMs are stale now
}
