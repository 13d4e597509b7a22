package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/neuron"
)

// BinDt is the surrogate time step (ms): one Step consumes one 0.5 ms bin.
const BinDt = 0.5

// DipoleName is the output name of the current dipole (nAm).
const DipoleName = "dipole_nAm"

// cellIO describes the inputs and outputs of one cell type.
type cellIO struct {
	desc     *neuron.CellDesc
	channels []neuron.Channel
	kin      []neuron.SynapseDesc // per channel
	outputs  []string             // "v_<section>" per section, then DipoleName for pyramidal cells
	sections []string
	dipole   bool
}

// ioFor returns the input channels and outputs of cell type ct.
func ioFor(ct neuron.CellType) (*cellIO, error) {
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	io := &cellIO{desc: desc, channels: desc.Channels(), sections: desc.SectionNames(), dipole: desc.Dipole}
	for _, ch := range io.channels {
		sd, err := desc.SynapseDesc(ch.Section, ch.Receptor)
		if err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
		io.kin = append(io.kin, sd)
	}
	for _, s := range io.sections {
		io.outputs = append(io.outputs, "v_"+s)
	}
	if io.dipole {
		io.outputs = append(io.outputs, DipoleName)
	}
	return io, nil
}

// exp2synCoeffs returns the per-bin decay factors of the rise and decay
// states and NEURON's peak-normalisation factor of an Exp2Syn with time
// constants tau1, tau2 (ms) for a step of dt ms (spec 8.2).
func exp2synCoeffs(tau1, tau2, dt float64) (dA, dB, factor float64) {
	if tau1/tau2 > 0.9999 {
		tau1 = 0.9999 * tau2
	}
	tp := tau1 * tau2 / (tau2 - tau1) * math.Log(tau2/tau1)
	factor = 1 / (math.Exp(-tp/tau2) - math.Exp(-tp/tau1))
	return math.Exp(-dt / tau1), math.Exp(-dt / tau2), factor
}

// refWeight is the reference weight (µS) of a channel used to scale the
// logarithmic input compression log1p(w/ref): the order of magnitude of one
// HNN connection of that receptor onto that site (spec 12.3).
func refWeight(ct neuron.CellType, ch neuron.Channel) float64 {
	basket := ct == neuron.L2Basket || ct == neuron.L5Basket
	switch ch.Receptor {
	case neuron.AMPA, neuron.NMDA:
		return 5e-4
	case neuron.GABAA, neuron.GABAB:
		if basket {
			return 0.02
		}
		if ch.Section == "soma" {
			return 0.025
		}
		return 1e-3
	}
	return 1e-3
}
