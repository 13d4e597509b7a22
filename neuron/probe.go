package neuron

import "fmt"

// Probe names a recordable quantity: variable Var at position X of section Section.
// Var is "v" (membrane potential, mV; the default when empty), "cai" (mM), "eca" (mV),
// "ica" (mA/cm²) or a mechanism state "hh2.m", "hh2.h", "hh2.n", "km.n", "ca.m", "ca.h",
// "cad.ca", "kca.n", "cat.m", "cat.h", "ar.m".
type Probe struct {
	Section string
	X       float64
	Var     string
}

// String returns "var(section(x))".
func (p Probe) String() string {
	v := p.Var
	if v == "" {
		v = "v"
	}
	return fmt.Sprintf("%s(%s(%g))", v, p.Section, p.X)
}

// SectionProbes returns a voltage probe at x = 0.5 for every section of d, in order.
func SectionProbes(d *CellDesc) []Probe {
	p := make([]Probe, len(d.Sections))
	for i, s := range d.Sections {
		p[i] = Probe{Section: s.Name, X: 0.5, Var: "v"}
	}
	return p
}

// Ref returns a pointer to the probed quantity inside the cell. The pointer stays valid for
// the life of the cell and always shows the current value.
func (c *Cell) Ref(p Probe) (*float64, error) {
	if err := checkX(p.X); err != nil {
		return nil, err
	}
	sec, err := c.desc.Section(p.Section)
	if err != nil {
		return nil, err
	}
	node := c.nodeAt(sec, p.X)
	if p.Var == "" || p.Var == "v" {
		return &c.v[node], nil
	}
	seg := int32(-1)
	for s, n := range c.segNode {
		if n == node {
			seg = int32(s)
		}
	}
	if seg < 0 {
		return nil, fmt.Errorf("neuron: %v: x = %v is a zero-area node with no membrane state", p, p.X)
	}
	find := func(segs []int32, arr []float64) *float64 {
		for k, s := range segs {
			if s == seg {
				return &arr[k]
			}
		}
		return nil
	}
	var r *float64
	switch p.Var {
	case "cai":
		r = &c.cai[seg]
	case "eca":
		r = &c.eca[seg]
	case "ica":
		r = &c.ica[seg]
	case "hh2.m", "hh2.h", "hh2.n":
		if c.hh2 != nil {
			r = find(c.hh2.seg, map[string][]float64{"hh2.m": c.hh2.m, "hh2.h": c.hh2.h, "hh2.n": c.hh2.n}[p.Var])
		}
	case "km.n":
		if c.km != nil {
			r = find(c.km.seg, c.km.n)
		}
	case "ca.m", "ca.h":
		if c.ca != nil {
			r = find(c.ca.seg, map[string][]float64{"ca.m": c.ca.m, "ca.h": c.ca.h}[p.Var])
		}
	case "cad.ca":
		if c.cad != nil {
			r = find(c.cad.seg, c.cad.ca)
		}
	case "kca.n":
		if c.kca != nil {
			r = find(c.kca.seg, c.kca.n)
		}
	case "cat.m", "cat.h":
		if c.cat != nil {
			r = find(c.cat.seg, map[string][]float64{"cat.m": c.cat.m, "cat.h": c.cat.h}[p.Var])
		}
	case "ar.m":
		if c.ar != nil {
			r = find(c.ar.seg, c.ar.m)
		}
	default:
		return nil, fmt.Errorf("neuron: unknown probe variable %q", p.Var)
	}
	if r == nil {
		return nil, fmt.Errorf("neuron: %v: mechanism not present there", p)
	}
	return r, nil
}
