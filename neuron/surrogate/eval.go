package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/stats"
)

// SpikeTolerance is the window (ms) within which a predicted spike matches a
// biophysical one.
const SpikeTolerance = 2.0

// Metrics are the free-running accuracy figures of a surrogate on a dataset.
type Metrics struct {
	Samples int `json:"samples"`
	// Per output, in Outputs order: Pearson r and RMSE (mV, nAm) pooled over
	// all bins of all samples.
	Outputs []string  `json:"outputs"`
	R       []float64 `json:"r"`
	RMSE    []float64 `json:"rmse"`
	// Spikes (threshold crossing of the predicted soma voltage vs NEURON's
	// detector) matched within ±SpikeTolerance ms.
	Threshold      float64 `json:"spike_threshold_mV"`
	TrueSpikes     int     `json:"true_spikes"`
	PredSpikes     int     `json:"pred_spikes"`
	Precision      float64 `json:"spike_precision"`
	Recall         float64 `json:"spike_recall"`
	TrueRateHz     float64 `json:"true_rate_hz"`
	PredRateHz     float64 `json:"pred_rate_hz"`
	RateErrHz      float64 `json:"rate_abs_err_hz"` // mean over samples of |pred - true| rate
	SubthreshRMSE  float64 `json:"soma_rmse_subthreshold_mV"`
	SomaRVsSampled float64 `json:"soma_r_vs_target"`
	// SomaRSpikeOracle (Model.Evaluate only) is the Pearson r of the
	// somatic voltage when the model's subthreshold branch (its soma output
	// without the spike shaping, v_sub) is used wherever the biophysical soma
	// is at or below SomaClip and the biophysical values everywhere else
	// (the spikes and their flanks): what the model would reach if it placed
	// and shaped every spike exactly. Far above R[0], it says that the
	// soma's r is lost to spike timing, not to the subthreshold voltage.
	SomaRSpikeOracle float64 `json:"soma_r_spike_oracle,omitempty"`
	// SpikeWithin gives, for the keys "0.5_ms", "1_ms" and "2_ms", the
	// fraction of the biophysical spikes that have a predicted spike (any,
	// not one-to-one) at most that far away: how precisely spikes are timed.
	SpikeWithin map[string]float64 `json:"spike_nearest_within,omitempty"`
	// PreSpikeBiasMV and PreSpikeMAEMV (Model.Evaluate only) are the mean
	// and the mean absolute error (mV) of the model's subthreshold branch
	// 1-3 ms before each biophysical spike onset (the first bin above
	// SomaClip), in the bins still at or below SomaClip: how well the
	// approach to threshold, which sets a spike's time, is followed.
	PreSpikeBiasMV float64 `json:"soma_sub_bias_before_spikes_mV,omitempty"`
	PreSpikeMAEMV  float64 `json:"soma_sub_mae_before_spikes_mV,omitempty"`

	// The field's spike metrics (docs/surrogate.md, "Metrics"). Gamma is
	// Kistler's coincidence factor with Δ = SpikeTolerance (2 ms), the mean
	// over the samples with any spike (-1 when none has); SpikeBiasMS the
	// mean signed error (ms, predicted − biophysical) of the spikes matched
	// one-to-one within ±SpikeTolerance; SpikeAUC the area under the ROC
	// curve of the predicted soma's maximum in each 1 ms bin as a score for
	// "the biophysical cell spiked in this bin" (-1 without spikes or
	// without spike-free bins).
	Gamma       float64 `json:"gamma_2ms"`
	SpikeBiasMS float64 `json:"spike_time_bias_ms"`
	SpikeAUC    float64 `json:"spike_auc_1ms"`
	// ClippedRMSE (mV) and ClippedEV (fraction of variance explained) of
	// the soma clipped at SomaClip (-55 mV), min(v, -55), over every bin:
	// the subthreshold voltage with the spikes' shape taken out.
	ClippedRMSE float64 `json:"soma_clipped_rmse_mV"`
	ClippedEV   float64 `json:"soma_clipped_ev"`
}

// ClipMV is the level (mV) at which Metrics.ClippedRMSE and ClippedEV clip
// the soma.
const ClipMV = -55.0

// withinTols are the distances (ms) of Metrics.SpikeWithin.
var withinTols = [...]float64{0.5, 1, 2}

// Predict runs the model free (from rest, seeing only the inputs) on every
// sample and returns the predicted outputs, bins·O per sample.
func (m *Model[T]) Predict(samples []*Sample) [][]float32 {
	out, _ := m.predict(samples, false)
	return out
}

// predict is Predict; with withSub it also returns, from the same runs, the
// outputs without the spike shaping (the soma's subthreshold branch v_sub).
func (m *Model[T]) predict(samples []*Sample, withSub bool) (out, sub [][]float32) {
	C, O := len(m.io.channels), len(m.io.outputs)
	out = make([][]float32, len(samples))
	if withSub {
		sub = make([][]float32, len(samples))
	}
	const chunk = 32
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	for i0 := 0; i0 < len(samples); i0 += chunk {
		i1 := min(i0+chunk, len(samples))
		bins := samples[i0].Bins
		same := true
		for _, s := range samples[i0:i1] {
			same = same && s.Bins == bins
		}
		if !same {
			i1 = i0 + 1
			bins = samples[i0].Bins
		}
		B := i1 - i0
		tp.Reset()
		x := tp.NewTensor(B, bins, C)
		for b := 0; b < B; b++ {
			for i, v := range samples[i0+b].X {
				x.Data[b*bins*C+i] = T(v)
			}
		}
		raw := m.forwardRaw(tp, x)
		copyOut(out[i0:i1], m.physical(tp, raw).Data, bins*O)
		if withSub {
			copyOut(sub[i0:i1], m.unshaped(tp, raw).Data, bins*O)
		}
		if !same {
			i0 = i1 - chunk
		}
	}
	return out, sub
}

// copyOut stores consecutive blocks of n values of y as float32 slices in dst.
func copyOut[T autograd.Float](dst [][]float32, y []T, n int) {
	for b := range dst {
		o := make([]float32, n)
		for i := range o {
			o[i] = float32(y[b*n+i])
		}
		dst[b] = o
	}
}

// Evaluate predicts every sample free-running and measures the accuracy with
// the model's spike threshold.
func (m *Model[T]) Evaluate(samples []*Sample) Metrics {
	pred, sub := m.predict(samples, true)
	mt := evaluate(m.io.outputs, samples, pred, m.threshold)
	O := len(m.io.outputs)
	mt.SomaRSpikeOracle = spikeOracle(samples, sub, O)
	mt.PreSpikeBiasMV, mt.PreSpikeMAEMV = preSpikeError(samples, sub, O)
	return mt
}

// preSpikeError returns the mean and mean absolute error (mV) of the
// subthreshold prediction sub (bins·O per sample) 1-3 ms before every
// biophysical spike onset, over the bins at or below SomaClip
// (Metrics.PreSpikeBiasMV); 0, 0 without spikes.
func preSpikeError(samples []*Sample, sub [][]float32, O int) (bias, mae float64) {
	lo, hi := int(math.Round(1/BinDt)), int(math.Round(3/BinDt))
	n := 0
	for i, s := range samples {
		for k := 1; k < s.Bins; k++ {
			if !(float64(s.Y[k*O]) > SomaClip && float64(s.Y[(k-1)*O]) <= SomaClip) {
				continue
			}
			for lag := lo; lag <= hi && lag <= k; lag++ {
				j := k - lag
				if float64(s.Y[j*O]) > SomaClip {
					continue
				}
				e := float64(sub[i][j*O] - s.Y[j*O])
				bias += e
				mae += math.Abs(e)
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return bias / float64(n), mae / float64(n)
}

// spikeOracle returns the Pearson r of the biophysical soma against the
// subthreshold prediction sub (bins·O per sample) with the biophysical values
// in the bins where they exceed SomaClip (Metrics.SomaRSpikeOracle).
func spikeOracle(samples []*Sample, sub [][]float32, O int) float64 {
	var oracle, truth []float32
	for i, s := range samples {
		for k := 0; k < s.Bins; k++ {
			y, p := s.Y[k*O], sub[i][k*O]
			if float64(y) > SomaClip {
				p = y
			}
			oracle = append(oracle, p)
			truth = append(truth, y)
		}
	}
	return stats.Pearson(oracle, truth)
}

func evaluate(outputs []string, samples []*Sample, pred [][]float32, theta float64) Metrics {
	return evaluateSpikes(outputs, samples, pred, theta, nil)
}

// evaluateSpikes is evaluate with the predicted spike times of every sample
// given (ms; nil: read from the predicted soma trace as upward crossings of
// theta, evaluate's rule).
func evaluateSpikes(outputs []string, samples []*Sample, pred [][]float32, theta float64, predSpikes [][]float64) Metrics {
	O := len(outputs)
	mt := Metrics{Samples: len(samples), Outputs: outputs, Threshold: theta}
	if len(samples) == 0 {
		return mt
	}
	var dur float64
	for o := 0; o < O; o++ {
		var a, b []float32
		for i, s := range samples {
			for k := 0; k < s.Bins; k++ {
				a = append(a, pred[i][k*O+o])
				b = append(b, s.Y[k*O+o])
			}
		}
		mt.R = append(mt.R, stats.Pearson(a, b))
		mt.RMSE = append(mt.RMSE, RMSE(a, b))
	}
	var se float64
	var ns int
	var within [len(withinTols)]float64
	var match stats.Match
	somas, spikes := make([][]float32, len(samples)), make([][]float64, len(samples))
	for i, s := range samples {
		d := float64(s.Bins) * BinDt / 1000
		dur += d
		v := make([]float32, s.Bins)
		for k := range v {
			v[k] = pred[i][k*O]
		}
		var ps []float64
		if predSpikes != nil {
			ps = predSpikes[i]
		} else {
			ps = SpikeTimes(v, theta)
		}
		somas[i], spikes[i] = v, ps
		for _, t := range s.Spikes {
			near := math.Inf(1)
			for _, p := range ps {
				near = math.Min(near, math.Abs(p-t))
			}
			for j, tol := range withinTols {
				if near <= tol {
					within[j]++
				}
			}
		}
		match = match.Add(stats.MatchSpikes(ps, s.Spikes, SpikeTolerance))
		mt.RateErrHz += math.Abs(float64(len(ps))-float64(len(s.Spikes))) / d
		for k := range v {
			if s.Y[k*O] < -40 && v[k] < -40 {
				dd := float64(v[k] - s.Y[k*O])
				se += dd * dd
				ns++
			}
		}
	}
	mt.TrueSpikes, mt.PredSpikes = match.Reference, match.Predicted
	mt.Precision, mt.Recall = match.Precision(), match.Recall()
	if mt.TrueSpikes > 0 {
		mt.SpikeWithin = map[string]float64{}
		for j, tol := range withinTols {
			mt.SpikeWithin[fmt.Sprintf("%g_ms", tol)] = within[j] / float64(mt.TrueSpikes)
		}
	}
	mt.TrueRateHz = float64(mt.TrueSpikes) / dur
	mt.PredRateHz = float64(mt.PredSpikes) / dur
	mt.RateErrHz /= float64(len(samples))
	if ns > 0 {
		mt.SubthreshRMSE = math.Sqrt(se / float64(ns))
	}
	mt.SomaRVsSampled = mt.R[0]
	mt.fieldMetrics(samples, somas, spikes, O)
	return mt
}

// fieldMetrics fills the field's spike and clipped-soma metrics of mt
// (Gamma, SpikeBiasMS, SpikeAUC, ClippedRMSE, ClippedEV) from the
// predicted soma of every sample and its spikes (ms); O outputs per bin in the targets.
func (mt *Metrics) fieldMetrics(samples []*Sample, somas [][]float32, spikes [][]float64, O int) {
	var gsum, bsum float64
	var ngam, nb int
	var clip stats.Moments
	var auc aucCounter
	for i, s := range samples {
		v, ps := somas[i], spikes[i]
		tMS := float64(s.Bins) * BinDt
		if g := stats.Coincidence(ps, s.Spikes, tMS, SpikeTolerance); !math.IsNaN(g) {
			gsum += g
			ngam++
		}
		for _, pr := range stats.MatchPairs(ps, s.Spikes, SpikeTolerance) {
			bsum += pr[0] - pr[1]
			nb++
		}
		for k := range v {
			clip.Add(math.Min(float64(s.Y[k*O]), ClipMV), math.Min(float64(v[k]), ClipMV))
		}
		auc.addSample(v, s.Spikes, s.Bins)
	}
	mt.Gamma, mt.SpikeAUC = -1, auc.value()
	if ngam > 0 {
		mt.Gamma = gsum / float64(ngam)
	}
	if nb > 0 {
		mt.SpikeBiasMS = bsum / float64(nb)
	}
	mt.ClippedRMSE, mt.ClippedEV = finiteOr(clip.RMSE(), -1), finiteOr(clip.EV(), -1)
}

// finiteOr returns x, or alt when x is NaN or infinite (JSON has neither).
func finiteOr(x, alt float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return alt
	}
	return x
}

// ChooseThreshold returns the spike threshold (mV) in [-45, 10] that
// maximises the F1 score of the predicted spikes on samples (the
// model's validation data), with the F1 it reaches.
func (m *Model[T]) ChooseThreshold(samples []*Sample) (float64, float64) {
	return chooseThreshold(len(m.io.outputs), samples, m.Predict(samples))
}

// chooseThreshold is ChooseThreshold on given predictions (bins·O per
// sample, soma first).
func chooseThreshold(O int, samples []*Sample, pred [][]float32) (float64, float64) {
	best, bestF := DefaultSpikeThreshold, -1.0
	soma := make([][]float32, len(samples))
	for i, s := range samples {
		soma[i] = make([]float32, s.Bins)
		for k := range soma[i] {
			soma[i][k] = pred[i][k*O]
		}
	}
	for th := -45.0; th <= 10; th += 1 {
		var m stats.Match
		for i, s := range samples {
			m = m.Add(stats.MatchSpikes(SpikeTimes(soma[i], th), s.Spikes, SpikeTolerance))
		}
		if f := m.F1(); f > bestF {
			best, bestF = th, f
		}
	}
	return best, bestF
}

// Score is the free-running validation score used to select parameters
// when train.Config.SelectBy is "score": the mean of the Pearson r of the
// outputs the accuracy targets name (soma; apical tuft and dipole for
// pyramidal cells) and the spike F1 at the best threshold. It returns the
// score, the best threshold (mV) and the metrics at that threshold.
func (m *Model[T]) Score(samples []*Sample) (float64, float64, Metrics) {
	return m.scoreOf(samples, m.Predict(samples))
}

// scoreOf is Score on given free-running predictions (bins·O per sample).
func (m *Model[T]) scoreOf(samples []*Sample, pred [][]float32) (float64, float64, Metrics) {
	th, f1 := chooseThreshold(len(m.io.outputs), samples, pred)
	mt := evaluate(m.io.outputs, samples, pred, th)
	sum, n := f1, 1.0
	for _, o := range m.scoredOutputs() {
		sum += mt.R[o]
		n++
	}
	return sum / n, th, mt
}

// scoredOutputs returns the indices of the outputs the accuracy targets
// name: the soma, and for pyramidal cells the apical tuft and the dipole.
func (m *Model[T]) scoredOutputs() []int {
	out := []int{0}
	for i, name := range m.io.outputs {
		if name == "v_apical_tuft" {
			out = append(out, i)
		}
	}
	if d := m.DipoleOutput(); d >= 0 {
		out = append(out, d)
	}
	return out
}
