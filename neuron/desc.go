package neuron

import (
	"fmt"
	"math"
)

// Point3 is a 3-D point in µm; +Z is the column axis (toward the pia).
type Point3 struct{ X, Y, Z float64 }

// HH2 holds the parameters of the hh2 Hodgkin-Huxley mechanism (Na, K and leak).
// Conductances in S/cm², EL in mV. SegGNaBar and SegGKBar, when non-nil, hold one value per
// segment and override GNaBar and GKBar.
type HH2 struct {
	GNaBar, GKBar, GL, EL float64
	SegGNaBar, SegGKBar   []float64
}

// Km holds the gbar (pS/µm²) of the muscarinic K current km.
type Km struct{ GBar float64 }

// Ca holds the gbar (pS/µm²) of the high-voltage-activated Ca current ca; SegGBar, when
// non-nil, gives one value per segment.
type Ca struct {
	GBar    float64
	SegGBar []float64
}

// Cad holds the parameters of the intracellular calcium mechanism cad: TauR (ms), Depth (µm),
// CaInf (mM).
type Cad struct{ TauR, Depth, CaInf float64 }

// Kca holds the gbar (pS/µm²) of the Ca-activated K current kca.
type Kca struct{ GBar float64 }

// Cat holds the gbar (S/cm²) of the T-type Ca current cat.
type Cat struct{ GBar float64 }

// Ar holds the gbar (S/cm²) of the anomalous rectifier (h-like) current ar; SegGBar, when
// non-nil, gives one value per segment (HNN's L5 distance-dependent gradient).
type Ar struct {
	GBar    float64
	SegGBar []float64
}

// Mechanisms lists the density mechanisms inserted in a section; nil means absent.
type Mechanisms struct {
	HH2 *HH2
	Km  *Km
	Ca  *Ca
	Cad *Cad
	Kca *Kca
	Cat *Cat
	Ar  *Ar
}

// SynapseDesc describes the Exp2Syn of one receptor on a section: rise and decay time
// constants Tau1, Tau2 (ms) and reversal E (mV).
type SynapseDesc struct {
	Receptor   Receptor
	Tau1, Tau2 float64
	E          float64
}

// SectionDesc describes one unbranched cable section.
//
// L and Diam are in µm (Diam as NEURON stores it, i.e. float32-rounded for HNN's templates),
// Ra in Ω·cm, Cm in µF/cm², V0 the initial potential (mV). The section's 0-end attaches to
// the ParentEnd (0 or 1) of section Parent; the root section (the soma) has Parent "".
// Start and End are the 3-D end points (µm) relative to the cell position; only their
// direction enters the dipole.
type SectionDesc struct {
	Name      string
	L, Diam   float64
	Ra, Cm    float64
	Nseg      int
	Parent    string
	ParentEnd float64
	Start     Point3
	End       Point3
	V0        float64
	Mech      Mechanisms
	Synapses  []SynapseDesc
}

// CellDesc is a complete, modifiable description of a cell: sections (the root first),
// location groups (e.g. "proximal" -> section names) and whether the dipole is recorded.
type CellDesc struct {
	Type     CellType
	Sections []SectionDesc
	Groups   map[string][]string
	Dipole   bool
}

// NsegFor returns HNN's number of segments for a section of length L (µm): 1 if L <= 100,
// else floor(L/50) made odd by adding 1 when even.
func NsegFor(L float64) int {
	if L <= 100 {
		return 1
	}
	n := int(math.Floor(L / 50))
	if n%2 == 0 {
		n++
	}
	return n
}

// Clone returns a deep copy of d.
func (d *CellDesc) Clone() *CellDesc {
	c := *d
	c.Sections = make([]SectionDesc, len(d.Sections))
	for i, s := range d.Sections {
		c.Sections[i] = s.clone()
	}
	c.Groups = make(map[string][]string, len(d.Groups))
	for k, v := range d.Groups {
		c.Groups[k] = append([]string(nil), v...)
	}
	return &c
}

func (s SectionDesc) clone() SectionDesc {
	c := s
	m := &c.Mech
	if m.HH2 != nil {
		h := *m.HH2
		h.SegGNaBar = append([]float64(nil), h.SegGNaBar...)
		h.SegGKBar = append([]float64(nil), h.SegGKBar...)
		m.HH2 = &h
	}
	if m.Km != nil {
		k := *m.Km
		m.Km = &k
	}
	if m.Ca != nil {
		k := *m.Ca
		k.SegGBar = append([]float64(nil), k.SegGBar...)
		m.Ca = &k
	}
	if m.Cad != nil {
		k := *m.Cad
		m.Cad = &k
	}
	if m.Kca != nil {
		k := *m.Kca
		m.Kca = &k
	}
	if m.Cat != nil {
		k := *m.Cat
		m.Cat = &k
	}
	if m.Ar != nil {
		k := *m.Ar
		k.SegGBar = append([]float64(nil), k.SegGBar...)
		m.Ar = &k
	}
	c.Synapses = append([]SynapseDesc(nil), s.Synapses...)
	return c
}

// Section returns the index of the named section, or an error naming the cell type.
func (d *CellDesc) Section(name string) (int, error) {
	for i := range d.Sections {
		if d.Sections[i].Name == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("neuron: cell type %s has no section %q", d.Type, name)
}

// SectionNames returns the section names in description order.
func (d *CellDesc) SectionNames() []string {
	n := make([]string, len(d.Sections))
	for i := range d.Sections {
		n[i] = d.Sections[i].Name
	}
	return n
}

// SynapseDesc returns the receptor description of receptor r on section sec.
func (d *CellDesc) SynapseDesc(sec string, r Receptor) (SynapseDesc, error) {
	i, err := d.Section(sec)
	if err != nil {
		return SynapseDesc{}, err
	}
	for _, s := range d.Sections[i].Synapses {
		if s.Receptor == r {
			return s, nil
		}
	}
	return SynapseDesc{}, fmt.Errorf("neuron: section %s of %s has no %q receptor", sec, d.Type, r)
}

// GroupSections returns the sections of a location group ("proximal", "distal") or, when
// loc is a section name, that single section.
func (d *CellDesc) GroupSections(loc string) ([]string, error) {
	if g, ok := d.Groups[loc]; ok {
		return g, nil
	}
	if _, err := d.Section(loc); err == nil {
		return []string{loc}, nil
	}
	return nil, fmt.Errorf("neuron: cell type %s has no location group or section %q", d.Type, loc)
}

// Validate checks the description for consistency: positive geometry, odd-or-any positive
// nseg, known parents listed before their children, per-segment arrays of length nseg.
func (d *CellDesc) Validate() error {
	if len(d.Sections) == 0 {
		return fmt.Errorf("neuron: cell %s has no sections", d.Type)
	}
	seen := map[string]bool{}
	for i := range d.Sections {
		s := &d.Sections[i]
		bad := func(what string, v float64) error {
			return fmt.Errorf("neuron: section %s of %s: %s = %v must be positive and finite", s.Name, d.Type, what, v)
		}
		for _, p := range []struct {
			n string
			v float64
		}{{"L", s.L}, {"diam", s.Diam}, {"Ra", s.Ra}, {"cm", s.Cm}} {
			if !(p.v > 0) || math.IsInf(p.v, 0) {
				return bad(p.n, p.v)
			}
		}
		if s.Nseg < 1 {
			return fmt.Errorf("neuron: section %s of %s: nseg = %d must be >= 1", s.Name, d.Type, s.Nseg)
		}
		if seen[s.Name] {
			return fmt.Errorf("neuron: cell %s: duplicate section %q", d.Type, s.Name)
		}
		if i == 0 {
			if s.Parent != "" {
				return fmt.Errorf("neuron: cell %s: first section %s must be the root (no parent)", d.Type, s.Name)
			}
		} else {
			if !seen[s.Parent] {
				return fmt.Errorf("neuron: cell %s: parent %q of section %s must be listed before it", d.Type, s.Parent, s.Name)
			}
			if s.ParentEnd != 0 && s.ParentEnd != 1 {
				return fmt.Errorf("neuron: section %s of %s: ParentEnd must be 0 or 1, got %v", s.Name, d.Type, s.ParentEnd)
			}
		}
		seen[s.Name] = true
		m := s.Mech
		check := func(name string, a []float64) error {
			if a != nil && len(a) != s.Nseg {
				return fmt.Errorf("neuron: section %s of %s: %s has %d values, want nseg = %d", s.Name, d.Type, name, len(a), s.Nseg)
			}
			return nil
		}
		if m.HH2 != nil {
			if err := check("hh2 SegGNaBar", m.HH2.SegGNaBar); err != nil {
				return err
			}
			if err := check("hh2 SegGKBar", m.HH2.SegGKBar); err != nil {
				return err
			}
		}
		if m.Ca != nil {
			if err := check("ca SegGBar", m.Ca.SegGBar); err != nil {
				return err
			}
		}
		if m.Ar != nil {
			if err := check("ar SegGBar", m.Ar.SegGBar); err != nil {
				return err
			}
		}
		if m.Cad != nil && !(m.Cad.TauR > 0 && m.Cad.Depth > 0) {
			return fmt.Errorf("neuron: section %s of %s: cad taur and depth must be positive", s.Name, d.Type)
		}
		for _, sy := range s.Synapses {
			if !(sy.Tau1 > 0 && sy.Tau2 > 0) {
				return fmt.Errorf("neuron: section %s of %s: %s synapse needs positive tau1, tau2", s.Name, d.Type, sy.Receptor)
			}
		}
	}
	for g, secs := range d.Groups {
		for _, s := range secs {
			if !seen[s] {
				return fmt.Errorf("neuron: cell %s: location group %s names unknown section %q", d.Type, g, s)
			}
		}
	}
	return nil
}
