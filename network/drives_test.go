package network

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/internal/reference"
	"github.com/neurograd/neurograd/neuron"
)

func erpNetwork(t testing.TB, mesh int) *Network {
	t.Helper()
	col, err := NewColumn(mesh, mesh)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNetwork(col, nil, ERPDrives())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The drive event times of the ERP drives are bit-identical to hnn-core's.
func TestERPDriveEventsMatchHNNCore(t *testing.T) {
	for _, mesh := range []int{3, 10} {
		t.Run(fmt.Sprintf("mesh%d", mesh), func(t *testing.T) {
			ref := reference.LoadDriveEvents(t, "network", fmt.Sprintf("erp_mesh%d_drive_events.json", mesh))
			n := erpNetwork(t, mesh)
			for _, ct := range neuron.CellTypes {
				s, e := n.Column.Range(ct)
				if r := ref.GIDRanges[ct.String()]; r != [2]int{s, e} {
					t.Errorf("%s gids [%d,%d), hnn-core %v", ct, s, e, r)
				}
			}
			for i, d := range n.Drives {
				s, e := n.DriveRange(i)
				if r := ref.GIDRanges[d.Name]; r != [2]int{s, e} {
					t.Errorf("%s gids [%d,%d), hnn-core %v", d.Name, s, e, r)
				}
				got, err := n.DriveEventTimes(i, 0, 170)
				if err != nil {
					t.Fatal(err)
				}
				want := ref.Events[d.Name]
				if len(got) != len(want) {
					t.Fatalf("%s: %d drive cells, hnn-core %d", d.Name, len(got), len(want))
				}
				for k := range want {
					if len(got[k]) != len(want[k]) {
						t.Fatalf("%s cell %d: %v, hnn-core %v", d.Name, k, got[k], want[k])
					}
					for j := range want[k] {
						if got[k][j] != want[k][j] {
							t.Fatalf("%s cell %d event %d: %.17g, hnn-core %.17g", d.Name, k, j, got[k][j], want[k][j])
						}
					}
				}
			}
		})
	}
}

func TestDriveEventsTrialSeedOffset(t *testing.T) {
	n := erpNetwork(t, 3)
	ev0, _ := n.DriveEventTimes(1, 0, 170)
	ev1, _ := n.DriveEventTimes(1, 1, 170)
	// Trial 1 of drive cell k uses seed event_seed + NumGIDs + k, which is
	// trial 0's seed of drive cell k + NumGIDs; check against a direct draw.
	d := n.Drives[1]
	want := NewRandomState(uint32(d.EventSeed)+uint32(n.NumGIDs())).Normal(d.Mu, d.Sigma)
	if len(ev1[0]) != 1 || ev1[0][0] != want {
		t.Errorf("trial 1 event %v, want %v", ev1[0], want)
	}
	if ev0[0][0] == ev1[0][0] {
		t.Errorf("trials 0 and 1 gave the same event")
	}
}

func TestPoissonDriveEvents(t *testing.T) {
	col, _ := NewColumn(3, 3)
	d := PoissonEveryCell(10, 1e-3, 0, 7)
	d.RateConstant = map[neuron.CellType]float64{neuron.L2Basket: 5, neuron.L2Pyramidal: 10, neuron.L5Basket: 20, neuron.L5Pyramidal: 40}
	n, err := NewNetwork(col, nil, []Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	const tstop = 2000.0
	ev, err := n.DriveEventTimes(0, 0, tstop)
	if err != nil {
		t.Fatal(err)
	}
	var count [neuron.NumCellTypes]int
	for k, times := range ev {
		ct := n.Column.Cells[k].Type // cell-specific: offset k targets gid k here
		count[ct] += len(times)
		for j, tt := range times {
			if tt <= 0 || tt >= tstop || (j > 0 && tt <= times[j-1]) {
				t.Fatalf("cell %d: bad event sequence %v", k, times)
			}
		}
		// Reproduce the first interval by hand.
		if len(times) > 0 {
			rate := d.RateConstant[ct]
			want := NewRandomState(uint32(7+k)).Exponential(1/rate) * 1000
			if times[0] != want {
				t.Fatalf("cell %d first event %v, want %v", k, times[0], want)
			}
		}
	}
	for _, ct := range neuron.CellTypes {
		expect := d.RateConstant[ct] * tstop / 1000 * float64(n.Column.Count(ct))
		if math.Abs(float64(count[ct])-expect) > 5*math.Sqrt(expect) {
			t.Errorf("%s: %d events, expected about %.0f", ct, count[ct], expect)
		}
	}
}

func TestBurstyDriveEvents(t *testing.T) {
	col, _ := NewColumn(3, 3)
	d := NewBurstyDrive("alpha_prox", neuron.Proximal, 50, 10, 20)
	d.NDriveCells = 10
	d.EventSeed = 284
	d.SetTarget(neuron.L2Pyramidal, 5.4e-5, -1, 0.1)
	d.SetTarget(neuron.L5Pyramidal, 5.4e-5, -1, 1.0)
	n, err := NewNetwork(col, nil, []Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := n.DriveEventTimes(0, 0, 310)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 10 {
		t.Fatalf("%d drive cells, want 10", len(ev))
	}
	// Burst centres 50, 150, 250; each jittered then split into a doublet
	// 10 ms apart.
	prng := NewRandomState(284 + 3)
	var want []float64
	var c [3]float64
	for i := range c {
		c[i] = prng.Normal(50+100*float64(i), 20)
	}
	for _, off := range []float64{-5, 5} {
		for _, ci := range c {
			if v := ci + off; v > 0 && v <= 310 {
				want = append(want, v)
			}
		}
	}
	sortFloats(want)
	if fmt.Sprint(ev[3]) != fmt.Sprint(want) {
		t.Errorf("drive cell 3 events %v, want %v", ev[3], want)
	}
}

func sortFloats(x []float64) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func TestDriveValidation(t *testing.T) {
	base := ERPDrives()[0]
	cases := []struct {
		name   string
		edit   func(d *Drive)
		errSub string
	}{
		{"distal L5 basket", func(d *Drive) { d.SetTarget(neuron.L5Basket, 0.1, -1, 0.1) }, "L5_basket"},
		{"no targets", func(d *Drive) { d.WeightsAMPA, d.WeightsNMDA = nil, nil }, "no target"},
		{"negative sigma", func(d *Drive) { d.Sigma = -1 }, "sigma"},
		{"missing delay", func(d *Drive) { delete(d.SynapticDelays, neuron.L2Basket) }, "delay"},
		{"ampa on pyramidal soma", func(d *Drive) { d.Location = neuron.SecSoma }, "no ampa synapse"},
		{"bad seed", func(d *Drive) { d.EventSeed = -3 }, "event_seed"},
		{"bad type", func(d *Drive) { d.Type = "gamma" }, "unknown drive type"},
	}
	for _, c := range cases {
		d := base.Clone()
		c.edit(&d)
		err := d.Validate()
		if err == nil || !strings.Contains(err.Error(), c.errSub) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.errSub)
		}
	}
	if err := base.Validate(); err != nil {
		t.Errorf("ERP drive invalid: %v", err)
	}
}

// With tstart_std > 0 every drive cell starts from the same jittered time,
// drawn from the generator seeded with the drive's base seed.
func TestBurstyDriveSharedStartJitter(t *testing.T) {
	col, _ := NewColumn(3, 3)
	d := NewBurstyDrive("beta", neuron.Distal, 50, 1, 10)
	d.TStartStd, d.NumSpikes, d.TStop, d.NDriveCells, d.EventSeed = 5, 1, 300, 3, 290
	d.SetTarget(neuron.L2Pyramidal, 8e-5, -1, 0.5)
	n, err := NewNetwork(col, nil, []Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := n.DriveEventTimes(0, 0, 400)
	if err != nil {
		t.Fatal(err)
	}
	t0 := NewRandomState(290).Normal(50, 5)
	for k := range 3 {
		// One burst (rate 1 Hz, window ending at 300 ms), one spike.
		want := NewRandomState(uint32(290+k)).Normal(t0, 10)
		if len(ev[k]) != 1 || ev[k][0] != want {
			t.Errorf("drive cell %d: %v, want [%v]", k, ev[k], want)
		}
	}
}

func TestSpikeTrainDrive(t *testing.T) {
	col, _ := NewColumn(3, 3)
	d := NewSpikeTrainDrive("replay", neuron.Proximal, [][]float64{{30, 10, -1, 20}, {500, 5}})
	d.SetTarget(neuron.L5Pyramidal, 0.001, 0.002, 1)
	n, err := NewNetwork(col, nil, []Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := n.DriveEventTimes(0, 3, 100)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ev) != "[[10 20 30] [5]]" {
		t.Errorf("events %v: want the given times, sorted, within (0, 100]", ev)
	}
	// All-to-all: 2 drive cells × 9 L5 pyramidal cells × (AMPA, NMDA).
	conns := n.DriveConnections(0)
	if len(conns) != 2*9*2 {
		t.Errorf("%d connections, want 36", len(conns))
	}
	s, _ := n.DriveRange(0)
	for _, c := range conns {
		if c.Src != s && c.Src != s+1 || n.Column.Cells[c.Tgt].Type != neuron.L5Pyramidal {
			t.Fatalf("bad connection %+v", c)
		}
	}
}
