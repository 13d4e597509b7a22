package neuron

import (
	"fmt"
)

// Junction is a cut of a cell into an exactly integrated part around the soma and the
// rest, whose voltages are prescribed: the interface of a hybrid cell (docs/surrogate.md,
// "The hybrid soma's bound").
//
// Depth 0 keeps the soma section's nodes exact: its segment(s) and its two zero-area end
// nodes, soma(0) (the tree's root) and soma(1). Depth 1 adds the first segment of every
// section attached to the soma (and, for a one-segment section, its zero-area 1-end node).
// Every node outside the exact part that shares an axial conductance with it is a
// boundary node; a hybrid cell must supply their voltages.
//
// In HNN's pyramidal cells (soma nseg 1) depth 0 has two boundary nodes, the first
// segments of basal_1 (at soma(0)) and apical_trunk (at soma(1)), each coupled to a soma
// end node through half a segment's axial resistance.
type Junction struct {
	Depth     int
	Boundary  []JunctionNode
	full      *CellDesc // the whole cell
	reduced   *CellDesc // the exact part as a cell description
	nFull     int       // node count of the whole cell
	exactSec  []bool    // per reduced section: its x = 0.5 synapse site is in the exact part
	exactFull []int32   // the exact part's nodes in the whole cell ...
	exactRed  []int32   // ... and in the exact part's own cell
}

// JunctionNode is one boundary node: the segment Seg (0-based) of Section in the whole cell
// (Probe{Section, X, "v"} reads it), coupled by conductance G (µS) to the exact part's
// node Attach (Attach is a soma end, "soma(0)" or "soma(1)", or a segment of a section of
// the exact part).
type JunctionNode struct {
	Section string
	Seg     int
	X       float64
	G       float64
	Attach  string

	fullNode, fullIn, redNode int32
}

// NewJunction cuts description d (validated, not modified) at the given depth (0 or 1).
func NewJunction(d *CellDesc, depth int) (*Junction, error) {
	if depth != 0 && depth != 1 {
		return nil, fmt.Errorf("neuron: junction depth %d: want 0 or 1", depth)
	}
	full, err := New(d, DefaultConfig())
	if err != nil {
		return nil, err
	}
	c := newJunctionCut(full)
	if depth == 1 {
		c.addFirstSegments()
	}
	rc, err := New(c.red, DefaultConfig())
	if err != nil {
		return nil, fmt.Errorf("neuron: junction's exact part: %w", err)
	}
	c.rc = rc
	j := &Junction{Depth: depth, full: c.fd, reduced: rc.desc, nFull: len(full.parent)}
	c.mapExact(j)
	if err := c.findBoundary(j); err != nil {
		return nil, err
	}
	return j, nil
}

// junctionCut is the state of NewJunction while it cuts a cell: the whole
// cell, the exact part's description as it grows, and the node maps.
type junctionCut struct {
	full   *Cell
	fd     *CellDesc
	soma   SectionDesc
	red    *CellDesc      // the exact part's description
	rc     *Cell          // the exact part, built from red
	inFull map[int32]bool // the whole cell's nodes in the exact part
	trunc  []keptSection  // sections cut to their first segment
	toRed  map[int32]int32
}

// keptSection is a section of the whole cell kept (cut to its first segment)
// in the exact part.
type keptSection struct{ fullSec, redSec int }

// newJunctionCut starts the cut of full with the exact part of depth 0: the
// soma section and its nodes, end nodes included.
func newJunctionCut(full *Cell) *junctionCut {
	fd := full.desc
	soma := fd.Sections[0]
	c := &junctionCut{full: full, fd: fd, soma: soma, inFull: map[int32]bool{}}
	c.red = &CellDesc{Type: fd.Type, Groups: map[string][]string{}}
	c.red.Sections = append(c.red.Sections, soma.clone())
	for n := int32(0); n <= int32(soma.Nseg)+1; n++ {
		c.inFull[n] = true
	}
	return c
}

// addFirstSegments adds the first segment of every section attached to the
// soma (and, for a one-segment section, its zero-area 1-end node): depth 1.
func (c *junctionCut) addFirstSegments() {
	full, fd := c.full, c.fd
	for i := 1; i < len(fd.Sections); i++ {
		if !c.inFull[full.sec0End[i]] || fd.Sections[i].Parent != c.soma.Name {
			continue
		}
		n := fd.Sections[i].Nseg
		c.trunc = append(c.trunc, keptSection{i, len(c.red.Sections)})
		c.red.Sections = append(c.red.Sections, firstSegment(fd.Sections[i]))
		c.inFull[full.secNode[i]] = true
		if n == 1 {
			c.inFull[full.secNode[i]+1] = true
		}
	}
}

// firstSegment returns a copy of section sec cut to its first segment, with
// the per-segment conductances cut to match. Start/End keep the direction
// (only it enters the dipole, unused here).
func firstSegment(sec SectionDesc) SectionDesc {
	s := sec.clone()
	s.L /= float64(s.Nseg)
	s.Nseg = 1
	m := &s.Mech
	first := func(a []float64) []float64 {
		if a == nil {
			return nil
		}
		return a[:1]
	}
	if m.HH2 != nil {
		m.HH2.SegGNaBar, m.HH2.SegGKBar = first(m.HH2.SegGNaBar), first(m.HH2.SegGKBar)
	}
	if m.Ca != nil {
		m.Ca.SegGBar = first(m.Ca.SegGBar)
	}
	if m.Ar != nil {
		m.Ar.SegGBar = first(m.Ar.SegGBar)
	}
	return s
}

// mapExact maps the exact part's nodes of the whole cell to the exact part's
// own nodes (toRed) and lists them in j (exactFull, exactRed), with the
// reduced sections whose x = 0.5 site is exact (exactSec).
func (c *junctionCut) mapExact(j *Junction) {
	full, rc := c.full, c.rc
	c.toRed = map[int32]int32{}
	for n := int32(0); n <= int32(c.soma.Nseg)+1; n++ {
		c.toRed[n] = n
	}
	j.exactSec = make([]bool, len(c.red.Sections))
	j.exactSec[0] = true
	for _, k := range c.trunc {
		c.toRed[full.secNode[k.fullSec]] = rc.secNode[k.redSec]
		if c.fd.Sections[k.fullSec].Nseg == 1 {
			c.toRed[full.secNode[k.fullSec]+1] = rc.secNode[k.redSec] + 1
			j.exactSec[k.redSec] = true
		}
	}
	for n := int32(0); n < int32(len(full.parent)); n++ {
		if c.inFull[n] {
			j.exactFull = append(j.exactFull, n)
			j.exactRed = append(j.exactRed, c.toRed[n])
		}
	}
}

// redName names node of the exact part: a soma end, "sec seg k", or a
// section's 1-end.
func (c *junctionCut) redName(node int32) string {
	rc := c.rc
	switch node {
	case 0:
		return c.soma.Name + "(0)"
	case int32(c.soma.Nseg) + 1:
		return c.soma.Name + "(1)"
	}
	for i := len(rc.secNode) - 1; i >= 0; i-- {
		if node >= rc.secNode[i] {
			s := rc.desc.Sections[i]
			if k := int(node - rc.secNode[i]); k < s.Nseg {
				return fmt.Sprintf("%s seg %d", s.Name, k)
			}
			return s.Name + "(1)"
		}
	}
	return "?"
}

// findBoundary lists in j.Boundary every node outside the exact part that
// shares an axial conductance with it, in node order.
func (c *junctionCut) findBoundary(j *Junction) error {
	full, fd := c.full, c.fd
	for i := int32(1); i < int32(len(full.parent)); i++ {
		p := full.parent[i]
		in, out := p, i
		switch {
		case c.inFull[p] && !c.inFull[i]:
		case c.inFull[i] && !c.inFull[p]:
			in, out = i, p
		default:
			continue
		}
		b := JunctionNode{G: full.gAx[i], fullNode: out, fullIn: in, redNode: c.toRed[in], Attach: c.redName(c.toRed[in])}
		sec := -1
		for s := range fd.Sections {
			if out >= full.secNode[s] && out < full.secNode[s]+int32(fd.Sections[s].Nseg) {
				sec = s
			}
		}
		if sec < 0 {
			return fmt.Errorf("neuron: junction boundary node %d is a zero-area node", out)
		}
		b.Section = fd.Sections[sec].Name
		b.Seg = int(out - full.secNode[sec])
		b.X = (float64(b.Seg) + 0.5) / float64(fd.Sections[sec].Nseg)
		j.Boundary = append(j.Boundary, b)
	}
	return nil
}

// Reduced returns a copy of the exact part's description (sections attached to the soma
// are cut to their first segment at depth 1).
func (j *Junction) Reduced() *CellDesc { return j.reduced.Clone() }

// Read stores, in dst (len(j.Boundary), allocated when nil), the voltages (mV) of the
// boundary nodes of c, a whole cell built from the junction's description.
func (j *Junction) Read(c *Cell, dst []float64) []float64 {
	if len(c.parent) != j.nFull {
		panic("neuron: Junction.Read: cell is not the junction's whole cell")
	}
	if dst == nil {
		dst = make([]float64, len(j.Boundary))
	}
	for k, b := range j.Boundary {
		dst[k] = c.v[b.fullNode]
	}
	return dst
}

// ReadCurrents stores in dst the axial currents (nA) flowing from each boundary node of c
// (a whole cell) into the exact part, G·(v_boundary − v_attach), at the current time.
func (j *Junction) ReadCurrents(c *Cell, dst []float64) []float64 {
	if len(c.parent) != j.nFull {
		panic("neuron: Junction.ReadCurrents: cell is not the junction's whole cell")
	}
	if dst == nil {
		dst = make([]float64, len(j.Boundary))
	}
	for k, b := range j.Boundary {
		dst[k] = b.G * (c.v[b.fullNode] - c.v[b.fullIn])
	}
	return dst
}

// SomaCell is the exact part of a Junction integrated on its own with NEURON's fixed step:
// every mechanism and synapse of its sections, and the axial currents from the boundary
// nodes, G·(v_b − v), taken implicitly with v_b prescribed at the end of each step. With
// the whole cell's boundary voltages at the end of every step it reproduces the whole
// cell's soma to rounding (junction_test.go).
type SomaCell struct {
	j           *Junction
	cell        *Cell
	saved       cellState
	lin, linRef []float64 // StepLinear's sensitivities and reference voltages
}

// NewSomaCell builds the junction's exact part as a cell with settings cfg, at rest as
// NEURON's finitialize leaves it (the same initial state as the whole cell's soma).
func (j *Junction) NewSomaCell(cfg Config) (*SomaCell, error) {
	c, err := New(j.reduced, cfg)
	if err != nil {
		return nil, err
	}
	return &SomaCell{j: j, cell: c}, nil
}

// Cell returns the underlying cell of the exact part (for probes: Ref, VSoma, Spikes). Do
// not Step it; use the SomaCell's Step.
func (s *SomaCell) Cell() *Cell { return s.cell }

// Exact reports whether section sec's synapse site (x = 0.5, where HNN's shared synapses
// sit) lies in the exact part, so that its events must be delivered to the SomaCell.
func (s *SomaCell) Exact(sec string) bool {
	i, err := s.cell.desc.Section(sec)
	return err == nil && s.j.exactSec[i]
}

// Synapse returns the shared synapse of receptor r on section sec (see Cell.Synapse); the
// site must be in the exact part (Exact).
func (s *SomaCell) Synapse(sec string, r Receptor) (SynapseID, error) {
	if !s.Exact(sec) {
		return -1, fmt.Errorf("neuron: synapse site %s(0.5) is outside the junction's exact part", sec)
	}
	return s.cell.Synapse(sec, r)
}

// Deliver queues an event as Cell.Deliver does.
func (s *SomaCell) Deliver(id SynapseID, t, w float64) error { return s.cell.Deliver(id, t, w) }

// VSoma returns the soma potential (mV).
func (s *SomaCell) VSoma() float64 { return s.cell.VSoma() }

// T returns the time (ms).
func (s *SomaCell) T() float64 { return s.cell.t }

// Spikes returns the soma's spike times (ms), detected as the whole cell detects them.
func (s *SomaCell) Spikes() []float64 { return s.cell.spikes }

// Reset re-initialises the exact part (see Cell.Reset).
func (s *SomaCell) Reset() { s.cell.Reset() }

// Step checks the spike threshold and advances one step from t_n to t_{n+1} with the
// boundary voltages vb (mV, one per Junction.Boundary) at t_{n+1}: the axial currents
// enter the backward-Euler system as G·(vb − v_{n+1}), exactly as the whole cell's implicit
// solve treats them. It returns the spike detected at t_n, if any.
func (s *SomaCell) Step(vb []float64) (spiked bool, tSpike float64) {
	return s.step(vb, nil)
}

// StepCurrent is Step with prescribed axial currents ib (nA into the exact part, one per
// boundary node, held over the step) in place of boundary voltages.
func (s *SomaCell) StepCurrent(ib []float64) (spiked bool, tSpike float64) {
	return s.step(nil, ib)
}

// StepLinear is Step with boundary voltages that respond linearly to the exact part:
// boundary b takes vb[b] + beta[b]·(v_a − vref[b]) at the end of the step, v_a its attach
// node's new voltage, folded into the implicit solve (an effective conductance
// G·(1 − beta)). A hybrid whose learned part predicts the junction for a soma held at
// vref, and the junction's sensitivity beta to the soma, is integrated so.
func (s *SomaCell) StepLinear(vb, beta, vref []float64) (spiked bool, tSpike float64) {
	s.lin, s.linRef = beta, vref
	defer func() { s.lin, s.linRef = nil, nil }()
	return s.step(vb, nil)
}

// AttachV returns the voltage (mV) of boundary k's attach node in the exact part.
func (s *SomaCell) AttachV(k int) float64 { return s.cell.v[s.j.Boundary[k].redNode] }

func (s *SomaCell) step(vb, ib []float64) (bool, float64) {
	c := s.cell
	spiked, ts := c.CheckThreshold()
	c.deliverEvents(c.t + 0.5*c.dt)
	c.t += 0.5 * c.dt
	c.setupMatrix()
	for k := range s.j.Boundary {
		b := &s.j.Boundary[k]
		r := b.redNode
		switch {
		case s.lin != nil:
			// G·(vb + β(v' − vref) − v') with v' = v + Δv
			c.rhs[r] += b.G * (vb[k] + s.lin[k]*(c.v[r]-s.linRef[k]) - c.v[r])
			c.d[r] += b.G * (1 - s.lin[k])
		case vb != nil:
			c.rhs[r] += b.G * (vb[k] - c.v[r])
			c.d[r] += b.G
		default:
			c.rhs[r] += ib[k]
		}
	}
	c.solve()
	c.gatherV()
	c.updateStates()
	c.t += 0.5 * c.dt
	return spiked, ts
}

// ExactNodes returns the number of nodes of the exact part (soma segment(s), its end nodes
// and, at depth 1, the first segments of the adjoining sections): the length of the vectors
// that SomaCell.ReadExact fills and DendriteCell.Step takes.
func (j *Junction) ExactNodes() int { return len(j.exactFull) }

// ReadExact stores the voltages (mV) of the exact part's nodes in dst (ExactNodes long,
// allocated when nil), in the order DendriteCell.Step takes them.
func (s *SomaCell) ReadExact(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(s.j.exactRed))
	}
	for q, n := range s.j.exactRed {
		dst[q] = s.cell.v[n]
	}
	return dst
}

// DendriteCell is the complement of a SomaCell: the whole cell with the exact part's node
// voltages prescribed (Dirichlet rows in the backward-Euler system), so that it computes
// the boundary voltages the dendrites would have for a given soma trajectory. Coupled to a
// SomaCell it gives a co-simulation of the whole cell with the two halves exchanging
// values at a chosen interval: the closed-loop bound of a hybrid whose learned part is a
// perfect, causal model of the dendrites.
type DendriteCell struct {
	j     *Junction
	cell  *Cell
	saved cellState
}

// NewDendriteCell builds the whole cell of the junction, at rest.
func (j *Junction) NewDendriteCell(cfg Config) (*DendriteCell, error) {
	c, err := New(j.full, cfg)
	if err != nil {
		return nil, err
	}
	return &DendriteCell{j: j, cell: c}, nil
}

// Cell returns the whole cell underneath (for synapses, events and probes). Do not Step it.
func (d *DendriteCell) Cell() *Cell { return d.cell }

// Read stores the boundary voltages (mV) in dst (see Junction.Read).
func (d *DendriteCell) Read(dst []float64) []float64 { return d.j.Read(d.cell, dst) }

// dirichletScale is the diagonal given to a prescribed node: large enough that the
// neighbours' terms in its row vanish in rounding, small enough to keep every product finite.
const dirichletScale = 1e25

// Step advances one step with the exact part's node voltages vExact (ExactNodes values,
// mV) prescribed at the end of the step; the rest of the cell is integrated as in Step.
func (d *DendriteCell) Step(vExact []float64) {
	c := d.cell
	c.CheckThreshold()
	c.deliverEvents(c.t + 0.5*c.dt)
	c.t += 0.5 * c.dt
	c.setupMatrix()
	for q, n := range d.j.exactFull {
		c.d[n] = dirichletScale
		c.rhs[n] = dirichletScale * (vExact[q] - c.v[n])
	}
	c.solve()
	for q, n := range d.j.exactFull {
		c.v[n] = vExact[q]
	}
	c.gatherV()
	c.updateStates()
	c.dipole = c.computeDipole()
	c.t += 0.5 * c.dt
}

// cellState is a copy of every state of a Cell that a step changes (the scratch arrays
// are recomputed by each step).
type cellState struct {
	t                      float64
	v, cai, eca, ica, gate []float64
	cad, synA, synB        []float64
	active                 []bool
	events                 []event
	seq                    uint64
	spikeFlag              bool
	dipole                 float64
	nSpikes                int
	valid                  bool
}

func (c *Cell) save(s *cellState) {
	cp := func(dst *[]float64, src []float64) { *dst = append((*dst)[:0], src...) }
	s.t = c.t
	cp(&s.v, c.v)
	cp(&s.cai, c.cai)
	cp(&s.eca, c.eca)
	cp(&s.ica, c.ica)
	cp(&s.gate, c.gate)
	if c.cad != nil {
		cp(&s.cad, c.cad.ca)
	}
	cp(&s.synA, c.syn.a)
	cp(&s.synB, c.syn.b)
	s.active = append(s.active[:0], c.syn.active...)
	s.events = append(s.events[:0], c.events.h...)
	s.seq = c.events.seq
	s.spikeFlag, s.dipole, s.nSpikes, s.valid = c.spikeFlag, c.dipole, len(c.spikes), true
}

func (c *Cell) restore(s *cellState) {
	c.t = s.t
	copy(c.v, s.v)
	copy(c.cai, s.cai)
	copy(c.eca, s.eca)
	copy(c.ica, s.ica)
	copy(c.gate, s.gate)
	if c.cad != nil {
		copy(c.cad.ca, s.cad)
	}
	copy(c.syn.a, s.synA)
	copy(c.syn.b, s.synB)
	copy(c.syn.active, s.active)
	c.events.h = append(c.events.h[:0], s.events...)
	c.events.seq = s.seq
	c.spikeFlag, c.dipole, c.spikes = s.spikeFlag, s.dipole, c.spikes[:s.nSpikes]
	c.gatherV()
}

// Save records the SomaCell's state (one slot; events queued later are lost on Restore).
func (s *SomaCell) Save() { s.cell.save(&s.saved) }

// Restore returns the SomaCell to the state of the last Save: with Save and Restore a
// hybrid can iterate a bin (predict the junction, integrate, predict again).
func (s *SomaCell) Restore() {
	if s.saved.valid {
		s.cell.restore(&s.saved)
	}
}

// Save records the DendriteCell's state (one slot).
func (d *DendriteCell) Save() { d.cell.save(&d.saved) }

// Restore returns the DendriteCell to the state of the last Save.
func (d *DendriteCell) Restore() {
	if d.saved.valid {
		d.cell.restore(&d.saved)
	}
}
