package train

import (
	"fmt"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// cellIO describes the inputs and outputs of one cell type's surrogate.
type cellIO struct {
	channels []neuron.Channel
	outputs  []string // "v_<section>" per section, then surrogate.DipoleName for pyramidal cells
	sections []string
	dipole   bool
}

// ioFor returns the input channels and outputs of cell type ct.
func ioFor(ct neuron.CellType) (*cellIO, error) {
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	chs, outs, err := surrogate.CellIO(ct)
	if err != nil {
		return nil, err
	}
	return &cellIO{channels: chs, outputs: outs, sections: desc.SectionNames(), dipole: desc.Dipole}, nil
}

// channelNames returns "section/receptor" per channel (Dataset.Inputs).
func channelNames(chs []neuron.Channel) []string {
	var s []string
	for _, c := range chs {
		s = append(s, c.Section+"/"+c.Receptor.String())
	}
	return s
}
