package network

import (
	"fmt"
	"slices"
)

// Section names of HNN's cells (hnn-core's names).
const (
	SecSoma          = "soma"
	SecApicalTrunk   = "apical_trunk"
	SecApical1       = "apical_1"
	SecApical2       = "apical_2"
	SecApicalTuft    = "apical_tuft"
	SecApicalOblique = "apical_oblique"
	SecBasal1        = "basal_1"
	SecBasal2        = "basal_2"
	SecBasal3        = "basal_3"
)

// Location groups accepted wherever a connection or drive names a location.
const (
	LocProximal = "proximal"
	LocDistal   = "distal"
)

var (
	l2PyrSections = []string{SecSoma, SecApicalTrunk, SecApical1, SecApicalTuft, SecApicalOblique, SecBasal1, SecBasal2, SecBasal3}
	l5PyrSections = []string{SecSoma, SecApicalTrunk, SecApical1, SecApical2, SecApicalTuft, SecApicalOblique, SecBasal1, SecBasal2, SecBasal3}
	basketSection = []string{SecSoma}
)

// Sections returns the names of the sections of a cell of type c, soma
// first. The returned slice must not be modified.
func (c CellType) Sections() []string {
	switch c {
	case L2Pyramidal:
		return l2PyrSections
	case L5Pyramidal:
		return l5PyrSections
	default:
		return basketSection
	}
}

// HasReceptor reports whether the section sec of a cell of type c carries a
// synapse of receptor r: pyramidal somata have GABAA and GABAB, pyramidal
// dendrites all four receptors, basket somata AMPA, NMDA and GABAA.
func (c CellType) HasReceptor(sec string, r Receptor) bool {
	if !slices.Contains(c.Sections(), sec) {
		return false
	}
	if !c.IsPyramidal() {
		return r != GABAB
	}
	if sec == SecSoma {
		return r == GABAA || r == GABAB
	}
	return true
}

// LocationSections resolves a location ("proximal", "distal" or a section
// name) to the sections of a cell of type c that it designates, in hnn-core's
// order. Pyramidal proximal = apical_oblique, basal_2, basal_3; pyramidal
// distal = apical_tuft; L2 basket proximal and distal = soma; L5 basket
// proximal = soma and distal = none (an error). The returned slice must not
// be modified.
func (c CellType) LocationSections(loc string) ([]string, error) {
	switch loc {
	case LocProximal:
		if c.IsPyramidal() {
			return proximalPyr, nil
		}
		return basketSection, nil
	case LocDistal:
		switch c {
		case L2Pyramidal, L5Pyramidal:
			return distalPyr, nil
		case L2Basket:
			return basketSection, nil
		default:
			return nil, fmt.Errorf("network: %s has no distal sections", c)
		}
	}
	secs := c.Sections()
	if i := slices.Index(secs, loc); i >= 0 {
		return secs[i : i+1], nil
	}
	return nil, fmt.Errorf("network: %s has no section or location group %q", c, loc)
}

var (
	proximalPyr = []string{SecApicalOblique, SecBasal2, SecBasal3}
	distalPyr   = []string{SecApicalTuft}
)

// checkTarget verifies that a connection of receptor r at location loc onto
// a cell of type c resolves to sections that all carry that receptor.
func checkTarget(c CellType, loc string, r Receptor) error {
	secs, err := c.LocationSections(loc)
	if err != nil {
		return err
	}
	for _, s := range secs {
		if !c.HasReceptor(s, r) {
			return fmt.Errorf("network: %s section %s has no %s synapse", c, s, r)
		}
	}
	return nil
}
