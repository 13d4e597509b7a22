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

var hybridTypes = []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal}

// hsRef is the reference of one cell: package neuron's SomaCell stepped with
// StepLinear by the junction kernel formula, exactly as train's bound runs its row
// "kernel closed loop 0.5 ms, held ≤ -20 mV, linear" (boundLoop.kernelPeriod with Interp
// "linear", no noise or bias).
type hsRef struct {
	s     *neuron.SomaCell
	k     *neuron.JunctionKernel
	clip  float64
	ids   []neuron.SynapseID
	vbS   []float64 // junction at the bin start
	att   [][]float64
	traj  [][]float64
	vb    []float64
	a0    []float64
	delta []float64
	h0    []float64
}

func newHsRef(t testing.TB, m *surrogate.HybridSoma[float64], sub int) *hsRef {
	t.Helper()
	d, _ := neuron.Template(m.CellType())
	j, err := neuron.NewJunction(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := j.NewSomaCell(neuron.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &hsRef{s: s, k: m.Kernel(), clip: m.HoldClip()}
	for _, ch := range m.Inputs() {
		id, err := s.Synapse(ch.Section, ch.Receptor)
		if err != nil {
			t.Fatal(err)
		}
		r.ids = append(r.ids, id)
	}
	dc, _ := j.NewDendriteCell(neuron.DefaultConfig())
	r.vbS = dc.Read(nil)
	nb := len(j.Boundary)
	r.att, r.traj = make([][]float64, 21), make([][]float64, 21)
	for q := range r.att {
		r.att[q] = make([]float64, nb)
	}
	r.vb, r.a0, r.delta, r.h0 = make([]float64, nb), make([]float64, nb), make([]float64, nb), make([]float64, nb)
	for b := range r.h0 {
		r.h0[b] = r.k.H[b][0]
	}
	return r
}

// bin advances one bin with the held junction held and returns the soma at the bin end,
// its maximum over the substep ends and the junction at the bin end.
func (r *hsRef) bin(held []float64) (vEnd, vMax float64, vbEnd []float64) {
	s := r.s
	const n = surrogate.ExactSubsteps
	for b := range r.a0 {
		r.a0[b] = math.Min(s.AttachV(b), r.clip)
		r.delta[b] = r.a0[b] - s.AttachV(b)
	}
	step := func(b, q int) float64 {
		h, sum := r.k.H[b], 0.0
		for k := 0; k < min(q, len(h)); k++ {
			sum += h[k]
		}
		return sum * r.delta[b]
	}
	vMax = math.Inf(-1)
	for q := 1; q <= n; q++ {
		w := float64(q) / float64(n)
		for b := range r.vb {
			base := (1-w)*(r.vbS[b]+0) + w*(held[b]-step(b, n)+0) + step(b, q)
			h := r.k.H[b]
			for k := 1; k < min(q, len(h)); k++ {
				base += h[k] * (r.att[q-k][b] - r.a0[b])
			}
			r.vb[b] = base
		}
		s.StepLinear(r.vb, r.h0, r.a0)
		for b := range r.vb {
			r.att[q][b] = s.AttachV(b)
		}
		r.traj[q] = s.ReadExact(r.traj[q])
		vMax = math.Max(vMax, s.VSoma())
	}
	vbEnd = make([]float64, len(r.vb))
	for b := range vbEnd {
		vbEnd[b] = r.vb[b] + r.h0[b]*(r.att[n][b]-r.a0[b])
	}
	return s.VSoma(), vMax, vbEnd
}

// hsDrive is a synthetic drive of one cell: per bin, the soma's GABA weights and the
// offsets of a held junction that depolarises in random pulses (enough to fire the soma);
// see hsHeld.
func hsDrive(ct neuron.CellType, bins int, rng *rand.Rand) (x, off [][]float64) {
	amp, noise := 10.0, 0.2
	if ct == neuron.L5Pyramidal {
		amp, noise = 8, 0.2
	}
	p := 0.0
	for range bins {
		if rng.Float64() < 0.01 {
			p = amp * (0.4 + 0.8*rng.Float64())
		}
		p *= 0.97
		xs := make([]float64, 2)
		for c := range xs {
			if rng.Float64() < 0.05 {
				xs[c] = 0.01 * rng.Float64()
			}
		}
		x = append(x, xs)
		off = append(off, []float64{p + noise*rng.NormFloat64(), 0.5*p + noise*rng.NormFloat64()})
	}
	return x, off
}

// hsHeld returns the held junction of the synthetic drive from the bin's offsets and the
// attach voltages at the bin start: mostly the attach voltage clipped at −20 mV, as a
// dendrite follows the soma (the soma follows a fixed junction 20- to 60-fold and fires
// tonically on any offset from its own equilibrium), plus the offsets.
func hsHeld(ct neuron.CellType, off, att []float64) []float64 {
	base, lam := -71.46, 0.9
	if ct == neuron.L5Pyramidal {
		base, lam = -72, 0.95
	}
	h := make([]float64, len(off))
	for j := range h {
		h[j] = lam*math.Min(att[j], -20) + (1-lam)*base + off[j]
	}
	return h
}

// TestHybridSomaMatchesSomaCell runs a batch of three hybrid somas on synthetic drives
// (somatic GABA and a pulsed held junction) against package neuron's SomaCell stepped
// with StepLinear by the same formula: every exact node, the bin maxima, the junction and
// the spikes agree to 1e-9 mV.
func TestHybridSomaMatchesSomaCell(t *testing.T) {
	bins := 2000
	if testing.Short() {
		bins = 400
	}
	for _, ct := range hybridTypes {
		m, err := surrogate.NewHybridSoma[float64](ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range []int{0, 9} {
			if err := m.SetInputSubstep(sub); err != nil {
				t.Fatal(err)
			}
			const B = 3
			rng := rand.New(rand.NewPCG(11, uint64(ct)*7+uint64(sub)))
			xs, hs := make([][][]float64, B), make([][][]float64, B)
			refs := make([]*hsRef, B)
			for b := range B {
				xs[b], hs[b] = hsDrive(ct, bins, rng)
				refs[b] = newHsRef(t, m, sub)
				for k := range bins {
					for c, w := range xs[b][k] {
						if w > 0 {
							refs[b].s.Deliver(refs[b].ids[c], float64(k)*surrogate.BinDt+float64(sub)*surrogate.ExactDt, w)
						}
					}
				}
			}
			st := m.NewState(nil, B)
			W := m.StateWidth()
			x, held := autograd.Zeros[float64](B, 2), autograd.Zeros[float64](B, 2)
			maxDv := 0.0
			spikes, refSpikes := make([][]int, B), make([][]int, B)
			prev := make([]float64, B)
			att := make([][]float64, B)
			for b := range B {
				att[b] = []float64{refs[b].s.AttachV(0), refs[b].s.AttachV(1)}
			}
			for k := range bins {
				hk := make([][]float64, B)
				for b := range B {
					hk[b] = hsHeld(ct, hs[b][k], att[b])
					copy(x.Data[b*2:], xs[b][k])
					copy(held.Data[b*2:], hk[b])
				}
				y, _ := m.Step(nil, x, held, st)
				for b := range B {
					vEnd, vMax, vbEnd := refs[b].bin(hk[b])
					ex := refs[b].s.ReadExact(nil)
					row := st.S.Data[b*W:]
					o := y.Data[b*6:]
					d := math.Max(math.Abs(o[0]-vEnd), math.Abs(o[1]-vMax))
					for i, v := range ex {
						d = math.Max(d, math.Abs(row[i]-v))
					}
					for j := range 2 {
						d = math.Max(d, math.Abs(o[2+j]-refs[b].s.AttachV(j)))
						d = math.Max(d, math.Abs(o[4+j]-vbEnd[j]))
					}
					maxDv = math.Max(maxDv, d)
					refs[b].vbS = vbEnd
					att[b] = []float64{o[2], o[3]}
					if k > 0 && prev[b] <= 0 && o[1] > 0 {
						spikes[b] = append(spikes[b], k)
					}
					prev[b] = o[1]
				}
			}
			for b := range B {
				refs[b].s.Cell().CheckThreshold()
				for _, ts := range refs[b].s.Spikes() {
					refSpikes[b] = append(refSpikes[b], spikeBin(ts))
				}
			}
			t.Logf("%s sub %d: max |Δv| %.3g mV over %d bins, spikes %d %d %d / SomaCell %d %d %d", ct, sub, maxDv, bins,
				len(spikes[0]), len(spikes[1]), len(spikes[2]), len(refSpikes[0]), len(refSpikes[1]), len(refSpikes[2]))
			if maxDv > 1e-9 || math.IsNaN(maxDv) {
				t.Errorf("%s sub %d: max |Δv| %g mV", ct, sub, maxDv)
			}
			total := 0
			for b := range B {
				total += len(refSpikes[b])
				if !equalInts(spikes[b], refSpikes[b]) {
					t.Errorf("%s sub %d cell %d: spike bins %v, SomaCell %v", ct, sub, b, spikes[b], refSpikes[b])
				}
			}
			if total == 0 {
				t.Errorf("%s sub %d: no spikes: the drive does not test the spike", ct, sub)
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hsGradFn returns the function CheckGradient differentiates: bins Steps of a batch from
// state in[2] with inputs in[0] ([bins·batch, 2]) and held in[1] ([bins·batch, 2]), every
// output and the final state concatenated. spiked reports a bin maximum above 0 mV.
func hsGradFn(m *surrogate.HybridSoma[float64], bins, batch int, spiked *bool) func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
	W := m.StateWidth()
	return func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		st := m.NewState(tp, batch)
		st.S = in[2]
		var parts []*autograd.Tensor[float64]
		for k := range bins {
			y, _ := m.Step(tp, tp.Narrow(in[0], 0, k*batch, batch), tp.Narrow(in[1], 0, k*batch, batch), st)
			for b := range batch {
				if y.Data[b*6+1] > 0 {
					*spiked = true
				}
			}
			parts = append(parts, tp.Reshape(y, 6*batch, 1))
		}
		parts = append(parts, tp.Reshape(st.S, batch*W, 1))
		return tp.Concat(0, parts...)
	}
}

// TestHybridSomaGradient checks the fused op's backward pass against central differences
// over 8 bins (4 ms) of two cells, one of which spikes, with respect to the synaptic
// inputs, the held junction and every state variable, for both types and two input
// substeps. The rates are the simulator's linearly interpolated tables, smooth only
// between their knots (0.25–1.1 mV apart); across a spike the voltages pass many knots
// and the sensitivities reach 1e4, so that steps below 1e-8 drown in round-off and steps
// above 1e-6 straddle knots; h = 1e-7 agrees to 1e-3 relative (L5 sub 7's worst element
// reads −0.2578 analytic, −0.2581 at h = 1e-8, −0.2633 at 3e-9).
func TestHybridSomaGradient(t *testing.T) {
	for _, ct := range hybridTypes {
		for _, sub := range []int{0, 7} {
			m, err := surrogate.NewHybridSoma[float64](ct, nil)
			if err != nil {
				t.Fatal(err)
			}
			m.SetInputSubstep(sub)
			const bins, batch = 8, 2
			W := m.StateWidth()
			K := W - 3
			x := autograd.Zeros[float64](bins*batch, 2)
			held := autograd.Zeros[float64](bins*batch, 2)
			s0 := autograd.Clone(m.NewState(nil, batch).S)
			hi := -45.0 // drives cell 0 to spike
			if ct == neuron.L5Pyramidal {
				hi = -62
			}
			for k := range bins {
				for j := range 2 {
					held.Data[(k*batch+0)*2+j] = hi + float64(k)
					held.Data[(k*batch+1)*2+j] = -70 + 0.3*float64(k+j)
				}
			}
			x.Data[(1*batch+0)*2+0] = 0.002
			x.Data[(2*batch+1)*2+1] = 0.003
			x.Data[(4*batch+1)*2+0] = 0.004
			// off rest: cell 1 depolarised with some GABA-A conductance
			s0.Data[W+1] = -66
			s0.Data[W+K-4] = 1e-3 // A of GABA-A
			s0.Data[W+K-2] = 2e-3 // B of GABA-A
			spiked := false
			if err := autograd.CheckGradient(hsGradFn(m, bins, batch, &spiked), []*autograd.Tensor[float64]{x, held, s0},
				autograd.GradCheckOptions{Eps: 1e-7, Rtol: 1e-3, Atol: 1e-5}); err != nil {
				t.Errorf("%s sub %d: %v", ct, sub, err)
			}
			if !spiked {
				t.Errorf("%s sub %d: no spike in the checked window", ct, sub)
			}
		}
	}
}

// TestHybridSomaGradientSubthreshold is the gradient check at tight tolerance on 1, 2 and
// 4 bins of subthreshold dynamics from states off rest, one above the hold clip (set to
// −60 mV here, so that the clipped branch of a0 = min(v_a, clip) is tested below
// threshold).
func TestHybridSomaGradientSubthreshold(t *testing.T) {
	for _, ct := range hybridTypes {
		m, err := surrogate.NewHybridSoma[float64](ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.SetHoldClip(-60); err != nil {
			t.Fatal(err)
		}
		W := m.StateWidth()
		K := W - 3
		for _, bins := range []int{1, 2, 4} {
			const batch = 2
			x := autograd.Zeros[float64](bins*batch, 2)
			held := autograd.Zeros[float64](bins*batch, 2)
			for i := range held.Data {
				held.Data[i] = -69 + 0.1*float64(i%5)
			}
			x.Data[0], x.Data[3] = 0.003, 0.001
			s0 := autograd.Clone(m.NewState(nil, batch).S)
			s0.Data[0], s0.Data[1], s0.Data[2] = -67, -66, -66.5
			s0.Data[K-3] = 1e-3
			// cell 1: the soma part above the clip
			s0.Data[W+0], s0.Data[W+1], s0.Data[W+2] = -58, -57, -58.5
			s0.Data[W+K], s0.Data[W+K+1] = -62, -60
			spiked := false
			if err := autograd.CheckGradient(hsGradFn(m, bins, batch, &spiked), []*autograd.Tensor[float64]{x, held, s0},
				autograd.GradCheckOptions{Eps: 1e-6, Rtol: 1e-5, Atol: 1e-6}); err != nil {
				t.Errorf("%s, %d bins: %v", ct, bins, err)
			}
		}
	}
}

// hsDendrite is the whole cell of junction j with every event on its synapses at its own
// time: the perfect dendrite of the held-dendrite oracle.
func hsDendrite(t testing.TB, j *neuron.Junction, desc *neuron.CellDesc, evs []train.Event) *neuron.DendriteCell {
	t.Helper()
	d, err := j.NewDendriteCell(neuron.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	chans := desc.Channels()
	for _, e := range evs {
		id, err := d.Cell().Synapse(chans[e.Channel].Section, chans[e.Channel].Receptor)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Cell().Deliver(id, e.T, e.W); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// hsHeldPass runs the dendrite one bin with the soma part held at min(e, clip) and rewinds
// it: the held junction at the bin end.
func hsHeldPass(d *neuron.DendriteCell, e []float64, clip float64) []float64 {
	d.Save()
	vE := make([]float64, len(e))
	for i, v := range e {
		vE[i] = math.Min(v, clip)
	}
	for range surrogate.ExactSubsteps {
		d.Step(vE)
	}
	held := d.Read(nil)
	d.Restore()
	return held
}

// TestHybridSomaOracle is the end-to-end check against the bound's held-dendrite oracle
// (train's row "kernel closed loop 0.5 ms, held ≤ -20 mV, linear"): a perfect dendrite
// (DendriteCell, fed every event at its time) supplies per bin the held junction for the
// soma part held at min(v, −20 mV), the soma integrates the bin, the dendrite then follows
// the soma's trajectory and gives the next bin's vbStart. Run once with package neuron's
// SomaCell (the bound's runner) and once with the hybrid soma op (its own dendrite), on
// three samples of the training-style Poisson input per type (somatic events at their bins'
// starts, as the op takes them), the two agree to 1e-9 mV with the same spikes.
func TestHybridSomaOracle(t *testing.T) {
	bins := 2000
	if testing.Short() {
		bins = 300
	}
	for _, ct := range hybridTypes {
		m, err := surrogate.NewHybridSoma[float64](ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		desc, _ := neuron.Template(ct)
		j, _ := neuron.NewJunction(desc, 0)
		col := map[int]int{} // channel -> the op's input column
		for c, ch := range desc.Channels() {
			for i, in := range m.Inputs() {
				if in == ch {
					col[c] = i
				}
			}
		}
		W := m.StateWidth()
		K := W - 3
		rng := rand.New(rand.NewPCG(5, uint64(ct)))
		total := 0
		for sample := range 3 {
			evs, err := train.PoissonEvents(ct, train.DefaultPoissonConfig(ct), bins, rng)
			if err != nil {
				t.Fatal(err)
			}
			x := make([][]float64, bins)
			for k := range x {
				x[k] = make([]float64, 2)
			}
			for _, e := range evs {
				if i, ok := col[e.Channel]; ok {
					if k := surrogate.BinOf(e.T); k < bins {
						x[k][i] += e.W
					}
				}
			}
			ref := newHsRef(t, m, 0)
			for k := range bins {
				for i, w := range x[k] {
					if w > 0 {
						ref.s.Deliver(ref.ids[i], float64(k)*surrogate.BinDt, w)
					}
				}
			}
			dR, dO := hsDendrite(t, j, desc, evs), hsDendrite(t, j, desc, evs)
			st := m.NewState(nil, 1)
			ref.vbS = dR.Read(nil)
			copy(st.S.Data[K:K+2], dO.Read(nil))
			var spikes, refSpikes []int
			maxDv, prev := 0.0, math.Inf(-1)
			for k := range bins {
				eR := ref.s.ReadExact(nil)
				eO := append([]float64(nil), st.S.Data[:3]...)
				vEnd, _, _ := ref.bin(hsHeldPass(dR, eR, m.HoldClip()))
				for q := 1; q <= surrogate.ExactSubsteps; q++ {
					dR.Step(ref.traj[q])
				}
				ref.vbS = dR.Read(nil)
				y, traj := surrogate.HybridStepTraj(m, x[k], hsHeldPass(dO, eO, m.HoldClip()), st)
				for _, e := range traj {
					dO.Step(e)
				}
				copy(st.S.Data[K:K+2], dO.Read(nil))
				d := math.Abs(y[0] - vEnd)
				for i, v := range ref.s.ReadExact(nil) {
					d = math.Max(d, math.Abs(st.S.Data[i]-v))
				}
				maxDv = math.Max(maxDv, d)
				if k > 0 && prev <= 0 && y[1] > 0 {
					spikes = append(spikes, k)
				}
				prev = y[1]
			}
			ref.s.Cell().CheckThreshold()
			for _, ts := range ref.s.Spikes() {
				refSpikes = append(refSpikes, spikeBin(ts))
			}
			t.Logf("%s sample %d: max |Δv| %.3g mV over %d bins, %d spikes, oracle %d", ct, sample, maxDv, bins, len(spikes), len(refSpikes))
			if maxDv > 1e-9 || math.IsNaN(maxDv) {
				t.Errorf("%s sample %d: max |Δv| %g mV", ct, sample, maxDv)
			}
			if !equalInts(spikes, refSpikes) {
				t.Errorf("%s sample %d: spike bins %v, oracle %v", ct, sample, spikes, refSpikes)
			}
			total += len(refSpikes)
		}
		if total == 0 && !testing.Short() {
			t.Errorf("%s: no spikes in any sample", ct)
		}
	}
}

func TestHybridSomaErrors(t *testing.T) {
	if _, err := surrogate.NewHybridSoma[float64](neuron.L5Basket, nil); err == nil {
		t.Error("NewHybridSoma(L5Basket): no error")
	}
	m, err := surrogate.NewHybridSoma[float64](neuron.L2Pyramidal, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := &neuron.JunctionKernel{Dt: 0.025, H: [][]float64{{0.1}}}
	if _, err := surrogate.NewHybridSoma[float64](neuron.L2Pyramidal, bad); err == nil {
		t.Error("a kernel for one boundary node: no error")
	}
	bad = &neuron.JunctionKernel{Dt: 0.05, H: [][]float64{{0.1}, {0.1}}}
	if _, err := surrogate.NewHybridSoma[float64](neuron.L2Pyramidal, bad); err == nil {
		t.Error("a kernel at 0.05 ms: no error")
	}
	bad = &neuron.JunctionKernel{Dt: 0.025, H: [][]float64{{0.1}, {math.NaN()}}}
	if _, err := surrogate.NewHybridSoma[float64](neuron.L2Pyramidal, bad); err == nil {
		t.Error("a NaN tap: no error")
	}
	if err := m.SetInputSubstep(20); err == nil {
		t.Error("SetInputSubstep(20): no error")
	}
	if err := m.SetHoldClip(math.NaN()); err == nil {
		t.Error("SetHoldClip(NaN): no error")
	}
	if got := len(m.Outputs()); got != 6 {
		t.Errorf("%d outputs, want 6", got)
	}
	if b := m.Boundary(); len(b) != 2 || b[0].Section != "apical_trunk" || b[1].Section != "basal_1" {
		t.Errorf("boundary %v", b)
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
	h := autograd.Zeros[float64](2, 2)
	mustPanic("wrong batch", "input shape", func() { m.Step(nil, autograd.Zeros[float64](3, 2), h, st) })
	mustPanic("wrong held", "held shape", func() { m.Step(nil, autograd.Zeros[float64](2, 2), autograd.Zeros[float64](2, 3), st) })
	mustPanic("batch 0", "batch 0", func() { m.NewState(nil, 0) })
	other, _ := surrogate.NewHybridSoma[float64](neuron.L2Pyramidal, nil)
	mustPanic("foreign state", "another model", func() { other.Step(nil, autograd.Zeros[float64](2, 2), h, st) })
}

// TestHybridSomaFloat32 runs the float32 op (float64 integration, float32 state at bin
// boundaries) against the float64 one on the synthetic drive.
func TestHybridSomaFloat32(t *testing.T) {
	for _, ct := range hybridTypes {
		m64, _ := surrogate.NewHybridSoma[float64](ct, nil)
		m32, err := surrogate.NewHybridSoma[float32](ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		const bins = 1000
		xs, off := hsDrive(ct, bins, rand.New(rand.NewPCG(3, uint64(ct))))
		s64, s32 := m64.NewState(nil, 1), m32.NewState(nil, 1)
		att64, att32 := []float64{s64.S.Data[2], s64.S.Data[0]}, []float64{float64(s32.S.Data[2]), float64(s32.S.Data[0])}
		maxDv := 0.0
		n64, n32 := 0, 0
		p64, p32 := math.Inf(-1), math.Inf(-1)
		for k := range bins {
			h64 := hsHeld(ct, off[k], att64)
			h32 := hsHeld(ct, off[k], att32)
			y64, _ := m64.Step(nil, autograd.MustNew(xs[k], 1, 2), autograd.MustNew(h64, 1, 2), s64)
			x32 := autograd.MustNew([]float32{float32(xs[k][0]), float32(xs[k][1])}, 1, 2)
			y32, _ := m32.Step(nil, x32, autograd.MustNew([]float32{float32(h32[0]), float32(h32[1])}, 1, 2), s32)
			maxDv = math.Max(maxDv, math.Abs(y64.Data[0]-float64(y32.Data[0])))
			att64, att32 = []float64{y64.Data[2], y64.Data[3]}, []float64{float64(y32.Data[2]), float64(y32.Data[3])}
			if p64 <= 0 && y64.Data[1] > 0 {
				n64++
			}
			if p32 <= 0 && y32.Data[1] > 0 {
				n32++
			}
			p64, p32 = y64.Data[1], float64(y32.Data[1])
		}
		t.Logf("%s float32: max |Δv| %.3g mV, spikes %d / %d", ct, maxDv, n32, n64)
		if n64 == 0 || n32 != n64 {
			t.Errorf("%s float32: %d spikes, float64 %d (max |Δv| %g mV)", ct, n32, n64, maxDv)
		}
	}
}

// TestHybridSomaAllocs checks that recorded steps and their backward pass allocate
// nothing once the tape and the op's scratch are warm.
func TestHybridSomaAllocs(t *testing.T) {
	m, _ := surrogate.NewHybridSoma[float32](neuron.L5Pyramidal, nil)
	const batch, bins = 8, 10
	tp := autograd.NewTape[float32]()
	st := m.NewState(tp, batch)
	x := autograd.Zeros[float32](batch, 2)
	x.SetRequiresGrad(true)
	held := autograd.Zeros[float32](batch, 2)
	held.SetRequiresGrad(true)
	for b := range batch {
		x.Data[b*2] = 0.004
		held.Data[b*2], held.Data[b*2+1] = -60, -65
	}
	run := func() {
		tp.Reset()
		surrogate.ResetHybridState(st)
		var y *autograd.Tensor[float32]
		for range bins {
			y, _ = m.Step(tp, x, held, st)
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

func benchmarkHybridSoma(b *testing.B, ct neuron.CellType, backward bool) {
	m, err := surrogate.NewHybridSoma[float32](ct, nil)
	if err != nil {
		b.Fatal(err)
	}
	const batch, bins = 32, 100
	rng := rand.New(rand.NewPCG(1, 2))
	tp := autograd.NewTape[float32]()
	tp.SetNoGrad(!backward)
	st := m.NewState(tp, batch)
	xs, hs := make([]*autograd.Tensor[float32], bins), make([]*autograd.Tensor[float32], bins)
	for k := range xs {
		xs[k], hs[k] = autograd.Zeros[float32](batch, 2), autograd.Zeros[float32](batch, 2)
		xs[k].SetRequiresGrad(true)
		hs[k].SetRequiresGrad(true)
		for i := range xs[k].Data {
			if rng.Float64() < 0.05 {
				xs[k].Data[i] = float32(0.005 * rng.Float64())
			}
			hs[k].Data[i] = float32(-70 + 3*rng.Float64())
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += bins {
		tp.Reset()
		surrogate.ResetHybridState(st)
		var y *autograd.Tensor[float32]
		for k := range bins {
			y, _ = m.Step(tp, xs[k], hs[k], st)
		}
		if backward {
			tp.Backward(tp.Sum(y))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/batch, "ns/cell-step")
}

// BenchmarkHybridSomaL2Forward is one 0.5 ms step (20 substeps) of 32 L2/3 hybrid somas,
// not recorded; ns/cell-step divides by the batch.
func BenchmarkHybridSomaL2Forward(b *testing.B) { benchmarkHybridSoma(b, neuron.L2Pyramidal, false) }

// BenchmarkHybridSomaL2Backward is the same recorded, plus its backward pass.
func BenchmarkHybridSomaL2Backward(b *testing.B) { benchmarkHybridSoma(b, neuron.L2Pyramidal, true) }

// BenchmarkHybridSomaL5Forward is BenchmarkHybridSomaL2Forward for L5.
func BenchmarkHybridSomaL5Forward(b *testing.B) { benchmarkHybridSoma(b, neuron.L5Pyramidal, false) }

// BenchmarkHybridSomaL5Backward is BenchmarkHybridSomaL2Backward for L5.
func BenchmarkHybridSomaL5Backward(b *testing.B) { benchmarkHybridSoma(b, neuron.L5Pyramidal, true) }

// TestHybridSomaSnapshot checks that Snapshot and Restore repeat a stretch bit for bit,
// on the tape (the restored state a leaf that requires a gradient) and off it.
func TestHybridSomaSnapshot(t *testing.T) {
	m, err := surrogate.NewHybridSoma[float64](neuron.L5Pyramidal, nil)
	if err != nil {
		t.Fatal(err)
	}
	const batch, bins = 2, 30
	xs, off := hsDrive(neuron.L5Pyramidal, bins, rand.New(rand.NewPCG(9, 9)))
	for _, grad := range []bool{false, true} {
		tp := autograd.NewTape[float64]()
		st := m.NewState(tp, batch)
		if grad {
			st.S.SetRequiresGrad(true)
		}
		run := func() []float64 {
			var out []float64
			for k := range bins {
				x, h := autograd.Zeros[float64](batch, 2), autograd.Zeros[float64](batch, 2)
				for b := range batch {
					copy(x.Data[b*2:], xs[k])
					copy(h.Data[b*2:], hsHeld(neuron.L5Pyramidal, off[k], []float64{-72, -72}))
				}
				y, _ := m.Step(tp, x, h, st)
				out = append(out, y.Data...)
			}
			return out
		}
		run()
		snap := st.Snapshot()
		a := run()
		leaves := st.Restore(snap)
		if grad != (len(leaves) == 1) || grad != (len(st.Tensors()) == 1) {
			t.Errorf("grad %v: Restore gave %d leaves, Tensors %d", grad, len(leaves), len(st.Tensors()))
		}
		b := run()
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("grad %v: output %d after Restore %v, first run %v", grad, i, b[i], a[i])
			}
		}
		before := append([]float64(nil), st.S.Data...)
		st.Detach()
		for i, v := range st.S.Data {
			if v != before[i] {
				t.Fatalf("grad %v: Detach changed column %d", grad, i)
			}
		}
	}
}
