package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// HybridSoma is the exact soma of HNN's pyramidal cell behind the junction kernel: the
// soma part of a depth-0 neuron.Junction (its three nodes soma(0), the soma segment and
// soma(1), every somatic mechanism of HNN's template and the soma's own Exp2Syn
// synapses) integrated inside each 0.5 ms Step by ExactSubsteps steps of NEURON's fixed
// 0.025 ms scheme exactly as neuron.SomaCell.StepLinear advances it, with the two boundary
// nodes (apical_trunk seg 0 at soma(1), basal_1 seg 0 at soma(0), the order of
// Boundary) supplied by the junction kernel interface of docs/surrogate.md ("The junction
// kernel", row "kernel closed loop 0.5 ms, held ≤ -20 mV, linear"):
//
// per bin and boundary node, with v_a the node's attach voltage, a0 = min(v_a(start),
// HoldClip), Δ = a0 − v_a(start), S(q) = Σ_{k<q} h_k the kernel's step response and
// w = q/20, substep q = 1…20 takes
//
//	v_b(q) = (1−w)·vbStart + w·(held − S(20)·Δ) + S(q)·Δ + Σ_{k=1}^{q−1} h_k·(v_a(q−k) − a0)
//
// into the implicit solve with lag 0 folded in, v_b(q) + h_0·(v_a(q) − a0)
// (SomaCell.StepLinear(v_b, h_0, a0)). held (mV, one per boundary node, an input of Step)
// is the dendrites' junction at the bin end for the soma part held at min(v, HoldClip):
// what a learned dendrite model predicts once per bin. vbStart is the junction at the bin
// start, part of the state: Step leaves there the junction the soma saw at the bin end,
// v_b(20) + h_0·(v_a(20) − a0). Only the kernel's first ExactSubsteps taps enter.
//
// Inputs of Step: the soma's synaptic channels (Inputs: soma GABA-A, GABA-B), the summed
// event weights (µS) of the bin, taking effect at substep InputSubstep (0 by default) as
// ExactBasket's do; and held ([B, 2], mV). Outputs (Outputs): v_soma at the bin end,
// v_soma's maximum over the bin's 20 substep ends (spikes are its upward crossings of
// SpikeThreshold, as for ExactBasket), the attach voltages and the junction at the bin end.
//
// Step is one fused autograd op: only the bin-start state is kept, the backward pass
// recomputes the substeps and reverse-differentiates them analytically (the tables'
// rates are piecewise linear, min and max are differentiated on the branch taken). The
// integration runs in float64 whatever T is. Allocation-free once warm.
type HybridSoma[T autograd.Float] struct {
	ct       neuron.CellType
	channels []neuron.Channel
	boundary []neuron.JunctionNode
	kernel   *neuron.JunctionKernel
	k        hsConsts
}

// HybridBoundary is the number of boundary nodes of a pyramidal cell's depth-0 junction.
const HybridBoundary = 2

// hsMaxK bounds the number of integrated state variables per cell.
const hsMaxK = 32

// hsNodes is the number of exact nodes (soma(0), soma segment, soma(1)).
const hsNodes = 3

// hsTable is one rate table and the gates it drives: state index and x∞ column.
type hsTable struct {
	tab   neuron.RateTable
	idx   []int
	col   []int
	slot0 int // first cnexp slot of its gates
}

// hsConsts are the constants of one hybrid soma.
type hsConsts struct {
	// junction
	att  [HybridBoundary]int     // attach node (0: soma(0), 2: soma(1))
	gb   [HybridBoundary]float64 // boundary conductance G (µS)
	h    [HybridBoundary][ExactSubsteps]float64
	sum  [HybridBoundary][ExactSubsteps + 1]float64 // S(q)
	clip float64                                    // mV
	// cable
	g1, g2 float64          // axial conductances soma(0)–segment, segment–soma(1) (µS)
	dC     [hsNodes]float64 // C/dt + axial conductances (µS)
	aScale float64          // area·1e-2: mA/cm² -> nA
	// mechanisms
	gnabar, gkbar, gl, el float64
	kmbar                 float64 // S/cm² (tadj folded in)
	cabar, kcabar         float64 // S/cm² (tadj folded in)
	catbar, arbar         float64 // S/cm²
	cadScale, cadInf      float64 // −1e4/(2F·depth), mM
	cadTauR, cadDecay     float64 // ms, 1 − e^(−dt/taur)
	tadj                  float64
	nernst                neuron.CaNernst
	tables                []hsTable
	nG                    int // cnexp gates (table gates, then kca)
	// state layout
	iM, iH, iN, iKm, iCaM, iCaH, iCatM, iCatH, iArM, iKca, iCai int // −1: absent
	iA, iB, K                                                   int
	// synapses
	nch                 int
	e, factor           []float64
	decayA, decayB      []float64
	inSub               int
	rest                []float64 // resting state, K values
	vbRest              [HybridBoundary]float64
	hasKm, hasCa, hasCt bool
	hasAr               bool
}

// NewHybridSoma returns the hybrid soma of pyramidal cell type ct (L2Pyramidal or
// L5Pyramidal) from HNN's template at 37 °C, with junction kernel k (per boundary node
// of the depth-0 junction; its first ExactSubsteps taps are used, missing ones are 0) or,
// when k is nil, the rest kernel of docs/surrogate.md (neuron.Junction.LinearKernel at
// rest, 200 ms warm-up, ±0.01 mV), and HoldClip −20 mV.
func NewHybridSoma[T autograd.Float](ct neuron.CellType, k *neuron.JunctionKernel) (*HybridSoma[T], error) {
	if ct != neuron.L2Pyramidal && ct != neuron.L5Pyramidal {
		return nil, fmt.Errorf("surrogate: hybrid soma of %s: not a pyramidal cell type", ct)
	}
	d, err := neuron.Template(ct)
	if err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	j, err := neuron.NewJunction(d, 0)
	if err != nil {
		return nil, fmt.Errorf("surrogate: hybrid soma of %s: %w", ct, err)
	}
	cfg := neuron.DefaultConfig()
	if k == nil {
		if k, err = j.LinearKernel(cfg, ExactSubsteps, math.NaN(), 200, 0.01); err != nil {
			return nil, fmt.Errorf("surrogate: hybrid soma of %s: %w", ct, err)
		}
	}
	m := &HybridSoma[T]{ct: ct, boundary: j.Boundary, kernel: k}
	if err := m.k.build(d, j, k, cfg); err != nil {
		return nil, fmt.Errorf("surrogate: hybrid soma of %s: %w", ct, err)
	}
	soma := d.Sections[0].Name
	for _, ch := range d.Channels() {
		if ch.Section == soma {
			m.channels = append(m.channels, ch)
		}
	}
	return m, nil
}

// build fills the constants from the template d, its depth-0 junction j and kernel k.
func (k *hsConsts) build(d *neuron.CellDesc, j *neuron.Junction, kern *neuron.JunctionKernel, cfg neuron.Config) error {
	if len(j.Boundary) != HybridBoundary {
		return fmt.Errorf("%d boundary nodes, want %d", len(j.Boundary), HybridBoundary)
	}
	if len(kern.H) != HybridBoundary {
		return fmt.Errorf("kernel for %d boundary nodes, want %d", len(kern.H), HybridBoundary)
	}
	if math.Abs(kern.Dt-cfg.Dt) > 1e-12 {
		return fmt.Errorf("kernel step %g ms, want %g", kern.Dt, cfg.Dt)
	}
	s := d.Sections[0]
	if s.Nseg != 1 {
		return fmt.Errorf("soma nseg %d, want 1", s.Nseg)
	}
	for b, nd := range j.Boundary {
		switch nd.Attach {
		case s.Name + "(0)":
			k.att[b] = 0
		case s.Name + "(1)":
			k.att[b] = 2
		default:
			return fmt.Errorf("boundary %s seg %d attaches to %s, not a soma end", nd.Section, nd.Seg, nd.Attach)
		}
		k.gb[b] = nd.G
		for q := range ExactSubsteps {
			if q < len(kern.H[b]) {
				x := kern.H[b][q]
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("kernel of boundary %d has a non-finite tap", b)
				}
				k.h[b][q] = x
			}
			k.sum[b][q+1] = k.sum[b][q] + k.h[b][q]
		}
	}
	k.clip = -20
	// the cable, as neuron builds its tree (nseg 1: half the soma's axial resistance to
	// each end node)
	rHalf := s.Ra * (s.L / 2) * 4e-2 / (math.Pi * s.Diam * s.Diam)
	area := math.Pi * s.Diam * s.L
	capDt := s.Cm * area * 1e-5 / cfg.Dt
	k.g1, k.g2 = 1/rHalf, 1/rHalf
	k.dC = [hsNodes]float64{0 + k.g1, capDt + k.g1 + k.g2, 0 + k.g2}
	k.aScale = area * 1e-2
	// mechanisms
	mech := s.Mech
	if mech.HH2 == nil || mech.HH2.SegGNaBar != nil || mech.HH2.SegGKBar != nil {
		return fmt.Errorf("soma without uniform hh2")
	}
	if (mech.Ca != nil) != (mech.Cad != nil) || (mech.Kca != nil) != (mech.Cad != nil) {
		return fmt.Errorf("soma with only some of ca, cad and kca (want all three or none)")
	}
	if mech.Ca != nil && mech.Ca.SegGBar != nil || mech.Ar != nil && mech.Ar.SegGBar != nil {
		return fmt.Errorf("soma with per-segment ca or ar conductances")
	}
	k.tadj = neuron.TempAdjust(cfg.Celsius)
	k.nernst = neuron.NewCaNernst(cfg.Celsius)
	k.gnabar, k.gkbar, k.gl, k.el = mech.HH2.GNaBar, mech.HH2.GKBar, mech.HH2.GL, mech.HH2.EL
	i := hsNodes
	next := func() int { i++; return i - 1 }
	k.iKm, k.iCaM, k.iCaH, k.iCatM, k.iCatH, k.iArM, k.iKca, k.iCai = -1, -1, -1, -1, -1, -1, -1, -1
	addTable := func(name string, idx, col []int) error {
		t, err := neuron.MechanismTable(name, cfg.Celsius)
		if err != nil {
			return err
		}
		k.tables = append(k.tables, hsTable{tab: t, idx: idx, col: col, slot0: k.nG})
		k.nG += len(idx)
		return nil
	}
	k.iM, k.iH, k.iN = next(), next(), next()
	if err := addTable("hh2", []int{k.iM, k.iH, k.iN}, []int{0, 2, 4}); err != nil {
		return err
	}
	if mech.Km != nil {
		k.hasKm, k.kmbar, k.iKm = true, 1e-4*(k.tadj*mech.Km.GBar), next()
		if err := addTable("km", []int{k.iKm}, []int{0}); err != nil {
			return err
		}
	}
	if mech.Ca != nil {
		k.hasCa, k.cabar = true, 1e-4*(k.tadj*mech.Ca.GBar)
		k.iCaM, k.iCaH = next(), next()
		if err := addTable("ca", []int{k.iCaM, k.iCaH}, []int{0, 2}); err != nil {
			return err
		}
	}
	if mech.Cat != nil {
		k.hasCt, k.catbar = true, mech.Cat.GBar
		k.iCatM, k.iCatH = next(), next()
		if err := addTable("cat", []int{k.iCatM, k.iCatH}, []int{0, 2}); err != nil {
			return err
		}
	}
	if mech.Ar != nil {
		k.hasAr, k.arbar, k.iArM = true, mech.Ar.GBar, next()
		if err := addTable("ar", []int{k.iArM}, []int{0}); err != nil {
			return err
		}
	}
	if mech.Kca != nil {
		k.kcabar, k.iKca, k.iCai = 1e-4*(k.tadj*mech.Kca.GBar), next(), next()
		k.nG++ // kca's cnexp slot is the last
		c := mech.Cad
		k.cadScale, k.cadInf, k.cadTauR = -10000/(2*neuron.CadFaraday*c.Depth), c.CaInf, c.TauR
		k.cadDecay = 1 - math.Exp(-cfg.Dt/c.TauR)
	}
	for _, sy := range s.Synapses {
		dA, dB, f := exp2synCoeffs(sy.Tau1, sy.Tau2, cfg.Dt)
		k.e = append(k.e, sy.E)
		k.factor = append(k.factor, f)
		k.decayA = append(k.decayA, dA)
		k.decayB = append(k.decayB, dB)
	}
	k.nch = len(s.Synapses)
	k.iA = i
	k.iB = i + k.nch
	k.K = i + 2*k.nch
	if k.K > hsMaxK || k.nch > maxExactChannels {
		return fmt.Errorf("%d state variables and %d channels, at most %d and %d", k.K, k.nch, hsMaxK, maxExactChannels)
	}
	// the resting state, read from the simulator's own initialisation
	sc, err := j.NewSomaCell(cfg)
	if err != nil {
		return err
	}
	k.rest = make([]float64, k.K)
	read := func(idx int, x float64, v string) error {
		if idx < 0 {
			return nil
		}
		p, err := sc.Cell().Ref(neuron.Probe{Section: s.Name, X: x, Var: v})
		if err != nil {
			return err
		}
		k.rest[idx] = *p
		return nil
	}
	for _, r := range []struct {
		idx int
		x   float64
		v   string
	}{{0, 0, "v"}, {1, 0.5, "v"}, {2, 1, "v"}, {k.iM, 0.5, "hh2.m"}, {k.iH, 0.5, "hh2.h"}, {k.iN, 0.5, "hh2.n"},
		{k.iKm, 0.5, "km.n"}, {k.iCaM, 0.5, "ca.m"}, {k.iCaH, 0.5, "ca.h"}, {k.iCatM, 0.5, "cat.m"},
		{k.iCatH, 0.5, "cat.h"}, {k.iArM, 0.5, "ar.m"}, {k.iKca, 0.5, "kca.n"}, {k.iCai, 0.5, "cai"}} {
		if err := read(r.idx, r.x, r.v); err != nil {
			return err
		}
	}
	dc, err := j.NewDendriteCell(cfg)
	if err != nil {
		return err
	}
	copy(k.vbRest[:], dc.Read(nil))
	return nil
}

// SetInputSubstep sets the substep (0 ≤ j < ExactSubsteps) at which a bin's synaptic
// input takes effect (as ExactBasket.SetInputSubstep). The default is 0.
func (m *HybridSoma[T]) SetInputSubstep(j int) error {
	if j < 0 || j >= ExactSubsteps {
		return fmt.Errorf("surrogate: input substep %d out of range [0, %d)", j, ExactSubsteps)
	}
	m.k.inSub = j
	return nil
}

// InputSubstep returns the substep at which a bin's synaptic input takes effect.
func (m *HybridSoma[T]) InputSubstep() int { return m.k.inSub }

// SetHoldClip sets the holding clip (mV): the dendrite of the held junction is taken as
// held at min(v_a, clip); +Inf holds it at the bin-start values. The default is −20 mV.
func (m *HybridSoma[T]) SetHoldClip(clip float64) error {
	if math.IsNaN(clip) || math.IsInf(clip, -1) {
		return fmt.Errorf("surrogate: hold clip %v mV: want a number or +Inf", clip)
	}
	m.k.clip = clip
	return nil
}

// HoldClip returns the holding clip (mV).
func (m *HybridSoma[T]) HoldClip() float64 { return m.k.clip }

// CellType returns the pyramidal cell type.
func (m *HybridSoma[T]) CellType() neuron.CellType { return m.ct }

// Inputs returns the soma's synaptic channels, the columns of Step's x (the template's
// order: soma GABA-A, GABA-B).
func (m *HybridSoma[T]) Inputs() []neuron.Channel {
	return append([]neuron.Channel(nil), m.channels...)
}

// Boundary returns the depth-0 junction's boundary nodes, the columns of Step's held and
// of the attach and junction outputs.
func (m *HybridSoma[T]) Boundary() []neuron.JunctionNode {
	return append([]neuron.JunctionNode(nil), m.boundary...)
}

// Kernel returns the junction kernel (all its taps; Step uses the first ExactSubsteps).
func (m *HybridSoma[T]) Kernel() *neuron.JunctionKernel { return m.kernel }

// Outputs returns the names of Step's output columns (mV): "v_soma" (bin end),
// "v_soma_max" (bin maximum), "v_attach_<b>" and "v_junction_<b>" per boundary node b
// (attach voltage and junction at the bin end; b the boundary's section name).
func (m *HybridSoma[T]) Outputs() []string {
	out := []string{"v_soma", "v_soma_max"}
	for _, b := range m.boundary {
		out = append(out, "v_attach_"+b.Section)
	}
	for _, b := range m.boundary {
		out = append(out, "v_junction_"+b.Section)
	}
	return out
}

// SomaOutput returns the index of the bin-maximum somatic voltage (spike detection).
func (m *HybridSoma[T]) SomaOutput() int { return 1 }

// TraceOutput returns the index of the end-of-bin somatic voltage.
func (m *HybridSoma[T]) TraceOutput() int { return 0 }

// Dt returns the step (ms).
func (m *HybridSoma[T]) Dt() float64 { return BinDt }

// SpikeThreshold returns HNN's detector threshold, 0 mV.
func (m *HybridSoma[T]) SpikeThreshold() float64 { return neuron.DefaultConfig().Threshold }

// StateWidth returns the number of columns of the state tensor: the voltages of soma(0),
// the soma segment and soma(1) (mV, neuron.SomaCell.ReadExact's order), the somatic
// gates (hh2 m, h, n, then those present of km n, ca m, h, cat m, h, ar m, kca n), cai
// (mM, with cad), each soma synapse's A then B (µS, channel by channel), vbStart per
// boundary node (mV) and the previous bin's maximum soma voltage (an output, not read).
func (m *HybridSoma[T]) StateWidth() int { return m.k.K + HybridBoundary + 1 }

// HybridState is the state of a batch of hybrid somas at a bin boundary: a [batch,
// StateWidth] tensor. After a Step the tensor lives on the tape.
type HybridState[T autograd.Float] struct {
	batch int
	S     *autograd.Tensor[T]
	own   *autograd.Tensor[T]
	op    *hsOp[T]
}

// Batch returns the number of cells.
func (s *HybridState[T]) Batch() int { return s.batch }

// Detach copies the state into its own memory and cuts it from the tape.
func (s *HybridState[T]) Detach() {
	if s.S != s.own {
		copy(s.own.Data, s.S.Data)
		s.S = s.own
	}
}

// NewState returns the resting state of batch cells (NEURON's finitialize of the soma
// part; vbStart the boundary nodes' initial voltages). The tape may be nil.
func (m *HybridSoma[T]) NewState(tp *autograd.Tape[T], batch int) *HybridState[T] {
	if batch < 1 {
		panic(fmt.Sprintf("surrogate: NewState batch %d < 1", batch))
	}
	W := m.StateWidth()
	s := autograd.Zeros[T](batch, W)
	for b := range batch {
		r := s.Data[b*W : (b+1)*W]
		for i, v := range m.k.rest {
			r[i] = T(v)
		}
		for k, v := range m.k.vbRest {
			r[m.k.K+k] = T(v)
		}
		r[W-1] = T(m.k.rest[1])
	}
	return &HybridState[T]{batch: batch, S: s, own: s, op: &hsOp[T]{k: &m.k}}
}

// Step advances a batch of cells by one 0.5 ms bin: x is [batch, len(Inputs)], the summed
// weights (µS) of the soma's events of the bin, held is [batch, HybridBoundary], the held
// junction at the bin end (mV). It returns [batch, len(Outputs)] (mV) and st updated in
// place. Differentiable with respect to x, held and the incoming state.
func (m *HybridSoma[T]) Step(tp *autograd.Tape[T], x, held *autograd.Tensor[T], st *HybridState[T]) (*autograd.Tensor[T], *HybridState[T]) {
	C, B := m.k.nch, st.batch
	if x.Rank() != 2 || x.Dim(0) != B || x.Dim(1) != C {
		panic(fmt.Sprintf("surrogate: hybrid soma Step input shape %v, want [%d %d]", x.Shape(), B, C))
	}
	if held.Rank() != 2 || held.Dim(0) != B || held.Dim(1) != HybridBoundary {
		panic(fmt.Sprintf("surrogate: hybrid soma Step held shape %v, want [%d %d]", held.Shape(), B, HybridBoundary))
	}
	if st.op.k != &m.k {
		panic("surrogate: hybrid soma Step with a state of another model")
	}
	W := m.StateWidth()
	s1 := tp.NewUninit(B, W)
	st.op.forward(B, st.S.Data, x.Data, held.Data, s1.Data, false)
	if nd := tp.Record(st.op, s1, x, held, st.S); nd != nil {
		nd.Args.Ints[0] = B
	}
	no := 2 + 2*HybridBoundary
	y := tp.NewUninit(B, no)
	pick := hsPick[T]{k: &m.k}
	for b := range B {
		r, o := s1.Data[b*W:(b+1)*W], y.Data[b*no:(b+1)*no]
		for i := range no {
			o[i] = r[pick.col(i, W)]
		}
	}
	tp.Record(pick, y, s1)
	st.S = s1
	return y, st
}

// hsPick is the node of the outputs: columns of the new state.
type hsPick[T autograd.Float] struct{ k *hsConsts }

// col returns the state column of output i (state width W).
func (p hsPick[T]) col(i, W int) int {
	switch {
	case i == 0:
		return 1
	case i == 1:
		return W - 1
	case i < 2+HybridBoundary:
		return p.k.att[i-2]
	}
	return p.k.K + i - 2 - HybridBoundary
}

func (p hsPick[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	s := nd.In[0]
	W := s.Dim(1)
	no := 2 + 2*HybridBoundary
	g, gy := tp.GradOf(s), nd.Out.Grad
	for b := range s.Dim(0) {
		for i := range no {
			g[b*W+p.col(i, W)] += gy[b*no+i]
		}
	}
}

// Snapshot returns a copy of the state in its own heap memory, cut from the tape.
func (s *HybridState[T]) Snapshot() *HybridState[T] {
	c := snapshotOf(s.S)
	return &HybridState[T]{batch: s.batch, S: c, own: c, op: s.op}
}

// Restore sets the state to the values of snap (a Snapshot of a state of the same model
// and batch); when the state required a gradient it becomes a new leaf tensor that
// requires one, which Restore returns.
func (s *HybridState[T]) Restore(snap *HybridState[T]) []*autograd.Tensor[T] {
	return restoreRow(&s.S, s.own, snap.S)
}

// Tensors returns the state tensor when it requires a gradient (the order of Restore's
// leaves).
func (s *HybridState[T]) Tensors() []*autograd.Tensor[T] { return rowTensors(s.S) }
