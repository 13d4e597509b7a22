package neuron

import (
	"fmt"
	"slices"
)

// typeLayout is what the built-in template of a cell type says about where
// synapses can go: its sections, location groups and receptors per section.
type typeLayout struct {
	sections  []string
	groups    map[string][]string
	receptors map[string][NumReceptors]bool
}

// layouts holds the layout of every built-in cell type, read once from the
// templates so that section and receptor rules have a single source.
var layouts = func() (l [NumCellTypes]typeLayout) {
	for _, ct := range CellTypes {
		d, err := Template(ct)
		if err != nil {
			panic(err) // the built-in templates always exist
		}
		tl := typeLayout{sections: d.SectionNames(), groups: d.Groups, receptors: map[string][NumReceptors]bool{}}
		for _, s := range d.Sections {
			var has [NumReceptors]bool
			for _, sy := range s.Synapses {
				has[sy.Receptor] = true
			}
			tl.receptors[s.Name] = has
		}
		l[ct] = tl
	}
	return l
}()

// Sections returns the names of the sections of HNN's template of cell type c,
// soma first (nil for an invalid type). The returned slice must not be modified.
func (c CellType) Sections() []string {
	if !c.Valid() {
		return nil
	}
	return layouts[c].sections
}

// HasReceptor reports whether section sec of HNN's template of cell type c
// carries a synapse of receptor r: pyramidal somata have GABAA and GABAB,
// pyramidal dendrites all four receptors, basket somata AMPA, NMDA and GABAA.
func (c CellType) HasReceptor(sec string, r Receptor) bool {
	if !c.Valid() || !r.Valid() {
		return false
	}
	has, ok := layouts[c].receptors[sec]
	return ok && has[r]
}

// LocationSections resolves a location (a group such as "proximal" or "distal",
// or a section name) to the sections of HNN's template of cell type c that it
// designates, in hnn-core's order: pyramidal proximal = apical_oblique,
// basal_2, basal_3; pyramidal distal = apical_tuft; L2 basket proximal and
// distal = soma; L5 basket proximal = soma and distal = none (an error). The
// returned slice must not be modified.
func (c CellType) LocationSections(loc string) ([]string, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("neuron: invalid cell type %d", int(c))
	}
	l := &layouts[c]
	if g, ok := l.groups[loc]; ok {
		if len(g) == 0 {
			return nil, fmt.Errorf("neuron: %s has no %s sections", c, loc)
		}
		return g, nil
	}
	if i := slices.Index(l.sections, loc); i >= 0 {
		return l.sections[i : i+1], nil
	}
	return nil, fmt.Errorf("neuron: %s has no section or location group %q", c, loc)
}

// CheckTarget reports an error unless a synapse of receptor r at location loc
// (a group or a section) of a cell of type c resolves to sections that all
// carry that receptor.
func CheckTarget(c CellType, loc string, r Receptor) error {
	secs, err := c.LocationSections(loc)
	if err != nil {
		return err
	}
	for _, s := range secs {
		if !c.HasReceptor(s, r) {
			return fmt.Errorf("neuron: %s section %s has no %s synapse", c, s, r)
		}
	}
	return nil
}
