package optimize

import (
	"math"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

func TestReadBounds(t *testing.T) {
	conn := network.DefaultConnectivity()
	drives := network.ERPDrives()
	ps, err := ReadBounds(strings.NewReader(`{
		"evprox2_ampa_L5_pyramidal": [0.01, 1.0],
		"evprox2_mu": [100, 130],
		"evdist1_sigma": [1, 10],
		"evdist1_nmda_L2_pyramidal": [0, 0.1],
		"L5Pyr_L5Pyr_ampa_proximal": [0.1, 10]
	}`), conn, drives)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		kind ParamKind
	}{{"evprox2_ampa_L5_pyramidal", ParamDriveWeight}, {"evprox2_mu", ParamDriveMu}, {"evdist1_sigma", ParamDriveSigma},
		{"evdist1_nmda_L2_pyramidal", ParamDriveWeight}, {"L5Pyr_L5Pyr_ampa_proximal", ParamGain}}
	if len(ps.Params) != len(want) {
		t.Fatalf("%d parameters", len(ps.Params))
	}
	for i, w := range want {
		if p := ps.Params[i]; p.Name != w.name || p.Kind != w.kind {
			t.Errorf("parameter %d: %s %s, want %s %s", i, p.Name, p.Kind, w.name, w.kind)
		}
	}
	if p := ps.Params[3]; p.CellType != neuron.L2Pyramidal || p.Receptor != neuron.NMDA || p.Drive != "evdist1" {
		t.Errorf("evdist1_nmda_L2_pyramidal resolved to %+v", p)
	}
	// Values, Apply and Project round trip on copies; the originals stay.
	cd, cc := CloneDrives(drives), conn.Clone()
	v, err := ps.Values(cc, cd)
	if err != nil {
		t.Fatal(err)
	}
	orig := append([]float64(nil), v...)
	for i := range v {
		v[i] = 2*v[i] + 1
	}
	if err := ps.Apply(v, cc, cd); err != nil {
		t.Fatal(err)
	}
	back, _ := ps.Values(cc, cd)
	for i := range v {
		if back[i] != v[i] {
			t.Errorf("%s: applied %v, read %v", ps.Params[i].Name, v[i], back[i])
		}
	}
	if again, _ := ps.Values(conn, drives); !equalFloats(again, orig) {
		t.Errorf("the originals changed: %v, were %v", again, orig)
	}
	clipped := ps.Project(v)
	for i, p := range ps.Params {
		if v[i] < p.Lo || v[i] > p.Hi {
			t.Errorf("%s: %v outside [%v, %v] after Project", p.Name, v[i], p.Lo, p.Hi)
		}
	}
	if len(clipped) == 0 {
		t.Error("nothing was clipped")
	}
	if err := ps.Apply([]float64{math.NaN(), 1, 1, 1, 1}, cc, cd); err == nil || !strings.Contains(err.Error(), "evprox2_ampa_L5_pyramidal") {
		t.Errorf("NaN value: %v", err)
	}
}

func TestReadBoundsErrors(t *testing.T) {
	conn := network.DefaultConnectivity()
	drives := network.ERPDrives()
	for _, c := range []struct{ json, msg string }{
		{`[]`, "want a JSON object"},
		{`{}`, "no parameters"},
		{`{"evprox2_mu": [130, 100]}`, "lo must be below hi"},
		{`{"evprox2_mu": [1, 2, 3]}`, "3 numbers"},
		{`{"evprox2_mu": "x"}`, "$.evprox2_mu: want [lo, hi]"},
		{`{"evprox2_mu": [1, 2], "evprox2_mu": [1, 3]}`, "given twice"},
		{`{"evprox9_mu": [1, 2]}`, "not a connection class"},
		{`{"evprox2_rate": [1, 2]}`, "no single Poisson rate"},
		{`{"evprox2_gaba_L5_pyramidal": [0, 1]}`, "receptor \"gaba\""},
		{`{"evprox2_ampa_L6_pyramidal": [0, 1]}`, "unknown cell type"},
		{`{"evdist1_ampa_L5_basket": [0, 1]}`, "no ampa weight onto L5_basket"},
		{`{"evprox2_sigma": [-1, 1]}`, "cannot be negative"},
		{`{"L5Pyr_L5Pyr_ampa_proximal": [0, 10]}`, "must be positive"},
		{`{"evprox2_mu": [1, 2]} {}`, "data after"},
	} {
		_, err := ReadBounds(strings.NewReader(c.json), conn, drives)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %q", c.json, err, c.msg)
		}
	}
}

// FuzzReadBounds: no input panics; what is accepted has valid bounds.
func FuzzReadBounds(f *testing.F) {
	f.Add([]byte(`{"evprox2_mu": [100, 130], "L5Pyr_L5Pyr_ampa_proximal": [0.1, 10]}`))
	f.Add([]byte(`{"evdist1_nmda_L2_pyramidal": [0, 1e-3]}`))
	f.Add([]byte(`{"x": [1e400, 2]}`))
	conn := network.DefaultConnectivity()
	drives := network.ERPDrives()
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ReadBounds(strings.NewReader(string(b)), conn, drives)
		if err != nil {
			return
		}
		for _, p := range ps.Params {
			if !(p.Lo < p.Hi) || math.IsInf(p.Hi, 0) || math.IsInf(p.Lo, 0) {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
