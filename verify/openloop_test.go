package verify_test

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/verify"
)

// sumCell is a fake surrogate whose soma output and dipole are the summed
// input weight (µS) of the current bin: it exposes what RunOpenLoop feeds.
type sumCell struct {
	ch     []neuron.Channel
	dipole bool
}

func (c sumCell) Inputs() []neuron.Channel { return c.ch }
func (c sumCell) Outputs() []string {
	if c.dipole {
		return []string{"v_soma", surrogate.DipoleName}
	}
	return []string{"v_soma"}
}
func (c sumCell) SomaOutput() int { return 0 }
func (c sumCell) DipoleOutput() int {
	if c.dipole {
		return 1
	}
	return -1
}
func (c sumCell) Dt() float64             { return 0.5 }
func (c sumCell) SpikeThreshold() float64 { return 1e9 }
func (c sumCell) Begin(tp *autograd.Tape[float64], batch int) snn.Stepper[float64] {
	return sumStepper{c}
}

type sumStepper struct{ c sumCell }

func (s sumStepper) Step(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) *autograd.Tensor[float64] {
	n, nc, no := x.Dim(0), x.Dim(1), len(s.c.Outputs())
	y := autograd.Zeros[float64](n, no)
	for r := range n {
		var sum float64
		for _, v := range x.Data[r*nc : (r+1)*nc] {
			sum += v
		}
		for o := range no {
			y.Data[r*no+o] = sum
		}
	}
	return y
}

// TestRunOpenLoopRoutesBiophysicalSpikes checks that the open-loop input of
// every step is the weight of the spikes that reach the cells in that bin:
// with cells that output their summed input, the L2 and L5 "dipoles" must
// equal the sums over the network's connections computed independently.
func TestRunOpenLoopRoutesBiophysicalSpikes(t *testing.T) {
	col, err := network.NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(80, 0.004, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	const tstop = 60.0
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: tstop, Trial: 3})
	if err != nil {
		t.Fatal(err)
	}
	var s verify.SurrogateModels[float64]
	for _, ct := range neuron.CellTypes {
		d, err := neuron.Template(ct)
		if err != nil {
			t.Fatal(err)
		}
		s.Models[ct] = sumCell{ch: d.Channels(), dipole: ct.IsPyramidal()}
	}
	dip, spikes, err := s.RunOpenLoop(net, tstop, res.Spikes)
	if err != nil {
		t.Fatal(err)
	}
	if len(spikes) != 0 || len(dip.Agg) != 120 || dip.Times[0] != 0.5 {
		t.Fatalf("%d spikes, %d samples from %v ms", len(spikes), len(dip.Agg), dip.Times[0])
	}
	want := map[neuron.CellType][]float64{neuron.L2Pyramidal: make([]float64, 120), neuron.L5Pyramidal: make([]float64, 120)}
	cellSpikes := 0
	check := func(c network.Connection) {
		w := want[col.Cells[c.Tgt].Type]
		if w == nil {
			return
		}
		for _, sp := range res.Spikes {
			if sp.GID != c.Src {
				continue
			}
			if k := surrogate.BinOf(sp.Time + c.Delay); k < 120 {
				w[k] += c.Weight * float64(len(c.Sections))
			}
		}
	}
	for c := range net.EachCellConnection() {
		check(c)
	}
	for _, sp := range res.Spikes {
		if sp.GID < col.NumCells() {
			cellSpikes++
		}
	}
	for _, c := range net.DriveConnections(0) {
		check(c)
	}
	if cellSpikes == 0 {
		t.Fatal("no cell spiked: the test does not exercise cell-to-cell routing")
	}
	for k := range 120 {
		for _, p := range []struct {
			got, want float64
			name      string
		}{{dip.L2[k], want[neuron.L2Pyramidal][k], "L2"}, {dip.L5[k], want[neuron.L5Pyramidal][k], "L5"}} {
			if math.Abs(p.got-p.want) > 1e-12*(1+math.Abs(p.want)) {
				t.Fatalf("step %d: %s input %v µS, want %v", k, p.name, p.got, p.want)
			}
		}
	}
}

// TestVerifyOpenLoop checks that an open-loop verification reports the
// open-loop surrogate beside both models, with correlations and spike scores.
func TestVerifyOpenLoop(t *testing.T) {
	opts := tinyVerifyOptions(t)
	opts.Surrogate = tinySurrogates(t)
	opts.OpenLoop = true
	opts.Seeds = []int{11}
	rep, err := verify.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range rep.Conditions {
		sr := cr.Seeds[0]
		if sr.OpenLoop == nil || sr.OpenLoopDipoleR == nil || sr.SurrogateDipoleR == nil || len(sr.OpenLoopSpikes) != neuron.NumCellTypes {
			t.Fatalf("%s: open loop %v, r %v %v, spikes %v", cr.Name, sr.OpenLoop, sr.OpenLoopDipoleR, sr.SurrogateDipoleR, sr.OpenLoopSpikes)
		}
		if r := *sr.OpenLoopDipoleR; !(r >= -1 && r <= 1) {
			t.Errorf("%s: open-loop correlation %v", cr.Name, r)
		}
		for ct, m := range sr.OpenLoopSpikes {
			if m.Reference != sr.Biophysical.Spikes[ct] || m.Predicted != sr.OpenLoop.Spikes[ct] || m.Matched > min(m.Reference, m.Predicted) {
				t.Errorf("%s %s: spike match %+v, biophysical %d, open loop %d", cr.Name, ct, m, sr.Biophysical.Spikes[ct], sr.OpenLoop.Spikes[ct])
			}
		}
		if cr.Mean.OpenLoop == nil || cr.Mean.OpenLoopDipoleR == nil {
			t.Errorf("%s: no open-loop mean", cr.Name)
		}
	}
	opts.Surrogate = nil
	if _, err := verify.Run(opts); err == nil {
		t.Error("open loop without a surrogate runner: no error")
	}
}
