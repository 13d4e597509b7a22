package neuron

import (
	"math"
	"testing"
)

// TestEventTiming checks NEURON's delivery rule: an event with time T takes effect before
// the step starting at t_m with t_m - dt/2 < T <= t_m + dt/2.
func TestEventTiming(t *testing.T) {
	for _, c := range []struct {
		T     float64
		first int // index m of the step whose start applies the event
	}{
		{0, 0}, {0.01, 0}, {0.0125, 0}, {0.0126, 1}, {10, 400}, {10.012, 400}, {10.0126, 401}, {1.0000000001 + 3, 160},
	} {
		cell, _ := NewType(L2Basket, DefaultConfig())
		id, err := cell.Synapse("soma", AMPA)
		if err != nil {
			t.Fatal(err)
		}
		if err := cell.Deliver(id, c.T, 0.001); err != nil {
			t.Fatal(err)
		}
		applied := -1
		for m := 0; m < c.first+3; m++ {
			cell.Step()
			if cell.SynapseConductance(id) > 0 {
				applied = m
				break
			}
		}
		if applied != c.first {
			t.Errorf("event at %v ms applied at step %d, want %d", c.T, applied, c.first)
		}
	}
}

// TestLockStepMatchesRun checks that advancing cells with CheckThreshold+Advance and events
// delivered through group synapses reproduces Run with per-input synapses.
func TestLockStepMatchesRun(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	times := []float64{5, 7.5, 12.3, 30}
	spec := RunSpec{Desc: d, TStop: 60, Probes: []Probe{{Section: "soma", X: 0.5}}}
	for _, s := range d.Groups[Proximal] {
		spec.Inputs = append(spec.Inputs, Input{Section: s, Receptor: AMPA, WeightUS: 0.004, DelayMS: 1, TimesMS: times})
	}
	res, err := Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	cell, _ := New(d, DefaultConfig())
	cell.SetPosition(Point3{3, 4, 0})
	ids, err := cell.GroupSynapses(Proximal, AMPA)
	if err != nil || len(ids) != 3 {
		t.Fatalf("proximal synapses %v, %v", ids, err)
	}
	for _, ts := range times {
		for _, id := range ids {
			if err := cell.Deliver(id, ts+1, 0.004); err != nil {
				t.Fatal(err)
			}
		}
	}
	var spikes []float64
	for k := 1; k < len(res.T); k++ {
		if s, ts := cell.CheckThreshold(); s {
			spikes = append(spikes, ts)
		}
		cell.Advance()
		if cell.VSoma() != res.Traces[0][k] || cell.Dipole() != res.Dipole[k] {
			t.Fatalf("step %d: v %v dipole %v, Run gives %v %v", k, cell.VSoma(), cell.Dipole(), res.Traces[0][k], res.Dipole[k])
		}
	}
	if len(spikes) == 0 || len(spikes) != len(res.Spikes) {
		t.Fatalf("spikes %v, Run gives %v", spikes, res.Spikes)
	}
	// Reset reproduces the start state.
	cell.Reset()
	if cell.T() != 0 || cell.VSoma() != -72 || cell.Dipole() != 0 || cell.PendingEvents() != 0 {
		t.Fatal("Reset did not restore the initial state")
	}
}

// TestRunManyDeterministic checks that parallel runs equal sequential ones.
func TestRunManyDeterministic(t *testing.T) {
	var specs []RunSpec
	for seed := uint64(1); seed <= 6; seed++ {
		d, _ := Template(CellTypes[seed%4])
		specs = append(specs, RunSpec{Desc: d, TStop: 30, RecordEvery: 4, Probes: SectionProbes(d),
			Inputs: ampaPoissonInputs(d, seed, 100, 0.003, 30)})
	}
	par, err := RunMany(specs, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		seq, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(seq.T) != 30/0.025/4+1 {
			t.Fatalf("%d samples with record-every 4", len(seq.T))
		}
		for p := range seq.Traces {
			for k := range seq.T {
				if seq.Traces[p][k] != par[i].Traces[p][k] {
					t.Fatalf("run %d probe %d sample %d differs", i, p, k)
				}
			}
		}
	}
}

// TestErrors checks that bad user input is reported as an error.
func TestErrors(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	cell, _ := New(d, DefaultConfig())
	id, _ := cell.Synapse("apical_tuft", AMPA)
	bad := map[string]error{}
	_, bad["unknown type"] = Template(CellType(7))
	_, bad["unknown section"] = cell.Synapse("axon", AMPA)
	_, bad["unknown receptor"] = cell.Synapse("soma", AMPA)
	_, bad["bad x"] = cell.AddSynapse("soma", 1.5, GABAA)
	_, bad["empty group"] = mustCell(t, L5Basket).GroupSynapses(Distal, AMPA)
	bad["negative weight"] = cell.Deliver(id, 1, -0.1)
	bad["NaN weight"] = cell.Deliver(id, 1, math.NaN())
	bad["negative time"] = cell.Deliver(id, -1, 0.1)
	bad["NaN time"] = cell.Deliver(id, math.NaN(), 0.1)
	bad["no synapse"] = cell.Deliver(99, 1, 0.1)
	_, bad["zero dt"] = New(d, Config{Dt: 0, Celsius: 37})
	_, bad["NaN dt"] = New(d, Config{Dt: math.NaN(), Celsius: 37})
	_, bad["tstop 0"] = Run(RunSpec{Desc: d, TStop: 0})
	_, bad["probe var"] = cell.Ref(Probe{Section: "soma", X: 0.5, Var: "foo"})
	_, bad["probe zero-area"] = cell.Ref(Probe{Section: "soma", X: 1, Var: "hh2.m"})
	d2 := d.Clone()
	d2.Sections[3].Parent = "nowhere"
	_, bad["bad parent"] = New(d2, DefaultConfig())
	d3 := d.Clone()
	d3.Sections[2].Mech.Ar.SegGBar = d3.Sections[2].Mech.Ar.SegGBar[:2]
	_, bad["bad seg array"] = New(d3, DefaultConfig())
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func mustCell(t *testing.T, typ CellType) *Cell {
	c, err := NewType(typ, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCloneIsDeep checks that modifying a clone leaves the template and built cells alone,
// and that a modified description changes the dynamics.
func TestCloneIsDeep(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	c := d.Clone()
	c.Sections[4].Mech.Ar.SegGBar[0] = 1
	c.Sections[0].Mech.HH2.GNaBar *= 2
	c.Groups[Proximal][0] = "soma"
	c.Sections[1].Synapses[0].Tau2 = 99
	if d.Sections[4].Mech.Ar.SegGBar[0] == 1 || d.Sections[0].Mech.HH2.GNaBar != 0.16 ||
		d.Groups[Proximal][0] != "apical_oblique" || d.Sections[1].Synapses[0].Tau2 != 5 {
		t.Fatal("Clone shares data with the original")
	}
	base, _ := Run(RunSpec{Desc: d, TStop: 5, Probes: []Probe{{Section: "soma", X: 0.5}}})
	mod := d.Clone()
	for i := range mod.Sections {
		mod.Sections[i].Mech.HH2.GL *= 3
	}
	alt, _ := Run(RunSpec{Desc: mod, TStop: 5, Probes: []Probe{{Section: "soma", X: 0.5}}})
	if base.Traces[0][200] == alt.Traces[0][200] {
		t.Fatal("changing gl did not change the trace")
	}
}

// TestTimeAccumulation checks that time advances as NEURON's does (two half steps per step):
// the last sample of a 170 ms run is 169.99999999998232 (spec section 10).
func TestTimeAccumulation(t *testing.T) {
	c := mustCell(t, L2Basket)
	for k := 0; k < Steps(170, 0.025); k++ {
		c.Advance()
	}
	if c.T() != 169.99999999998232 {
		t.Fatalf("t = %.17g, want 169.99999999998232", c.T())
	}
}
