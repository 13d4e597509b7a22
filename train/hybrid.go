package train

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// The learned junction of the kernel hybrid (docs/surrogate.md, "The junction kernel"):
// a model that predicts, once per 0.5 ms bin, the junction v_b,held at the bin's end
// that the dendrites would give if the soma part stayed at its bin-start values
// (boundLoop.kernelPeriod's quantity), from the binned inputs and the hybrid's own
// past junction and soma; the soma's sub-bin departure enters through the junction
// kernel, implicitly. HybridARX is the cheapest such model: a ridge regression of the
// bin's increment on an autoregressive history and the input conductances, fitted in
// seconds, deterministic, trained by teacher forcing on biophysical runs.

// hybridOracle replaces the model in the free-running evaluation by the whole cell's own
// residual (mode "u"): the check that the hybrid's runner reproduces -bound's oracle row.
var hybridOracle = false

// hybridSpikeTaus are the time constants (ms) of the spike-history features.
var hybridSpikeTaus = []float64{0.15, 0.3, 0.6, 1.2, 2.5, 5, 10}

// hybridGTaus are the time constants (ms) of the low-pass filtered conductances among
// the features.
var hybridGTaus = []float64{2, 8, 30}

// hybridLags is the number of past bins of the junction's increments and of the axial
// drive v_a − v_b the model sees.
const hybridLags = 8

// hybridTrace is one biophysical sample, teacher-forced: per bin edge k (0..bins) the
// whole cell's junction vb and attach voltages va, and per bin the held junction at its
// end; the input conductances per channel at every bin edge; the whole cell's soma after
// every step and its spikes (for the comparison).
type hybridTrace struct {
	vb, va, held, g [][]float64
	u               [][]float64 // the residual of the long kernel at the bin edges (mode "u")
	stepVa          [][]float64 // the whole cell's attach voltages after every step (step 0: rest)
	full            *boundFull
	evs             []Event
}

// hybridSyn computes the Exp2Syn conductance (µS) of every channel at bin edges from the
// events, as NEURON's Exp2Syn does (a function of the inputs only).
type hybridSyn struct {
	tau1, tau2, factor, e []float64
}

func newHybridSyn(desc *neuron.CellDesc) (*hybridSyn, error) {
	s := &hybridSyn{}
	for _, ch := range desc.Channels() {
		i, err := desc.Section(ch.Section)
		if err != nil {
			return nil, err
		}
		found := false
		for _, sy := range desc.Sections[i].Synapses {
			if sy.Receptor != ch.Receptor {
				continue
			}
			t1, t2 := sy.Tau1, sy.Tau2
			if t1/t2 > 0.9999 {
				t1 = 0.9999 * t2
			}
			tp := t1 * t2 / (t2 - t1) * math.Log(t2/t1)
			s.tau1 = append(s.tau1, t1)
			s.tau2 = append(s.tau2, t2)
			s.factor = append(s.factor, 1/(-math.Exp(-tp/t1)+math.Exp(-tp/t2)))
			s.e = append(s.e, sy.E)
			found = true
			break
		}
		if !found {
			return nil, fmt.Errorf("hybrid: channel %s/%s has no synapse", ch.Section, ch.Receptor)
		}
	}
	return s, nil
}

// edges returns g[k][c] at t = k·BinDt, k = 0..bins (events at t < k·BinDt count), then
// the same low-pass filtered with each of hybridGTaus (nc values per filter).
func (s *hybridSyn) edges(evs []Event, bins int) [][]float64 {
	evs = append([]Event(nil), evs...)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].T < evs[b].T })
	nc := len(s.tau1)
	a, b := make([]float64, nc), make([]float64, nc)
	out := make([][]float64, bins+1)
	out[0] = make([]float64, nc*(1+len(hybridGTaus)))
	filt := make([][]float64, len(hybridGTaus))
	for f := range filt {
		filt[f] = make([]float64, nc)
	}
	e := 0
	for k := 1; k <= bins; k++ {
		t := float64(k) * surrogate.BinDt
		for c := range a {
			a[c] *= math.Exp(-surrogate.BinDt / s.tau1[c])
			b[c] *= math.Exp(-surrogate.BinDt / s.tau2[c])
		}
		for ; e < len(evs) && evs[e].T < t; e++ {
			c := evs[e].Channel
			w := evs[e].W * s.factor[c]
			a[c] += w * math.Exp(-(t-evs[e].T)/s.tau1[c])
			b[c] += w * math.Exp(-(t-evs[e].T)/s.tau2[c])
		}
		out[k] = make([]float64, nc, nc*(1+len(hybridGTaus)))
		for c := range a {
			out[k][c] = b[c] - a[c]
		}
		for f, tau := range hybridGTaus {
			r := math.Exp(-surrogate.BinDt / tau)
			for c := range a {
				filt[f][c] = r*filt[f][c] + (1-r)*out[k][c]
			}
			out[k] = append(out[k], filt[f]...)
		}
	}
	return out
}

// hybridFeatures fills x with bin k's features: a constant; per boundary the last
// hybridLags increments of the junction and the axial drive v_a − v_b at the last
// hybridLags+1 edges; per channel the conductance at the bin's end and start, and the
// end conductance times each boundary's voltage (a driving-force term).
func hybridFeatures(x []float64, k int, vb, va, g [][]float64, spikes []float64) []float64 {
	x = x[:0]
	x = append(x, 1)
	// the soma's spikes before the bin: exponentials of the time since each
	// (sub-bin exact), summed, and the same times the time since
	t := float64(k) * surrogate.BinDt
	for _, tau := range hybridSpikeTaus {
		e0, e1 := 0.0, 0.0
		for i := len(spikes) - 1; i >= 0; i-- {
			d := t - spikes[i]
			if d < 0 {
				continue
			}
			if d > 12*tau {
				break
			}
			e := math.Exp(-d / tau)
			e0 += e
			e1 += e * d / tau
		}
		x = append(x, e0, e1)
	}
	at := func(i int) int { return max(i, 0) }
	for b := range vb[0] {
		for i := 1; i <= hybridLags; i++ {
			x = append(x, vb[at(k-i+1)][b]-vb[at(k-i)][b])
		}
		for i := 0; i <= hybridLags; i++ {
			x = append(x, va[at(k-i)][b]-vb[at(k-i)][b])
		}
	}
	nc := len(g[k]) / (1 + len(hybridGTaus))
	for c := 0; c < nc; c++ {
		x = append(x, g[k+1][c], g[k][c])
		for b := range vb[0] {
			x = append(x, g[k+1][c]*vb[k][b])
		}
	}
	for c := nc; c < len(g[k]); c++ {
		x = append(x, g[k+1][c])
	}
	return x
}

// hybridRunTraceClip runs one sample's whole cell and a DendriteCell following it, with
// a held pass per bin (the target) whose soma part is held at min(v, clip) (mV;
// surrogate.HybridSoma's hold clip, +Inf for none), and records the trace.
func hybridRunTraceClip(desc *neuron.CellDesc, j *neuron.Junction, syn *hybridSyn, kl *neuron.JunctionKernel, evs []Event, bins int, clip float64) (*hybridTrace, error) {
	c, err := neuron.New(desc, neuron.DefaultConfig())
	if err != nil {
		return nil, err
	}
	chans := desc.Channels()
	for _, e := range evs {
		id, err := c.Synapse(chans[e.Channel].Section, chans[e.Channel].Receptor)
		if err != nil {
			return nil, err
		}
		if err := c.Deliver(id, e.T, e.W); err != nil {
			return nil, err
		}
	}
	d, err := boundDendriteCell(desc, j, evs)
	if err != nil {
		return nil, err
	}
	P := int(math.Round(surrogate.BinDt / c.Dt()))
	tr := &hybridTrace{g: syn.edges(evs, bins), full: &boundFull{}, evs: evs}
	tr.vb = append(tr.vb, j.Read(c, nil))
	tr.va = append(tr.va, j.ReadAttach(c, nil))
	tr.full.soma = append(tr.full.soma, c.VSoma())
	vE := j.ReadExactFull(c, nil)
	stepVb, stepVa := [][]float64{tr.vb[0]}, [][]float64{tr.va[0]}
	vH := make([]float64, len(vE))
	for k := 0; k < bins; k++ {
		d.Save()
		for i, v := range vE {
			vH[i] = math.Min(v, clip)
		}
		for q := 0; q < P; q++ {
			d.Step(vH)
		}
		tr.held = append(tr.held, d.Read(nil))
		d.Restore()
		for q := 0; q < P; q++ {
			c.Step()
			vE = j.ReadExactFull(c, vE)
			d.Step(vE)
			tr.full.soma = append(tr.full.soma, c.VSoma())
			stepVb, stepVa = append(stepVb, j.Read(c, nil)), append(stepVa, j.ReadAttach(c, nil))
		}
		tr.vb = append(tr.vb, j.Read(c, nil))
		tr.va = append(tr.va, j.ReadAttach(c, nil))
	}
	tr.full.spikes = append([]float64(nil), c.Spikes()...)
	tr.stepVa = stepVa
	u := kl.Residual(stepVb, stepVa, c.Spikes())
	for k := 0; k <= bins; k++ {
		tr.u = append(tr.u, u[k*P])
	}
	return tr, nil
}

// HybridARX is the fitted junction model of one pyramidal type: per boundary node a
// weight vector over hybridFeatures (standardised by Mean and Scale).
type HybridARX struct {
	Mode        string         // "held": the held junction's increment; "u": the long kernel's residual's increment
	W           [2][][]float64 // per gate (hybridGate) and boundary
	Mean, Scale []float64
}

// predict returns boundary b's predicted increment of the junction over the bin, with
// the weights of gate g.
func (m *HybridARX) predict(x []float64, b, g int) float64 {
	s := 0.0
	for i, v := range x {
		s += m.W[g][b][i] * (v - m.Mean[i]) / m.Scale[i]
	}
	return s
}

// hybridGate selects the model of bin k (two ridge fits, causal): 1 within
// hybridGateMS after one of the soma's spikes or with an attach node above
// hybridGateV (a spike starting), else 0 (the quiet bins, whose small increments
// a single fit sacrifices to the spike bins).
func hybridGate(k int, va []float64, spikes []float64) int {
	t := float64(k) * surrogate.BinDt
	for i := len(spikes) - 1; i >= 0; i-- {
		if d := t - spikes[i]; d >= 0 && d < hybridGateMS {
			return 1
		} else if d >= hybridGateMS {
			break
		}
	}
	for _, v := range va {
		if v > hybridGateV {
			return 1
		}
	}
	return 0
}

// hybridGateMS (ms) and hybridGateV (mV) are hybridGate's thresholds.
const (
	hybridGateMS = 5
	hybridGateV  = -50
)

// hybridTarget is bin k's increment of boundary b to predict.
func hybridTarget(tr *hybridTrace, k, b int, mode string) float64 {
	if mode == "u" {
		return tr.u[k+1][b] - tr.u[k][b]
	}
	return tr.held[k][b] - tr.vb[k][b]
}

// fitHybridARX fits the ridge regression (penalty lambda on the standardised features)
// on the traces.
func fitHybridARX(trs []*hybridTrace, lambda float64, mode string) (*HybridARX, error) {
	if len(trs) == 0 {
		return nil, fmt.Errorf("hybrid: no training traces")
	}
	feat := func(x []float64, tr *hybridTrace, k int) []float64 {
		if mode == "u" {
			return hybridFeatures(x, k, tr.u, tr.va, tr.g, tr.full.spikes)
		}
		return hybridFeatures(x, k, tr.vb, tr.va, tr.g, tr.full.spikes)
	}
	nb := len(trs[0].vb[0])
	var x []float64
	x = hybridFeatures(x, 0, trs[0].vb, trs[0].va, trs[0].g, nil)
	nf := len(x)
	// moments for standardisation
	mean, sq := make([]float64, nf), make([]float64, nf)
	n := 0.0
	for _, tr := range trs {
		for k := range tr.held {
			x = feat(x, tr, k)
			for i, v := range x {
				mean[i] += v
				sq[i] += v * v
			}
			n++
		}
	}
	m := &HybridARX{Mode: mode, Mean: make([]float64, nf), Scale: make([]float64, nf)}
	for i := range mean {
		m.Mean[i] = mean[i] / n
		m.Scale[i] = math.Sqrt(math.Max(sq[i]/n-m.Mean[i]*m.Mean[i], 0))
		if m.Scale[i] < 1e-12 {
			m.Scale[i] = 1 // constant feature: the intercept carries it
		}
	}
	m.Mean[0], m.Scale[0] = 0, 1
	var xtx [2]*mat.SymDense
	var xty [2][]*mat.VecDense
	var ng [2]float64
	for g := range xtx {
		xtx[g] = mat.NewSymDense(nf, nil)
		xty[g] = make([]*mat.VecDense, nb)
		for b := range xty[g] {
			xty[g][b] = mat.NewVecDense(nf, nil)
		}
	}
	z := make([]float64, nf)
	for _, tr := range trs {
		for k := range tr.held {
			x = feat(x, tr, k)
			for i, v := range x {
				z[i] = (v - m.Mean[i]) / m.Scale[i]
			}
			g := hybridGate(k, tr.va[k], tr.full.spikes)
			ng[g]++
			xtx[g].SymRankOne(xtx[g], 1, mat.NewVecDense(nf, z))
			for b := range xty[g] {
				y := hybridTarget(tr, k, b, mode)
				xty[g][b].AddScaledVec(xty[g][b], y, mat.NewVecDense(nf, z))
			}
		}
	}
	for g := range xtx {
		for i := 1; i < nf; i++ {
			xtx[g].SetSym(i, i, xtx[g].At(i, i)+lambda*n)
		}
		xtx[g].SetSym(0, 0, xtx[g].At(0, 0)+1e-9*n) // a gate without bins predicts 0
		var ch mat.Cholesky
		if !ch.Factorize(xtx[g]) {
			return nil, fmt.Errorf("hybrid: ridge system of gate %d (%.0f bins) not positive definite", g, ng[g])
		}
		for b := range xty[g] {
			var w mat.VecDense
			if err := ch.SolveVecTo(&w, xty[g][b]); err != nil {
				return nil, err
			}
			m.W[g] = append(m.W[g], append([]float64(nil), w.RawVector().Data...))
		}
	}
	return m, nil
}

// hybridRunModel runs the hybrid free from rest: the exact soma, the junction kernel k
// (its first bin's lags), and the model predicting the held junction per bin from the
// hybrid's own history. It returns the soma after every step and the spikes.
func hybridRunModel(desc *neuron.CellDesc, j *neuron.Junction, k *neuron.JunctionKernel, m *HybridARX, tr *hybridTrace, bins int) ([]float64, []float64, error) {
	if m.Mode == "u" {
		return hybridRunModelU(desc, j, k, m, tr, bins)
	}
	s, err := boundSomaCell(desc, j, tr.evs)
	if err != nil {
		return nil, nil, err
	}
	P := int(math.Round(surrogate.BinDt / s.Cell().Dt()))
	nb := len(j.Boundary)
	vb := [][]float64{append([]float64(nil), tr.vb[0]...)} // at rest, as the whole cell
	va := [][]float64{make([]float64, nb)}
	for b := range va[0] {
		va[0][b] = s.AttachV(b)
	}
	h0, a0, cur := make([]float64, nb), make([]float64, nb), make([]float64, nb)
	att := make([][]float64, P+1)
	for q := range att {
		att[q] = make([]float64, nb)
	}
	for b := range h0 {
		h0[b] = k.H[b][0]
	}
	soma := []float64{s.VSoma()}
	var x []float64
	end := make([]float64, nb)
	for kb := 0; kb < bins; kb++ {
		x = hybridFeatures(x, kb, vb, va, tr.g, s.Spikes())
		gate := hybridGate(kb, va[kb], s.Spikes())
		for b := range end {
			end[b] = vb[kb][b] + m.predict(x, b, gate)
			a0[b] = s.AttachV(b)
		}
		for q := 1; q <= P; q++ {
			w := float64(q) / float64(P)
			for b := range cur {
				v := (1-w)*vb[kb][b] + w*end[b]
				h := k.H[b]
				for l := 1; l < min(q, len(h)); l++ {
					v += h[l] * (att[q-l][b] - a0[b])
				}
				cur[b] = v
			}
			s.StepLinear(cur, h0, a0)
			for b := range cur {
				att[q][b] = s.AttachV(b)
			}
			soma = append(soma, s.VSoma())
		}
		nvb, nva := make([]float64, nb), make([]float64, nb)
		for b := range nvb {
			nvb[b] = cur[b] + h0[b]*(att[P][b]-a0[b])
			nva[b] = att[P][b]
		}
		vb, va = append(vb, nvb), append(va, nva)
	}
	return soma, append([]float64(nil), s.Spikes()...), nil
}

// hybridRunModelU runs the "u" hybrid free from rest: a KernelSoma with the long kernel
// k, fed the model's residual at the bin ends, interpolated linearly.
func hybridRunModelU(desc *neuron.CellDesc, j *neuron.Junction, k *neuron.JunctionKernel, m *HybridARX, tr *hybridTrace, bins int) ([]float64, []float64, error) {
	ks, err := j.NewKernelSoma(k, neuron.DefaultConfig())
	if err != nil {
		return nil, nil, err
	}
	if err := boundDeliver(desc, ks.SomaCell, tr.evs); err != nil {
		return nil, nil, err
	}
	P := int(math.Round(surrogate.BinDt / ks.Cell().Dt()))
	nb := len(j.Boundary)
	u := [][]float64{append([]float64(nil), tr.u[0]...)} // at rest, as the whole cell
	va := [][]float64{make([]float64, nb)}
	for b := range va[0] {
		va[0][b] = ks.AttachV(b)
	}
	cur := make([]float64, nb)
	soma := []float64{ks.VSoma()}
	var x []float64
	for kb := 0; kb < bins; kb++ {
		x = hybridFeatures(x, kb, u, va, tr.g, ks.Spikes())
		end := make([]float64, nb)
		gate := hybridGate(kb, va[kb], ks.Spikes())
		for b := range end {
			if m.W[0] == nil { // the oracle: the whole cell's own residual
				end[b] = tr.u[kb+1][b]
				continue
			}
			end[b] = u[kb][b] + m.predict(x, b, gate)
		}
		for q := 1; q <= P; q++ {
			w := float64(q) / float64(P)
			for b := range cur {
				cur[b] = (1-w)*u[kb][b] + w*end[b]
			}
			ks.Step(cur)
			soma = append(soma, ks.VSoma())
		}
		nva := make([]float64, nb)
		for b := range nva {
			nva[b] = ks.AttachV(b)
		}
		u, va = append(u, end), append(va, nva)
	}
	return soma, append([]float64(nil), ks.Spikes()...), nil
}

// HybridReport is what HybridJunction measures for one type.
type HybridReport struct {
	TrainSamples  int                   `json:"train_samples_per_regime"`
	TestSamples   int                   `json:"test_samples_per_regime"`
	Features      int                   `json:"features"`
	Lambda        float64               `json:"ridge_lambda"`
	OneStepRMS    []float64             `json:"one_step_rms_mV"` // teacher-forced test error of the bin's held junction, per boundary
	TargetSD      []float64             `json:"target_sd_mV"`    // the increment's s.d. on the test set, per boundary
	TargetSDFar   []float64             `json:"target_sd_away_from_spikes_mV"`
	OneStepRMSFar []float64             `json:"one_step_rms_away_from_spikes_mV"` // OneStepRMS without the bins from 2 ms before to 5 ms after a spike
	Rows          []boundRow            `json:"rows"`
	Model         *HybridARX            `json:"-"`
	FitSeconds    float64               `json:"fit_seconds"`
	Boundary      []neuron.JunctionNode `json:"boundary"`
}

// HybridJunction fits the kernel hybrid's junction model (HybridARX) on nTrain
// biophysical samples per regime (seeds of the "hybrid-train" stream) and evaluates the
// hybrid free-running on the first nTest samples per regime of -bound's (the same
// events as its table), for each pyramidal type.
func HybridJunction(types []neuron.CellType, nTrain, nTest, bins int, seed uint64, lambda float64, mode string, log io.Writer) (map[string]HybridReport, error) {
	if mode != "held" && mode != "u" {
		return nil, fmt.Errorf("-hybrid-mode %q: want held or u", mode)
	}
	if log == nil {
		log = io.Discard
	}
	if nTrain < 1 || nTest < 1 {
		return nil, fmt.Errorf("-hybrid %d/%d: want at least one training and one test sample", nTrain, nTest)
	}
	out := map[string]HybridReport{}
	regimes := hybridRegimes
	for ti, ct := range types {
		if ct != neuron.L5Pyramidal && ct != neuron.L2Pyramidal {
			continue
		}
		start := time.Now()
		hc, err := newHybridCell(ct)
		if err != nil {
			return nil, err
		}
		desc, j, kl := hc.desc, hc.j, hc.kl
		k := kl.Truncate(20) // the held mode uses the bin's lags only
		if mode == "u" {
			k = kl
		}
		train, tests, err := hc.samples(ct, ti, nTrain, nTest, bins, seed, math.Inf(1))
		if err != nil {
			return nil, err
		}
		simT := time.Since(start).Seconds()
		fitStart := time.Now()
		m, err := fitHybridARX(train, lambda, mode)
		if err != nil {
			return nil, err
		}
		rep := HybridReport{TrainSamples: nTrain, TestSamples: nTest, Lambda: lambda, Model: m, Boundary: j.Boundary,
			FitSeconds: time.Since(fitStart).Seconds(), Features: len(m.Mean)}
		nb := len(j.Boundary)
		se, sy, sy2, cnt := make([]float64, nb), make([]float64, nb), make([]float64, nb), 0.0
		seFar, nFar := make([]float64, nb), make([]float64, nb)
		syFar, sy2Far := make([]float64, nb), make([]float64, nb)
		var x []float64
		run := m
		if hybridOracle {
			run = &HybridARX{Mode: mode}
		}
		for ri, reg := range regimes {
			ss := make([]boundSample, nTest)
			errs := make([]error, nTest)
			for _, tr := range tests[ri] {
				for kb := range tr.held {
					if mode == "u" {
						x = hybridFeatures(x, kb, tr.u, tr.va, tr.g, tr.full.spikes)
					} else {
						x = hybridFeatures(x, kb, tr.vb, tr.va, tr.g, tr.full.spikes)
					}
					tk := float64(kb) * surrogate.BinDt
					isNear := false
					for _, ts := range tr.full.spikes {
						if ts > tk-5 && ts < tk+2 {
							isNear = true
						}
					}
					gate := hybridGate(kb, tr.va[kb], tr.full.spikes)
					for b := range se {
						y := hybridTarget(tr, kb, b, mode)
						e := m.predict(x, b, gate) - y
						if !isNear {
							seFar[b] += e * e
							nFar[b]++
							syFar[b] += y
							sy2Far[b] += y * y
						}
						se[b] += e * e
						sy[b] += y
						sy2[b] += y * y
					}
					cnt++
				}
			}
			parallel.For(nTest, 0, func(i int) {
				soma, spikes, err := hybridRunModel(desc, j, k, run, tests[ri][i], bins)
				if err != nil {
					errs[i] = err
					return
				}
				ss[i] = boundCompare(tests[ri][i].full, soma, spikes, bins)
			})
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			r := boundAggregate(ss, float64(bins)*surrogate.BinDt)
			r.Regime, r.Interface = reg, "kernel hybrid, ridge ARX, "+mode
			rep.Rows = append(rep.Rows, r)
		}
		for b := range se {
			rep.OneStepRMS = append(rep.OneStepRMS, math.Sqrt(se[b]/cnt))
			mu := sy[b] / cnt
			rep.TargetSD = append(rep.TargetSD, math.Sqrt(sy2[b]/cnt-mu*mu))
			rep.OneStepRMSFar = append(rep.OneStepRMSFar, math.Sqrt(seFar[b]/nFar[b]))
			mu = syFar[b] / nFar[b]
			rep.TargetSDFar = append(rep.TargetSDFar, math.Sqrt(sy2Far[b]/nFar[b]-mu*mu))
		}
		out[ct.String()] = rep
		fmt.Fprintf(log, "hybrid %s: %d training / %d test samples per regime, %d features, simulated in %.0f s, fitted in %.1f s; one-step RMS %s mV, increment s.d. %s mV; away from spikes %s mV, s.d. %s mV\n",
			ct, nTrain, nTest, rep.Features, simT, rep.FitSeconds, fmtList(rep.OneStepRMS), fmtList(rep.TargetSD), fmtList(rep.OneStepRMSFar), fmtList(rep.TargetSDFar))
		boundTable(log, ct, BoundReport{Samples: nTest, Rows: rep.Rows, Boundary: map[string][]neuron.JunctionNode{"depth_0": j.Boundary}})
	}
	return out, nil
}

func fmtList(v []float64) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += " / "
		}
		s += fmt.Sprintf("%.3f", x)
	}
	return s
}
