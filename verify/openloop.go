package verify

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// OpenLoopRunner is a SurrogateRunner that can also drive every surrogate
// cell of a column with the synaptic input its biophysical counterpart
// received in a biophysical run (the spikes of all cells and drive cells
// routed through the network's connections), without feeding the
// surrogates' own spikes back. Comparing this open-loop prediction with the
// biophysical run separates the error of the cell surrogates on the
// network's actual inputs from the divergence of the closed-loop surrogate
// network.
type OpenLoopRunner interface {
	RunOpenLoop(net *network.Network, tstop float64, spikes []network.Spike) (network.Dipole, []network.Spike, error)
}

// RunOpenLoop runs every cell's surrogate on the input reconstructed from
// spikes (cells' and drive cells' spike times, ms, as Simulate returns them):
// each spike of a source reaches its targets' (section, receptor) channels
// with the connection's weight at spike time + delay, binned as the
// surrogates' training data are (surrogate.BinOf). It returns the summed
// pyramidal dipoles (nAm, sample k at (k+1)·Step) and the surrogates' spikes.
func (s *SurrogateModels[T]) RunOpenLoop(net *network.Network, tstop float64, spikes []network.Spike) (network.Dipole, []network.Spike, error) {
	dt := s.Step()
	if dt != surrogate.BinDt {
		return network.Dipole{}, nil, fmt.Errorf("open loop: surrogate step %v ms differs from the training bins of %v ms", dt, surrogate.BinDt)
	}
	steps := int(math.Round(tstop / dt))
	col := net.Column
	var (
		nCh     [neuron.NumCellTypes]int
		chIndex [neuron.NumCellTypes]map[neuron.Channel]int
		x       [neuron.NumCellTypes][]T // [steps][cells·channels]
	)
	for _, ct := range neuron.CellTypes {
		m := s.Models[ct]
		if m == nil {
			return network.Dipole{}, nil, fmt.Errorf("open loop: no surrogate model for %s", ct)
		}
		nCh[ct] = len(m.Inputs())
		chIndex[ct] = map[neuron.Channel]int{}
		for i, c := range m.Inputs() {
			chIndex[ct][c] = i
		}
		x[ct] = make([]T, steps*col.Count(ct)*nCh[ct])
	}
	bySrc := map[int][]float64{}
	for _, sp := range spikes {
		bySrc[sp.GID] = append(bySrc[sp.GID], sp.Time)
	}
	add := func(c network.Connection) error {
		ts := bySrc[c.Src]
		if len(ts) == 0 {
			return nil
		}
		ct := col.Cells[c.Tgt].Type
		t0, _ := col.Range(ct)
		row := (c.Tgt - t0) * nCh[ct]
		for _, sec := range c.Sections {
			ch, ok := chIndex[ct][neuron.Channel{Section: sec, Receptor: c.Receptor}]
			if !ok {
				return fmt.Errorf("open loop: the %s model has no input channel (%s, %s)", ct, sec, c.Receptor)
			}
			for _, t := range ts {
				k := surrogate.BinOf(t + c.Delay)
				if k < steps {
					x[ct][k*col.Count(ct)*nCh[ct]+row+ch] += T(c.Weight)
				}
			}
		}
		return nil
	}
	for c := range net.EachCellConnection() {
		if err := add(c); err != nil {
			return network.Dipole{}, nil, err
		}
	}
	for i := range net.Drives {
		for _, c := range net.DriveConnections(i) {
			if err := add(c); err != nil {
				return network.Dipole{}, nil, err
			}
		}
	}

	d := network.Dipole{Times: make([]float64, steps), Agg: make([]float64, steps), L2: make([]float64, steps), L5: make([]float64, steps)}
	for k := range d.Times {
		d.Times[k] = float64(k+1) * dt
	}
	var out []network.Spike
	for _, ct := range neuron.CellTypes {
		m := s.Models[ct]
		n := col.Count(ct)
		if n == 0 {
			continue
		}
		g0, _ := col.Range(ct)
		so, do, no := m.SomaOutput(), m.DipoleOutput(), len(m.Outputs())
		thr := m.SpikeThreshold()
		tp := autograd.NewTape[T]()
		tp.SetNoGrad(true)
		st := m.Begin(tp, n)
		prev := make([]float64, n)
		for k := range steps {
			in := autograd.MustNew(x[ct][k*n*nCh[ct]:(k+1)*n*nCh[ct]], n, nCh[ct])
			y := st.Step(tp, in)
			for r := range n {
				v := float64(y.Data[r*no+so])
				if k > 0 && prev[r] <= thr && v > thr {
					out = append(out, network.Spike{Time: d.Times[k], GID: g0 + r})
				}
				prev[r] = v
				if ct.IsPyramidal() {
					p := float64(y.Data[r*no+do])
					if ct == neuron.L2Pyramidal {
						d.L2[k] += p
					} else {
						d.L5[k] += p
					}
				}
			}
		}
	}
	for k := range d.Agg {
		d.Agg[k] = d.L2[k] + d.L5[k]
	}
	sortSpikes(out)
	return d, out, nil
}

// sortSpikes orders spikes by time, then gid.
func sortSpikes(s []network.Spike) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Time < s[j-1].Time || s[j].Time == s[j-1].Time && s[j].GID < s[j-1].GID); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
