package cli

import (
	"fmt"
	"io"
	"math"

	"github.com/neurograd/neurograd/neuron"
)

// ValidatedDt is the biophysical time step (ms) at which the cells are
// validated against NEURON (docs/neuron-bench.md): NEURON's and HNN's
// default, neuron.DefaultConfig().Dt.
var ValidatedDt = neuron.DefaultConfig().Dt

// MaxDt is the coarsest biophysical time step (ms) a command accepts.
// Measured on an L5 pyramidal cell under a 0.8 nA, 250 ms somatic step
// (docs/drives.md): 0.05 and 0.1 ms give the same 7 spikes as 0.025 ms,
// 0.1 ms up to 4 ms later; 0.25 ms gives 6, 0.5 ms 6 and 1 ms 5.
const MaxDt = 0.1

// CheckDt checks the biophysical time step dt (ms) given by -flag: it must
// be a positive finite number (0 never stands for a default), at most
// MaxDt; a step coarser than ValidatedDt is accepted with a warning on warn
// (nil: none) saying why.
func CheckDt(flag string, dt float64, warn io.Writer) error {
	if !(dt > 0) || math.IsInf(dt, 0) {
		return Inputf("-%s %v: the time step (ms) must be a positive finite number", flag, dt)
	}
	if dt > MaxDt {
		return Inputf("-%s %v: the time step (ms) must be at most %g ms (they are validated at %g ms; at 0.25 ms an L5 pyramidal cell already loses spikes)", flag, dt, MaxDt, ValidatedDt)
	}
	if dt > ValidatedDt*(1+1e-9) && warn != nil {
		fmt.Fprintf(warn, "warning: -%s %g ms is coarser than the %g ms the cells are validated at against NEURON: spike times and counts may differ from HNN's\n", flag, dt, ValidatedDt)
	}
	return nil
}
