package verify

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// SurrogateModels runs the surrogate network for Run: it implements
// SurrogateRunner with one learned model per cell type (indexed by
// CellType), simulating all trials of a call as one batch without
// recording gradients.
type SurrogateModels[T autograd.Float] struct {
	Models [neuron.NumCellTypes]snn.Cell[T]
	// Options are passed to snn.New; TStop is set by each run.
	Options snn.Options
}

// Step returns the models' time step (ms).
func (s *SurrogateModels[T]) Step() float64 {
	if s.Models[0] == nil {
		return 0
	}
	return s.Models[0].Dt()
}

// RunSurrogate simulates the surrogate network of net for tstop ms once per
// trial (see SurrogateRunner).
func (s *SurrogateModels[T]) RunSurrogate(net *network.Network, tstop float64, trials []int) ([]network.Dipole, [][]network.Spike, error) {
	opt := s.Options
	opt.TStop = tstop
	sn, err := snn.New(net, s.Models, opt)
	if err != nil {
		return nil, nil, err
	}
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	run, err := sn.Run(tp, trials)
	if err != nil {
		return nil, nil, err
	}
	if run.Replicas != len(trials) {
		return nil, nil, fmt.Errorf("surrogate network ran %d replicas for %d trials", run.Replicas, len(trials))
	}
	times := make([]float64, run.Steps)
	for m := range times {
		times[m] = float64(m+1) * run.Dt
	}
	dips := make([]network.Dipole, len(trials))
	for r := range trials {
		dips[r] = network.Dipole{Times: times, Agg: run.DipoleSeries(0, r), L2: run.DipoleSeries(1, r), L5: run.DipoleSeries(2, r)}
	}
	return dips, run.Spikes, nil
}
