package verify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/optimize"
	"github.com/neurograd/neurograd/verify"
)

// tinySurrogates returns small untrained surrogate models of the four cell
// types: enough to exercise the surrogate side of a verification.
func tinySurrogates(t *testing.T) *verify.SurrogateModels[float32] {
	t.Helper()
	var s verify.SurrogateModels[float32]
	arch := surrogate.Arch{ConvChannels: 4, ConvKernel: 2, Hidden: 4, Layers: 1, HeadHidden: 4}
	for _, ct := range neuron.CellTypes {
		m, err := surrogate.New[float32](ct, arch, uint64(ct)+1)
		if err != nil {
			t.Fatal(err)
		}
		s.Models[ct] = snn.CellOf[float32, *surrogate.State[float32]](m)
	}
	return &s
}

// tinyVerifyOptions is a verification of a 2x2-mesh column (12 cells) for
// 60 ms with a strong Poisson drive, small enough for a unit test.
func tinyVerifyOptions(t *testing.T) verify.Options {
	t.Helper()
	col, err := network.NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	opt := network.DefaultConnectivity()
	for i := range opt.Classes {
		opt.Classes[i].Gain = 1 + 0.5*float64(i%3)
	}
	return verify.Options{
		Column:    col,
		Initial:   network.DefaultConnectivity(),
		Optimized: opt,
		Drives:    []network.Drive{network.PoissonEveryCell(80, 0.004, 0, 2)},
		Seeds:     []int{11, 12},
		TStop:     60,
		// 25 Hz bins: 25 and 50 Hz fall in the band.
		Objective: optimize.ObjectiveConfig{Warmup: 10, Resolution: 25},
	}
}

func TestVerifyTinyNetwork(t *testing.T) {
	opts := tinyVerifyOptions(t)
	opts.Surrogate = tinySurrogates(t)
	var lines []string
	opts.Progress = func(s string) { lines = append(lines, s) }
	rep, err := verify.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 8 {
		t.Errorf("%d progress lines, want 8 (2 conditions x 2 seeds x 2 models)", len(lines))
	}
	if len(rep.Conditions) != 2 || rep.Conditions[0].Name != verify.ConditionInitial || rep.Conditions[1].Name != verify.ConditionOptimized {
		t.Fatalf("conditions %+v", rep.Conditions)
	}
	sp := rep.Config.Spectrum
	if sp.StepMS != 0.5 || sp.WarmupMS != 10 || sp.LoHz != 15 || sp.HiHz != 60 || sp.NPerSeg != 80 || sp.Samples != 100 {
		t.Errorf("spectrum %+v, want the objective's: 0.5 ms step, 10 ms warm-up, 15-60 Hz, 80-sample segments, 100 samples", sp)
	}
	bioSpikes := 0
	for _, cr := range rep.Conditions {
		if len(cr.Gains) != len(opts.Initial.Classes) {
			t.Errorf("%s: %d gains, want %d", cr.Name, len(cr.Gains), len(opts.Initial.Classes))
		}
		if len(cr.Seeds) != 2 || cr.Seeds[0].Seed != 11 || cr.Seeds[1].Seed != 12 {
			t.Fatalf("%s: seeds %+v", cr.Name, cr.Seeds)
		}
		for _, sr := range cr.Seeds {
			for _, m := range []*verify.Measurement{sr.Biophysical, sr.Surrogate} {
				if m == nil {
					t.Fatalf("%s seed %d: missing measurement", cr.Name, sr.Seed)
				}
				if !(m.BandPower > 0) || m.LogBandPower != math.Log(m.BandPower) {
					t.Errorf("%s seed %d: band power %v log %v", cr.Name, sr.Seed, m.BandPower, m.LogBandPower)
				}
				if m.BandPeakHz != 25 && m.BandPeakHz != 50 || m.PeakHz <= 0 {
					t.Errorf("%s seed %d: peaks %v %v Hz", cr.Name, sr.Seed, m.PeakHz, m.BandPeakHz)
				}
				if len(m.Dipole) != 120 || m.Times[0] != 0.5 || m.Times[119] != 60 {
					t.Errorf("%s seed %d: dipole of %d samples from %v to %v ms", cr.Name, sr.Seed, len(m.Dipole), m.Times[0], m.Times[len(m.Times)-1])
				}
				for k := range m.Dipole {
					if d := m.Dipole[k] - (m.L2[k] + m.L5[k]); math.Abs(d) > 1e-6*(math.Abs(m.L2[k])+math.Abs(m.L5[k])) {
						t.Fatalf("%s seed %d: aggregate %v != L2 %v + L5 %v", cr.Name, sr.Seed, m.Dipole[k], m.L2[k], m.L5[k])
					}
				}
				if len(m.Freqs) != 41 || len(m.PSD) != 41 {
					t.Errorf("%s seed %d: %d freqs, %d PSD bins, want 41", cr.Name, sr.Seed, len(m.Freqs), len(m.PSD))
				}
				if len(m.RatesHz) != neuron.NumCellTypes {
					t.Errorf("%s seed %d: rates %v", cr.Name, sr.Seed, m.RatesHz)
				}
				for _, ct := range neuron.CellTypes {
					n := m.Spikes[ct.String()]
					if m == sr.Biophysical {
						bioSpikes += n
					}
					want := float64(n) / float64(opts.Column.Count(ct)) / 0.05
					if math.Abs(m.RatesHz[ct.String()]-want) > 1e-9 {
						t.Errorf("%s seed %d %s: rate %v, want %v", cr.Name, sr.Seed, ct, m.RatesHz[ct.String()], want)
					}
				}
				for _, s := range m.CellSpikes {
					if s.GID >= opts.Column.NumCells() {
						t.Fatalf("drive cell spike %+v among the cell spikes", s)
					}
				}
			}
		}
		for _, mean := range []struct {
			m    *verify.MeanMeasurement
			a, b float64
		}{
			{cr.Mean.Biophysical, cr.Seeds[0].Biophysical.BandPower, cr.Seeds[1].Biophysical.BandPower},
			{cr.Mean.Surrogate, cr.Seeds[0].Surrogate.BandPower, cr.Seeds[1].Surrogate.BandPower},
		} {
			want := (mean.a + mean.b) / 2
			if mean.m == nil || math.Abs(mean.m.BandPower-want) > 1e-12*want {
				t.Errorf("%s: mean %+v, want band power %v", cr.Name, mean.m, want)
			}
		}
	}
	if bioSpikes == 0 {
		t.Error("no biophysical cell spiked: the test network is too quiet to check rates")
	}
	c := rep.Biophysical
	want := rep.Conditions[1].Mean.Biophysical.BandPower / rep.Conditions[0].Mean.Biophysical.BandPower
	if c.Seeds != 2 || math.Abs(c.BandPowerRatio-want) > 1e-12*want || c.MeetsTarget != (want >= 3) {
		t.Errorf("comparison %+v, want ratio %v", c, want)
	}
	if rep.Surrogate == nil || len(rep.SurrogateVsBiophysical) != 2 {
		t.Fatalf("surrogate comparison %v, agreement %v", rep.Surrogate, rep.SurrogateVsBiophysical)
	}
	ag := rep.SurrogateVsBiophysical[1]
	if want := rep.Conditions[1].Mean.Surrogate.BandPower / rep.Conditions[1].Mean.Biophysical.BandPower; ag.Condition != verify.ConditionOptimized || math.Abs(ag.BandPowerRatio-want) > 1e-12*want {
		t.Errorf("agreement %+v, want optimized band power ratio %v", ag, want)
	}

	// The JSON report has the documented keys.
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"config", "conditions", "biophysical", "surrogate", "surrogate_vs_biophysical", "wall_seconds"} {
		if _, ok := top[k]; !ok {
			t.Errorf("report JSON lacks %q", k)
		}
	}
}

// TestVerifySameNoise checks that both models get the same noise: a
// surrogate runner that records the drive events it is asked to use sees
// exactly the biophysical run's drive spikes.
func TestVerifySameNoise(t *testing.T) {
	opts := tinyVerifyOptions(t)
	opts.Seeds = []int{7}
	rec := &recordingRunner{inner: tinySurrogates(t)}
	opts.Surrogate = rec
	if _, err := verify.Run(opts); err != nil {
		t.Fatal(err)
	}
	net, err := network.NewNetwork(opts.Column, opts.Initial, opts.Drives)
	if err != nil {
		t.Fatal(err)
	}
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: opts.TStop, Trial: 7})
	if err != nil {
		t.Fatal(err)
	}
	var bio [][2]float64
	for _, s := range res.Spikes {
		if s.GID >= opts.Column.NumCells() {
			bio = append(bio, [2]float64{float64(s.GID), s.Time})
		}
	}
	if len(bio) == 0 || len(rec.events) != 2 || !slices.Equal(rec.events[0], bio) {
		t.Errorf("surrogate runner drive events differ from the biophysical run's: %d vs %d events", len(rec.events[0]), len(bio))
	}
}

// recordingRunner records the drive events (gid, time) of trial trials[0]
// before running the surrogate network.
type recordingRunner struct {
	inner  verify.SurrogateRunner
	events [][][2]float64
}

func (r *recordingRunner) Step() float64 { return r.inner.Step() }

func (r *recordingRunner) RunSurrogate(net *network.Network, tstop float64, trials []int) ([]network.Dipole, [][]network.Spike, error) {
	var ev [][2]float64
	for i := range net.Drives {
		times, err := net.DriveEventTimes(i, trials[0], tstop)
		if err != nil {
			return nil, nil, err
		}
		g0, _ := net.DriveRange(i)
		for k, ts := range times {
			for _, t := range ts {
				ev = append(ev, [2]float64{float64(g0 + k), t})
			}
		}
	}
	slices.SortFunc(ev, func(a, b [2]float64) int {
		if a[1] != b[1] {
			if a[1] < b[1] {
				return -1
			}
			return 1
		}
		return int(a[0] - b[0])
	})
	r.events = append(r.events, ev)
	return r.inner.RunSurrogate(net, tstop, trials)
}

// TestVerifyDeterministic checks that the same seeds give the same report
// whatever the parallelism, and that another seed gives another one.
func TestVerifyDeterministic(t *testing.T) {
	opts := tinyVerifyOptions(t)
	opts.Surrogate = tinySurrogates(t)
	opts.Seeds = []int{11}
	opts.Parallel = 1
	a, err := verify.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Parallel = 2
	b, err := verify.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Seeds = []int{13}
	c, err := verify.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	for ci := range a.Conditions {
		name := a.Conditions[ci].Name
		for _, pick := range []func(sr verify.SeedResult) *verify.Measurement{
			func(sr verify.SeedResult) *verify.Measurement { return sr.Biophysical },
			func(sr verify.SeedResult) *verify.Measurement { return sr.Surrogate },
		} {
			ma, mb, mc := pick(a.Conditions[ci].Seeds[0]), pick(b.Conditions[ci].Seeds[0]), pick(c.Conditions[ci].Seeds[0])
			if ma.BandPower != mb.BandPower || !slices.Equal(ma.Dipole, mb.Dipole) || !slices.Equal(ma.CellSpikes, mb.CellSpikes) || !slices.Equal(ma.PSD, mb.PSD) {
				t.Errorf("%s: same seed, different results: band power %v vs %v", name, ma.BandPower, mb.BandPower)
			}
			if slices.Equal(ma.Dipole, mc.Dipole) {
				t.Errorf("%s: seeds 11 and 13 gave the same dipole", name)
			}
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*verify.Options)
		want string
	}{
		{"no column", func(o *verify.Options) { o.Column = nil }, "no column"},
		{"no optimized", func(o *verify.Options) { o.Optimized = nil }, "optimized"},
		{"no drive", func(o *verify.Options) { o.Drives = nil }, "drive"},
		{"no seeds", func(o *verify.Options) { o.Seeds = []int{} }, "no seeds"},
		{"repeated seed", func(o *verify.Options) { o.Seeds = []int{3, 3} }, "twice"},
		{"negative seed", func(o *verify.Options) { o.Seeds = []int{-1} }, "negative"},
		{"training seed", func(o *verify.Options) { o.ExcludeSeeds = []int{0, 1, 2} }, "held-out"},
		{"tstop", func(o *verify.Options) { o.TStop = 0 }, "tstop"},
		{"warm-up", func(o *verify.Options) { o.Objective.Warmup = 59 }, "warm-up"},
		{"band", func(o *verify.Options) { o.Objective.Lo, o.Objective.Hi = 20, 10 }, "band"},
		{"step", func(o *verify.Options) { o.Step = 0.03 }, "multiple"},
		{"bad gain", func(o *verify.Options) { o.Optimized.Classes[0].Gain = math.NaN() }, "optimized connectivity"},
		{"negative target", func(o *verify.Options) { o.TargetRatio = -1 }, "target ratio"},
		{"NaN target", func(o *verify.Options) { o.TargetRatio = math.NaN() }, "target ratio"},
		{"negative parallel", func(o *verify.Options) { o.Parallel = -1 }, "parallel"},
		{"negative dt", func(o *verify.Options) { o.Dt = -0.025 }, "dt"},
		{"open loop without runner", func(o *verify.Options) { o.OpenLoop = true }, "OpenLoopRunner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tinyVerifyOptions(t)
			opts.Seeds = []int{1}
			tc.edit(&opts)
			_, err := verify.Run(opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// ExampleVerify checks a connectivity in the biophysical column: here a
// tiny 2x2 column where every connection of the "optimized" connectivity is
// twice as strong, on one held-out noise trial, without a surrogate.
func ExampleRun() {
	col, err := network.NewColumn(2, 2)
	if err != nil {
		panic(err)
	}
	stronger := network.DefaultConnectivity()
	for i := range stronger.Classes {
		stronger.Classes[i].Gain = 2
	}
	rep, err := verify.Run(verify.Options{
		Column:    col,
		Initial:   network.DefaultConnectivity(),
		Optimized: stronger,
		Drives:    []network.Drive{network.PoissonEveryCell(80, 0.004, 0, 2)},
		Seeds:     []int{1},
		TStop:     60,
		Objective: optimize.ObjectiveConfig{Warmup: 10, Resolution: 25},
	})
	if err != nil {
		panic(err)
	}
	for _, c := range rep.Conditions {
		m := c.Seeds[0].Biophysical
		fmt.Printf("%s: %d PSD bins, band power > 0: %v, rates for %d cell types\n", c.Name, len(m.PSD), m.BandPower > 0, len(m.RatesHz))
	}
	fmt.Println("seeds compared:", rep.Biophysical.Seeds)
	// Output:
	// initial: 41 PSD bins, band power > 0: true, rates for 4 cell types
	// optimized: 41 PSD bins, band power > 0: true, rates for 4 cell types
	// seeds compared: 1
}
