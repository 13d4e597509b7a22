package batch

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyKindRunsAndChecks(t *testing.T) {
	k, err := LookupKind("verify")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ spec, path, msg string }{
		{`{"kind": "verify", "grid": {"nseeds": [0]}}`, "$.grid.nseeds[0]", "must be >= 1"},
		{`{"kind": "verify", "grid": {"seed": [-1]}}`, "$.grid.seed[0]", "must be >= 0"},
		{`{"kind": "verify", "jobs": [{"mesh": "0x3"}]}`, "$.jobs[0].mesh", "NXxNY"},
		{`{"kind": "verify", "jobs": [{"dt": 0}]}`, "$.jobs[0].dt", "positive"},
		{`{"kind": "verify", "jobs": [{"initial": "/nonexistent.json"}]}`, "$.jobs[0].initial", "no such file"},
	} {
		s, err := ParseSpec([]byte(c.spec))
		if err == nil {
			_, err = s.Plan("test")
		}
		if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %s and %q", c.spec, err, c.path, c.msg)
		}
	}
	st := k.NewSettings().(*verifySettings)
	st.Mesh, st.TStop, st.Warmup, st.NSeeds, st.Surrogate, st.Gains = "2x2", 60, 10, 2, true, "L5Pyr_L5Pyr_ampa_proximal=2"
	st.Models = "random"
	if err := k.Check(st); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := k.Run(context.Background(), st, &Env{Dir: dir, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, fig := range f {
		got[fig.Name] = float64(fig.Value)
	}
	for _, name := range []string{"biophysical_initial_nAm2", "biophysical_optimized_nAm2", "biophysical_ratio", "surrogate_ratio", "surrogate_over_biophysical_initial", "rate_L5Pyr_hz"} {
		v, ok := got[name]
		if !ok || math.IsNaN(v) {
			t.Errorf("figure %s = %v (present %v)", name, v, ok)
		}
	}
	if r := got["biophysical_optimized_nAm2"] / got["biophysical_initial_nAm2"]; math.Abs(r-got["biophysical_ratio"]) > 1e-9*r {
		t.Errorf("ratio %v, want optimized/initial %v", got["biophysical_ratio"], r)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "verify.json")); err != nil || !strings.Contains(string(b), `"seeds": [`) {
		t.Errorf("verify.json: %v, %.200s", err, b)
	}
}
