package snn

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// exactBasketModels are the fake pyramidal cells with the exact baskets.
func exactBasketModels(t testing.TB) [neuron.NumCellTypes]Cell[float64] {
	t.Helper()
	m := fakeModels[float64](1000)
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		e, err := surrogate.NewExactBasket[float64](ct)
		if err != nil {
			t.Fatal(err)
		}
		m[ct] = ExactCellFor(e)
	}
	return m
}

// basketDriveNet is a 3x3 column whose baskets get a Poisson drive (AMPA,
// strong enough to fire them) and whose connections are silenced by log
// gains of −30, so that each basket sees its drive events only.
func basketDriveNet(t testing.TB) *network.Network {
	t.Helper()
	col, err := network.NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	d := network.NewPoissonDrive("noise", neuron.Proximal, 300)
	d.SetTarget(neuron.L2Basket, 0.003, -1, 0.37)
	d.SetTarget(neuron.L5Basket, 0.004, 0.0005, 1.11)
	d.SetTarget(neuron.L5Pyramidal, 0.002, -1, 0.1)
	net, err := network.NewNetwork(col, nil, []network.Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestDriveSubstepsExactBaskets runs the exact baskets of a column fed their
// drive events only and checks that with DriveSubsteps every basket is the
// biophysical cell fed the same events at their true times (to 1e-9 mV at
// every bin end), and that without it (the events at their bins' starts) it
// is not.
func TestDriveSubstepsExactBaskets(t *testing.T) {
	net := basketDriveNet(t)
	col := net.Column
	const steps = 400
	tstop := steps * 0.5
	trials := []int{3, 8}
	ref := map[[2]int][]float64{} // (replica, gid) -> bin-end v
	spikes := 0
	for r, trial := range trials {
		evs := map[int][][3]float64{} // gid -> (time, weight, channel)
		for i := range net.Drives {
			times, err := net.DriveEventTimes(i, trial, tstop)
			if err != nil {
				t.Fatal(err)
			}
			g0, _ := net.DriveRange(i)
			for _, c := range net.DriveConnections(i) {
				if col.Cells[c.Tgt].Type.IsPyramidal() {
					continue
				}
				for _, tm := range times[c.Src-g0] {
					for _, sec := range c.Sections {
						evs[c.Tgt] = append(evs[c.Tgt], [3]float64{tm + c.Delay, c.Weight, float64(channelOf(t, col.Cells[c.Tgt].Type, sec, c.Receptor))})
					}
				}
			}
		}
		for gid, es := range evs {
			ct := col.Cells[gid].Type
			cell, err := neuron.NewType(ct, neuron.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			desc, _ := neuron.Template(ct)
			var ids []neuron.SynapseID
			for _, ch := range desc.Channels() {
				id, err := cell.Synapse(ch.Section, ch.Receptor)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			for _, e := range es {
				if err := cell.Deliver(ids[int(e[2])], e[0], e[1]); err != nil {
					t.Fatal(err)
				}
			}
			v := make([]float64, steps)
			for m := range v {
				for range surrogate.ExactSubsteps {
					cell.Step()
				}
				v[m] = cell.VSoma()
			}
			ref[[2]int{r, gid}] = v
			spikes += len(cell.Spikes())
		}
	}
	if len(ref) != 2*(col.Count(neuron.L2Basket)+col.Count(neuron.L5Basket)) || spikes < 20 {
		t.Fatalf("%d driven baskets, %d biophysical spikes", len(ref), spikes)
	}
	for _, sub := range []bool{true, false} {
		sn, err := New(net, exactBasketModels(t), Options{TStop: tstop, DriveSubsteps: sub})
		if err != nil {
			t.Fatal(err)
		}
		for i := range sn.LogGains.Data {
			sn.LogGains.Data[i] = -30
		}
		tp := autograd.NewTape[float64]()
		tp.SetNoGrad(true)
		if _, err := sn.Run(tp, trials); err != nil {
			t.Fatal(err)
		}
		rs := sn.runs[len(trials)]
		if sub && len(rs.subEv) < 100 {
			t.Fatalf("only %d drive events moved to their substeps", len(rs.subEv))
		}
		maxDv := 0.0
		for key, v := range ref {
			r, gid := key[0], key[1]
			ct := col.Cells[gid].Type
			g0, _ := col.Range(ct)
			row := r*col.Count(ct) + gid - g0
			for m := range steps {
				got := rs.outs[m][ct].Data[row*sn.nOut[ct]]
				maxDv = math.Max(maxDv, math.Abs(got-v[m]))
			}
		}
		t.Logf("DriveSubsteps %v: max |Δv| %.3g mV over %d baskets", sub, maxDv, len(ref))
		if sub && maxDv > 1e-9 {
			t.Errorf("DriveSubsteps: exact baskets off the biophysical cells by %g mV", maxDv)
		}
		if !sub && maxDv < 1e-3 {
			t.Errorf("binned drive events: exact baskets within %g mV of the true-time cells (the test cannot tell)", maxDv)
		}
	}
}

// TestDriveSubstepsGradient checks the gradient of a loss on the exact
// baskets' outputs with respect to the drive gains (DriveParams) with
// DriveSubsteps against central finite differences: the moved events'
// gradient comes from spread's backward pass, the others' from the routing.
func TestDriveSubstepsGradient(t *testing.T) {
	net := basketDriveNet(t)
	const steps = 40
	sn, err := New(net, exactBasketModels(t), Options{TStop: steps * 0.5, DriveParams: true, DriveSubsteps: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sn.LogGains.Data {
		sn.LogGains.Data[i] = -30 // the drives' path only (no spike routing)
	}
	for i := range sn.DriveLogGains.Data {
		sn.DriveLogGains.Data[i] = 0.05 * float64(i%3-1)
	}
	trials := []int{1}
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		sn.DriveLogGains = in[0]
		if _, err := sn.Run(tp, trials); err != nil {
			t.Fatal(err)
		}
		rs := sn.runs[len(trials)]
		var parts []*autograd.Tensor[float64]
		for m := range steps {
			for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
				// both outputs (bin-end and bin-maximum voltage)
				parts = append(parts, tp.Reshape(rs.outs[m][ct], rs.outs[m][ct].Len(), 1))
			}
		}
		return tp.Sum(tp.Concat(0, parts...))
	}
	p := autograd.Clone(sn.DriveLogGains)
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-6, Rtol: 1e-4, Atol: 1e-6}); err != nil {
		t.Error(err)
	}
	rs := sn.runs[len(trials)]
	if len(rs.subEv) < 10 {
		t.Fatalf("only %d drive events moved to their substeps", len(rs.subEv))
	}
}

// TestDriveSubstepsCheckpointed: with DriveSubsteps the checkpointed run's
// dipole and gradient (drive gains included) equal Run's bit for bit.
func TestDriveSubstepsCheckpointed(t *testing.T) {
	sn, err := New(smallNet(t), exactBasketModels(t), Options{TStop: 40, DriveParams: true, DriveSubsteps: true})
	if err != nil {
		t.Fatal(err)
	}
	checkCheckpointing(t, sn, []int{0, 1}, []int{1, 3, 9, 25})
	if len(sn.runs[2].subEv) == 0 {
		t.Fatal("no drive event moved to its substep")
	}
}

// TestDriveSubstepsAllocationFree: DriveSubsteps adds a fixed number of
// allocations to a training run on a reused tape, not any per step or
// event (the run without it is the baseline: the stand-in pyramidal cells
// allocate by themselves).
func TestDriveSubstepsAllocationFree(t *testing.T) {
	net := basketDriveNet(t)
	allocs := func(steps int, sub bool) float64 {
		sn, err := New(net, exactBasketModels(t), Options{TStop: float64(steps) / 2, DriveParams: true, DriveSubsteps: sub})
		if err != nil {
			t.Fatal(err)
		}
		obj := newTestLoss(3 * sn.Steps)
		tp := autograd.NewTape[float64]()
		epoch := func() {
			tp.Reset()
			run, err := sn.Run(tp, []int{0})
			if err != nil {
				t.Fatal(err)
			}
			loss, err := obj.Loss(tp, run)
			if err != nil {
				t.Fatal(err)
			}
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
		}
		epoch()
		return testing.AllocsPerRun(3, epoch)
	}
	short, long := allocs(100, true)-allocs(100, false), allocs(400, true)-allocs(400, false)
	t.Logf("allocations added per run: %v (100 steps), %v (400 steps)", short, long)
	if long > short+1 || long > 10 {
		t.Fatalf("DriveSubsteps adds %v allocations per run of 400 steps, %v of 100: allocating per step", long, short)
	}
}
