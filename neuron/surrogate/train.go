package surrogate

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
)

// TrainConfig sets the training of a surrogate on windows of the training
// samples: Batch windows of WarmUp + BPTT bins, the warm-up run without
// gradient (it carries the state but does not count in the loss), Adam with
// a cosine learning-rate schedule, gradient clipping, and early stopping on
// the free-running validation loss.
type TrainConfig struct {
	Batch, WarmUp, BPTT int
	Steps               int     // maximum optimizer steps
	LR, MinLR           float64 // cosine schedule from LR to MinLR over Steps
	ClipNorm            float64
	Dropout             float64 // LSTM inter-layer dropout while training
	WeightDecay         float64 // AdamW decoupled weight decay
	SpikeWeight         float64 // extra MSE weight of bins within ±1 ms of a somatic spike
	SpikeLoss           float64 // weight of the spike-logit cross-entropy
	SomaWeight          float64 // MSE weight of the (clipped) somatic voltage relative to the other outputs (1: equal)
	SpikePosWeight      float64 // extra cross-entropy weight of spike bins
	// SpikeSmooth weighs a timing-tolerant spike term: the squared
	// difference of the spike probability σ(z) and the spike labels after
	// both are smoothed in time by a Gaussian of SpikeSmoothSigma bins (a
	// van Rossum-like distance), so a spike predicted a bin or two off
	// costs little, where the per-bin cross-entropy counts it as a miss
	// and a false alarm.
	SpikeSmooth      float64
	SpikeSmoothSigma float64
	// SelectBy chooses the kept parameters: "loss" (lowest free-running
	// validation loss) or "score" (highest Model.Score on the validation
	// set: the targets' Pearson r and the spike F1).
	SelectBy string
	// EMA, when positive, is the decay per optimizer step of an
	// exponential moving average of the parameters (Polyak averaging,
	// with the warm-up min(EMA, (1+n)/(10+n)) after n steps); validation,
	// selection and the returned parameters then use the averaged
	// parameters instead of the raw iterates. 0 turns it off.
	EMA float64
	// HistoryTeacher feeds models with spike history (Arch.SpikeHistory)
	// the traces of the biophysical spikes while training (teacher
	// forcing, fast, sequence mode). Otherwise (the default) training runs
	// the windows step by step with the model's own spikes fed back, as it
	// runs free: teacher forcing trained to a low windowed loss while the
	// free-running validation loss rose (docs/surrogate.md, round 6).
	HistoryTeacher bool
	// HistorySchedule, when positive, mixes the two for models with spike
	// history (scheduled sampling): a mini-batch is teacher-forced with
	// probability max(0, 1 − step/(HistorySchedule·Steps)) and otherwise run
	// free on the model's own spikes, so training starts from the
	// biophysical history and ends on the model's own. 0: off.
	HistorySchedule float64
	EvalEvery       int // steps between validation evaluations
	Patience        int // evaluations without improvement before stopping
	MaxDuration     time.Duration
	Seed            uint64
	KeepNorm        bool      // keep the model's output normalisation and spike peak (continued training)
	Log             io.Writer // progress (may be nil)
}

// DefaultTrainConfig returns the settings of the shipped L2/3 pyramidal
// weights: windows of 300 warm-up and 1,000 gradient bins (150 + 500 ms),
// 8 per batch, 45,000 AdamW steps (no weight decay, no dropout) with a
// cosine schedule from 5e-3 to 1e-4, the soma's MSE weighted 5 and the
// spike cross-entropy 0.5, and the parameters kept at the best validation
// Score. TrainConfigFor gives each cell type's shipped recipe.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Batch: 8, WarmUp: 300, BPTT: 1000, Steps: 45000, LR: 5e-3, MinLR: 1e-4, ClipNorm: 1, Dropout: 0, WeightDecay: 0,
		SpikeWeight: 0, SpikeLoss: 0.5, SomaWeight: 5, SpikePosWeight: 5, SpikeSmooth: 0, SpikeSmoothSigma: 2, SelectBy: "score",
		EvalEvery: 300, Patience: 1000, MaxDuration: 58 * time.Minute, Seed: 1}
}

// TrainConfigFor returns the recipe of the shipped weights of a cell type
// (docs/surrogate.md, Training):
//
//   - L2/3 pyramidal: DefaultTrainConfig.
//   - L5 pyramidal: windows of 200 warm-up and 400 gradient bins, 16 per
//     batch, 20,000 steps, equal output weights and a spike cross-entropy
//     of weight 1, kept at the best validation Score. (The L2/3 recipe gave
//     L5 a higher r but 28 % too few spikes, and the surrogate network
//     built on it no longer optimized.)
//   - Baskets: windows of 100 warm-up and 200 gradient bins, 32 per batch,
//     9,000 steps, equal output weights, kept at the lowest validation loss
//     with a patience of 10 evaluations.
func TrainConfigFor(ct neuron.CellType) TrainConfig {
	c := DefaultTrainConfig()
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

// TrainResult summarises a training run.
type TrainResult struct {
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

// prepared holds one sample's features, normalised targets (soma clipped at
// SomaClip), spike labels (bins whose somatic peak exceeds 0 mV) and MSE
// weights.
type prepared struct {
	feat, target, label, weight []float32 // bins·C, bins·O, bins, bins
}

// somaTarget returns the subthreshold-branch target of a somatic voltage.
func somaTarget(v float32) float64 { return math.Min(float64(v), SomaClip) }

// Train fits m to the training samples, selecting the parameters with the
// lowest free-running validation loss, sets the output normalisation from
// the training targets and the spike threshold from the validation data.
func Train[T autograd.Float](m *Model[T], train, val []*Sample, cfg TrainConfig) (*TrainResult, error) {
	if len(train) == 0 || len(val) == 0 {
		return nil, fmt.Errorf("surrogate: training needs training and validation samples")
	}
	C, O := len(m.io.channels), len(m.io.outputs)
	CK := m.featWidth() // features the convolution reads: inputs and spike-history traces
	bins := train[0].Bins
	for _, s := range append(append([]*Sample(nil), train...), val...) {
		if s.Bins != bins || len(s.X) != bins*C || len(s.Y) != bins*O {
			return nil, fmt.Errorf("surrogate: samples must all have %d bins of %d inputs and %d outputs", bins, C, O)
		}
	}
	if !(cfg.SomaWeight > 0) {
		return nil, fmt.Errorf("surrogate: SomaWeight %g: want a positive weight", cfg.SomaWeight)
	}
	if cfg.SelectBy != "loss" && cfg.SelectBy != "score" {
		return nil, fmt.Errorf("surrogate: SelectBy %q: want \"loss\" or \"score\"", cfg.SelectBy)
	}
	if cfg.SpikeSmooth < 0 || (cfg.SpikeSmooth > 0 && !(cfg.SpikeSmoothSigma > 0)) {
		return nil, fmt.Errorf("surrogate: SpikeSmooth %g with sigma %g bins: want a weight >= 0 and a positive sigma", cfg.SpikeSmooth, cfg.SpikeSmoothSigma)
	}
	if cfg.HistorySchedule < 0 || math.IsNaN(cfg.HistorySchedule) {
		return nil, fmt.Errorf("surrogate: HistorySchedule %g: want 0 (off) or a positive fraction of the steps", cfg.HistorySchedule)
	}
	if cfg.EMA < 0 || cfg.EMA >= 1 || math.IsNaN(cfg.EMA) {
		return nil, fmt.Errorf("surrogate: EMA decay %g: want 0 (off) or a value in (0, 1)", cfg.EMA)
	}
	if cfg.WarmUp+cfg.BPTT > bins {
		return nil, fmt.Errorf("surrogate: window %d+%d bins longer than the samples (%d)", cfg.WarmUp, cfg.BPTT, bins)
	}
	if !cfg.KeepNorm {
		if err := m.setNormFrom(train); err != nil {
			return nil, err
		}
	}
	sc, off := m.OutputNorm()
	prep := func(ss []*Sample) []prepared {
		out := make([]prepared, len(ss))
		for i, s := range ss {
			p := prepared{feat: make([]float32, bins*CK), target: make([]float32, bins*O), label: make([]float32, bins), weight: make([]float32, bins)}
			tmp := make([]T, bins*C)
			features(m, tmp, s.X, bins)
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
				labelTraces(p.feat, CK, C, p.label, m.histDecay)
			}
			for k := 0; k < bins; k++ {
				if s.Y[k*O] > 0 {
					for j := max(0, k-2); j <= min(bins-1, k+2); j++ {
						p.weight[j] = float32(1 + cfg.SpikeWeight)
					}
				}
			}
			out[i] = p
		}
		return out
	}
	ptrain, pval := prep(train), prep(val)

	params := m.Params()
	opt := nn.NewAdamW(params, nn.AdamConfig{WeightDecay: cfg.WeightDecay,
		Schedule: nn.CosineLR{Base: cfg.LR, Min: cfg.MinLR, Warmup: 100, Total: cfg.Steps}})
	m.lstm.Dropout = cfg.Dropout
	train1 := func(on bool) { m.lstm.SetTraining(on) }
	defer func() { m.lstm.Dropout = 0; train1(false) }()
	train1(true)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x747261696e))
	tp := autograd.NewTape[T]()
	hist := m.arch.ConvKernel - 1
	B, W, L := cfg.Batch, cfg.WarmUp, cfg.BPTT
	st := m.NewState(nil, B)
	best := snapshot(params)
	var ema, raw [][]T // averaged parameters; the raw iterates while the average is evaluated
	if cfg.EMA > 0 {
		ema, raw = snapshot(params), snapshot(params)
	}
	res := &TrainResult{BestValLoss: math.Inf(1)}
	start := time.Now()
	sinceBest, accLoss, accN := 0, 0.0, 0
	bestCrit := math.Inf(1)
	var smooth *autograd.Tensor[T] // [L, L] Gaussian smoothing in time
	if cfg.SpikeSmooth > 0 {
		smooth = gaussianSmoother[T](L, cfg.SpikeSmoothSigma)
	}
	fill := func(dst []T, p *prepared, from, length, width int, src func(p *prepared) []float32) {
		data := src(p)
		for k := 0; k < length; k++ {
			t := from + k
			if t < 0 {
				continue
			}
			for c := 0; c < width; c++ {
				dst[k*width+c] = T(data[t*width+c])
			}
		}
	}
	featOf := func(p *prepared) []float32 { return p.feat }
	for step := 0; step < cfg.Steps; step++ {
		tp.Reset()
		st.Zero()
		ownHistory := CK > C && !cfg.HistoryTeacher
		if ownHistory && cfg.HistorySchedule > 0 {
			pTeacher := 1 - float64(step)/(cfg.HistorySchedule*float64(cfg.Steps))
			ownHistory = rng.Float64() >= pTeacher
		}
		// Windows start at 0 (no warm-up: the true initial state) in one batch
		// of ten, else after a warm-up of W bins.
		fromRest := rng.IntN(10) == 0
		starts := make([]int, B)
		idx := make([]int, B)
		for b := range starts {
			idx[b] = rng.IntN(len(ptrain))
			if !fromRest {
				starts[b] = W + rng.IntN(bins-W-L+1)
			}
		}
		if !fromRest && ownHistory {
			tp.SetNoGrad(true)
			f := tp.NewTensor(B, W, C)
			for b := 0; b < B; b++ {
				copyConductances(f.Data[b*W*C:], ptrain[idx[b]].feat, C, CK, starts[b]-W, W)
			}
			m.forwardFreeFrom(tp, f, 0, st)
			st.Detach()
			tp.SetNoGrad(false)
		} else if !fromRest {
			tp.SetNoGrad(true)
			f := tp.NewTensor(B, hist+W, CK)
			for b := 0; b < B; b++ {
				fill(f.Data[b*(hist+W)*CK:], &ptrain[idx[b]], starts[b]-W-hist, hist+W, CK, featOf)
			}
			m.forwardFeatures(tp, f, st)
			st.Detach()
			tp.SetNoGrad(false)
		}
		tgt := tp.NewTensor(B, L, O)
		wt := tp.NewTensor(B, L, O)
		lab := tp.NewTensor(B, L, 1)
		wl := tp.NewTensor(B, L, 1)
		for b := 0; b < B; b++ {
			p := &ptrain[idx[b]]
			fill(tgt.Data[b*L*O:], p, starts[b], L, O, func(p *prepared) []float32 { return p.target })
			for k := 0; k < L; k++ {
				w := T(p.weight[starts[b]+k])
				wt.Data[(b*L+k)*O] = w * T(cfg.SomaWeight)
				for o := 1; o < O; o++ {
					wt.Data[(b*L+k)*O+o] = w
				}
				l := p.label[starts[b]+k]
				lab.Data[b*L+k] = T(l)
				wl.Data[b*L+k] = T(cfg.SpikeLoss * (1 + cfg.SpikePosWeight*float64(l)))
			}
		}
		var yz *autograd.Tensor[T]
		if ownHistory {
			f := tp.NewTensor(B, L, C)
			for b := 0; b < B; b++ {
				copyConductances(f.Data[b*L*C:], ptrain[idx[b]].feat, C, CK, starts[b], L)
			}
			yz = m.forwardFreeFrom(tp, f, 0, st)
		} else {
			f := tp.NewTensor(B, hist+L, CK)
			for b := 0; b < B; b++ {
				fill(f.Data[b*(hist+L)*CK:], &ptrain[idx[b]], starts[b]-hist, hist+L, CK, featOf)
			}
			yz = m.forwardFeatures(tp, f, st)
		}
		d := tp.Sub(tp.Narrow(yz, 2, 0, O), tgt)
		z := tp.Narrow(yz, 2, O, 1)
		bce := tp.Sub(tp.Softplus(z), tp.Mul(z, lab))
		loss := tp.Add(tp.Mean(tp.Mul(wt, tp.Mul(d, d))), tp.Mean(tp.Mul(wl, bce)))
		if smooth != nil {
			fp := tp.MatMul(tp.Reshape(tp.Sigmoid(z), B, L), smooth)
			fl := tp.MatMul(tp.Reshape(lab, B, L), smooth)
			dv := tp.Sub(fp, fl)
			loss = tp.Add(loss, tp.Scale(tp.Mean(tp.Mul(dv, dv)), cfg.SpikeSmooth))
		}
		lv := float64(loss.Data[0])
		if math.IsNaN(lv) || math.IsInf(lv, 0) {
			return nil, fmt.Errorf("surrogate: training loss %v at step %d", lv, step)
		}
		nn.ZeroGrad(params)
		if err := tp.Backward(loss); err != nil {
			return nil, fmt.Errorf("surrogate: backward at step %d: %w", step, err)
		}
		nn.ClipGradNorm(params, cfg.ClipNorm)
		opt.Step()
		if ema != nil {
			updateEMA(ema, params, min(cfg.EMA, float64(1+step)/float64(10+step)))
		}
		accLoss += lv
		accN++
		res.Steps = step + 1
		last := step == cfg.Steps-1 || time.Since(start) > cfg.MaxDuration
		if (step+1)%cfg.EvalEvery == 0 || last {
			train1(false)
			if ema != nil {
				copySnapshot(raw, params)
				restoreSnapshot(params, ema)
			}
			vl, vpred := m.validate(pval, bins, cfg.SpikeLoss, cfg.SpikePosWeight, cfg.SomaWeight)
			res.TrainLoss = append(res.TrainLoss, accLoss/float64(accN))
			res.ValLoss = append(res.ValLoss, vl)
			accLoss, accN = 0, 0
			score, th, mt := m.scoreOf(val, vpred)
			crit := vl
			if cfg.SelectBy == "score" {
				crit = -score
				res.ValScore = append(res.ValScore, score)
			}
			if crit < bestCrit {
				bestCrit, res.BestStep = crit, step+1
				res.BestValLoss, res.BestScore = vl, score
				copySnapshot(best, params)
				sinceBest = 0
			} else {
				sinceBest++
			}
			if ema != nil {
				restoreSnapshot(params, raw)
			}
			if cfg.Log != nil {
				el := time.Since(start)
				eta := time.Duration(float64(el) / float64(step+1) * float64(cfg.Steps-step-1))
				fmt.Fprintf(cfg.Log, "%s step %d/%d train %.4f val %.4f score %.4f (best at %d) val r %s spikes P %.2f R %.2f (%.0f mV); %s elapsed, ETA %s\n",
					m.ct, step+1, cfg.Steps, res.TrainLoss[len(res.TrainLoss)-1], vl, score, res.BestStep,
					fmtFloats(mt.R), mt.Precision, mt.Recall, th, el.Round(time.Second), eta.Round(time.Second))
			}
			train1(true)
			if sinceBest >= cfg.Patience || last {
				break
			}
		}
	}
	train1(false)
	restoreSnapshot(params, best)
	res.Seconds = time.Since(start).Seconds()
	res.Threshold, res.ValF1 = m.ChooseThreshold(val)
	if err := m.SetSpikeThreshold(res.Threshold); err != nil {
		return nil, err
	}
	return res, nil
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
func (m *Model[T]) validate(pval []prepared, bins int, spikeLoss, spikePos, somaWeight float64) (float64, [][]float32) {
	C, O := len(m.io.channels), len(m.io.outputs)
	hist := m.arch.ConvKernel - 1
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
		CK := m.featWidth()
		for b := 0; b < B; b++ {
			copyConductances(f.Data[(b*(hist+bins)+hist)*C:], pval[i0+b].feat, C, CK, 0, bins)
		}
		var y *autograd.Tensor[T]
		if CK > C { // free-running: the model's own spike history, not the labels'
			y = m.forwardFree(tp, f)
		} else {
			y = m.forwardFeatures(tp, f, nil)
		}
		py := m.physical(tp, y)
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

func fmtFloats(v []float64) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.2f", x)
	}
	return s
}

// setNormFrom sets the output normalisation (mean and standard deviation
// per output, the soma on its clipped branch) and the spike peak (mean
// somatic value of the bins above 0 mV) from training samples.
func (m *Model[T]) setNormFrom(train []*Sample) error {
	O := len(m.io.outputs)
	sc, off := make([]float64, O), make([]float64, O)
	val := func(s *Sample, k, o int) float64 {
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
}
