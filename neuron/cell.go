package neuron

import (
	"fmt"
	"math"
)

// Config holds the simulation settings shared by every cell of a simulation.
type Config struct {
	Dt        float64 // time step (ms)
	Celsius   float64 // temperature (°C); HNN uses 37
	Threshold float64 // soma spike threshold (mV); HNN uses 0
}

// DefaultConfig returns HNN's settings: dt 0.025 ms, 37 °C, threshold 0 mV.
func DefaultConfig() Config { return Config{Dt: 0.025, Celsius: 37, Threshold: 0} }

// SynapseID identifies one Exp2Syn of a Cell.
type SynapseID int32

// Cell is the simulator state of one cell built from a CellDesc: NEURON's node tree, the
// mechanisms' states, synapses, current clamps and the event queue. It is not safe for
// concurrent use; distinct cells may be advanced concurrently.
type Cell struct {
	desc *CellDesc
	cfg  Config
	pos  Point3
	dt   float64
	t    float64 // NEURON's accumulated time (ms)

	// node tree (root = soma 0-end is node 0; parents precede children)
	parent []int32
	gAx    []float64 // conductance to parent (µS); 0 for the root
	dConst []float64 // C/dt + sum of axial conductances (µS)
	v      []float64 // mV
	v0     []float64
	rhs, d []float64
	fAx    []float64 // scratch: axial current from each node's parent (nA)
	dipK   []float64 // dipole coefficient per node: G * dz (µS·µm)
	plan   solvePlan // the two-lane Hines schedule (solve.go)

	// segments (nodes with membrane)
	segNode []int32
	aScale  []float64 // area * 1e-2 (converts mA/cm² to nA)
	vseg    []float64 // membrane potential of each segment (gathered from v), mV
	iDen    []float64 // mA/cm²
	gDen    []float64 // S/cm²
	secSeg0 []int32   // first segment of each section
	secNode []int32   // first segment node of each section (1-end node = secNode+nseg)
	sec0End []int32   // node at each section's 0-end

	// calcium
	cai, eca, ica []float64
	ecaR          []float64 // scratch of ecaAVX2
	caSegs        []int32   // segments whose eca is recomputed every step
	caAll         bool      // caSegs is every segment in order (updateEca's AVX2 path)
	ktfHalf       float64

	// every gating state of every mechanism (mechanisms hold views into gate), with
	// per-step scratch for x∞ and the cnexp factor (first -dt/τ, then 1 - exp(-dt/τ)) used
	// by kca; the table mechanisms update their gates in one fused pass (tableGates)
	gate, gateInf, gateF []float64

	fused    int           // which fused current pass applies (fusedNone: the per-mechanism loops)
	batch    *gateBatch    // the batched gate update (nil: the per-mechanism passes)
	curBlock *currentBlock // the AVX2 current pass (nil: fusedCurrents)

	hh2 *hh2Mech
	km  *kmMech
	ca  *caMech
	cad *cadMech
	kca *kcaMech
	cat *catMech
	ar  *arMech

	syn       synapses
	shared    map[synKey]SynapseID
	clamps    []iclamp
	events    eventQueue
	somaNode  int32
	spikeFlag bool
	dipole    float64
	spikes    []float64
}

type synKey struct {
	sec int32
	r   Receptor
}

// iclamp is NEURON's IClamp: amp (nA, positive inward) during [delay, delay+dur).
type iclamp struct {
	node            int32
	amp, delay, dur float64
}

// NewType builds a cell of a built-in type with HNN's template.
func NewType(t CellType, cfg Config) (*Cell, error) {
	d, err := Template(t)
	if err != nil {
		return nil, err
	}
	return New(d, cfg)
}

// New builds the simulator state for desc (which is copied) and initialises it as NEURON's
// finitialize does (section v0, gating states at steady state of the tables, cat m = 0,
// ar m = 0.25, cai = cainf). The cell sits at the origin; see SetPosition.
func New(desc *CellDesc, cfg Config) (*Cell, error) {
	if !(cfg.Dt > 0) || math.IsInf(cfg.Dt, 0) {
		return nil, fmt.Errorf("neuron: dt = %v ms must be positive and finite", cfg.Dt)
	}
	if math.IsNaN(cfg.Celsius) || math.IsInf(cfg.Celsius, 0) || math.IsNaN(cfg.Threshold) {
		return nil, fmt.Errorf("neuron: celsius and threshold must be finite")
	}
	if err := desc.Validate(); err != nil {
		return nil, err
	}
	c := &Cell{desc: desc.Clone(), cfg: cfg, dt: cfg.Dt, shared: map[synKey]SynapseID{}}
	c.buildTree()
	c.buildMechanisms(tablesFor(cfg.Celsius))
	c.Reset()
	return c, nil
}

func (c *Cell) buildTree() {
	d := c.desc
	ns := len(d.Sections)
	c.secSeg0 = make([]int32, ns)
	c.secNode = make([]int32, ns)
	c.sec0End = make([]int32, ns)
	idx := map[string]int{}
	// root node
	c.parent = []int32{-1}
	c.gAx = []float64{0}
	c.v0 = []float64{d.Sections[0].V0}
	c.dipK = []float64{0}
	capDt := []float64{0}
	nseg := int32(0)
	for i := range d.Sections {
		s := &d.Sections[i]
		idx[s.Name] = i
		var p0 int32
		if i > 0 {
			pi := idx[s.Parent]
			if s.ParentEnd == 1 {
				p0 = c.secNode[pi] + int32(d.Sections[pi].Nseg)
			} else {
				p0 = c.sec0End[pi]
			}
		}
		c.sec0End[i] = p0
		c.secSeg0[i] = nseg
		c.secNode[i] = int32(len(c.parent))
		n := s.Nseg
		rHalf := s.Ra * (s.L / (2 * float64(n))) * 4e-2 / (math.Pi * s.Diam * s.Diam)
		area := math.Pi * s.Diam * s.L / float64(n)
		cosT := s.cosTheta()
		dzHalf := s.L / (2 * float64(n)) * cosT
		for k := 0; k <= n; k++ {
			node := int32(len(c.parent))
			par := node - 1
			r := 2 * rHalf
			dz := 2 * dzHalf
			if k == 0 {
				par = p0
			}
			if k == 0 || k == n {
				r, dz = rHalf, dzHalf
			}
			c.parent = append(c.parent, par)
			c.gAx = append(c.gAx, 1/r)
			c.v0 = append(c.v0, s.V0)
			c.dipK = append(c.dipK, dz/r)
			if k < n {
				capDt = append(capDt, s.Cm*area*1e-5/c.dt)
				c.segNode = append(c.segNode, node)
				c.aScale = append(c.aScale, area*1e-2)
				nseg++
			} else {
				capDt = append(capDt, 0)
			}
		}
	}
	nn := len(c.parent)
	c.dConst = make([]float64, nn)
	for i := 0; i < nn; i++ {
		c.dConst[i] += capDt[i]
		if i > 0 {
			c.dConst[i] += c.gAx[i]
			c.dConst[c.parent[i]] += c.gAx[i]
		}
	}
	c.plan = planSolve(c.parent)
	c.v = ownLines(nn, nn)
	c.rhs = ownLines(nn, nn)
	c.d = ownLines(nn, nn)
	c.fAx = ownLines(nn, nn)
	c.vseg = ownLines(int(nseg), pad4(int(nseg))) // padded for tableGates
	c.iDen = ownLines(int(nseg), int(nseg))
	c.gDen = ownLines(int(nseg), int(nseg))
	c.cai = ownLines(int(nseg), pad4(int(nseg))) // padded for ecaAVX2
	for s := nseg; s < int32(pad4(int(nseg))); s++ {
		c.cai[:cap(c.cai)][s] = caiDefault // in ecaAVX2's range; never changed (see buildBatch)
	}
	c.eca = ownLines(int(nseg), pad4(int(nseg)))
	c.ecaR = ownLines(pad4(int(nseg)), pad4(int(nseg)))
	c.ica = ownLines(int(nseg), pad4(int(nseg))) // padded for cadKcaAVX2
	c.somaNode = c.segNode[c.secSeg0[0]+int32(d.Sections[0].Nseg/2)]
	if !d.Dipole {
		for i := range c.dipK {
			c.dipK[i] = 0
		}
	}
}

func segValue(uniform float64, per []float64, k int) float64 {
	if per != nil {
		return per[k]
	}
	return uniform
}

func (c *Cell) buildMechanisms(tb *tables) {
	c.ktfHalf = ktf(c.cfg.Celsius) / 2
	hh := &hh2Mech{tab: tb.hh2}
	km := &kmMech{tab: tb.km}
	ca := &caMech{tab: tb.ca}
	cad := &cadMech{}
	kca := &kcaMech{tadj: tb.tadj}
	cat := &catMech{tab: tb.cat}
	ar := &arMech{tab: tb.ar}
	for i := range c.desc.Sections {
		s := &c.desc.Sections[i]
		m := s.Mech
		for k := 0; k < s.Nseg; k++ {
			seg := c.secSeg0[i] + int32(k)
			if m.HH2 != nil {
				hh.seg = append(hh.seg, seg)
				hh.gnabar = append(hh.gnabar, segValue(m.HH2.GNaBar, m.HH2.SegGNaBar, k))
				hh.gkbar = append(hh.gkbar, segValue(m.HH2.GKBar, m.HH2.SegGKBar, k))
				hh.gl = append(hh.gl, m.HH2.GL)
				hh.el = append(hh.el, m.HH2.EL)
			}
			if m.Km != nil {
				km.seg = append(km.seg, seg)
				km.gbar = append(km.gbar, 1e-4*(tb.tadj*m.Km.GBar))
			}
			if m.Ca != nil {
				ca.seg = append(ca.seg, seg)
				ca.gbar = append(ca.gbar, 1e-4*(tb.tadj*segValue(m.Ca.GBar, m.Ca.SegGBar, k)))
			}
			if m.Cad != nil {
				cad.seg = append(cad.seg, seg)
				cad.scale = append(cad.scale, -10000/(2*faradayCad*m.Cad.Depth))
				cad.cainf = append(cad.cainf, m.Cad.CaInf)
				cad.taur = append(cad.taur, m.Cad.TauR)
				cad.decay = append(cad.decay, newCadDecay(c.dt, m.Cad.TauR))
			}
			if m.Kca != nil {
				kca.seg = append(kca.seg, seg)
				kca.gbar = append(kca.gbar, 1e-4*(tb.tadj*m.Kca.GBar))
			}
			if m.Cat != nil {
				cat.seg = append(cat.seg, seg)
				cat.gbar = append(cat.gbar, m.Cat.GBar)
			}
			if m.Ar != nil {
				ar.seg = append(ar.seg, seg)
				ar.gbar = append(ar.gbar, segValue(m.Ar.GBar, m.Ar.SegGBar, k))
			}
			if m.Ca != nil || m.Cad != nil || m.Kca != nil {
				c.caSegs = append(c.caSegs, seg)
			}
		}
	}
	// Each mechanism's views are padded to a multiple of 4 so that tableGates needs no
	// scalar tail (the padding gates are updated at v = 0 and never read).
	ng := 3*pad4(len(hh.seg)) + pad4(len(km.seg)) + 2*pad4(len(ca.seg)) + pad4(len(kca.seg)) + 2*pad4(len(cat.seg)) + pad4(len(ar.seg))
	c.gate = ownLines(ng, ng)
	c.gateInf = ownLines(ng, ng)
	c.gateF = ownLines(ng, ng)
	off := 0
	// views returns the state, steady-state and exponent views of the next n gates.
	views := func(n int) (st, inf, x []float64) {
		e := off + pad4(n)
		st, inf, x = c.gate[off:off+n:e], c.gateInf[off:off+n:e], c.gateF[off:off+n:e]
		off = e
		return
	}
	hh.m, hh.sInf, hh.sX = views(len(hh.seg))
	hh.h, _, _ = views(len(hh.seg))
	hh.n, _, _ = views(len(hh.seg))
	km.n, km.sInf, km.sX = views(len(km.seg))
	ca.m, ca.sInf, ca.sX = views(len(ca.seg))
	ca.h, _, _ = views(len(ca.seg))
	kca.n, kca.nInf, kca.nX = views(len(kca.seg))
	cat.m, cat.sInf, cat.sX = views(len(cat.seg))
	cat.h, _, _ = views(len(cat.seg))
	ar.m, ar.sInf, ar.sX = views(len(ar.seg))
	nseg, dt := len(c.segNode), c.dt
	hh.gv, hh.am, hh.ah, hh.an = newSegV(hh.seg, nseg), newGateArgs(hh.tab, 0, dt), newGateArgs(hh.tab, 2, dt), newGateArgs(hh.tab, 4, dt)
	km.gv, km.an = newSegV(km.seg, nseg), newGateArgs(km.tab, 0, dt)
	ca.gv, ca.am, ca.ah = newSegV(ca.seg, nseg), newGateArgs(ca.tab, 0, dt), newGateArgs(ca.tab, 2, dt)
	cat.gv, cat.am, cat.ah = newSegV(cat.seg, nseg), newGateArgs(cat.tab, 0, dt), newGateArgs(cat.tab, 2, dt)
	ar.gv, ar.am = newSegV(ar.seg, nseg), newGateArgs(ar.tab, 0, dt)
	cad.ca = ownLines(len(cad.seg), len(cad.seg))
	if len(hh.seg) > 0 {
		c.hh2 = hh
	}
	if len(km.seg) > 0 {
		c.km = km
	}
	if len(ca.seg) > 0 {
		c.ca = ca
	}
	if len(cad.seg) > 0 {
		c.cad = cad
	}
	if len(kca.seg) > 0 {
		c.kca = kca
	}
	if len(cat.seg) > 0 {
		c.cat = cat
	}
	if len(ar.seg) > 0 {
		c.ar = ar
	}
	c.fused = c.fusedKind()
	c.caAll = len(c.caSegs) > 0 && newSegV(c.caSegs, len(c.segNode)).all
	c.buildBatch(tb)
	c.buildCurrentBlock()
}

// Reset re-initialises the cell to t = 0 as NEURON's finitialize does: voltages to the
// sections' v0, gating states, calcium, synapse states, spike detector and dipole; queued
// events are discarded. Synapses and clamps stay attached.
func (c *Cell) Reset() {
	c.t = 0
	copy(c.v, c.v0)
	c.gatherV()
	for s := range c.cai {
		c.cai[s] = caiDefault
		c.ica[s] = 0
	}
	c.updateEca()
	if c.ar != nil {
		c.ar.init(c)
	}
	if c.ca != nil {
		c.ca.init(c)
	}
	if c.cad != nil {
		c.cad.init(c)
	}
	if c.cat != nil {
		c.cat.init(c)
	}
	if c.hh2 != nil {
		c.hh2.init(c)
	}
	if c.kca != nil {
		c.kca.init(c)
	}
	if c.km != nil {
		c.km.init(c)
	}
	c.updateEca()
	c.syn.reset()
	c.events = eventQueue{}
	c.spikeFlag = false
	c.dipole = 0
	c.spikes = c.spikes[:0]
}

// ownLines returns a zeroed slice of length n and capacity c whose cache lines hold no
// other object: the state a cell writes every step does not share a line with another
// cell's (small cells' arrays would otherwise sit side by side in the allocator's
// spans), so cells advanced on different cores do not contend for lines.
func ownLines(n, c int) []float64 {
	const pad = 8 // one 64-byte line of float64 on each side
	return make([]float64, c+2*pad)[pad : pad+n : pad+c]
}

// gatherV copies the segment nodes' potentials into vseg.
func (c *Cell) gatherV() {
	v, vs := c.v, c.vseg[:len(c.segNode)]
	for s, node := range c.segNode {
		vs[s] = v[node]
	}
}

// updateEca sets the Nernst potential eca = (RT/2F)·log(cao/cai) (mV) of every calcium
// segment from its cai (1e6 mV where cai <= 0), with AVX2 when the calcium segments are
// all segments and every cao/cai is in fastLog's table domain (bit-identical; the padding
// lanes hold in-range values, see buildTree).
func (c *Cell) updateEca() {
	if n := len(c.caSegs); useAVX2 && c.caAll {
		n4 := pad4(n)
		if ecaAVX2(c.cai[:n4], c.eca[:n4], c.ecaR[:n4], c.ktfHalf, &logConsts, &logTable) {
			return
		}
	}
	c.updateEcaGo()
}

// updateEcaGo is the portable loop of updateEca.
func (c *Cell) updateEcaGo() {
	for _, s := range c.caSegs {
		ci := c.cai[s]
		if ci <= 0 {
			c.eca[s] = 1e6
		} else {
			c.eca[s] = c.ktfHalf * fastLog(cao/ci)
		}
	}
}
