package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// junctionRun drives a whole cell of type ct for n steps with seeded Poisson events on
// every shared synapse and returns its soma trace, spikes, the events and, per junction,
// the boundary voltages after every step (index 0 is t = 0).
func junctionRun(t *testing.T, ct CellType, n int, js []*Junction) (soma []float64, spikes []float64, evs []junctionEvent, vb [][][]float64) {
	t.Helper()
	d, _ := Template(ct)
	c, err := New(d, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(ct.String()))))
	tstop := float64(n) * c.dt
	for _, ch := range d.Channels() {
		id, err := c.Synapse(ch.Section, ch.Receptor)
		if err != nil {
			t.Fatal(err)
		}
		w := 0.004
		if ch.Receptor == GABAA || ch.Receptor == GABAB {
			w = 0.002
			if ch.Section == "soma" {
				w = 0.02
			}
		}
		for tt := rng.ExpFloat64() * 25; tt < tstop; tt += rng.ExpFloat64() * 25 {
			if err := c.Deliver(id, tt, w); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, junctionEvent{ch.Section, ch.Receptor, tt, w})
		}
	}
	vb = make([][][]float64, len(js))
	record := func() {
		soma = append(soma, c.VSoma())
		for k, j := range js {
			vb[k] = append(vb[k], j.Read(c, nil))
		}
	}
	record()
	for i := 0; i < n; i++ {
		c.Step()
		record()
	}
	return soma, append([]float64(nil), c.Spikes()...), evs, vb
}

type junctionEvent struct {
	sec string
	r   Receptor
	t   float64
	w   float64
}

// somaReplay runs the junction's exact part with the recorded boundary voltages, taken at
// the end (lag 0) or the start (lag 1) of each step, and returns the soma trace.
func somaReplay(t *testing.T, j *Junction, evs []junctionEvent, vb [][]float64, lag int) ([]float64, []float64) {
	t.Helper()
	s, err := j.NewSomaCell(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if !s.Exact(e.sec) {
			continue
		}
		id, err := s.Synapse(e.sec, e.r)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Deliver(id, e.t, e.w); err != nil {
			t.Fatal(err)
		}
	}
	out := []float64{s.VSoma()}
	for i := 1; i < len(vb); i++ {
		s.Step(vb[i-lag])
		out = append(out, s.VSoma())
	}
	return out, append([]float64(nil), s.Spikes()...)
}

func TestJunctionTopology(t *testing.T) {
	for _, tc := range []struct {
		ct    CellType
		depth int
		want  []string // boundary sections and segments
	}{
		{L5Pyramidal, 0, []string{"apical_trunk 0 soma(1)", "basal_1 0 soma(0)"}},
		{L2Pyramidal, 0, []string{"apical_trunk 0 soma(1)", "basal_1 0 soma(0)"}},
		{L5Pyramidal, 1, []string{"apical_trunk 1 apical_trunk seg 0", "basal_2 0 basal_1(1)", "basal_3 0 basal_1(1)"}},
		{L2Pyramidal, 1, []string{"apical_1 0 apical_trunk(1)", "apical_oblique 0 apical_trunk(1)", "basal_2 0 basal_1(1)", "basal_3 0 basal_1(1)"}},
	} {
		d, _ := Template(tc.ct)
		j, err := NewJunction(d, tc.depth)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range j.Boundary {
			got = append(got, b.Section+" "+string(rune('0'+b.Seg))+" "+b.Attach)
			if !(b.G > 0) {
				t.Errorf("%s depth %d: %s: G = %v", tc.ct, tc.depth, b.Section, b.G)
			}
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s depth %d: boundary %q, want %q", tc.ct, tc.depth, got, tc.want)
		}
		for k := range got {
			if got[k] != tc.want[k] {
				t.Errorf("%s depth %d: boundary %d = %q, want %q", tc.ct, tc.depth, k, got[k], tc.want[k])
			}
		}
	}
}

// TestSomaCellExact: fed the whole cell's boundary voltages at the end of every step, the
// isolated exact part reproduces the whole cell's soma to rounding; fed the start-of-step
// values (explicit coupling) it does not.
func TestSomaCellExact(t *testing.T) {
	const n = 8000 // 200 ms
	for _, ct := range []CellType{L5Pyramidal, L2Pyramidal} {
		d, _ := Template(ct)
		j0, err := NewJunction(d, 0)
		if err != nil {
			t.Fatal(err)
		}
		j1, err := NewJunction(d, 1)
		if err != nil {
			t.Fatal(err)
		}
		soma, spikes, evs, vb := junctionRun(t, ct, n, []*Junction{j0, j1})
		if len(spikes) < 2 {
			t.Fatalf("%s: only %d spikes; the test wants a spiking cell", ct, len(spikes))
		}
		for k, j := range []*Junction{j0, j1} {
			for lag := 0; lag <= 1; lag++ {
				got, sp := somaReplay(t, j, evs, vb[k], lag)
				maxd := 0.0
				for i := range got {
					maxd = math.Max(maxd, math.Abs(got[i]-soma[i]))
				}
				t.Logf("%s depth %d, boundary at step %s: max |Δv_soma| = %.3g mV, spikes %d vs %d", ct, j.Depth, []string{"end", "start"}[lag], maxd, len(sp), len(spikes))
				if lag == 0 && (maxd > 1e-6 || len(sp) != len(spikes)) {
					t.Errorf("%s depth %d: exact replay differs by %.3g mV (%d vs %d spikes)", ct, j.Depth, maxd, len(sp), len(spikes))
				}
			}
		}
	}
}

// TestDendriteCellExact: with the whole cell's own exact-part voltages prescribed at the
// end of every step, the DendriteCell reproduces the whole cell's boundary voltages.
func TestDendriteCellExact(t *testing.T) {
	const n = 4000 // 100 ms
	for _, ct := range []CellType{L5Pyramidal, L2Pyramidal} {
		d, _ := Template(ct)
		j, err := NewJunction(d, 0)
		if err != nil {
			t.Fatal(err)
		}
		full, _ := New(d, DefaultConfig())
		den, err := j.NewDendriteCell(DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*Cell{full, den.Cell()} {
			for _, ch := range d.Channels() {
				id, _ := c.Synapse(ch.Section, ch.Receptor)
				rng := rand.New(rand.NewPCG(3, uint64(len(ch.Section))))
				for tt := rng.ExpFloat64() * 20; tt < 100; tt += rng.ExpFloat64() * 20 {
					_ = c.Deliver(id, tt, 0.004)
				}
			}
		}
		vE := make([]float64, j.ExactNodes())
		maxd := 0.0
		for i := 0; i < n; i++ {
			full.Step()
			for q, node := range j.exactFull {
				vE[q] = full.v[node]
			}
			den.Step(vE)
			a, b := j.Read(full, nil), den.Read(nil)
			for q := range a {
				maxd = math.Max(maxd, math.Abs(a[q]-b[q]))
			}
		}
		t.Logf("%s: max |Δv_boundary| = %.3g mV (%d spikes)", ct, maxd, len(full.Spikes()))
		if maxd > 1e-6 || len(full.Spikes()) == 0 {
			t.Errorf("%s: dendrite replay differs by %.3g mV (%d spikes)", ct, maxd, len(full.Spikes()))
		}
	}
}

// TestSaveRestore: a restored cell repeats its trajectory exactly.
func TestSaveRestore(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	c, _ := New(d, DefaultConfig())
	for _, ch := range d.Channels() {
		id, _ := c.Synapse(ch.Section, ch.Receptor)
		for tt := 1.0; tt < 60; tt += 3 + float64(len(ch.Section)%5) {
			_ = c.Deliver(id, tt, 0.004)
		}
	}
	for i := 0; i < 400; i++ {
		c.Step()
	}
	var s cellState
	c.save(&s)
	run := func() ([]float64, int) {
		var v []float64
		for i := 0; i < 1600; i++ {
			c.Step()
			v = append(v, c.VSoma())
		}
		return v, len(c.Spikes())
	}
	a, na := run()
	c.restore(&s)
	b, nb := run()
	if na != nb || na == s.nSpikes {
		t.Fatalf("spikes %d then %d (saved %d): want equal and more than saved", na, nb, s.nSpikes)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: %v then %v", i, a[i], b[i])
		}
	}
}
