package network

import (
	"fmt"

	"github.com/neurograd/neurograd/neuron"
)

// Defaults of the Poisson noise drive that every command and the batch
// kinds share (cmd/optimize's -drive-rate, -drive-weight and -seed;
// cmd/verify's and cmd/simulate network's -rate, -weight-ampa and
// -event-seed): one 10 Hz train per cell on proximal AMPA synapses of
// 0.003 µS, event seed 1. They are the main job's (README, docs/optimize.md).
const (
	DefaultNoiseRate       = 10.0  // Hz, one train per cell
	DefaultNoiseWeightAMPA = 0.003 // µS per event, every cell type
	DefaultNoiseEventSeed  = 1     // event_seed of the drive
)

// ERPDrives returns the three evoked drives of hnn-core's ERP example
// (add_erp_drives_to_jones_model with tstart 0; spec 13.7): evdist1,
// evprox1 and evprox2, all cell-specific with one spike per drive cell.
func ERPDrives() []Drive {
	evdist1 := NewEvokedDrive("evdist1", neuron.Distal, 63.53, 3.85)
	evdist1.EventSeed = 274
	evdist1.SetTarget(neuron.L2Basket, 0.006562, 0.019482, 0.1)
	evdist1.SetTarget(neuron.L2Pyramidal, 0.000007, 0.004317, 0.1)
	evdist1.SetTarget(neuron.L5Pyramidal, 0.142300, 0.080074, 0.1)

	evprox1 := NewEvokedDrive("evprox1", neuron.Proximal, 26.61, 2.47)
	evprox1.EventSeed = 544
	evprox1.SetTarget(neuron.L2Basket, 0.08831, -1, 0.1)
	evprox1.SetTarget(neuron.L2Pyramidal, 0.01525, -1, 0.1)
	evprox1.SetTarget(neuron.L5Basket, 0.19934, -1, 1.0)
	evprox1.SetTarget(neuron.L5Pyramidal, 0.00865, -1, 1.0)

	evprox2 := NewEvokedDrive("evprox2", neuron.Proximal, 137.12, 8.33)
	evprox2.EventSeed = 814
	evprox2.SetTarget(neuron.L2Basket, 0.000003, -1, 0.1)
	evprox2.SetTarget(neuron.L2Pyramidal, 1.438840, -1, 0.1)
	evprox2.SetTarget(neuron.L5Basket, 0.008958, -1, 1.0)
	evprox2.SetTarget(neuron.L5Pyramidal, 0.684013, -1, 1.0)
	return []Drive{evdist1, evprox1, evprox2}
}

// PoissonEveryCell returns a cell-specific proximal Poisson drive named
// "poisson" giving every cell of the column its own Poisson train at rate
// (Hz) through AMPA synapses of weight weightAMPA (µS; NMDA too if
// weightNMDA > 0), with hnn-core's default delay 0.1 ms, space constant 100
// and the given event seed.
func PoissonEveryCell(rate, weightAMPA, weightNMDA float64, seed int64) Drive {
	nmda := -1.0
	if weightNMDA > 0 {
		nmda = weightNMDA
	}
	d := NewPoissonDrive("poisson", neuron.Proximal, rate)
	d.EventSeed = seed
	for _, ct := range neuron.CellTypes {
		d.SetTarget(ct, weightAMPA, nmda, DefaultDriveDelay)
	}
	return d
}

// PoissonNoise returns the noise drive of the main job: a cell-specific
// Poisson drive named "poisson" at rate (Hz) on the location group loc, giving
// each cell of every type that has synapses there its own train through AMPA
// synapses of weight weightAMPA (µS), or perType[type] where given; a type
// whose weight is 0 is left out. Delay 0.1 ms, space constant 100, event seed
// seed. It is an error when no type is targeted.
func PoissonNoise(loc string, rate, weightAMPA float64, perType map[neuron.CellType]float64, seed int64) (Drive, error) {
	d := NewPoissonDrive("poisson", loc, rate)
	d.EventSeed = seed
	for _, ct := range neuron.CellTypes {
		if secs, err := ct.LocationSections(loc); err != nil || len(secs) == 0 {
			continue // e.g. L5 baskets have no distal synapses
		}
		w := weightAMPA
		if v, ok := perType[ct]; ok {
			w = v
		}
		if w > 0 {
			d.SetTarget(ct, w, -1, DefaultDriveDelay)
		}
	}
	if len(d.Targets()) == 0 {
		return Drive{}, fmt.Errorf("network: the Poisson noise targets no cell (all weights 0 or location %q unknown)", loc)
	}
	return d, nil
}
