package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

func TestPublishedColumn(t *testing.T) {
	col, err := NewPublishedColumn()
	if err != nil {
		t.Fatal(err)
	}
	want := map[CellType]int{L2Basket: 16, L2Pyramidal: 50, L5Basket: 16, L5Pyramidal: 50}
	for ct, n := range want {
		if got := col.Count(ct); got != n {
			t.Errorf("%s: %d cells, want %d", ct, got, n)
		}
	}
	if col.NumCells() != 132 {
		t.Fatalf("%d cells, want 132", col.NumCells())
	}
	for gid, c := range col.Cells {
		if c.GID != gid {
			t.Fatalf("cell %d has gid %d", gid, c.GID)
		}
		s, e := col.Range(c.Type)
		if gid < s || gid >= e {
			t.Fatalf("gid %d of %s outside its range [%d,%d)", gid, c.Type, s, e)
		}
	}
	// Baskets span the mesh: corners (0,0) and (9,4) are basket positions,
	// every pyramidal cell has a basket within 1.7 grid units.
	s, e := col.Range(L5Basket)
	b := col.Cells[s:e]
	if b[0].Pos.X != 0 || b[0].Pos.Y != 0 || b[15].Pos.X != 9 || b[15].Pos.Y != 4 {
		t.Errorf("lattice corners %v and %v, want (0,0) and (9,4)", b[0].Pos, b[15].Pos)
	}
	ps, pe := col.Range(L5Pyramidal)
	for _, p := range col.Cells[ps:pe] {
		best := math.Inf(1)
		for _, q := range b {
			best = min(best, math.Hypot(p.Pos.X-q.Pos.X, p.Pos.Y-q.Pos.Y))
		}
		if best > 1.7 {
			t.Errorf("pyramidal cell %d at %v is %.2f grid units from the nearest basket", p.GID, p.Pos, best)
		}
	}
	if _, err := NewColumnWithBasketLattice(3, 3, 0, 2, 1, 100); err == nil {
		t.Error("a 0x2 basket lattice was accepted")
	}
}

func TestEventStepMatchesSurrogateBinning(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		tm := rng.Float64() * 100
		if i%3 == 0 {
			tm = math.Round(tm/0.025) * 0.025 // on the grid
		}
		if i%5 == 0 {
			tm = math.Round(tm/0.0125) * 0.0125 // half-way points
		}
		if got, want := eventStep(tm, 0.5), surrogate.BinOf(tm); got != want {
			t.Fatalf("eventStep(%v) = %d, surrogate.BinOf = %d", tm, got, want)
		}
	}
	if d := delaySteps(DefaultCellDelay, 0.5); d != 2 {
		t.Errorf("1 ms delay is %d steps, want 2", d)
	}
}

// channelOf returns the input channel index of (section, receptor) in the
// neuron template of ct.
func channelOf(t *testing.T, ct CellType, sec string, r Receptor) int {
	d, err := neuron.Template(ct.NeuronType())
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range d.Channels() {
		if c.Section == sec && c.Receptor == r.NeuronReceptor() {
			return i
		}
	}
	t.Fatalf("%s has no channel (%s, %s)", ct, sec, r)
	return -1
}

// TestSpikesArriveAfterTheirDelay makes every cell spike at two scripted
// steps and checks that the inputs of every later step hold exactly the
// weights of the connections whose delay ends in that step, computed
// independently from the biophysical network's connection list and the
// surrogates' binning rule.
func TestSpikesArriveAfterTheirDelay(t *testing.T) {
	col, err := NewPublishedColumn()
	if err != nil {
		t.Fatal(err)
	}
	conn := DefaultConnectivity()
	if err := conn.SetGain("L2Pyr_L5Pyr_ampa_distal", 1.7); err != nil {
		t.Fatal(err)
	}
	conn.Gains.IE = 0.6
	net, err := NewNetwork(col, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	fireAt := []int{3, 17}
	fire := map[int]bool{}
	for _, n := range fireAt {
		fire[n] = true
	}
	fires := map[CellType]map[int]bool{}
	for _, ct := range CellTypes {
		fires[ct] = fire
	}
	const steps = 60
	sn, err := NewSurrogateNet(net, scriptModels[float64](fires), SurrogateOptions{TStop: steps * 0.5})
	if err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape[float64]()
	run, err := sn.Run(tp, []int{0, 1}) // two replicas, identical here
	if err != nil {
		t.Fatal(err)
	}
	for r := range 2 {
		if got, want := len(run.Spikes[r]), len(fireAt)*col.NumCells(); got != want {
			t.Fatalf("replica %d: %d spikes, want %d", r, got, want)
		}
		for i, s := range run.Spikes[r] {
			if want := float64(fireAt[i/col.NumCells()]+1) * 0.5; s.Time != want {
				t.Fatalf("spike %d at %v ms, want %v", i, s.Time, want)
			}
		}
	}
	// Expected inputs: step → flat index (ct, cell, channel) → µS.
	type key struct {
		step int
		ct   CellType
		row  int
		ch   int
	}
	want := map[key]float64{}
	nConn := 0
	for c := range net.EachCellConnection() {
		tct := col.Cells[c.Tgt].Type
		t0, _ := col.Range(tct)
		for _, n := range fireAt {
			arrival := surrogate.BinOf(float64(n+1)*0.5 + c.Delay)
			if arrival >= steps {
				continue
			}
			if n == fireAt[0] {
				nConn++
			}
			for _, sec := range c.Sections {
				want[key{arrival, tct, c.Tgt - t0, channelOf(t, tct, sec, c.Receptor)}] += c.Weight
			}
		}
	}
	if nConn == 0 {
		t.Fatal("no connection arrives within the run")
	}
	rs := sn.runs[2]
	checked := 0
	for m := range steps {
		for _, ct := range CellTypes {
			x := rs.xs[m][ct]
			nch := sn.nCh[ct]
			n := col.Count(ct)
			for r := range 2 {
				for i := range n {
					for ch := range nch {
						got := x.Data[(r*n+i)*nch+ch]
						w := want[key{m, ct, i, ch}]
						if math.Abs(got-w) > 1e-12*math.Max(1, math.Abs(w)) {
							t.Fatalf("step %d %s cell %d channel %d (%v) replica %d: input %.12g µS, want %.12g",
								m, ct, i, ch, sn.Models[ct].Inputs()[ch], r, got, w)
						}
						if w != 0 {
							checked++
						}
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d non-zero inputs checked", checked)
	}
	// The earliest arrivals: HNN's 1 ms delay at zero distance is 2 steps, so
	// nothing arrives before step fireAt[0]+3.
	for m := 0; m < fireAt[0]+3; m++ {
		for _, ct := range CellTypes {
			for _, v := range rs.xs[m][ct].Data {
				if v != 0 {
					t.Fatalf("input at step %d before any spike could arrive", m)
				}
			}
		}
	}
}

// TestDriveEventsBinned checks the drive inputs of a silent network against
// the drive event times and connections of the biophysical network.
func TestDriveEventsBinned(t *testing.T) {
	col, err := NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	d := NewPoissonDrive("noise", LocProximal, 80)
	d.SetTarget(L2Pyramidal, 0.002, 0.001, 0.1)
	d.SetTarget(L5Pyramidal, 0.003, -1, 1.0)
	d.SetTarget(L5Basket, 0.004, -1, 0.3)
	d2 := NewPoissonDrive("distal", LocDistal, 50)
	d2.SetTarget(L2Basket, 0.005, -1, 0.1)
	d2.SetTarget(L5Pyramidal, 0.006, -1, 0.1)
	net, err := NewNetwork(col, nil, []Drive{d, d2})
	if err != nil {
		t.Fatal(err)
	}
	const steps = 200
	sn, err := NewSurrogateNet(net, scriptModels[float64](nil), SurrogateOptions{TStop: steps * 0.5})
	if err != nil {
		t.Fatal(err)
	}
	trials := []int{4, 9}
	tp := autograd.NewTape[float64]()
	if _, err := sn.Run(tp, trials); err != nil {
		t.Fatal(err)
	}
	rs := sn.runs[len(trials)]
	for r, trial := range trials {
		want := make([][]float64, steps)
		for m := range want {
			want[m] = make([]float64, rs.lenX)
		}
		events := 0
		for i := range net.Drives {
			times, err := net.DriveEventTimes(i, trial, steps*0.5)
			if err != nil {
				t.Fatal(err)
			}
			g0, _ := net.DriveRange(i)
			for _, c := range net.DriveConnections(i) {
				tct := col.Cells[c.Tgt].Type
				t0, _ := col.Range(tct)
				for _, tm := range times[c.Src-g0] {
					m := surrogate.BinOf(tm + c.Delay)
					if m >= steps {
						continue
					}
					events++
					for _, sec := range c.Sections {
						idx := rs.blockOff[tct] + r*rs.stride[tct] + (c.Tgt-t0)*sn.nCh[tct] + channelOf(t, tct, sec, c.Receptor)
						want[m][idx] += c.Weight
					}
				}
			}
		}
		if events < 100 {
			t.Fatalf("trial %d: only %d drive events", trial, events)
		}
		for m := range steps {
			for _, ct := range CellTypes {
				x := rs.xs[m][ct].Data
				blk := r * rs.stride[ct]
				for j := range rs.stride[ct] {
					if got, w := x[blk+j], want[m][rs.blockOff[ct]+blk+j]; math.Abs(got-w) > 1e-15 {
						t.Fatalf("trial %d step %d %s element %d: %v µS, want %v", trial, m, ct, j, got, w)
					}
				}
			}
		}
	}
}

// tinyNet is a 2x2 column with one basket cell per layer, driven hard enough
// that the fake cells fire.
func tinyNet(t testing.TB, rate float64) *Network {
	t.Helper()
	col, err := NewColumnWithBasketLattice(2, 2, 1, 1, 1, DefaultLayerSeparation)
	if err != nil {
		t.Fatal(err)
	}
	d := NewPoissonDrive("noise", LocProximal, rate)
	for _, ct := range CellTypes {
		d.SetTarget(ct, 0.004, -1, 0.1)
	}
	d2 := NewPoissonDrive("distal", LocDistal, rate/2)
	d2.SetTarget(L2Pyramidal, 0.003, 0.001, 0.1)
	d2.SetTarget(L5Pyramidal, 0.003, -1, 0.1)
	conn := DefaultConnectivity()
	for i := range conn.Classes { // stronger and shorter connections, so that a few steps matter
		conn.Classes[i].Weight *= 8
		conn.Classes[i].Lamtha = 3
		conn.Classes[i].Delay = 0.3 + 0.1*float64(i%4)
	}
	net, err := NewNetwork(col, conn, []Drive{d, d2})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func gradCheckNet(t *testing.T, smooth bool, slope float64, mode ParamMode) {
	net := tinyNet(t, 300)
	const steps = 48
	sn, err := NewSurrogateNet(net, fakeModels[float64](2500), SurrogateOptions{TStop: steps * 0.5, SpikeSlope: slope, Params: mode})
	if err != nil {
		t.Fatal(err)
	}
	sn.smooth = smooth
	// Non-trivial starting gains.
	for i := range sn.LogGains.Data {
		sn.LogGains.Data[i] = 0.1 * float64(i%5-2)
	}
	for i := range sn.LogWeights.Data {
		sn.LogWeights.Data[i] = 0.05 * float64(i%7-3)
	}
	obj, err := NewObjective[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 2000.0 / steps}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	trials := []int{0, 1}
	spikes := -1
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		if mode == ParamsPerClass {
			sn.LogGains = in[0]
		} else {
			sn.LogWeights = in[0]
		}
		run, err := sn.Run(tp, trials)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range run.SpikeCounts {
			n += c
		}
		if !smooth {
			if spikes >= 0 && n != spikes {
				t.Fatalf("spike count changed from %d to %d under the finite-difference step", spikes, n)
			}
			spikes = n
		}
		loss, err := obj.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		return loss
	}
	p := autograd.Clone(sn.Params())
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-4, Rtol: 1e-6, Atol: 1e-10}); err != nil {
		t.Fatal(err)
	}
	if !smooth && spikes < 5 {
		t.Fatalf("only %d spikes: the check did not exercise the spike routing", spikes)
	}
	// The gradient must not be trivially zero.
	tp := autograd.NewTape[float64]()
	p.SetRequiresGrad(true)
	loss := f(tp, []*autograd.Tensor[float64]{p})
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	nz := 0
	for _, g := range p.Grad {
		if g != 0 {
			nz++
		}
	}
	if nz < len(p.Grad)/2 {
		t.Fatalf("only %d of %d gradient elements are non-zero", nz, len(p.Grad))
	}
}

// TestSurrogateNetGradientSmooth checks the gradient of the whole network
// loss with respect to the class log-gains against finite differences, with
// graded spikes (smooth mode), so that every path is differentiable: spike
// routing with delays, the surrogate derivative through both voltages of a
// crossing, the cell models, the dipole readout and the Welch band power.
func TestSurrogateNetGradientSmooth(t *testing.T) {
	gradCheckNet(t, true, 0.05, ParamsPerClass)
}

func TestSurrogateNetGradientSmoothPerConnection(t *testing.T) {
	gradCheckNet(t, true, 0.05, ParamsPerConnection)
}

// TestSurrogateNetGradientSpiking checks the gradient with real (Heaviside)
// spikes and a slope so steep that the surrogate term vanishes: the loss is
// then smooth in the gains between spike-count changes, and its derivative is
// exactly the routing part of the backward pass.
func TestSurrogateNetGradientSpiking(t *testing.T) {
	gradCheckNet(t, false, 1e12, ParamsPerClass)
}

func TestSurrogateNetErrors(t *testing.T) {
	net := tinyNet(t, 50)
	models := fakeModels[float64](1000)
	if _, err := NewSurrogateNet(net, models, SurrogateOptions{TStop: 0}); err == nil {
		t.Error("zero simulated time accepted")
	}
	if _, err := NewSurrogateNet(net, models, SurrogateOptions{TStop: 10, SpikeSlope: -1}); err == nil {
		t.Error("negative slope accepted")
	}
	bad := models
	bad[L2Basket] = nil
	if _, err := NewSurrogateNet(net, bad, SurrogateOptions{TStop: 10}); err == nil {
		t.Error("missing model accepted")
	}
	// A model lacking a channel a connection needs.
	fc := newFakeCell[float64](L5Pyramidal, 1000)
	fc.inputs = fc.inputs[:4]
	bad = models
	bad[L5Pyramidal] = SurrogateCellOf[float64, *fakeState[float64]](fc)
	if _, err := NewSurrogateNet(net, bad, SurrogateOptions{TStop: 10}); err == nil {
		t.Error("model without the targeted channels accepted")
	}
	c2 := net.Connectivity.Clone()
	c2.Classes[0].Gain = 0
	net2, err := NewNetwork(net.Column, c2, net.Drives)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSurrogateNet(net2, models, SurrogateOptions{TStop: 10}); err == nil {
		t.Error("zero class gain accepted")
	}
	sn, err := NewSurrogateNet(net, models, SurrogateOptions{TStop: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Run(autograd.NewTape[float64](), nil); err == nil {
		t.Error("run without trials accepted")
	}
}

// TestRoutingAllocationFree checks that a training run (forward, loss and
// backward) on a reused tape allocates a fixed number of small objects (the
// run's result and the models' steppers), not per step or per spike.
func TestRoutingAllocationFree(t *testing.T) {
	col, err := NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewNetwork(col, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fire := map[int]bool{}
	for n := 3; n < 400; n += 7 {
		fire[n] = true
	}
	fires := map[CellType]map[int]bool{}
	for _, ct := range CellTypes {
		fires[ct] = fire
	}
	allocs := func(steps int) float64 {
		sn, err := NewSurrogateNet(net, scriptModels[float64](fires), SurrogateOptions{TStop: float64(steps) / 2})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := NewObjective[float64](ObjectiveConfig{Warmup: -1, Resolution: 20}, sn.Steps, sn.Dt)
		if err != nil {
			t.Fatal(err)
		}
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
	short, long := allocs(100), allocs(400)
	t.Logf("allocations per run: %v (100 steps), %v (400 steps)", short, long)
	if long > short+2 || long > 60 {
		t.Fatalf("%v allocations per run of 400 steps, %v of 100: the routing allocates per step", long, short)
	}
}
