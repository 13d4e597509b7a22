package neuron

import (
	"math"
	"testing"
)

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

// TestTemplateGeometry checks nseg, segment areas and half-segment resistances against the
// spec's tables (section 4.3) and the normalised 3-D points (section 3.6).
func TestTemplateGeometry(t *testing.T) {
	type row struct {
		sec   string
		nseg  int
		area  float64
		rHalf float64
	}
	tables := map[CellType][]row{
		L2Pyramidal: {{"soma", 1, 1624.64, 0.0513891}, {"apical_1", 7, 560.317, 3.34359}, {"basal_2", 5, 435.802, 8.77693}},
		L5Pyramidal: {{"soma", 1, 3540.89, 0.0594537}, {"apical_trunk", 3, 1089.5, 0.416091}, {"apical_2", 13, 810.144, 2.7402},
			{"apical_tuft", 9, 504.4, 5.20114}, {"basal_3", 5, 1361.88, 0.898757}},
		L5Basket: {{"soma", 1, 2450.44, 0.124141}},
	}
	for typ, rows := range tables {
		d, err := Template(typ)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			i, err := d.Section(r.sec)
			if err != nil {
				t.Fatal(err)
			}
			s := d.Sections[i]
			area := math.Pi * s.Diam * s.L / float64(s.Nseg)
			rh := s.Ra * (s.L / (2 * float64(s.Nseg))) * 4e-2 / (math.Pi * s.Diam * s.Diam)
			if s.Nseg != r.nseg || !near(area, r.area, 1e-5) || !near(rh, r.rHalf, 1e-5) {
				t.Errorf("%s %s: nseg %d area %v rHalf %v, want %d %v %v", typ, r.sec, s.Nseg, area, rh, r.nseg, r.area, r.rHalf)
			}
		}
	}
	d, _ := Template(L2Pyramidal)
	want := map[string][2]Point3{
		"apical_oblique": {{0, 0, 81.6}, {-340, 0, 81.6}},
		"apical_tuft":    {{0, 0, 387.6}, {0, 0, 625.6}},
		"basal_3":        {{0, 0, -85}, {180.3122292, 0, -265.3122292}},
	}
	for name, w := range want {
		i, _ := d.Section(name)
		s := d.Sections[i]
		for k, p := range []Point3{s.Start, s.End} {
			q := w[k]
			if math.Abs(p.X-q.X) > 1e-6 || math.Abs(p.Y-q.Y) > 1e-6 || math.Abs(p.Z-q.Z) > 1e-6 {
				t.Errorf("%s point %d = %v, want %v", name, k, p, q)
			}
		}
	}
	if c := d.Sections[7].cosTheta(); math.Abs(c+math.Sqrt2/2) > 1e-12 {
		t.Errorf("basal_3 cos θ = %v", c)
	}
}

// TestArGradient checks L5's distance-dependent ar gbar against spec section 5.3.
func TestArGradient(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	want := map[string][]float64{
		"apical_trunk": {1.182937e-06, 1.309964e-06, 1.450633e-06},
		"apical_tuft":  {9.691491e-05, 1.116646e-04, 1.286592e-04, 1.482401e-04, 1.708011e-04, 1.967958e-04, 2.267467e-04, 2.612558e-04, 3.010170e-04},
		"basal_1":      {1.135985e-06},
		"basal_2":      {1.393056e-06, 1.623363e-06, 1.891746e-06, 2.204498e-06, 2.568957e-06},
	}
	for name, w := range want {
		i, _ := d.Section(name)
		got := d.Sections[i].Mech.Ar.SegGBar
		for k := range w {
			if !near(got[k], w[k], 1e-6) {
				t.Errorf("%s seg %d: gbar_ar %v, want %v", name, k, got[k], w[k])
			}
		}
	}
	if d.Sections[0].Mech.Ar.SegGBar != nil || d.Sections[0].Mech.Ar.GBar != 1e-6 {
		t.Error("soma ar gbar must stay 1e-6")
	}
}

// TestInitialStates checks finitialize's gating states against NEURON's values (spec 7).
func TestInitialStates(t *testing.T) {
	c, err := NewType(L5Pyramidal, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{ // hh2 m, h, n, km n, ca m, ca h, cat h
		"soma":        {0.02252347521, 0.8045789773, 0.2178420566, 0.00933269699, 2.290696276e-05, 0.6645120607, 0.1192354837},
		"apical_2":    {0.03239419293, 0.7280901486, 0.2574333241, 0.01284595874, 5.429186294e-05, 0.630296682, 0.06122633705},
		"apical_tuft": {0.04027645065, 0.6734388684, 0.2831287669, 0.01562939482, 9.297356127e-05, 0.6088672689, 0.04012510027},
	}
	vars := []string{"hh2.m", "hh2.h", "hh2.n", "km.n", "ca.m", "ca.h", "cat.h"}
	for sec, w := range want {
		for k, v := range vars {
			r, err := c.Ref(Probe{Section: sec, X: 0.5, Var: v})
			if err != nil {
				t.Fatal(err)
			}
			if !near(*r, w[k], 1e-8) {
				t.Errorf("%s %s = %.10g, want %.10g", sec, v, *r, w[k])
			}
		}
	}
	for v, w := range map[string]float64{"kca.n": 4.999750012e-5, "cat.m": 0, "ar.m": 0.25, "cai": 1e-4, "eca": 132.32668565108486} {
		r, err := c.Ref(Probe{Section: "apical_1", X: 0.3, Var: v})
		if err != nil {
			t.Fatal(err)
		}
		if !near(*r, w, 1e-9) {
			t.Errorf("%s = %.12g, want %.12g", v, *r, w)
		}
	}
	tb := tablesFor(37)
	if tb.q10HH2 != 1 || !near(tb.tadj, 0.2488367461978179, 1e-15) {
		t.Errorf("temperature factors q10 %v tadj %v", tb.q10HH2, tb.tadj)
	}
	if !near(ktf(37), 26.723249754011775, 1e-15) {
		t.Errorf("ktf = %v", ktf(37))
	}
}

// TestExp2SynFactor checks NEURON's Exp2Syn normalisation (spec 8.2) and that a single event
// of weight w peaks at w µS.
func TestExp2SynFactor(t *testing.T) {
	for _, c := range []struct{ tau1, tau2, f float64 }{
		{0.5, 5, 1.435055183349871}, {1, 20, 1.2323999091818731}, {45, 200, 1.9896392539612353}, {0.5, 2, 2.1165347359575994},
	} {
		f, _ := exp2synFactor(c.tau1, c.tau2)
		if !near(f, c.f, 1e-14) {
			t.Errorf("factor(%v, %v) = %v, want %v", c.tau1, c.tau2, f, c.f)
		}
	}
	cfg := DefaultConfig()
	cfg.Dt = 0.001
	cell, _ := NewType(L5Pyramidal, cfg)
	id, _ := cell.Synapse("apical_tuft", NMDA)
	if err := cell.Deliver(id, 0, 0.003); err != nil {
		t.Fatal(err)
	}
	peak := 0.0
	for k := 0; k < 10000; k++ {
		cell.Advance()
		peak = math.Max(peak, cell.SynapseConductance(id))
	}
	if !near(peak, 0.003, 1e-6) {
		t.Errorf("peak conductance %v µS, want 0.003", peak)
	}
}

// TestChannelsAndMorphologyEdits checks the channel lists and that a changed morphology can
// be made consistent again (nseg rule, ar gradient) and simulated.
func TestChannelsAndMorphologyEdits(t *testing.T) {
	for typ, n := range map[CellType]int{L2Pyramidal: 30, L5Pyramidal: 34, L2Basket: 3, L5Basket: 3} {
		d, _ := Template(typ)
		if got := len(d.Channels()); got != n {
			t.Errorf("%s: %d channels, want %d", typ, got, n)
		}
	}
	d, _ := Template(L5Pyramidal)
	i, _ := d.Section("apical_1")
	d.Sections[i].L = 400
	d.ApplyNsegRule()
	if d.Sections[i].Nseg != 9 {
		t.Fatalf("nseg %d, want 9", d.Sections[i].Nseg)
	}
	if d.Sections[i].Mech.Ar.SegGBar != nil {
		t.Fatal("stale ar gradient kept")
	}
	d.Sections[i].Mech.Ar.SegGBar = []float64{1, 2}
	if err := d.Validate(); err == nil {
		t.Fatal("ar gradient of the wrong length accepted")
	}
	d.SetArGradient(1e-6, 0.003)
	j, _ := d.Section("apical_tuft")
	if got, want := d.PathStarts()[j], 39.0+102+400+680; got != want {
		t.Fatalf("tuft path start %v, want %v", got, want)
	}
	if _, err := New(d, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
}
