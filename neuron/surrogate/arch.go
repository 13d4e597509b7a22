package surrogate

import (
	"fmt"

	"github.com/neurograd/neurograd/neuron"
)

// Arch holds the sizes of a surrogate: after the fixed synaptic filter bank
// (one exact Exp2Syn filter per input channel, log-compressed), a causal
// Conv1d with ConvChannels outputs and kernel ConvKernel (tanh), an LSTM of
// Layers layers with Hidden units each, and an MLP head with one hidden tanh
// layer of HeadHidden units.
type Arch struct {
	ConvChannels int `json:"conv_channels"`
	ConvKernel   int `json:"conv_kernel"`
	Hidden       int `json:"hidden"`
	Layers       int `json:"layers"`
	HeadHidden   int `json:"head_hidden"`
	// SpikeHistory is the number of traces of the model's own spike onsets
	// fed back as extra inputs (history.go); 0: none.
	SpikeHistory int `json:"spike_history,omitempty"`
}

// DefaultArch returns the architecture of the shipped surrogate of cell type
// ct (docs/surrogate.md justifies the sizes by accuracy and cost).
func DefaultArch(ct neuron.CellType) Arch {
	if ct == neuron.L2Basket || ct == neuron.L5Basket {
		return Arch{ConvChannels: 8, ConvKernel: 3, Hidden: 16, Layers: 2, HeadHidden: 16}
	}
	return Arch{ConvChannels: 32, ConvKernel: 3, Hidden: 40, Layers: 2, HeadHidden: 32}
}

// Validate reports an error naming the first size that is not positive or
// unreasonably large.
func (a Arch) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"conv_channels", a.ConvChannels}, {"conv_kernel", a.ConvKernel}, {"hidden", a.Hidden}, {"layers", a.Layers}, {"head_hidden", a.HeadHidden}} {
		if f.v < 1 || f.v > 4096 {
			return fmt.Errorf("surrogate: arch %s = %d must be in [1, 4096]", f.name, f.v)
		}
	}
	if a.SpikeHistory < 0 || a.SpikeHistory > 8 {
		return fmt.Errorf("surrogate: arch spike_history = %d must be in [0, 8]", a.SpikeHistory)
	}
	return nil
}
