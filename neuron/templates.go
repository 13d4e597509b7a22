package neuron

import (
	"fmt"
	"math"
)

// f32 rounds a value to single precision, as NEURON stores 3-D diameters.
func f32(x float64) float64 { return float64(float32(x)) }

// Template returns a fresh description of one of HNN's built-in cell types, with the
// geometry, mechanisms, location groups and receptors of hnn-core's default parameters.
// The returned value belongs to the caller and may be modified freely.
func Template(t CellType) (*CellDesc, error) {
	switch t {
	case L2Pyramidal:
		return l2Pyramidal(), nil
	case L5Pyramidal:
		return l5Pyramidal(), nil
	case L2Basket, L5Basket:
		return basket(t), nil
	}
	return nil, fmt.Errorf("neuron: unknown cell type %q (want one of %v)", t, CellTypes)
}

type secGeom struct {
	name      string
	L, diam   float64
	parent    string
	parentEnd float64
	start     Point3
	end       Point3
}

// pyramidal synapse tables (hnn-core defaults, identical for L2 and L5).
func pyrSynapses(soma bool) []SynapseDesc {
	gaba := []SynapseDesc{
		{Receptor: GABAA, Tau1: 0.5, Tau2: 5, E: -80},
		{Receptor: GABAB, Tau1: 1, Tau2: 20, E: -80},
	}
	if soma {
		return gaba
	}
	return append([]SynapseDesc{
		{Receptor: AMPA, Tau1: 0.5, Tau2: 5, E: 0},
		{Receptor: NMDA, Tau1: 1, Tau2: 20, E: 0},
	}, gaba...)
}

func buildPyr(t CellType, geo []secGeom, ra, cm float64) *CellDesc {
	d := &CellDesc{Type: t, Dipole: true, Groups: map[string][]string{
		Proximal: {"apical_oblique", "basal_2", "basal_3"},
		Distal:   {"apical_tuft"},
	}}
	for _, g := range geo {
		d.Sections = append(d.Sections, SectionDesc{
			Name: g.name, L: g.L, Diam: f32(g.diam), Ra: ra, Cm: cm, Nseg: NsegFor(g.L),
			Parent: g.parent, ParentEnd: g.parentEnd, Start: g.start, End: g.end,
			Synapses: pyrSynapses(g.name == "soma"),
		})
	}
	normalizePoints(d)
	return d
}

func l2Pyramidal() *CellDesc {
	p := func(x, y, z float64) Point3 { return Point3{x, y, z} }
	geo := []secGeom{
		{"soma", 22.1, 23.4, "", 0, p(-50, 0, 765), p(-50, 0, 778)},
		{"apical_trunk", 59.5, 4.25, "soma", 1, p(-50, 0, 778), p(-50, 0, 813)},
		{"apical_1", 306, 4.08, "apical_trunk", 1, p(-50, 0, 813), p(-50, 0, 993)},
		{"apical_tuft", 238, 3.4, "apical_1", 1, p(-50, 0, 993), p(-50, 0, 1133)},
		{"apical_oblique", 340, 3.91, "apical_trunk", 1, p(-50, 0, 813), p(-250, 0, 813)},
		{"basal_1", 85, 4.25, "soma", 0, p(-50, 0, 765), p(-50, 0, 715)},
		{"basal_2", 255, 2.72, "basal_1", 1, p(-50, 0, 715), p(-156, 0, 609)},
		{"basal_3", 255, 2.72, "basal_1", 1, p(-50, 0, 715), p(56, 0, 609)},
	}
	d := buildPyr(L2Pyramidal, geo, 200, 0.6195)
	for i := range d.Sections {
		s := &d.Sections[i]
		s.V0 = -71.46
		gna := 0.15
		if s.Name == "soma" {
			gna = 0.18
		}
		s.Mech = Mechanisms{
			HH2: &HH2{GNaBar: gna, GKBar: 0.01, GL: 4.26e-5, EL: -65},
			Km:  &Km{GBar: 250},
		}
	}
	return d
}

func l5Pyramidal() *CellDesc {
	p := func(x, y, z float64) Point3 { return Point3{x, y, z} }
	geo := []secGeom{
		{"soma", 39, 28.9, "", 0, p(0, 0, 0), p(0, 0, 23)},
		{"apical_trunk", 102, 10.2, "soma", 1, p(0, 0, 23), p(0, 0, 83)},
		{"apical_1", 680, 7.48, "apical_trunk", 1, p(0, 0, 83), p(0, 0, 483)},
		{"apical_2", 680, 4.93, "apical_1", 1, p(0, 0, 483), p(0, 0, 883)},
		{"apical_tuft", 425, 3.4, "apical_2", 1, p(0, 0, 883), p(0, 0, 1133)},
		{"apical_oblique", 255, 5.1, "apical_trunk", 1, p(0, 0, 83), p(-150, 0, 83)},
		{"basal_1", 85, 6.8, "soma", 0, p(0, 0, 0), p(0, 0, -50)},
		{"basal_2", 255, 8.5, "basal_1", 1, p(0, 0, -50), p(-106, 0, -156)},
		{"basal_3", 255, 8.5, "basal_1", 1, p(0, 0, -50), p(106, 0, -156)},
	}
	d := buildPyr(L5Pyramidal, geo, 200, 0.85)
	v0 := map[string]float64{"apical_1": -71.32, "apical_2": -69.08, "apical_tuft": -67.30}
	for i := range d.Sections {
		s := &d.Sections[i]
		s.V0 = -72
		if v, ok := v0[s.Name]; ok {
			s.V0 = v
		}
		soma := s.Name == "soma"
		gna, el := 0.14, -71.0
		if soma {
			gna, el = 0.16, -65.0
		}
		s.Mech = Mechanisms{
			HH2: &HH2{GNaBar: gna, GKBar: 0.01, GL: 4.26e-5, EL: el},
			Ca:  &Ca{GBar: 60},
			Cad: &Cad{TauR: 20, Depth: 0.1, CaInf: 1e-4},
			Kca: &Kca{GBar: 2e-4},
			Km:  &Km{GBar: 200},
			Cat: &Cat{GBar: 2e-4},
			Ar:  &Ar{GBar: 1e-6},
		}
	}
	d.SetArGradient(1e-6, 0.003)
	return d
}

func basket(t CellType) *CellDesc {
	d := &CellDesc{Type: t, Groups: map[string][]string{Proximal: {"soma"}, Distal: {}}}
	if t == L2Basket {
		d.Groups[Distal] = []string{"soma"}
	}
	d.Sections = []SectionDesc{{
		Name: "soma", L: 39, Diam: f32(20), Ra: 200, Cm: 0.85, Nseg: 1,
		Start: Point3{0, 0, 0}, End: Point3{0, 0, 39}, V0: -64.9737,
		Mech: Mechanisms{HH2: &HH2{GNaBar: 0.12, GKBar: 0.036, GL: 0.0003, EL: -54.3}},
		Synapses: []SynapseDesc{
			{Receptor: AMPA, Tau1: 0.5, Tau2: 5, E: 0},
			{Receptor: GABAA, Tau1: 0.5, Tau2: 5, E: -80},
			{Receptor: NMDA, Tau1: 1, Tau2: 20, E: 0},
		},
	}}
	return d
}

// pathStarts returns, per section, hnn-core's path distance (µm) from the root's 0-end to
// the section's 0-end along the section lengths.
func pathStarts(d *CellDesc) []float64 {
	idx := map[string]int{}
	out := make([]float64, len(d.Sections))
	for i, s := range d.Sections {
		idx[s.Name] = i
		if s.Parent == "" {
			continue
		}
		p := idx[s.Parent]
		out[i] = out[p] + s.ParentEnd*d.Sections[p].L
	}
	return out
}

// NormalizePoints applies hnn-core's 3-D point normalisation to d (spec 3.6): translate so
// the root section's start is the origin, then walk the tree (parents first) keeping each
// section's start, moving its end along the same direction so that the end-point distance
// equals L (µm), and carrying the subtree hanging off the moved end along. Use it after
// swapping in a morphology given by raw end points.
func (d *CellDesc) NormalizePoints() { normalizePoints(d) }

func normalizePoints(d *CellDesc) {
	if len(d.Sections) == 0 {
		return
	}
	o := d.Sections[0].Start
	for i := range d.Sections {
		s := &d.Sections[i]
		s.Start = Point3{s.Start.X - o.X, s.Start.Y - o.Y, s.Start.Z - o.Z}
		s.End = Point3{s.End.X - o.X, s.End.Y - o.Y, s.End.Z - o.Z}
	}
	children := map[string][]int{}
	for i, s := range d.Sections {
		if s.Parent != "" {
			children[s.Parent] = append(children[s.Parent], i)
		}
	}
	var shift func(i int, dx, dy, dz float64)
	shift = func(i int, dx, dy, dz float64) {
		s := &d.Sections[i]
		s.Start = Point3{s.Start.X + dx, s.Start.Y + dy, s.Start.Z + dz}
		s.End = Point3{s.End.X + dx, s.End.Y + dy, s.End.Z + dz}
		for _, c := range children[s.Name] {
			shift(c, dx, dy, dz)
		}
	}
	for i := range d.Sections {
		s := &d.Sections[i]
		dx, dy, dz := s.End.X-s.Start.X, s.End.Y-s.Start.Y, s.End.Z-s.Start.Z
		n := math.Sqrt(dx*dx + dy*dy + dz*dz)
		if n == 0 {
			continue
		}
		ne := Point3{s.Start.X + dx/n*s.L, s.Start.Y + dy/n*s.L, s.Start.Z + dz/n*s.L}
		mx, my, mz := ne.X-s.End.X, ne.Y-s.End.Y, ne.Z-s.End.Z
		s.End = ne
		for _, c := range children[s.Name] {
			if d.Sections[c].ParentEnd == 1 {
				shift(c, mx, my, mz)
			}
		}
	}
}

// cosTheta returns the z-component of the unit vector from Start to End (1 when degenerate).
func (s *SectionDesc) cosTheta() float64 {
	dx, dy, dz := s.End.X-s.Start.X, s.End.Y-s.Start.Y, s.End.Z-s.Start.Z
	n := math.Sqrt(dx*dx + dy*dy + dz*dz)
	if n == 0 {
		return 1
	}
	return dz / n
}
