package neuron

import "fmt"

// CellType is one of HNN's four cell types. It is the one cell-type vocabulary of
// neurograd: the numeric order is hnn-core's gid order (so a CellType indexes
// per-type arrays), the text form is hnn-core's name ("L2_pyramidal"), and the
// parameter-key short name ("L2Pyr") is accepted on input.
type CellType int

// HNN's cell types in gid order.
const (
	L2Basket CellType = iota
	L2Pyramidal
	L5Basket
	L5Pyramidal
)

// NumCellTypes is the number of cell types.
const NumCellTypes = 4

// CellTypes lists the cell types in hnn-core's gid order.
var CellTypes = [NumCellTypes]CellType{L2Basket, L2Pyramidal, L5Basket, L5Pyramidal}

var (
	cellTypeNames = [NumCellTypes]string{"L2_basket", "L2_pyramidal", "L5_basket", "L5_pyramidal"}
	cellTypeShort = [NumCellTypes]string{"L2Basket", "L2Pyr", "L5Basket", "L5Pyr"}
)

// String returns hnn-core's name of the cell type, e.g. "L2_pyramidal".
func (c CellType) String() string {
	if !c.Valid() {
		return fmt.Sprintf("CellType(%d)", int(c))
	}
	return cellTypeNames[c]
}

// ShortName returns the name used in HNN's parameter keys, e.g. "L2Pyr".
func (c CellType) ShortName() string {
	if !c.Valid() {
		return fmt.Sprintf("CellType(%d)", int(c))
	}
	return cellTypeShort[c]
}

// Valid reports whether c is one of the four cell types.
func (c CellType) Valid() bool { return c >= 0 && int(c) < NumCellTypes }

// IsPyramidal reports whether the cell type is a pyramidal (excitatory,
// dipole-producing) population.
func (c CellType) IsPyramidal() bool { return c == L2Pyramidal || c == L5Pyramidal }

// IsExcitatory reports whether the cell type's synapses are excitatory
// (pyramidal cells); basket cells are inhibitory.
func (c CellType) IsExcitatory() bool { return c.IsPyramidal() }

// Layer returns 2 for the layer 2/3 populations and 5 for layer 5.
func (c CellType) Layer() int {
	if c == L2Basket || c == L2Pyramidal {
		return 2
	}
	return 5
}

// ParseCellType accepts hnn-core's names ("L2_basket") and the parameter-key
// short names ("L2Basket", "L2Pyr").
func ParseCellType(s string) (CellType, error) {
	for i := range NumCellTypes {
		if s == cellTypeNames[i] || s == cellTypeShort[i] {
			return CellType(i), nil
		}
	}
	return 0, fmt.Errorf("neuron: unknown cell type %q (want one of L2_basket, L2_pyramidal, L5_basket, L5_pyramidal)", s)
}

// MarshalText encodes the cell type by its hnn-core name.
func (c CellType) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("neuron: invalid cell type %d", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a cell type from its hnn-core or short name.
func (c *CellType) UnmarshalText(b []byte) error {
	v, err := ParseCellType(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Receptor is a synaptic receptor type: an Exp2Syn with receptor-specific rise and
// decay time constants and reversal potential (the values come from the cell
// templates).
type Receptor int

// The receptors of HNN's cells.
const (
	AMPA Receptor = iota
	NMDA
	GABAA
	GABAB
)

// NumReceptors is the number of receptor types.
const NumReceptors = 4

var receptorNames = [NumReceptors]string{"ampa", "nmda", "gabaa", "gabab"}

// String returns hnn-core's receptor name ("ampa", "nmda", "gabaa", "gabab").
func (r Receptor) String() string {
	if !r.Valid() {
		return fmt.Sprintf("Receptor(%d)", int(r))
	}
	return receptorNames[r]
}

// Valid reports whether r is one of the four receptors.
func (r Receptor) Valid() bool { return r >= 0 && int(r) < NumReceptors }

// IsExcitatory reports whether the receptor is glutamatergic (AMPA, NMDA).
func (r Receptor) IsExcitatory() bool { return r == AMPA || r == NMDA }

// ParseReceptor parses hnn-core's receptor names.
func ParseReceptor(s string) (Receptor, error) {
	for i := range NumReceptors {
		if s == receptorNames[i] {
			return Receptor(i), nil
		}
	}
	return 0, fmt.Errorf("neuron: unknown receptor %q (want ampa, nmda, gabaa or gabab)", s)
}

// MarshalText encodes the receptor by name.
func (r Receptor) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("neuron: invalid receptor %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes a receptor name.
func (r *Receptor) UnmarshalText(b []byte) error {
	v, err := ParseReceptor(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

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
	Proximal = "proximal"
	Distal   = "distal"
)
