package surrogate_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/train"
)

// exactRef is a biophysical basket run on binned input: the events of bin k
// delivered at k·0.5 + sub·0.025 ms.
type exactRef struct {
	vEnd, vMax []float64 // per bin
	spikes     []float64 // NEURON's spike times (ms)
}

func runExactRef(t testing.TB, ct neuron.CellType, x []float64, C, bins, sub int) exactRef {
	t.Helper()
	cell, err := neuron.NewType(ct, neuron.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := neuron.Template(ct)
	ids := make([]neuron.SynapseID, C)
	for c, ch := range desc.Channels() {
		if ids[c], err = cell.Synapse(ch.Section, ch.Receptor); err != nil {
			t.Fatal(err)
		}
	}
	for k := range bins {
		for c := range C {
			if w := x[k*C+c]; w > 0 {
				if err := cell.Deliver(ids[c], float64(k)*surrogate.BinDt+float64(sub)*surrogate.ExactDt, w); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var r exactRef
	for range bins {
		peak := math.Inf(-1)
		for range surrogate.ExactSubsteps {
			cell.Step()
			peak = math.Max(peak, cell.VSoma())
		}
		r.vEnd = append(r.vEnd, cell.VSoma())
		r.vMax = append(r.vMax, peak)
	}
	cell.CheckThreshold() // a spike at the last grid time
	r.spikes = append(r.spikes, cell.Spikes()...)
	return r
}

// binnedPoisson returns the training-style independent-Poisson input of one
// sample, binned with surrogate.BinOf ([bins, C], µS), and its events.
func binnedPoisson(t testing.TB, ct neuron.CellType, bins int, rng *rand.Rand) ([]float64, []train.Event) {
	t.Helper()
	evs, err := train.PoissonEvents(ct, train.DefaultPoissonConfig(ct), bins, rng)
	if err != nil {
		t.Fatal(err)
	}
	return binEvents(evs, 3, bins), evs
}

func binEvents(evs []train.Event, C, bins int) []float64 {
	x := make([]float64, bins*C)
	for _, e := range evs {
		if k := surrogate.BinOf(e.T); k < bins {
			x[k*C+e.Channel] += e.W
		}
	}
	return x
}

// sparseEvents is one hnn-core-style Poisson drive on the basket's somatic
// AMPA synapse (channel 0): w 0.5–1.5 nS, 200–1500 Hz (cmd/train -bound's
// "sparse" regime).
func sparseEvents(bins int, rng *rand.Rand) []train.Event {
	tstop := float64(bins) * surrogate.BinDt
	w := 5e-4 + 1e-3*rng.Float64()
	rate := math.Exp(math.Log(200) + rng.Float64()*math.Log(1500.0/200))
	var evs []train.Event
	for t := rng.ExpFloat64() / rate * 1000; t < tstop; t += rng.ExpFloat64() / rate * 1000 {
		evs = append(evs, train.Event{Channel: 0, T: t, W: w})
	}
	return evs
}

// runExact steps the exact basket over binned input and returns v at the bin
// ends, the bin maxima and the spike bins (upward crossings of the maxima).
func runExact[T autograd.Float](m *surrogate.ExactBasket[T], x []float64, C, bins int) (vEnd, vMax []float64, spikeBins []int) {
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	st := m.NewState(tp, 1)
	xt := autograd.Zeros[T](1, C)
	prev := math.Inf(-1)
	for k := range bins {
		for c := range C {
			xt.Data[c] = T(x[k*C+c])
		}
		y, _ := m.Step(tp, xt, st)
		v, mx := float64(y.Data[0]), float64(y.Data[1])
		vEnd, vMax = append(vEnd, v), append(vMax, mx)
		if k > 0 && prev <= m.SpikeThreshold() && mx > m.SpikeThreshold() {
			spikeBins = append(spikeBins, k)
		}
		prev = mx
		tp.Reset()
	}
	return
}

// spikeBin is the bin whose end the network stamps a NEURON spike at t with:
// the bin holding the grid time t_i = t − 1e-10 in (k·0.5, (k+1)·0.5].
func spikeBin(t float64) int {
	i := math.Round(t / surrogate.ExactDt)
	return int(math.Ceil(i/surrogate.ExactSubsteps-1e-9)) - 1
}

func TestExactBasketMatchesNeuron(t *testing.T) {
	const bins = 2000 // 1 s
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		m, err := surrogate.NewExactBasket[float64](ct)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, uint64(ct)))
		inputs := map[string][]float64{}
		for i := range 3 {
			x, _ := binnedPoisson(t, ct, bins, rng)
			inputs["poisson"+string(rune('0'+i))] = x
		}
		inputs["sparse"] = binEvents(sparseEvents(bins, rng), 3, bins)
		for name, x := range inputs {
			for _, sub := range []int{0, 10} {
				if err := m.SetInputSubstep(sub); err != nil {
					t.Fatal(err)
				}
				ref := runExactRef(t, ct, x, 3, bins, sub)
				vEnd, vMax, sb := runExact(m, x, 3, bins)
				maxDv := 0.0
				for k := range bins {
					maxDv = math.Max(maxDv, math.Abs(vEnd[k]-ref.vEnd[k]))
					maxDv = math.Max(maxDv, math.Abs(vMax[k]-ref.vMax[k]))
				}
				var rb []int
				for _, ts := range ref.spikes {
					rb = append(rb, spikeBin(ts))
				}
				t.Logf("%s %s sub %d: max |Δv| %.3g mV, spikes %d / %d", ct, name, sub, maxDv, len(sb), len(rb))
				if maxDv > 1e-9 {
					t.Errorf("%s %s sub %d: max |Δv| = %g mV", ct, name, sub, maxDv)
				}
				if len(sb) != len(rb) {
					t.Errorf("%s %s sub %d: %d spikes, biophysical %d", ct, name, sub, len(sb), len(rb))
					continue
				}
				for i := range sb {
					if sb[i] != rb[i] {
						t.Errorf("%s %s sub %d: spike %d in bin %d, biophysical %d (t %v)", ct, name, sub, i, sb[i], rb[i], ref.spikes[i])
					}
				}
			}
		}
		m.SetInputSubstep(0)
	}
}

func TestExactBasketErrors(t *testing.T) {
	if _, err := surrogate.NewExactBasket[float64](neuron.L5Pyramidal); err == nil {
		t.Error("NewExactBasket(L5Pyramidal): no error")
	}
	m, err := surrogate.NewExactBasket[float64](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetInputSubstep(20); err == nil {
		t.Error("SetInputSubstep(20): no error")
	}
	if err := m.SetInputSubstep(-1); err == nil {
		t.Error("SetInputSubstep(-1): no error")
	}
	st := m.NewState(nil, 2)
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil {
				t.Errorf("%s: no panic", name)
			} else if s, _ := r.(string); !strings.Contains(s, want) {
				t.Errorf("%s: panic %v, want %q", name, r, want)
			}
		}()
		f()
	}
	mustPanic("rank 1", "input shape", func() { m.Step(nil, autograd.Zeros[float64](6), st) })
	mustPanic("wrong batch", "input shape", func() { m.Step(nil, autograd.Zeros[float64](3, 3), st) })
	mustPanic("wrong channels", "input shape", func() { m.Step(nil, autograd.Zeros[float64](2, 2), st) })
	mustPanic("batch 0", "batch 0", func() { m.NewState(nil, 0) })
	other, _ := surrogate.NewExactBasket[float64](neuron.L5Basket)
	mustPanic("foreign state", "another model", func() { other.Step(nil, autograd.Zeros[float64](2, 3), st) })
}

// TestExactBasketGradient checks the fused op's backward pass against central
// differences over 12 bins (6 ms) of two cells, one of which spikes, with
// respect to the inputs and the initial state, for two input substeps.
//
// The rates are hh2's linearly interpolated table (as in the simulator), so
// the function is smooth only between the table's knots (every 1 mV): across
// a spike the voltages pass through ~100 knots and a perturbation δv of a
// millivolt fraction straddles some, which limits the agreement with finite
// differences to ~1e-4 relative there (h = 1e-8). Without a spike, over a few
// bins, the agreement is 1e-5 (TestExactBasketGradientSubthreshold).
func TestExactBasketGradient(t *testing.T) {
	for _, sub := range []int{0, 7} {
		m, err := surrogate.NewExactBasket[float64](neuron.L5Basket)
		if err != nil {
			t.Fatal(err)
		}
		m.SetInputSubstep(sub)
		const bins, batch, C = 12, 2, 3
		W := surrogate.ExactStateWidth(C)
		x := autograd.Zeros[float64](bins*batch, C)
		// cell 0: a strong AMPA volley in bin 1 (spikes), GABA-A and NMDA later;
		// cell 1: subthreshold AMPA and NMDA
		x.Data[(1*batch+0)*C+0] = 0.01
		x.Data[(2*batch+0)*C+2] = 0.002
		x.Data[(6*batch+0)*C+1] = 0.01
		x.Data[(1*batch+1)*C+0] = 0.002
		x.Data[(3*batch+1)*C+2] = 0.001
		x.Data[(8*batch+1)*C+1] = 0.005
		s0 := autograd.Clone(m.NewState(nil, batch).S)
		// off rest (at rest the bin maximum is a tie of equal substeps, where
		// max is not differentiable): cell 0 depolarised, cell 1 with some AMPA
		// conductance
		s0.Data[0] = -63
		s0.Data[W+4] = 1e-3
		s0.Data[W+4+C] = 2e-3
		spiked := false
		f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
			st := m.NewState(tp, batch)
			st.S = in[1]
			var parts []*autograd.Tensor[float64]
			for k := range bins {
				y, _ := m.Step(tp, tp.Narrow(in[0], 0, k*batch, batch), st)
				if y.Data[1] > 0 {
					spiked = true
				}
				parts = append(parts, tp.Reshape(y, 2*batch, 1))
			}
			parts = append(parts, tp.Reshape(st.S, batch*W, 1))
			return tp.Concat(0, parts...)
		}
		if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{x, s0}, autograd.GradCheckOptions{Eps: 1e-8, Rtol: 1e-3, Atol: 1e-5}); err != nil {
			t.Errorf("sub %d: %v", sub, err)
		}
		if !spiked {
			t.Errorf("sub %d: no spike in the checked window", sub)
		}
	}
}

// TestExactBasketGradientSubthreshold is the gradient check at tight
// tolerance on 1, 2 and 4 bins of subthreshold dynamics from states off rest
// (with respect to every state variable and input).
func TestExactBasketGradientSubthreshold(t *testing.T) {
	m, err := surrogate.NewExactBasket[float64](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	const C = 3
	W := surrogate.ExactStateWidth(C)
	for _, bins := range []int{1, 2, 4} {
		for _, s0v := range [][]float64{
			{-63, 0.05, 0.6, 0.3, 1e-3, 0, 0, 2e-3, 0, 0, 0},
			{-50, 0.1, 0.5, 0.35, 1e-3, 1e-3, 1e-3, 2e-3, 2e-3, 2e-3, 0},
		} {
			x := autograd.Zeros[float64](bins, C)
			x.Data[0], x.Data[2] = 0.003, 0.001
			s0 := autograd.MustNew(append([]float64(nil), s0v...), 1, W)
			f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
				st := m.NewState(tp, 1)
				st.S = in[1]
				var parts []*autograd.Tensor[float64]
				for k := range bins {
					y, _ := m.Step(tp, tp.Narrow(in[0], 0, k, 1), st)
					parts = append(parts, tp.Reshape(y, 2, 1))
				}
				// the state without its last column (the previous bin's maximum,
				// which Step does not read)
				parts = append(parts, tp.Reshape(tp.Narrow(st.S, 1, 0, W-1), W-1, 1))
				return tp.Concat(0, parts...)
			}
			if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{x, s0}, autograd.GradCheckOptions{Eps: 1e-7, Rtol: 1e-5, Atol: 1e-6}); err != nil {
				t.Errorf("%d bins from v %v: %v", bins, s0v[0], err)
			}
		}
	}
}

// TestExactBasketFloat32 runs the float32 model (float64 integration, float32
// state at bin boundaries) against the float64 one on a second of Poisson
// input.
func TestExactBasketFloat32(t *testing.T) {
	const bins = 2000
	m64, _ := surrogate.NewExactBasket[float64](neuron.L2Basket)
	m32, err := surrogate.NewExactBasket[float32](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(neuron.L2Basket)))
	x, _ := binnedPoisson(t, neuron.L2Basket, bins, rng)
	v64, _, s64 := runExact(m64, x, 3, bins)
	v32, _, s32 := runExact(m32, x, 3, bins)
	maxDv := 0.0
	for k := range v64 {
		maxDv = math.Max(maxDv, math.Abs(v64[k]-v32[k]))
	}
	t.Logf("float32: max |Δv| %.3g mV, spikes %d / %d", maxDv, len(s32), len(s64))
	if len(s64) == 0 || len(s32) != len(s64) || maxDv > 1 {
		t.Errorf("float32: %d spikes (float64 %d), max |Δv| %g mV", len(s32), len(s64), maxDv)
	}
}

// TestExactBasketAllocs checks that a recorded step and its backward pass
// allocate nothing once the tape and the op's scratch are warm.
func TestExactBasketAllocs(t *testing.T) {
	m, _ := surrogate.NewExactBasket[float32](neuron.L5Basket)
	const batch, bins = 8, 10
	tp := autograd.NewTape[float32]()
	st := m.NewState(tp, batch)
	x := autograd.Zeros[float32](batch, 3)
	x.SetRequiresGrad(true)
	for b := range batch {
		x.Data[b*3] = 0.004
	}
	run := func() {
		tp.Reset()
		surrogate.ResetExactState(st)
		var y *autograd.Tensor[float32]
		for range bins {
			y, _ = m.Step(tp, x, st)
		}
		if err := tp.Backward(tp.Sum(y)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(5, run); n != 0 {
		t.Errorf("%v allocations per run of %d recorded steps + backward", n, bins)
	}
}

func benchmarkExactBasket(b *testing.B, backward, perSub bool) {
	m, _ := surrogate.NewExactBasket[float32](neuron.L5Basket)
	const batch = 32
	rng := rand.New(rand.NewPCG(1, 2))
	tp := autograd.NewTape[float32]()
	tp.SetNoGrad(!backward)
	st := m.NewState(tp, batch)
	const bins = 100
	S := 1
	if perSub {
		S = surrogate.ExactSubsteps
	}
	xs := make([]*autograd.Tensor[float32], bins)
	for k := range xs {
		xs[k] = autograd.Zeros[float32](batch, 3*S)
		xs[k].SetRequiresGrad(true)
		for i := range xs[k].Data {
			if rng.Float64() < 0.05/float64(S) {
				xs[k].Data[i] = float32(0.005 * rng.Float64())
			}
		}
	}
	step := m.Step
	if perSub {
		step = m.StepSubsteps
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += bins {
		tp.Reset()
		surrogate.ResetExactState(st)
		var y *autograd.Tensor[float32]
		for k := range bins {
			y, _ = step(tp, xs[k], st)
		}
		if backward {
			tp.Backward(tp.Sum(y))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/batch, "ns/cell-step")
}

// BenchmarkExactBasketForward is one 0.5 ms step of 32 exact baskets (20
// substeps), not recorded; ns/cell-step divides by the batch.
func BenchmarkExactBasketForward(b *testing.B) { benchmarkExactBasket(b, false, false) }

// BenchmarkExactBasketBackward is the same recorded, plus its backward pass.
func BenchmarkExactBasketBackward(b *testing.B) { benchmarkExactBasket(b, true, false) }

// BenchmarkExactBasketSubstepsForward is BenchmarkExactBasketForward with
// per-substep input (StepSubsteps, the same input rate spread over the 20
// substeps).
func BenchmarkExactBasketSubstepsForward(b *testing.B) { benchmarkExactBasket(b, false, true) }

// BenchmarkExactBasketSubstepsBackward is BenchmarkExactBasketBackward with
// per-substep input.
func BenchmarkExactBasketSubstepsBackward(b *testing.B) { benchmarkExactBasket(b, true, true) }

// substepInput places events at their NEURON steps: [bins, ExactSubsteps·C]
// (µS), the input of ExactBasket.StepSubsteps.
func substepInput(evs []train.Event, C, bins int) []float64 {
	x, err := train.SubstepInputs(evs, C, bins)
	if err != nil {
		panic(err)
	}
	return x
}

// runExactSub steps the exact basket over per-substep input x ([bins,
// ExactSubsteps·C]) and returns v at the bin ends, the bin maxima and the
// spike times (bin start + SpikeOffsets).
func runExactSub[T autograd.Float](m *surrogate.ExactBasket[T], x []float64, C, bins int) (vEnd, vMax, spikes []float64) {
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	st := m.NewState(tp, 1)
	W := surrogate.ExactSubsteps * C
	xt := autograd.Zeros[T](1, W)
	for k := range bins {
		for i := range W {
			xt.Data[i] = T(x[k*W+i])
		}
		y, _ := m.StepSubsteps(tp, xt, st)
		vEnd, vMax = append(vEnd, float64(y.Data[0])), append(vMax, float64(y.Data[1]))
		if off := st.SpikeOffsets()[0]; !math.IsNaN(off) {
			spikes = append(spikes, float64(k)*surrogate.BinDt+off)
		}
		st.Detach()
		tp.Reset()
	}
	return
}

// runRefEvents is the biophysical basket fed events at their true times.
func runRefEvents(t testing.TB, ct neuron.CellType, evs []train.Event, bins int) exactRef {
	t.Helper()
	cell, err := neuron.NewType(ct, neuron.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := neuron.Template(ct)
	var ids []neuron.SynapseID
	for _, ch := range desc.Channels() {
		id, err := cell.Synapse(ch.Section, ch.Receptor)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, e := range evs {
		if err := cell.Deliver(ids[e.Channel], e.T, e.W); err != nil {
			t.Fatal(err)
		}
	}
	var r exactRef
	for range bins {
		peak := math.Inf(-1)
		for range surrogate.ExactSubsteps {
			cell.Step()
			peak = math.Max(peak, cell.VSoma())
		}
		r.vEnd = append(r.vEnd, cell.VSoma())
		r.vMax = append(r.vMax, peak)
	}
	cell.CheckThreshold()
	r.spikes = append(r.spikes, cell.Spikes()...)
	return r
}

// basketDrives returns named event sets of 1 s for a basket: two samples of
// training-style Poisson input, one sparse hnn-core-style drive and one
// sample of each of HNN's drive regimes (train.HNNDriveEvents).
func basketDrives(t testing.TB, ct neuron.CellType, bins int, seed uint64) map[string][]train.Event {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(ct)))
	out := map[string][]train.Event{}
	for i := range 2 {
		_, evs := binnedPoisson(t, ct, bins, rng)
		out["poisson"+string(rune('0'+i))] = evs
	}
	out["sparse"] = sparseEvents(bins, rng)
	for r, name := range train.HNNRegimes {
		evs, err := train.HNNDriveEvents(ct, r, bins, rng)
		if err != nil {
			t.Fatal(err)
		}
		out["hnn_"+name] = evs
	}
	return out
}

// TestExactBasketSubstepsMatchNeuron feeds the exact basket each event at its
// own substep (StepSubsteps) and the biophysical cell the same events at
// their true times: the voltages agree to rounding and the spike times
// (SpikeOffsets) are NEURON's (to 1e-6 ms: NEURON accumulates t, which
// drifts about 1e-9 ms off the grid in 1 s).
func TestExactBasketSubstepsMatchNeuron(t *testing.T) {
	const bins = 2000
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		m, err := surrogate.NewExactBasket[float64](ct)
		if err != nil {
			t.Fatal(err)
		}
		for name, evs := range basketDrives(t, ct, bins, 11) {
			ref := runRefEvents(t, ct, evs, bins)
			vEnd, vMax, spikes := runExactSub(m, substepInput(evs, 3, bins), 3, bins)
			maxDv := 0.0
			for k := range bins {
				maxDv = math.Max(maxDv, math.Abs(vEnd[k]-ref.vEnd[k]))
				maxDv = math.Max(maxDv, math.Abs(vMax[k]-ref.vMax[k]))
			}
			t.Logf("%s %s: %d events, max |Δv| %.3g mV, spikes %d / %d", ct, name, len(evs), maxDv, len(spikes), len(ref.spikes))
			if maxDv > 1e-9 {
				t.Errorf("%s %s: max |Δv| = %g mV", ct, name, maxDv)
			}
			if len(spikes) != len(ref.spikes) {
				t.Errorf("%s %s: %d spikes, biophysical %d", ct, name, len(spikes), len(ref.spikes))
				continue
			}
			for i := range spikes {
				// NEURON's t is accumulated (about 1e-9 ms off the grid after 1 s)
				if math.Abs(spikes[i]-ref.spikes[i]) > 1e-6 {
					t.Errorf("%s %s: spike %d at %.12g ms, biophysical %.12g ms", ct, name, i, spikes[i], ref.spikes[i])
				}
			}
		}
	}
}

// TestExactBasketSubstepsWholeBin checks that StepSubsteps with a bin's
// whole input in the columns of substep j is Step with InputSubstep j, bit
// for bit, spike offsets included.
func TestExactBasketSubstepsWholeBin(t *testing.T) {
	const bins, C = 400, 3
	m, _ := surrogate.NewExactBasket[float64](neuron.L5Basket)
	rng := rand.New(rand.NewPCG(3, 4))
	x := binEvents(sparseEvents(bins, rng), C, bins)
	for _, j := range []int{0, 13} {
		m.SetInputSubstep(j)
		xs := make([]float64, bins*surrogate.ExactSubsteps*C)
		for k := range bins {
			copy(xs[(k*surrogate.ExactSubsteps+j)*C:], x[k*C:(k+1)*C])
		}
		vEnd, vMax, sb := runExact(m, x, C, bins)
		m.SetInputSubstep(0) // not used by StepSubsteps
		sEnd, sMax, spikes := runExactSub(m, xs, C, bins)
		for k := range bins {
			if vEnd[k] != sEnd[k] || vMax[k] != sMax[k] {
				t.Fatalf("substep %d, bin %d: StepSubsteps (%v, %v), Step (%v, %v)", j, k, sEnd[k], sMax[k], vEnd[k], vMax[k])
			}
		}
		if len(sb) == 0 || len(spikes) != len(sb) {
			t.Fatalf("substep %d: %d spikes, %d spike bins", j, len(spikes), len(sb))
		}
		for i, k := range sb {
			if b := spikeBin(spikes[i]); b != k {
				t.Errorf("substep %d: spike %d at %v ms (bin %d), bin maximum crossing in bin %d", j, i, spikes[i], b, k)
			}
		}
	}
}

// TestSubstepOf checks SubstepOf against BinOf and NEURON's delivery rule
// (the first grid point t_m with t_m + dt/2 ≥ t).
func TestSubstepOf(t *testing.T) {
	for _, c := range []struct {
		t        float64
		bin, sub int
	}{{-1, 0, 0}, {0, 0, 0}, {0.0125, 0, 0}, {0.0126, 0, 1}, {0.4874, 0, 19}, {0.4876, 1, 0}, {1.0, 2, 0}, {1.03, 2, 1}, {1.04, 2, 2}} {
		if b, j := surrogate.SubstepOf(c.t); b != c.bin || j != c.sub {
			t.Errorf("SubstepOf(%v) = (%d, %d), want (%d, %d)", c.t, b, j, c.bin, c.sub)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 10000 {
		tt := 100 * rng.Float64()
		if b, _ := surrogate.SubstepOf(tt); b != surrogate.BinOf(tt) {
			t.Fatalf("SubstepOf(%v) bin %d, BinOf %d", tt, b, surrogate.BinOf(tt))
		}
	}
}

// TestExactBasketSubstepsGradient checks StepSubsteps' backward pass against
// central differences over 8 bins of two cells with inputs at several
// substeps (0, 3, 11, 19 and others; one cell spikes), with respect to every
// substep's input (the zero ones included) and the initial state.
func TestExactBasketSubstepsGradient(t *testing.T) {
	m, err := surrogate.NewExactBasket[float64](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	const bins, batch, C = 8, 2, 3
	S := surrogate.ExactSubsteps
	W := surrogate.ExactStateWidth(C)
	x := autograd.Zeros[float64](bins*batch, S*C)
	at := func(k, b, j, c int) *float64 { return &x.Data[(k*batch+b)*S*C+j*C+c] }
	*at(1, 0, 3, 0) = 0.006 // cell 0: AMPA volleys at substeps 3 and 11 (spikes)
	*at(1, 0, 11, 0) = 0.006
	*at(2, 0, 19, 2) = 0.002
	*at(4, 0, 0, 1) = 0.01
	*at(1, 1, 5, 0) = 0.002 // cell 1: subthreshold
	*at(1, 1, 17, 2) = 0.001
	*at(3, 1, 9, 1) = 0.004
	s0 := autograd.Clone(m.NewState(nil, batch).S)
	s0.Data[0] = -63
	s0.Data[W+4] = 1e-3
	s0.Data[W+4+C] = 2e-3
	spiked := false
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		st := m.NewState(tp, batch)
		st.S = in[1]
		var parts []*autograd.Tensor[float64]
		for k := range bins {
			y, _ := m.StepSubsteps(tp, tp.Narrow(in[0], 0, k*batch, batch), st)
			if y.Data[1] > 0 {
				spiked = true
			}
			parts = append(parts, tp.Reshape(y, 2*batch, 1))
		}
		parts = append(parts, tp.Reshape(tp.Narrow(st.S, 1, 0, W-1), batch*(W-1), 1))
		return tp.Concat(0, parts...)
	}
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{x, s0}, autograd.GradCheckOptions{Eps: 1e-8, Rtol: 1e-3, Atol: 1e-5}); err != nil {
		t.Error(err)
	}
	if !spiked {
		t.Error("no spike in the checked window")
	}
}

// TestExactBasketSubstepsGradientSubthreshold is the per-substep gradient
// check at tight tolerance on 1 and 3 bins of subthreshold dynamics.
func TestExactBasketSubstepsGradientSubthreshold(t *testing.T) {
	m, _ := surrogate.NewExactBasket[float64](neuron.L5Basket)
	const C = 3
	S := surrogate.ExactSubsteps
	W := surrogate.ExactStateWidth(C)
	for _, bins := range []int{1, 3} {
		x := autograd.Zeros[float64](bins, S*C)
		x.Data[2*C+0], x.Data[7*C+2], x.Data[19*C+1] = 0.002, 0.001, 0.003
		s0 := autograd.MustNew([]float64{-60, 0.05, 0.6, 0.3, 1e-3, 1e-3, 0, 2e-3, 2e-3, 0, 0}, 1, W)
		f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
			st := m.NewState(tp, 1)
			st.S = in[1]
			var parts []*autograd.Tensor[float64]
			for k := range bins {
				y, _ := m.StepSubsteps(tp, tp.Narrow(in[0], 0, k, 1), st)
				parts = append(parts, tp.Reshape(y, 2, 1))
			}
			parts = append(parts, tp.Reshape(tp.Narrow(st.S, 1, 0, W-1), W-1, 1))
			return tp.Concat(0, parts...)
		}
		if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{x, s0}, autograd.GradCheckOptions{Eps: 1e-7, Rtol: 1e-5, Atol: 1e-6}); err != nil {
			t.Errorf("%d bins: %v", bins, err)
		}
	}
}

// TestExactBasketSubstepsAllocs checks that recorded StepSubsteps steps and
// their backward pass allocate nothing once warm.
func TestExactBasketSubstepsAllocs(t *testing.T) {
	m, _ := surrogate.NewExactBasket[float32](neuron.L2Basket)
	const batch, bins = 8, 10
	tp := autograd.NewTape[float32]()
	st := m.NewState(tp, batch)
	x := autograd.Zeros[float32](batch, surrogate.ExactSubsteps*3)
	x.SetRequiresGrad(true)
	for b := range batch {
		x.Data[b*surrogate.ExactSubsteps*3+3*(b%20)] = 0.004
	}
	run := func() {
		tp.Reset()
		surrogate.ResetExactState(st)
		var y *autograd.Tensor[float32]
		for range bins {
			y, _ = m.StepSubsteps(tp, x, st)
			_ = st.SpikeOffsets()
		}
		if err := tp.Backward(tp.Sum(y)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(5, run); n != 0 {
		t.Errorf("%v allocations per run of %d recorded steps + backward", n, bins)
	}
}

// TestExactBasketEvaluateSubsteps checks EvaluateSubsteps against the
// biophysical basket: fed the events at their true times, Γ, precision and
// recall are 1 with every spike within 0.5 ms and no bias, where the binned
// Evaluate of the same sparse samples is not perfect; and bad input fails.
func TestExactBasketEvaluateSubsteps(t *testing.T) {
	const bins = 1000
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		ex, err := surrogate.NewExactBasket[float64](ct)
		if err != nil {
			t.Fatal(err)
		}
		C := len(ex.Inputs())
		rng := rand.New(rand.NewPCG(77, uint64(ct)))
		var samples []*surrogate.Sample
		var inputs [][]float64
		for range 4 {
			evs := sparseEvents(bins, rng)
			s, err := train.Simulate(ct, evs, bins)
			if err != nil {
				t.Fatal(err)
			}
			x, err := train.SubstepInputs(evs, C, bins)
			if err != nil {
				t.Fatal(err)
			}
			samples, inputs = append(samples, s), append(inputs, x)
		}
		mt, err := ex.EvaluateSubsteps(samples, inputs)
		if err != nil {
			t.Fatal(err)
		}
		if mt.TrueSpikes == 0 || mt.Gamma < 0.9999 || mt.Precision != 1 || mt.Recall != 1 || mt.SpikeWithin["0.5_ms"] != 1 || math.Abs(mt.SpikeBiasMS) > 1e-6 || mt.R[0] < 0.9999 {
			t.Errorf("%s true times: %d spikes, Γ %.4f, P/R %.3f/%.3f, within 0.5 ms %.3f, bias %.2g ms, r %.5f", ct, mt.TrueSpikes, mt.Gamma, mt.Precision, mt.Recall, mt.SpikeWithin["0.5_ms"], mt.SpikeBiasMS, mt.R[0])
		}
		binned, err := ex.Evaluate(samples)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s sparse, %d spikes: true times Γ %.3f, within 0.5 ms %.2f; binned Γ %.3f, within 0.5 ms %.2f", ct, mt.TrueSpikes, mt.Gamma, mt.SpikeWithin["0.5_ms"], binned.Gamma, binned.SpikeWithin["0.5_ms"])
		if _, err := ex.EvaluateSubsteps(samples, inputs[:1]); err == nil {
			t.Errorf("%s: %d inputs for %d samples: no error", ct, 1, len(samples))
		}
		if _, err := ex.EvaluateSubsteps(samples[:1], [][]float64{inputs[0][:10]}); err == nil {
			t.Errorf("%s: short input: no error", ct)
		}
	}
}
