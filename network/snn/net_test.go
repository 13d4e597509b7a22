package snn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn/snntest"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

func TestPublishedColumn(t *testing.T) {
	col, err := network.NewPublishedColumn()
	if err != nil {
		t.Fatal(err)
	}
	want := map[neuron.CellType]int{neuron.L2Basket: 16, neuron.L2Pyramidal: 50, neuron.L5Basket: 16, neuron.L5Pyramidal: 50}
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
	s, e := col.Range(neuron.L5Basket)
	b := col.Cells[s:e]
	if b[0].Pos.X != 0 || b[0].Pos.Y != 0 || b[15].Pos.X != 9 || b[15].Pos.Y != 4 {
		t.Errorf("lattice corners %v and %v, want (0,0) and (9,4)", b[0].Pos, b[15].Pos)
	}
	ps, pe := col.Range(neuron.L5Pyramidal)
	for _, p := range col.Cells[ps:pe] {
		best := math.Inf(1)
		for _, q := range b {
			best = min(best, math.Hypot(p.Pos.X-q.Pos.X, p.Pos.Y-q.Pos.Y))
		}
		if best > 1.7 {
			t.Errorf("pyramidal cell %d at %v is %.2f grid units from the nearest basket", p.GID, p.Pos, best)
		}
	}
	if _, err := network.NewColumnWithBasketLattice(3, 3, 0, 2, 1, 100); err == nil {
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
	if d := delaySteps(network.DefaultCellDelay, 0.5); d != 2 {
		t.Errorf("1 ms delay is %d steps, want 2", d)
	}
}

// channelOf returns the input channel index of (section, receptor) in the
// neuron template of ct.
func channelOf(t *testing.T, ct neuron.CellType, sec string, r neuron.Receptor) int {
	d, err := neuron.Template(ct)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range d.Channels() {
		if c.Section == sec && c.Receptor == r {
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
	col, err := network.NewPublishedColumn()
	if err != nil {
		t.Fatal(err)
	}
	conn := network.DefaultConnectivity()
	if err := conn.SetGain("L2Pyr_L5Pyr_ampa_distal", 1.7); err != nil {
		t.Fatal(err)
	}
	conn.Gains.IE = 0.6
	net, err := network.NewNetwork(col, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	fireAt := []int{3, 17}
	fire := map[int]bool{}
	for _, n := range fireAt {
		fire[n] = true
	}
	fires := map[neuron.CellType]map[int]bool{}
	for _, ct := range neuron.CellTypes {
		fires[ct] = fire
	}
	const steps = 60
	sn, err := New(net, scriptModels[float64](fires), Options{TStop: steps * 0.5})
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
		ct   neuron.CellType
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
		for _, ct := range neuron.CellTypes {
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
		for _, ct := range neuron.CellTypes {
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
	col, err := network.NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	d := network.NewPoissonDrive("noise", neuron.Proximal, 80)
	d.SetTarget(neuron.L2Pyramidal, 0.002, 0.001, 0.1)
	d.SetTarget(neuron.L5Pyramidal, 0.003, -1, 1.0)
	d.SetTarget(neuron.L5Basket, 0.004, -1, 0.3)
	d2 := network.NewPoissonDrive("distal", neuron.Distal, 50)
	d2.SetTarget(neuron.L2Basket, 0.005, -1, 0.1)
	d2.SetTarget(neuron.L5Pyramidal, 0.006, -1, 0.1)
	net, err := network.NewNetwork(col, nil, []network.Drive{d, d2})
	if err != nil {
		t.Fatal(err)
	}
	const steps = 200
	sn, err := New(net, scriptModels[float64](nil), Options{TStop: steps * 0.5})
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
			for _, ct := range neuron.CellTypes {
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

func tinyNet(t testing.TB, rate float64) *network.Network { return snntest.TinyNetwork(t, rate) }

func TestSurrogateNetErrors(t *testing.T) {
	net := tinyNet(t, 50)
	models := fakeModels[float64](1000)
	if _, err := New(net, models, Options{TStop: 0}); err == nil {
		t.Error("zero simulated time accepted")
	}
	if _, err := New(net, models, Options{TStop: 10, SpikeSlope: -1}); err == nil {
		t.Error("negative slope accepted")
	}
	bad := models
	bad[neuron.L2Basket] = nil
	if _, err := New(net, bad, Options{TStop: 10}); err == nil {
		t.Error("missing model accepted")
	}
	// A model lacking a channel a connection needs.
	fc := snntest.NewFakeCell[float64](neuron.L5Pyramidal, 1000)
	fc.Channels = fc.Channels[:4]
	bad = models
	bad[neuron.L5Pyramidal] = CellOf[float64, *snntest.FakeState[float64]](fc)
	if _, err := New(net, bad, Options{TStop: 10}); err == nil {
		t.Error("model without the targeted channels accepted")
	}
	c2 := net.Connectivity.Clone()
	c2.Classes[0].Gain = 0
	net2, err := network.NewNetwork(net.Column, c2, net.Drives)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(net2, models, Options{TStop: 10}); err == nil {
		t.Error("zero class gain accepted")
	}
	sn, err := New(net, models, Options{TStop: 10})
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
	col, err := network.NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fire := map[int]bool{}
	for n := 3; n < 400; n += 7 {
		fire[n] = true
	}
	fires := map[neuron.CellType]map[int]bool{}
	for _, ct := range neuron.CellTypes {
		fires[ct] = fire
	}
	allocs := func(steps int) float64 {
		sn, err := New(net, scriptModels[float64](fires), Options{TStop: float64(steps) / 2})
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
	short, long := allocs(100), allocs(400)
	t.Logf("allocations per run: %v (100 steps), %v (400 steps)", short, long)
	if long > short+2 || long > 60 {
		t.Fatalf("%v allocations per run of 400 steps, %v of 100: the routing allocates per step", long, short)
	}
}

// testLoss is a differentiable function of a run's whole dipole, quadratic
// with fixed pseudo-random weights, so that every sample of every series
// reaches the gradient: mean(w·d) + log(1 + mean(d²)), of order one for
// dipoles of any size.
type testLoss struct{ w *autograd.Tensor[float64] }

func newTestLoss(n int) testLoss {
	w := autograd.Zeros[float64](n)
	for i := range w.Data {
		w.Data[i] = math.Sin(0.37*float64(i)) + 0.2
	}
	return testLoss{w}
}

// Loss returns the scalar loss of run on tp.
func (l testLoss) Loss(tp *autograd.Tape[float64], run *Result[float64]) (*autograd.Tensor[float64], error) {
	d := tp.Reshape(run.Dipole, l.w.Len())
	return tp.Add(tp.Mean(tp.Mul(d, l.w)), tp.Log(tp.AddScalar(tp.Mean(tp.Mul(d, d)), 1))), nil
}

// TestNonFiniteOutputNamed checks that a run whose cells' outputs overflow
// stops with an error naming the step, the cell, its largest input so far
// and the largest parameter, whether the inputs are huge or infinite.
func TestNonFiniteOutputNamed(t *testing.T) {
	for _, tc := range []struct {
		logGain float32
		want    string
	}{
		{20, "L2_pyramidal cell gid 3 (trial 1) output soma is +Inf at step 1 (t = 1 ms); its largest input so far was 1.1998799969617183e+18 µS on apical_oblique/ampa at step 1"},
		{45, "L2_basket cell gid 0 (trial 0) output soma is +Inf at step 0 (t = 0.5 ms); its largest input so far was +Inf µS on soma/ampa at step 0"},
	} {
		sn, err := New(tinyNet(t, 2000), fakeModels[float32](1e20), Options{TStop: 10})
		if err != nil {
			t.Fatal(err)
		}
		for i := range sn.DriveLogGains.Data {
			sn.DriveLogGains.Data[i] = tc.logGain
		}
		_, err = sn.Run(autograd.NewTape[float32](), []int{0, 1})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("log gain %v: error %v, want one containing %q", tc.logGain, err, tc.want)
		}
	}
}
