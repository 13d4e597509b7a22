package neuron

import "math"

// Channel is one (section, receptor) synaptic input channel of a cell description.
type Channel struct {
	Section  string
	Receptor Receptor
}

// Channels lists every (section, receptor) pair of d's receptor tables, sections in
// description order and receptors in table order: the input channels a data generator
// drives.
func (d *CellDesc) Channels() []Channel {
	var ch []Channel
	for _, s := range d.Sections {
		for _, sy := range s.Synapses {
			ch = append(ch, Channel{Section: s.Name, Receptor: sy.Receptor})
		}
	}
	return ch
}

// PathStarts returns, per section, hnn-core's path distance (µm) from the root section's
// 0-end to the section's 0-end, summing section lengths along the tree (a child attached at
// its parent's 1-end adds the parent's full length).
func (d *CellDesc) PathStarts() []float64 { return pathStarts(d) }

// SetArGradient sets the ar gbar of every non-root section with an ar mechanism to HNN's
// L5 distance rule, gbar(seg) = base·exp(rate·d) S/cm² with d the path distance (µm) from
// the root's 0-end to the segment centre (HNN: base 1e-6, rate 0.003). Call it after
// changing lengths or nseg.
func (d *CellDesc) SetArGradient(base, rate float64) {
	start := pathStarts(d)
	for i := 1; i < len(d.Sections); i++ {
		s := &d.Sections[i]
		if s.Mech.Ar == nil {
			continue
		}
		g := make([]float64, s.Nseg)
		for k := range g {
			x := (float64(k) + 0.5) / float64(s.Nseg)
			g[k] = base * math.Exp(rate*(start[i]+x*s.L))
		}
		s.Mech.Ar.SegGBar = g
	}
}

// ApplyNsegRule sets every section's nseg by HNN's rule (NsegFor). Per-segment parameter
// arrays whose length no longer matches are dropped (set them again, e.g. SetArGradient).
func (d *CellDesc) ApplyNsegRule() {
	for i := range d.Sections {
		s := &d.Sections[i]
		n := NsegFor(s.L)
		if n == s.Nseg {
			continue
		}
		s.Nseg = n
		m := &s.Mech
		if m.HH2 != nil {
			m.HH2.SegGNaBar, m.HH2.SegGKBar = nil, nil
		}
		if m.Ca != nil {
			m.Ca.SegGBar = nil
		}
		if m.Ar != nil {
			m.Ar.SegGBar = nil
		}
	}
}
