package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/nn"
)

// A learned junction trained free-running (docs/surrogate.md, "A learned junction trained
// free-running"): an LSTM and a linear head predict, once per 0.5 ms bin, the held
// junction's increment held − vbStart (mV, apical_trunk seg 0 and basal_1 seg 0) from the
// bin's input conductances (hybridSyn's edges and filters, every channel) and the hybrid's
// own outputs of the previous bin (surrogate.HybridSoma's v_soma end and maximum, attach
// voltages, junction). It is initialised by teacher-forced regression on the held targets
// of biophysical runs, then trained end to end through the exact soma op, free-running
// from rest, by truncated backpropagation through time.

// HybridLSTMConfig configures HybridLSTMJunction. Zero values take the defaults of
// DefaultHybridLSTMConfig.
type HybridLSTMConfig struct {
	Hidden, Layers int     // LSTM size
	TFEpochs       int     // teacher-forced epochs (each: every training sample, windows of Window bins)
	FREpochs       int     // free-running epochs (each: every training sample from rest to its end)
	Window         int     // bins per truncated-BPTT window
	LR             float64 // Adam's learning rate, both stages
	FRLR           float64 // Adam's learning rate in the free-running stage
	Clip           float64 // gradient-norm clip
	JuncWeight     float64 // weight of the junction's MSE (mV²) beside the clipped soma's (mV²)
	TFWeight       float64 // weight of the teacher-forced loss kept during the free-running stage
	// Absolute: the head predicts the held junction itself (standardised by the targets'
	// mean and s.d.) instead of its increment over vbStart (no integration of errors).
	Absolute bool
	// Shoot restarts every free-running window from a shadow run's state (multiple
	// shooting): the op driven by the biophysical held junction, the LSTM by the
	// teacher-forced inputs; otherwise each sample runs free from rest to its end.
	Shoot bool
	// DaggerRounds rounds of DAgger after the teacher-forced stage (before the
	// free-running one), DaggerEpochs epochs each: the expert is a DendriteCell following
	// the hybrid's own soma.
	DaggerRounds, DaggerEpochs int
	// LongKernel: the head predicts the held junction less its linear response to the
	// soma's history (the 5 ms rest kernel over the attach voltages, clipped at the hold
	// clip, held over the bin): held = vRest + L_k + model. The free-running stage through
	// the op is not available with it (the op keeps no substep history).
	LongKernel bool
	// Batch is the number of sequences per Adam step in the teacher-forced and DAgger
	// fits (a fresh permutation per epoch, deterministic by seed); 0 takes all of them
	// at once, one step per window.
	Batch int
	// LRFinal, when positive, decays Adam's learning rate from LR to LRFinal along a
	// cosine over the epochs of each teacher-forced or DAgger fit (constant LR if 0).
	LRFinal float64
	// DaggerLR, when positive, is the starting learning rate of each DAgger round's fit
	// instead of LR (a model already fitted teacher-forced needs smaller steps).
	DaggerLR float64
	// Seed of the minibatch permutations (set by HybridLSTMJunction from its seed).
	seed uint64
}

// DefaultHybridLSTMConfig is the recipe of docs/surrogate.md's table.
func DefaultHybridLSTMConfig() HybridLSTMConfig {
	return HybridLSTMConfig{Hidden: 32, Layers: 1, TFEpochs: 60, FREpochs: 20, Window: 100, LR: 3e-3, FRLR: 3e-4, Clip: 1, JuncWeight: 1, TFWeight: 1}
}

func (c HybridLSTMConfig) withDefaults() HybridLSTMConfig {
	d := DefaultHybridLSTMConfig()
	if c.Hidden == 0 {
		c.Hidden = d.Hidden
	}
	if c.Layers == 0 {
		c.Layers = d.Layers
	}
	if c.Window == 0 {
		c.Window = d.Window
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	if c.FRLR == 0 {
		c.FRLR = d.FRLR
	}
	if c.Clip == 0 {
		c.Clip = d.Clip
	}
	return c
}

// hybridObs is the number of the hybrid's own outputs fed back (HybridSoma's outputs).
const hybridObs = 2 + 2*surrogate.HybridBoundary

// hybridIncrClip (mV) bounds the predicted increment (a diverging model cannot drive the
// soma to non-finite voltages).
const hybridIncrClip = 40

// hybridLSTM is the learned junction: features → LSTM → linear head → increment.
type hybridLSTM struct {
	lstm        *nn.LSTM[float64]
	head        *nn.Linear[float64]
	mean, scale []float64 // of the input-conductance features
	outScale    []float64 // s.d. of the target (increment or held) per boundary (mV)
	outMean     []float64 // mean of the target with Absolute (mV), else 0
	absolute    bool
	long        *hybridLong // with LongKernel
	nSyn        int
	params      []nn.Param[float64]
}

// hybridSynFeat returns bin k's input features (unnormalised): every filter of every
// channel at the bin's end, and the raw conductances at its start.
func hybridSynFeat(g [][]float64, k int) []float64 {
	nc := len(g[k]) / (1 + len(hybridGTaus))
	x := append([]float64(nil), g[k+1]...)
	return append(x, g[k][:nc]...)
}

// hybridTFObs is the whole cell's version of the op's outputs at bin edge k (k ≥ 0): the
// soma at the edge, its maximum over bin k−1, the attach voltages and the junction.
func hybridTFObs(tr *hybridTrace, k, P int) []float64 {
	v := tr.full.soma[k*P]
	mx := v
	if k > 0 {
		for m := (k-1)*P + 1; m <= k*P; m++ {
			mx = math.Max(mx, tr.full.soma[m])
		}
	}
	o := []float64{v, mx}
	o = append(o, tr.va[k]...)
	return append(o, tr.vb[k]...)
}

// synRow is the model's per-bin input row of bin k: hybridSynFeat, then with LongKernel
// the linear part L_k from the attach voltages after every step so far.
func (m *hybridLSTM) synRow(g [][]float64, k int, vaHist [][]float64) []float64 {
	r := hybridSynFeat(g, k)
	if m.long != nil {
		P := int(math.Round(surrogate.BinDt / neuron.DefaultConfig().Dt))
		r = append(r, m.long.at(vaHist, k, P)...)
	}
	return r
}

func newHybridLSTM(trs []*hybridTrace, cfg HybridLSTMConfig, seed uint64, long *hybridLong) (*hybridLSTM, error) {
	nSyn := len(hybridSynFeat(trs[0].g, 0))
	m := &hybridLSTM{nSyn: nSyn, mean: make([]float64, nSyn), scale: make([]float64, nSyn), outScale: make([]float64, surrogate.HybridBoundary),
		outMean: make([]float64, surrogate.HybridBoundary), absolute: cfg.Absolute, long: long}
	P := int(math.Round(surrogate.BinDt / neuron.DefaultConfig().Dt))
	var n float64
	sq := make([]float64, nSyn)
	var oy, oy2 [surrogate.HybridBoundary]float64
	for _, tr := range trs {
		for k := range tr.held {
			for i, v := range hybridSynFeat(tr.g, k) {
				m.mean[i] += v
				sq[i] += v * v
			}
			var L []float64
			if long != nil {
				L = long.at(tr.stepVa, k, P)
			}
			for b := range oy {
				y := tr.held[k][b] - tr.vb[k][b]
				if cfg.Absolute {
					y = tr.held[k][b]
				}
				if long != nil {
					y = tr.held[k][b] - long.vbRest[b] - L[b]
				}
				oy[b] += y
				oy2[b] += y * y
			}
			n++
		}
	}
	for i := range m.mean {
		m.mean[i] /= n
		m.scale[i] = math.Sqrt(math.Max(sq[i]/n-m.mean[i]*m.mean[i], 0))
		if m.scale[i] < 1e-12 {
			m.scale[i] = 1
		}
	}
	for b := range oy {
		mu := oy[b] / n
		m.outScale[b] = math.Max(math.Sqrt(math.Max(oy2[b]/n-mu*mu, 0)), 1e-3)
		if cfg.Absolute || long != nil {
			m.outMean[b] = mu
		}
	}
	var err error
	if m.lstm, err = nn.NewLSTM[float64](nn.LSTMConfig{In: nSyn + hybridObs, Hidden: cfg.Hidden, Layers: cfg.Layers, ForgetBias: 1, Seed: seed}); err != nil {
		return nil, err
	}
	if m.head, err = nn.NewLinear[float64](nn.LinearConfig{In: cfg.Hidden, Out: surrogate.HybridBoundary, Init: nn.PyTorchUniform, Seed: seed + 1}); err != nil {
		return nil, err
	}
	reg := nn.NewRegistry[float64]()
	if err := reg.Add("lstm", m.lstm); err != nil {
		return nil, err
	}
	if err := reg.Add("head", m.head); err != nil {
		return nil, err
	}
	m.params = reg.Params()
	return m, nil
}

// features returns the model's input rows [B, nSyn+hybridObs] for syn (unnormalised
// conductance features, B rows) and obs ([B, hybridObs] mV, on the tape or not).
func (m *hybridLSTM) features(tp *autograd.Tape[float64], syn [][]float64, obs *autograd.Tensor[float64]) *autograd.Tensor[float64] {
	B := len(syn)
	s := autograd.Zeros[float64](B, m.nSyn)
	for b, r := range syn {
		for i, v := range r[:m.nSyn] {
			s.Data[b*m.nSyn+i] = (v - m.mean[i]) / m.scale[i]
		}
	}
	o := tp.Scale(tp.AddScalar(obs, 65), 1.0/20)
	return tp.Concat(1, s, o)
}

// step returns the predicted held junction [B, 2] (mV): vbStart (obs's junction
// columns) plus the scaled, clipped head output.
func (m *hybridLSTM) step(tp *autograd.Tape[float64], syn [][]float64, obs *autograd.Tensor[float64], st *nn.LSTMState[float64]) *autograd.Tensor[float64] {
	h := m.lstm.Step(tp, m.features(tp, syn, obs), st)
	incr := m.head.Forward(tp, h)
	sc := autograd.Zeros[float64](1, surrogate.HybridBoundary)
	copy(sc.Data, m.outScale)
	if m.long != nil {
		base := autograd.Zeros[float64](len(syn), surrogate.HybridBoundary)
		for b, r := range syn {
			for i := range surrogate.HybridBoundary {
				base.Data[b*surrogate.HybridBoundary+i] = m.long.vbRest[i] + r[m.nSyn+i] + m.outMean[i]
			}
		}
		return tp.Clamp(tp.Add(tp.Mul(incr, sc), base), hybridHeldMin, hybridHeldMax)
	}
	if m.absolute {
		mu := autograd.Zeros[float64](1, surrogate.HybridBoundary)
		copy(mu.Data, m.outMean)
		return tp.Clamp(tp.Add(tp.Mul(incr, sc), mu), hybridHeldMin, hybridHeldMax)
	}
	incr = tp.Clamp(tp.Mul(incr, sc), -hybridIncrClip, hybridIncrClip)
	vb := tp.Narrow(obs, 1, 2+surrogate.HybridBoundary, surrogate.HybridBoundary)
	return tp.Clamp(tp.Add(vb, incr), hybridHeldMin, hybridHeldMax)
}

// hybridHeldMin and hybridHeldMax (mV) bound the predicted junction to the range of the
// reversal potentials (a drifting vbStart cannot run away).
const (
	hybridHeldMin = -100
	hybridHeldMax = 60
)

// hybridSomaInputs bins the soma's own events of tr (HybridSoma's input columns, µS per bin).
func hybridSomaInputs(desc *neuron.CellDesc, op *surrogate.HybridSoma[float64], evs []Event, bins int) [][]float64 {
	col := map[int]int{}
	for c, ch := range desc.Channels() {
		for i, in := range op.Inputs() {
			if in == ch {
				col[c] = i
			}
		}
	}
	x := make([][]float64, bins)
	for k := range x {
		x[k] = make([]float64, len(op.Inputs()))
	}
	for _, e := range evs {
		if i, ok := col[e.Channel]; ok {
			if k := surrogate.BinOf(e.T); k < bins {
				x[k][i] += e.W
			}
		}
	}
	return x
}

// rows packs row k of each of per-sample tables into a [len(ts), width] tensor.
func rows(ts [][][]float64, k int) *autograd.Tensor[float64] {
	w := len(ts[0][k])
	t := autograd.Zeros[float64](len(ts), w)
	for b := range ts {
		copy(t.Data[b*w:], ts[b][k])
	}
	return t
}

// hybridLSTMTrain trains m: teacher-forced, then free-running through op. It logs one
// line per epoch and returns the per-epoch losses of both stages.
func hybridLSTMTrain(m *hybridLSTM, op *surrogate.HybridSoma[float64], desc *neuron.CellDesc, trs []*hybridTrace, bins int, cfg HybridLSTMConfig, daggerOut *[]float64, log io.Writer) (tf, fr []float64, err error) {
	B := len(trs)
	P := int(math.Round(surrogate.BinDt / neuron.DefaultConfig().Dt))
	syn := make([][][]float64, B)
	obsTF := make([][][]float64, B)
	tgt := make([][][]float64, B)
	somaX := make([][][]float64, B)
	somaT := make([][][]float64, B) // clipped whole-cell soma and junction at bin ends
	for b, tr := range trs {
		for k := 0; k < bins; k++ {
			syn[b] = append(syn[b], m.synRow(tr.g, k, tr.stepVa))
			obsTF[b] = append(obsTF[b], hybridTFObs(tr, k, P))
			tgt[b] = append(tgt[b], append([]float64(nil), tr.held[k]...))
			r := []float64{math.Min(tr.full.soma[(k+1)*P], boundClip)}
			somaT[b] = append(somaT[b], append(r, tr.vb[k+1]...))
		}
		somaX[b] = hybridSomaInputs(desc, op, tr.evs, bins)
	}
	synAt := func(k int) [][]float64 {
		s := make([][]float64, B)
		for b := range s {
			s[b] = syn[b][k]
		}
		return s
	}
	tp := autograd.NewTape[float64]()
	// teacher forcing: the whole cell's own outputs fed back, the held target
	tfLoss := func(tp *autograd.Tape[float64], st *nn.LSTMState[float64], k0, k1 int) *autograd.Tensor[float64] {
		var loss *autograd.Tensor[float64]
		for k := k0; k < k1; k++ {
			held := m.step(tp, synAt(k), rows(obsTF, k), st)
			d := tp.Sub(held, rows(tgt, k))
			sc := autograd.Zeros[float64](1, surrogate.HybridBoundary)
			for i := range sc.Data {
				sc.Data[i] = 1 / m.outScale[i]
			}
			e := tp.Mean(tp.Mul(tp.Mul(d, d), tp.Mul(sc, sc)))
			if loss == nil {
				loss = e
			} else {
				loss = tp.Add(loss, e)
			}
		}
		return tp.Scale(loss, 1/float64(k1-k0))
	}
	adam := nn.NewAdam(m.params, nn.AdamConfig{LR: cfg.LR})
	if tf, err = hybridFitSeq(m, adam, syn, obsTF, tgt, cfg.fit(cfg.TFEpochs, 0), log, "teacher-forced"); err != nil {
		return nil, nil, err
	}
	if cfg.DaggerRounds > 0 {
		j, err := neuron.NewJunction(desc, 0)
		if err != nil {
			return nil, nil, err
		}
		if *daggerOut, err = hybridDagger(m, desc, j, op, trs, bins, cfg, syn, obsTF, tgt, adam, log); err != nil {
			return nil, nil, err
		}
	}
	// free running through the op, from rest, truncated BPTT over windows
	adam = nn.NewAdam(m.params, nn.AdamConfig{LR: cfg.FRLR})
	rest := make([][]float64, B)
	for b, tr := range trs {
		rest[b] = hybridTFObs(tr, 0, P)
	}
	copyLSTM := func(dst, src *nn.LSTMState[float64]) {
		dst.Detach()
		for i := range src.H {
			copy(dst.H[i].Data, src.H[i].Data)
			copy(dst.C[i].Data, src.C[i].Data)
		}
	}
	for ep := 0; ep < cfg.FREpochs; ep++ {
		st := m.lstm.NewState(B)
		tfSt := m.lstm.NewState(B)
		hs := op.NewState(nil, B)
		shadow := op.NewState(nil, B) // driven by the biophysical held junction
		obs := autograd.Zeros[float64](B, hybridObs)
		for b := range rest {
			copy(obs.Data[b*hybridObs:], rest[b])
		}
		shadowObs := autograd.Clone(obs)
		sum, n, diverged := 0.0, 0, false
		for k0 := 0; k0 < bins && !diverged; k0 += cfg.Window {
			k1 := min(k0+cfg.Window, bins)
			if cfg.Shoot && k0 > 0 {
				copyLSTM(st, tfSt)
				hs.Restore(shadow.Snapshot())
				copy(obs.Data, shadowObs.Data)
			}
			tp.Reset()
			var loss *autograd.Tensor[float64]
			for k := k0; k < k1; k++ {
				held := m.step(tp, synAt(k), obs, st)
				var y *autograd.Tensor[float64]
				y, hs = op.Step(tp, rows(somaX, k), held, hs)
				obs = y
				pred := tp.Concat(1, tp.Clamp(tp.Narrow(y, 1, 0, 1), -200, boundClip), tp.Narrow(y, 1, 2+surrogate.HybridBoundary, surrogate.HybridBoundary))
				d := tp.Sub(pred, rows(somaT, k))
				w := autograd.Zeros[float64](1, 1+surrogate.HybridBoundary)
				w.Data[0] = 1
				for i := 1; i < len(w.Data); i++ {
					w.Data[i] = cfg.JuncWeight
				}
				e := tp.Mean(tp.Mul(tp.Mul(d, d), w))
				if loss == nil {
					loss = e
				} else {
					loss = tp.Add(loss, e)
				}
			}
			loss = tp.Scale(loss, 1/float64(k1-k0))
			total := loss
			if cfg.TFWeight > 0 {
				total = tp.Add(loss, tp.Scale(tfLoss(tp, tfSt, k0, k1), cfg.TFWeight))
			} else {
				for k := k0; k < k1; k++ {
					m.step(nil, synAt(k), rows(obsTF, k), tfSt)
				}
			}
			if cfg.Shoot {
				for k := k0; k < k1; k++ {
					var y *autograd.Tensor[float64]
					y, shadow = op.Step(nil, rows(somaX, k), rows(tgt, k), shadow)
					copy(shadowObs.Data, y.Data)
				}
			}
			if v := loss.Data[0]; math.IsNaN(v) || math.IsInf(v, 0) {
				diverged = true
				break
			}
			if err := tp.Backward(total); err != nil {
				return nil, nil, err
			}
			if g := nn.ClipGradNorm(m.params, cfg.Clip); math.IsNaN(g) || math.IsInf(g, 0) {
				zeroGrads(m.params)
			} else {
				adam.Step()
			}
			zeroGrads(m.params)
			st.Detach()
			tfSt.Detach()
			hs.Detach()
			od := autograd.Zeros[float64](B, hybridObs)
			copy(od.Data, obs.Data)
			obs = od
			sum += loss.Data[0]
			n++
		}
		l := math.NaN()
		if n > 0 && !diverged {
			l = sum / float64(n)
		}
		fr = append(fr, l)
		fmt.Fprintf(log, "hybrid lstm: free-running epoch %d: soma (clipped) + junction MSE %.4f mV²%s\n", ep, l, map[bool]string{true: " (diverged)"}[diverged])
	}
	return tf, fr, nil
}

func zeroGrads(ps []nn.Param[float64]) { nn.ZeroGrad(ps) }

// hybridJunctionSource supplies the held junction of each bin to hybridRunFree, and
// optionally the next bin's vbStart (the oracle's dendrite following the soma).
type hybridJunctionSource interface {
	// held returns the held junction of bin k (mV) given the hybrid's outputs of the
	// previous bin (obs, hybridObs values) and its exact nodes' voltages at the bin start.
	held(k int, obs, exact []float64, vaHist [][]float64) []float64
	// follow is given the exact nodes' voltages after every substep of bin k; it
	// returns the next bin's vbStart or nil (the soma's own junction).
	follow(traj [][]float64) []float64
}

// hybridRunFree runs the hybrid free from rest exactly as HybridSoma does (SomaCell with
// StepLinear, the held-junction formula with the hold clip, somatic events at their
// times), with src supplying the junction; it returns the soma after every step and the
// spikes.
func hybridRunFree(desc *neuron.CellDesc, j *neuron.Junction, kern *neuron.JunctionKernel, clip float64, src hybridJunctionSource, tr *hybridTrace, bins int) ([]float64, []float64, error) {
	s, err := boundSomaCell(desc, j, tr.evs)
	if err != nil {
		return nil, nil, err
	}
	const n = surrogate.ExactSubsteps
	nb := len(j.Boundary)
	vbS := append([]float64(nil), tr.vb[0]...)
	a0, delta, h0, vb := make([]float64, nb), make([]float64, nb), make([]float64, nb), make([]float64, nb)
	for b := range h0 {
		h0[b] = kern.H[b][0]
	}
	att := make([][]float64, n+1)
	for q := range att {
		att[q] = make([]float64, nb)
	}
	traj := make([][]float64, n)
	vaHist := [][]float64{make([]float64, nb)}
	for b := range nb {
		vaHist[0][b] = s.AttachV(b)
	}
	soma := []float64{s.VSoma()}
	obs := []float64{s.VSoma(), s.VSoma()}
	for b := range nb {
		obs = append(obs, s.AttachV(b))
	}
	obs = append(obs, vbS...)
	stepResp := func(b, q int) float64 {
		h, sum := kern.H[b], 0.0
		for k := 0; k < min(q, len(h)); k++ {
			sum += h[k]
		}
		return sum * delta[b]
	}
	for kb := 0; kb < bins; kb++ {
		held := src.held(kb, obs, s.ReadExact(nil), vaHist)
		for b := range a0 {
			a0[b] = math.Min(s.AttachV(b), clip)
			delta[b] = a0[b] - s.AttachV(b)
		}
		vMax := math.Inf(-1)
		for q := 1; q <= n; q++ {
			w := float64(q) / float64(n)
			for b := range vb {
				v := (1-w)*vbS[b] + w*(held[b]-stepResp(b, n)) + stepResp(b, q)
				h := kern.H[b]
				for l := 1; l < min(q, len(h)); l++ {
					v += h[l] * (att[q-l][b] - a0[b])
				}
				vb[b] = v
			}
			s.StepLinear(vb, h0, a0)
			for b := range vb {
				att[q][b] = s.AttachV(b)
			}
			vaHist = append(vaHist, append([]float64(nil), att[q]...))
			traj[q-1] = s.ReadExact(traj[q-1])
			vMax = math.Max(vMax, s.VSoma())
			soma = append(soma, s.VSoma())
		}
		for b := range vbS {
			vbS[b] = vb[b] + h0[b]*(att[n][b]-a0[b])
		}
		if f := src.follow(traj); f != nil {
			copy(vbS, f)
		}
		obs = append(obs[:0], s.VSoma(), vMax)
		obs = append(obs, att[n]...)
		obs = append(obs, vbS...)
	}
	return soma, append([]float64(nil), s.Spikes()...), nil
}

// hybridDendriteSource is the held-dendrite oracle: a DendriteCell fed every event.
type hybridDendriteSource struct {
	d    *neuron.DendriteCell
	clip float64
}

func (o *hybridDendriteSource) held(_ int, _, exact []float64, _ [][]float64) []float64 {
	o.d.Save()
	vE := make([]float64, len(exact))
	for i, v := range exact {
		vE[i] = math.Min(v, o.clip)
	}
	for range surrogate.ExactSubsteps {
		o.d.Step(vE)
	}
	h := o.d.Read(nil)
	o.d.Restore()
	return h
}

func (o *hybridDendriteSource) follow(traj [][]float64) []float64 {
	for _, e := range traj {
		o.d.Step(e)
	}
	return o.d.Read(nil)
}

// hybridModelSource is the learned junction of one sample (batch of one, no tape).
type hybridModelSource struct {
	m  *hybridLSTM
	st *nn.LSTMState[float64]
	tr *hybridTrace
}

func (s *hybridModelSource) held(k int, obs, _ []float64, vaHist [][]float64) []float64 {
	o := autograd.MustNew(append([]float64(nil), obs...), 1, hybridObs)
	h := s.m.step(nil, [][]float64{s.m.synRow(s.tr.g, k, vaHist)}, o, s.st)
	return append([]float64(nil), h.Data...)
}

func (s *hybridModelSource) follow([][]float64) []float64 { return nil }

// hybridLSTMOracle replaces the learned model in HybridLSTMJunction's evaluation by the
// held-dendrite oracle (the test that the free-running runner reproduces it).
var hybridLSTMOracle = false

// HybridLSTMReport is what HybridLSTMJunction measures for one type.
type HybridLSTMReport struct {
	TrainSamples int              `json:"train_samples_per_regime"`
	TestSamples  int              `json:"test_samples_per_regime"`
	Config       HybridLSTMConfig `json:"config"`
	TFLoss       []float64        `json:"teacher_forced_loss"`   // per epoch, MSE of the increment / its s.d.²
	DaggerLoss   []float64        `json:"dagger_loss"`           // per epoch, the normalised MSE on the aggregated DAgger data
	FRLoss       []float64        `json:"free_running_loss_mV2"` // per epoch, clipped soma + junction MSE (NaN: diverged)
	OneStepRMS   []float64        `json:"one_step_rms_mV"`       // teacher-forced test error of the held junction, per boundary
	Rows         []boundRow       `json:"rows"`                  // free-running from rest, per regime
	TrainSeconds float64          `json:"train_seconds"`
	Oracle       bool             `json:"oracle,omitempty"`
}

// HybridLSTMJunction trains the learned junction (an LSTM, teacher-forced then
// free-running through surrogate.HybridSoma) on nTrain biophysical samples per regime
// (HybridJunction's "hybrid-train" seeds) and evaluates the hybrid free-running from rest
// on nTest samples per regime of -bound's, for each pyramidal type. Deterministic by seed.
func HybridLSTMJunction(types []neuron.CellType, nTrain, nTest, bins int, seed uint64, cfg HybridLSTMConfig, log io.Writer) (map[string]HybridLSTMReport, error) {
	if log == nil {
		log = io.Discard
	}
	if nTrain < 1 || nTest < 1 {
		return nil, fmt.Errorf("-hybrid %d/%d: want at least one training and one test sample", nTrain, nTest)
	}
	cfg = cfg.withDefaults()
	if cfg.Hidden < 1 || cfg.Layers < 1 || cfg.Window < 1 || cfg.TFEpochs < 0 || cfg.FREpochs < 0 || !(cfg.LR > 0) || !(cfg.FRLR > 0) || !(cfg.Clip > 0) || cfg.Batch < 0 || !(cfg.LRFinal >= 0) || !(cfg.DaggerLR >= 0) {
		return nil, fmt.Errorf("hybrid lstm: bad config %+v", cfg)
	}
	cfg.seed = seed
	if cfg.LongKernel && cfg.FREpochs > 0 {
		return nil, fmt.Errorf("hybrid lstm: the long kernel (-hybrid-long) has no free-running stage through the op: want -hybrid-fr-epochs 0")
	}
	out := map[string]HybridLSTMReport{}
	regimes := hybridRegimes
	for ti, ct := range types {
		if ct != neuron.L5Pyramidal && ct != neuron.L2Pyramidal {
			continue
		}
		hc, err := newHybridCell(ct)
		if err != nil {
			return nil, err
		}
		desc, j, kl := hc.desc, hc.j, hc.kl
		op, err := surrogate.NewHybridSoma[float64](ct, kl.Truncate(surrogate.ExactSubsteps))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		trainTr, tests, err := hc.samples(ct, ti, nTrain, nTest, bins, seed, op.HoldClip())
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "hybrid lstm %s: simulated %d + %d samples in %.0f s\n", ct, len(trainTr), nTest*len(regimes), time.Since(start).Seconds())
		start = time.Now()
		var long *hybridLong
		if cfg.LongKernel {
			long = &hybridLong{h: kl.H, vaRest: trainTr[0].va[0], vbRest: trainTr[0].vb[0], clip: op.HoldClip()}
		}
		m, err := newHybridLSTM(trainTr, cfg, seed, long)
		if err != nil {
			return nil, err
		}
		rep := HybridLSTMReport{TrainSamples: nTrain, TestSamples: nTest, Config: cfg, Oracle: hybridLSTMOracle}
		if !hybridLSTMOracle {
			if rep.TFLoss, rep.FRLoss, err = hybridLSTMTrain(m, op, desc, trainTr, bins, cfg, &rep.DaggerLoss, log); err != nil {
				return nil, err
			}
		}
		rep.TrainSeconds = time.Since(start).Seconds()
		// teacher-forced one-step error on the test samples
		P := int(math.Round(surrogate.BinDt / neuron.DefaultConfig().Dt))
		se := make([]float64, surrogate.HybridBoundary)
		cnt := 0.0
		for _, trs := range tests {
			for _, tr := range trs {
				st := m.lstm.NewState(1)
				for k := 0; k < bins; k++ {
					o := autograd.MustNew(hybridTFObs(tr, k, P), 1, hybridObs)
					h := m.step(nil, [][]float64{m.synRow(tr.g, k, tr.stepVa)}, o, st)
					for b := range se {
						d := h.Data[b] - tr.held[k][b]
						se[b] += d * d
					}
					cnt++
				}
			}
		}
		for b := range se {
			rep.OneStepRMS = append(rep.OneStepRMS, math.Sqrt(se[b]/cnt))
		}
		name := "kernel hybrid, LSTM, free-running trained"
		if hybridLSTMOracle {
			name = "kernel hybrid, held-dendrite oracle (runner check)"
		}
		for ri, reg := range regimes {
			ss := make([]boundSample, nTest)
			errs := make([]error, nTest)
			workers := 1 // the LSTM's nil-tape steps share its packed weights
			if hybridLSTMOracle {
				workers = 0
			}
			parallel.For(nTest, workers, func(i int) {
				tr := tests[ri][i]
				var src hybridJunctionSource = &hybridModelSource{m: m, st: m.lstm.NewState(1), tr: tr}
				if hybridLSTMOracle {
					d, err := boundDendriteCell(desc, j, tr.evs)
					if err != nil {
						errs[i] = err
						return
					}
					src = &hybridDendriteSource{d: d, clip: op.HoldClip()}
				}
				soma, spikes, err := hybridRunFree(desc, j, op.Kernel(), op.HoldClip(), src, tr, bins)
				if err != nil {
					errs[i] = err
					return
				}
				ss[i] = boundCompare(tr.full, soma, spikes, bins)
			})
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			r := boundAggregate(ss, float64(bins)*surrogate.BinDt)
			r.Regime, r.Interface = reg, name
			rep.Rows = append(rep.Rows, r)
		}
		out[ct.String()] = rep
		fmt.Fprintf(log, "hybrid lstm %s: trained in %.0f s; teacher-forced one-step RMS of held %s mV\n", ct, rep.TrainSeconds, fmtList(rep.OneStepRMS))
		boundTable(log, ct, BoundReport{Samples: nTest, Rows: rep.Rows, Boundary: map[string][]neuron.JunctionNode{"depth_0": j.Boundary}})
	}
	return out, nil
}

// hybridFitSeq trains m teacher-forced for epochs on the sequences (per sample and bin:
// the unnormalised conductance features syn, the hybrid outputs fed back obs, the held
// target tgt), all of one length, batched, truncated BPTT over windows; it returns the
// per-epoch normalised MSE.
func hybridFitSeq(m *hybridLSTM, adam *nn.Adam[float64], syn, obs, tgt [][][]float64, p hybridFit, log io.Writer, stage string) ([]float64, error) {
	B, bins := len(syn), len(syn[0])
	tp := autograd.NewTape[float64]()
	sc := autograd.Zeros[float64](1, surrogate.HybridBoundary)
	for i := range sc.Data {
		sc.Data[i] = 1 / (m.outScale[i] * m.outScale[i])
	}
	mb := p.batch
	if mb <= 0 || mb > B {
		mb = B
	}
	var out []float64
	for ep := 0; ep < p.epochs; ep++ {
		adam.LR = p.lr(ep)
		order := make([]int, B)
		for i := range order {
			order[i] = i
		}
		if mb < B {
			rand.New(rand.NewPCG(p.seed, uint64(ep))).Shuffle(B, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		sum, n := 0.0, 0
		for b0 := 0; b0 < B; b0 += mb {
			idx := order[b0:min(b0+mb, B)]
			s, l, err := hybridFitBatch(m, adam, tp, sc, pick(syn, idx), pick(obs, idx), pick(tgt, idx), bins, p)
			if err != nil {
				return nil, err
			}
			sum, n = sum+s, n+l
		}
		out = append(out, sum/float64(n))
		fmt.Fprintf(log, "hybrid lstm: %s epoch %d (lr %.2g): normalised MSE %.4f\n", stage, ep, adam.LR, out[len(out)-1])
	}
	adam.LR = p.lr0
	return out, nil
}

// hybridFit is one teacher-forced (or DAgger) fit's plan.
type hybridFit struct {
	epochs, window, batch int
	clip, lr0, lr1        float64
	seed                  uint64
}

// fit returns the plan of a fit of epochs epochs; stage numbers the fits for their seeds.
func (c HybridLSTMConfig) fit(epochs, stage int) hybridFit {
	lr0 := c.LR
	if stage > 0 && c.DaggerLR > 0 {
		lr0 = c.DaggerLR
	}
	return hybridFit{epochs: epochs, window: c.Window, batch: c.Batch, clip: c.Clip, lr0: lr0, lr1: c.LRFinal, seed: c.seed*1000003 + uint64(stage)}
}

// lr is the learning rate of epoch ep: lr0, or a cosine from lr0 to lr1 when lr1 > 0.
func (p hybridFit) lr(ep int) float64 {
	if p.lr1 <= 0 || p.epochs < 2 {
		return p.lr0
	}
	w := 0.5 * (1 + math.Cos(math.Pi*float64(ep)/float64(p.epochs-1)))
	return p.lr1 + (p.lr0-p.lr1)*w
}

// pick returns the sequences of xs at idx.
func pick(xs [][][]float64, idx []int) [][][]float64 {
	out := make([][][]float64, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// hybridFitBatch runs one pass of truncated BPTT over the sequences of one minibatch,
// an Adam step per window; it returns the summed window losses and their number.
func hybridFitBatch(m *hybridLSTM, adam *nn.Adam[float64], tp *autograd.Tape[float64], sc *autograd.Tensor[float64], syn, obs, tgt [][][]float64, bins int, p hybridFit) (float64, int, error) {
	B := len(syn)
	window, clip := p.window, p.clip
	st := m.lstm.NewState(B)
	sum, n := 0.0, 0
	for k0 := 0; k0 < bins; k0 += window {
		k1 := min(k0+window, bins)
		tp.Reset()
		var loss *autograd.Tensor[float64]
		for k := k0; k < k1; k++ {
			s := make([][]float64, B)
			for b := range s {
				s[b] = syn[b][k]
			}
			d := tp.Sub(m.step(tp, s, rows(obs, k), st), rows(tgt, k))
			e := tp.Mean(tp.Mul(tp.Mul(d, d), sc))
			if loss == nil {
				loss = e
			} else {
				loss = tp.Add(loss, e)
			}
		}
		loss = tp.Scale(loss, 1/float64(k1-k0))
		if err := tp.Backward(loss); err != nil {
			return 0, 0, err
		}
		if g := nn.ClipGradNorm(m.params, clip); !math.IsNaN(g) && !math.IsInf(g, 0) {
			adam.Step()
		}
		zeroGrads(m.params)
		st.Detach()
		sum += loss.Data[0]
		n++
	}
	return sum, n, nil
}

// hybridDaggerSource drives the hybrid with beta·(the expert's held) + (1−beta)·(the
// model's), the expert a DendriteCell following the hybrid's own soma (the held-dendrite
// oracle), and records what the model saw with the expert's label (DAgger).
type hybridDaggerSource struct {
	model         *hybridModelSource
	expert        *hybridDendriteSource
	beta          float64
	syn, obs, tgt [][]float64
	// intervention: the expert alone drives the next hybridDaggerRecover bins once the
	// hybrid's clipped soma is more than hybridDaggerTol away from the whole cell's
	truth      []float64 // the whole cell's soma at the bin edges
	recover    int
	expertBins int
}

// hybridDaggerTol (mV) and hybridDaggerRecover (bins) set DAgger's intervention.
const (
	hybridDaggerTol     = 3
	hybridDaggerRecover = 10
)

func (s *hybridDaggerSource) held(k int, obs, exact []float64, vaHist [][]float64) []float64 {
	h := s.expert.held(k, obs, exact, vaHist)
	p := s.model.held(k, obs, exact, vaHist)
	s.syn = append(s.syn, s.model.m.synRow(s.model.tr.g, k, vaHist))
	s.obs = append(s.obs, append([]float64(nil), obs...))
	s.tgt = append(s.tgt, append([]float64(nil), h...))
	out := make([]float64, len(h))
	if math.Abs(math.Min(obs[0], boundClip)-math.Min(s.truth[k], boundClip)) > hybridDaggerTol || math.IsNaN(obs[0]) {
		s.recover = hybridDaggerRecover
	}
	if s.recover > 0 {
		s.recover--
		s.expertBins++
		return h
	}
	for b := range out {
		out[b] = s.beta*h[b] + (1-s.beta)*p[b]
		if math.IsNaN(out[b]) {
			out[b] = h[b]
		}
	}
	return out
}

func (s *hybridDaggerSource) follow(traj [][]float64) []float64 {
	s.expert.follow(traj)
	return nil
}

// hybridDagger runs rounds of DAgger after the teacher-forced stage: each round runs every
// training sample free with the mixed junction (beta halving from 0.5, 0 in the last
// round), adds the visited sequences with the expert's labels to the data, and trains on
// all of them for epochs.
func hybridDagger(m *hybridLSTM, desc *neuron.CellDesc, j *neuron.Junction, op *surrogate.HybridSoma[float64], trs []*hybridTrace, bins int, cfg HybridLSTMConfig, syn, obs, tgt [][][]float64, adam *nn.Adam[float64], log io.Writer) ([]float64, error) {
	var losses []float64
	beta := 0.5
	for r := 0; r < cfg.DaggerRounds; r++ {
		if r == cfg.DaggerRounds-1 {
			beta = 0
		}
		expert := 0
		for _, tr := range trs {
			d, err := boundDendriteCell(desc, j, tr.evs)
			if err != nil {
				return nil, err
			}
			src := &hybridDaggerSource{model: &hybridModelSource{m: m, st: m.lstm.NewState(1), tr: tr}, expert: &hybridDendriteSource{d: d, clip: op.HoldClip()}, beta: beta}
			P := len(tr.full.soma) / bins
			for k := 0; k < bins; k++ {
				src.truth = append(src.truth, tr.full.soma[k*P])
			}
			if _, _, err := hybridRunFree(desc, j, op.Kernel(), op.HoldClip(), src, tr, bins); err != nil {
				return nil, err
			}
			syn, obs, tgt = append(syn, src.syn), append(obs, src.obs), append(tgt, src.tgt)
			expert += src.expertBins
		}
		fmt.Fprintf(log, "hybrid lstm: DAgger round %d: the expert intervened in %.1f %% of the bins\n", r, 100*float64(expert)/float64(bins*len(trs)))
		l, err := hybridFitSeq(m, adam, syn, obs, tgt, cfg.fit(cfg.DaggerEpochs, r+1), log, fmt.Sprintf("DAgger round %d (β %.2f, %d sequences)", r, beta, len(syn)))
		if err != nil {
			return nil, err
		}
		losses = append(losses, l...)
		beta /= 2
	}
	return losses, nil
}

// hybridLong is the linear part of LongKernel: per boundary the rest kernel's taps (0.025
// ms), the resting attach voltage and junction, and the hold clip.
type hybridLong struct {
	h      [][]float64
	vaRest []float64
	vbRest []float64
	clip   float64
}

// at returns L_k per boundary given the attach voltages after every step so far (va[s],
// s = 0..k·P, step 0 the rest): the kernel's response to the clipped history, with the
// attach voltages held at their bin-start values over the bin's P steps.
func (l *hybridLong) at(va [][]float64, k, P int) []float64 {
	out := make([]float64, len(l.h))
	s0 := k * P
	for b, h := range l.h {
		a0 := math.Min(va[s0][b], l.clip) - l.vaRest[b]
		sum := 0.0
		for lag, w := range h {
			s := s0 + P - lag // the step whose voltage tap lag weighs at the bin's end
			switch {
			case s >= s0:
				sum += w * a0
			case s >= 0:
				sum += w * (math.Min(va[s][b], l.clip) - l.vaRest[b])
			}
		}
		out[b] = sum
	}
	return out
}
