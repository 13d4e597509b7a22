package recovery

import (
	"math"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network/snn"
)

// tiny is a configuration that runs in a few seconds: a 3x3 mesh (24
// cells), 40 ms (the first proximal drive only), two trials, two epochs,
// three search evaluations.
func tiny(seed uint64) Config {
	return Config{Seed: seed, MeshX: 3, MeshY: 3, TStop: 40, Trials: 2, Epochs: 2, Budget: 3}
}

func TestRunTiny(t *testing.T) {
	models, err := snn.ShippedCells[float32]()
	if err != nil {
		t.Fatal(err)
	}
	cfg := tiny(7)
	var lines int
	cfg.Progress = func(string) { lines++ }
	r, err := Run(cfg, models)
	if err != nil {
		t.Fatal(err)
	}
	if lines == 0 {
		t.Error("no progress reported")
	}
	c := r.Config
	if want := c.Trials * (3 + c.Budget); r.BioSimulations != want {
		t.Errorf("%d biophysical simulations, want %d", r.BioSimulations, want)
	}
	if len(r.Search) != c.Budget || len(r.Epochs) != c.Epochs || len(r.Params) != len(DefaultParams()) {
		t.Fatalf("%d evaluations, %d epochs, %d parameters", len(r.Search), len(r.Epochs), len(r.Params))
	}
	moved := false
	for _, p := range r.Params {
		for what, v := range map[string]float64{"true": p.True, "fitted": p.Fitted, "search": p.Search} {
			if e := math.Abs(math.Log10(v / p.Default)); !(e <= c.Span+1e-6) {
				t.Errorf("%s: %s value %v is %v decades from the default %v, beyond the span %v", p.Name, what, v, e, p.Default, c.Span)
			}
		}
		if p.ErrDefault == 0 {
			t.Errorf("%s: the true value is the default", p.Name)
		}
		moved = moved || p.Fitted != p.Default
	}
	if !moved {
		t.Error("the surrogate fit moved no parameter")
	}
	for k, ev := range r.Search {
		if ev.Eval != k+1 || ev.Best > ev.Loss || (k > 0 && ev.Best > r.Search[k-1].Best) || !(ev.Loss > 0) {
			t.Errorf("evaluation %d: %+v", k+1, ev)
		}
	}
	if got := compare(r.BioSearchERP, r.Target).RMSE; math.Abs(got-r.Search[len(r.Search)-1].Best) > 1e-12 {
		t.Errorf("search ERP's RMSE %v, best evaluation %v", got, r.Search[len(r.Search)-1].Best)
	}
	if len(r.Times) != len(r.Target) || len(r.BioFittedERP) != len(r.Target) || len(r.SurrogateFittedERP) != len(r.SurrogateTarget) || len(r.SurrogateTimes) == 0 {
		t.Error("ERP series of different lengths")
	}
	if !(r.BioInitial.RMSE > 0) || !(r.SurrogateInitial.RMSE > 0) {
		t.Errorf("initial RMSEs %v (biophysical), %v (surrogate)", r.BioInitial.RMSE, r.SurrogateInitial.RMSE)
	}
}

// TestCompare checks the RMSE and correlation of two series.
func TestCompare(t *testing.T) {
	a := []float64{1, 2, 3, 4}
	if m := compare(a, a); m.RMSE != 0 || math.Abs(m.Corr-1) > 1e-12 {
		t.Errorf("self: %+v", m)
	}
	if m := compare([]float64{2, 3, 4, 5}, a); math.Abs(m.RMSE-1) > 1e-12 {
		t.Errorf("offset 1: %+v", m)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Trials = -1 }, "trials"},
		{func(c *Config) { c.Span = math.NaN() }, "span"},
		{func(c *Config) { c.Span = 3 }, "span"},
		{func(c *Config) { c.Dt = 0.5 }, "dt"},
		{func(c *Config) { c.Search = "bayes" }, "search"},
		{func(c *Config) { c.Budget = -2 }, "budget"},
		{func(c *Config) { c.SmoothMS = 500 }, "smooth"},
		{func(c *Config) { c.MeshX = -1 }, "mesh"},
		{func(c *Config) { c.LR = math.Inf(1) }, "lr"},
	} {
		cfg := Config{}.WithDefaults()
		c.mod(&cfg)
		if err := cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("want an error naming %s, got %v", c.want, err)
		}
	}
	if err := (Config{}).WithDefaults().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestCheckParams(t *testing.T) {
	if err := CheckParams(DefaultParams()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"evprox1_ampa_L2_pyramidal", "evprox1_ampa_L2_pyramidal"}, "given twice"},
		{[]string{"evprox9_ampa_L2_pyramidal"}, "evprox9_ampa_L2_pyramidal"},
		{[]string{"evprox1_nmda_L2_pyramidal"}, "evprox1_nmda_L2_pyramidal"}, // no NMDA weight
		{[]string{"evprox1_mu"}, "only drive weights and class gains"},
	} {
		if err := CheckParams(c.names); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want an error with %q, got %v", c.names, c.want, err)
		}
	}
}
