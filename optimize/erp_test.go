package optimize

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
)

type erpGolden struct {
	DT     float64
	Trials [][]float64
	Cases  []struct {
		Name                 string
		TStart, TStop, Scale float64
		SmoothMS             float64   `json:"smooth_ms"`
		ExpTimes             []float64 `json:"exp_times"`
		Exp                  []float64
		RMSE, Anticorr       float64
		Compared             int
	}
}

func readERPGolden(t *testing.T) *erpGolden {
	b, err := os.ReadFile("testdata/erp/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g erpGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func aggOnly(times, agg []float64) network.Dipole {
	nan := make([]float64, len(times))
	for i := range nan {
		nan[i] = math.NaN()
	}
	return network.Dipole{Times: times, Agg: agg, L2: nan, L5: nan}
}

// TestERPMatchesHNNCore compares the ERP losses with hnn-core's
// preprocessing and metrics run on numpy/scipy (testdata/erp/make_golden.py):
// a target finer than the simulation, coarser, on the same grid, and a
// window past the simulation's end.
func TestERPMatchesHNNCore(t *testing.T) {
	g := readERPGolden(t)
	steps := len(g.Trials[0])
	var flat []float64
	for _, tr := range g.Trials {
		flat = append(flat, tr...)
	}
	for _, c := range g.Cases {
		for _, m := range []ERPMetric{ERPRMSE, ERPCorrelation} {
			cfg := ERPConfig{Target: aggOnly(c.ExpTimes, c.Exp), Metric: m, Scale: c.Scale, SmoothMS: c.SmoothMS, TStart: c.TStart, TStop: c.TStop, NoBaseline: true}
			e, err := NewERPObjective[float64](cfg, steps, g.DT, 0)
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if e.Compared != c.Compared {
				t.Errorf("%s: %d samples compared, hnn-core %d", c.Name, e.Compared, c.Compared)
			}
			tp := autograd.NewTape[float64]()
			l, err := e.LossOfDipole(tp, autograd.MustNew(append([]float64(nil), flat...), len(g.Trials), steps))
			if err != nil {
				t.Fatal(err)
			}
			want := c.RMSE
			if m == ERPCorrelation {
				want = c.Anticorr
			}
			if got := l.Data[0]; math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("%s %s: %v, hnn-core %v", c.Name, m, got, want)
			}
		}
	}
}

func TestERPGradient(t *testing.T) {
	g := readERPGolden(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const steps, reps = 60, 2
	x := make([]float64, reps*steps)
	for i := range x {
		x[i] = 0.01 * rng.NormFloat64()
	}
	for _, ci := range []int{0, 1} {
		c := g.Cases[ci]
		for _, m := range []ERPMetric{ERPRMSE, ERPCorrelation} {
			cfg := ERPConfig{Target: aggOnly(c.ExpTimes, c.Exp), Metric: m, Scale: c.Scale, SmoothMS: c.SmoothMS, TStart: 3, TStop: 25}
			e, err := NewERPObjective[float64](cfg, steps, g.DT, 10)
			if err != nil {
				t.Fatal(err)
			}
			err = autograd.CheckGradient(func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
				l, err := e.LossOfDipole(tp, in[0])
				if err != nil {
					t.Fatal(err)
				}
				return l
			}, []*autograd.Tensor[float64]{autograd.MustNew(append([]float64(nil), x...), reps, steps)}, autograd.GradCheckOptions{Eps: 1e-6, Rtol: 1e-5, Atol: 1e-8, Seed: 3})
			if err != nil {
				t.Errorf("%s %s: %v", c.Name, m, err)
			}
		}
	}
}

// TestERPBaseline checks that a zero raw dipole is compared as hnn-core's
// renormalised one: the offsets of network.RenormaliseHNN, scaled.
func TestERPBaseline(t *testing.T) {
	const steps, dt, nPyr, scale = 100, 0.5, 10, 3000.0
	times := make([]float64, steps)
	for m := range times {
		times[m] = float64(m+1) * dt
	}
	zero := make([]float64, steps)
	ref := network.RenormaliseHNN(network.Dipole{Times: times, Agg: zero, L2: zero, L5: zero}, nPyr).Scale(scale)
	// The target is the renormalised zero dipole itself: RMSE 0.
	e, err := NewERPObjective[float64](ERPConfig{Target: ref, Scale: scale, Signal: DipoleL5}, steps, dt, nPyr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.LossOfDipole(autograd.NewTape[float64](), autograd.Zeros[float64](1, steps))
	if err != nil || l.Data[0] > 1e-9 {
		t.Errorf("RMSE of the renormalised zero dipole against itself: %v, %v", l.Data[0], err)
	}
	e, _ = NewERPObjective[float64](ERPConfig{Target: ref, Scale: scale, Signal: DipoleL5, NoBaseline: true}, steps, dt, nPyr)
	if l, _ := e.LossOfDipole(autograd.NewTape[float64](), autograd.Zeros[float64](1, steps)); l.Data[0] < 1 {
		t.Errorf("without the baseline the zero dipole still fits: RMSE %v", l.Data[0])
	}
}

func TestERPConfigErrors(t *testing.T) {
	tt := []float64{0, 1, 2, 3, 4, 5}
	good := aggOnly(tt, []float64{0, 1, 0, 1, 0, 1})
	for _, c := range []struct {
		cfg ERPConfig
		msg string
	}{
		{ERPConfig{Target: good, TStart: 3, TStop: 2}, "start must be below stop"},
		{ERPConfig{Target: good, SmoothMS: -1}, "smoothing window"},
		{ERPConfig{Target: good, SmoothMS: 0.5}, "at least 1 ms"},
		{ERPConfig{Target: good, Scale: math.Inf(1)}, "scale"},
		{ERPConfig{Target: good, Signal: DipoleL2}, "missing or not finite"},
		{ERPConfig{Target: aggOnly(tt, []float64{1, 1, 1, 1, 1, 1}), Metric: ERPCorrelation}, "constant"},
		{ERPConfig{Target: aggOnly([]float64{100, 101, 102}, []float64{1, 2, 3})}, "must overlap"},
		{ERPConfig{Target: network.Dipole{Times: tt}}, "target has 6 times"},
	} {
		if _, err := NewERPObjective[float64](c.cfg, 20, 0.5, 10); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.msg)
		}
	}
	if _, err := ParseERPMetric("mse"); err == nil {
		t.Error("metric mse accepted")
	}
}
