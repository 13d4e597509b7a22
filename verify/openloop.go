package verify

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
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
	in, err := newOpenLoopInput(s.Models, net.Column, steps)
	if err != nil {
		return network.Dipole{}, nil, err
	}
	if err := in.route(net, spikes); err != nil {
		return network.Dipole{}, nil, err
	}
	d := network.Dipole{Times: make([]float64, steps), Agg: make([]float64, steps), L2: make([]float64, steps), L5: make([]float64, steps)}
	for k := range d.Times {
		d.Times[k] = float64(k+1) * dt
	}
	var out []network.Spike
	for _, ct := range neuron.CellTypes {
		out = in.runCells(s.Models[ct], ct, &d, out)
	}
	for k := range d.Agg {
		d.Agg[k] = d.L2[k] + d.L5[k]
	}
	sortSpikes(out)
	return d, out, nil
}

// openLoopInput is the synaptic input of every surrogate cell of a column
// in an open-loop run: per cell type, x[k·cells·channels + cell·channels +
// channel] is the weight arriving in bin k on that (section, receptor)
// channel of the model's Inputs.
type openLoopInput[T autograd.Float] struct {
	col     *network.Column
	steps   int
	nCh     [neuron.NumCellTypes]int
	chIndex [neuron.NumCellTypes]map[neuron.Channel]int
	x       [neuron.NumCellTypes][]T
}

// newOpenLoopInput allocates the (empty) input of steps bins for the cells
// of col, with the channels of each cell type's model.
func newOpenLoopInput[T autograd.Float](models [neuron.NumCellTypes]snn.Cell[T], col *network.Column, steps int) (*openLoopInput[T], error) {
	in := &openLoopInput[T]{col: col, steps: steps}
	for _, ct := range neuron.CellTypes {
		m := models[ct]
		if m == nil {
			return nil, fmt.Errorf("open loop: no surrogate model for %s", ct)
		}
		in.nCh[ct] = len(m.Inputs())
		in.chIndex[ct] = map[neuron.Channel]int{}
		for i, c := range m.Inputs() {
			in.chIndex[ct][c] = i
		}
		in.x[ct] = make([]T, steps*col.Count(ct)*in.nCh[ct])
	}
	return in, nil
}

// route adds every spike of a source to the input of its targets through
// the network's cell and drive connections.
func (in *openLoopInput[T]) route(net *network.Network, spikes []network.Spike) error {
	bySrc := map[int][]float64{}
	for _, sp := range spikes {
		bySrc[sp.GID] = append(bySrc[sp.GID], sp.Time)
	}
	for c := range net.EachCellConnection() {
		if err := in.add(c, bySrc[c.Src]); err != nil {
			return err
		}
	}
	for i := range net.Drives {
		for _, c := range net.DriveConnections(i) {
			if err := in.add(c, bySrc[c.Src]); err != nil {
				return err
			}
		}
	}
	return nil
}

// add routes the spikes ts (ms) of connection c's source to its target:
// the weight arrives on each of its sections' channels in the bin of spike
// time + delay (surrogate.BinOf); bins past the run are dropped.
func (in *openLoopInput[T]) add(c network.Connection, ts []float64) error {
	if len(ts) == 0 {
		return nil
	}
	col := in.col
	ct := col.Cells[c.Tgt].Type
	t0, _ := col.Range(ct)
	row := (c.Tgt - t0) * in.nCh[ct]
	for _, sec := range c.Sections {
		ch, ok := in.chIndex[ct][neuron.Channel{Section: sec, Receptor: c.Receptor}]
		if !ok {
			return fmt.Errorf("open loop: the %s model has no input channel (%s, %s)", ct, sec, c.Receptor)
		}
		for _, t := range ts {
			k := surrogate.BinOf(t + c.Delay)
			if k < in.steps {
				in.x[ct][k*col.Count(ct)*in.nCh[ct]+row+ch] += T(c.Weight)
			}
		}
	}
	return nil
}

// runCells steps model m over the input of the cells of type ct, adding
// the pyramidal cells' dipoles to d and appending their spikes (upward
// crossings of the model's threshold, at the end of the step) to out.
func (in *openLoopInput[T]) runCells(m snn.Cell[T], ct neuron.CellType, d *network.Dipole, out []network.Spike) []network.Spike {
	n, nCh := in.col.Count(ct), in.nCh[ct]
	if n == 0 {
		return out
	}
	g0, _ := in.col.Range(ct)
	so, do, no := m.SomaOutput(), m.DipoleOutput(), len(m.Outputs())
	thr := m.SpikeThreshold()
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	st := m.Begin(tp, n)
	prev := make([]float64, n)
	for k := range in.steps {
		y := st.Step(tp, autograd.MustNew(in.x[ct][k*n*nCh:(k+1)*n*nCh], n, nCh))
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
	return out
}

// sortSpikes orders spikes by time, then gid.
func sortSpikes(s []network.Spike) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Time < s[j-1].Time || s[j].Time == s[j-1].Time && s[j].GID < s[j-1].GID); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
