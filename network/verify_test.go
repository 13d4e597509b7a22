package network

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// tinyVerifyOptions is a verification of a 2x2-mesh column (12 cells) for
// 60 ms with a strong Poisson drive, small enough for a unit test.
func tinyVerifyOptions(t *testing.T) VerifyOptions {
	t.Helper()
	col, err := NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	opt := DefaultConnectivity()
	for i := range opt.Classes {
		opt.Classes[i].Gain = 1 + 0.5*float64(i%3)
	}
	return VerifyOptions{
		Column:    col,
		Initial:   DefaultConnectivity(),
		Optimized: opt,
		Drive:     PoissonEveryCell(80, 0.004, 0, 0),
		Seeds:     []int64{11, 5011},
		TStop:     60,
		Spectrum:  VerifySpectrum{StepMS: 0.5, WarmupMS: 10, LoHz: 15, HiHz: 60, NPerSeg: 80},
	}
}

func TestVerifyTinyNetwork(t *testing.T) {
	opts := tinyVerifyOptions(t)
	var lines []string
	opts.Progress = func(s string) { lines = append(lines, s) }
	rep, err := Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 4 {
		t.Errorf("%d progress lines, want 4 (2 conditions x 2 seeds)", len(lines))
	}
	if len(rep.Conditions) != 2 || rep.Conditions[0].Name != ConditionInitial || rep.Conditions[1].Name != ConditionOptimized {
		t.Fatalf("conditions %+v", rep.Conditions)
	}
	totalSpikes := 0
	for _, cr := range rep.Conditions {
		if len(cr.Gains) != len(opts.Initial.Classes) {
			t.Errorf("%s: %d gains, want %d", cr.Name, len(cr.Gains), len(opts.Initial.Classes))
		}
		if len(cr.Seeds) != 2 || cr.Seeds[0].Seed != 11 || cr.Seeds[1].Seed != 5011 {
			t.Fatalf("%s: seeds %+v", cr.Name, cr.Seeds)
		}
		for _, sr := range cr.Seeds {
			m := sr.Biophysical
			if m == nil || sr.Surrogate != nil {
				t.Fatalf("%s seed %d: biophysical %v surrogate %v", cr.Name, sr.Seed, m, sr.Surrogate)
			}
			if !(m.BandPower > 0) || m.LogBandPower != math.Log(m.BandPower) {
				t.Errorf("%s seed %d: band power %v log %v", cr.Name, sr.Seed, m.BandPower, m.LogBandPower)
			}
			if m.BandPeakHz < 15 || m.BandPeakHz > 60 || m.PeakHz <= 0 {
				t.Errorf("%s seed %d: peaks %v %v Hz", cr.Name, sr.Seed, m.PeakHz, m.BandPeakHz)
			}
			if len(m.Dipole) != 120 || m.Times[0] != 0.5 || m.Times[119] != 60 {
				t.Errorf("%s seed %d: dipole of %d samples from %v to %v ms", cr.Name, sr.Seed, len(m.Dipole), m.Times[0], m.Times[len(m.Times)-1])
			}
			if len(m.Freqs) != 41 || len(m.PSD) != 41 {
				t.Errorf("%s seed %d: %d freqs, %d PSD bins, want 41", cr.Name, sr.Seed, len(m.Freqs), len(m.PSD))
			}
			if len(m.RatesHz) != NumCellTypes {
				t.Errorf("%s seed %d: rates %v", cr.Name, sr.Seed, m.RatesHz)
			}
			for _, ct := range CellTypes {
				n := m.Spikes[ct.String()]
				totalSpikes += n
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
		mb := cr.Mean.Biophysical
		want := (cr.Seeds[0].Biophysical.BandPower + cr.Seeds[1].Biophysical.BandPower) / 2
		if mb == nil || math.Abs(mb.BandPower-want) > 1e-12*want || cr.Mean.Surrogate != nil {
			t.Errorf("%s: mean %+v, want band power %v", cr.Name, mb, want)
		}
	}
	if totalSpikes == 0 {
		t.Error("no cell spiked: the test network is too quiet to check rates")
	}
	c := rep.Biophysical
	want := rep.Conditions[1].Mean.Biophysical.BandPower / rep.Conditions[0].Mean.Biophysical.BandPower
	if c.Seeds != 2 || math.Abs(c.BandPowerRatio-want) > 1e-12*want || c.MeetsTarget != (want >= 3) || rep.Surrogate != nil {
		t.Errorf("comparison %+v, want ratio %v", c, want)
	}

	// The JSON report has the documented top-level keys.
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"config", "conditions", "biophysical", "wall_seconds"} {
		if _, ok := top[k]; !ok {
			t.Errorf("report JSON lacks %q", k)
		}
	}
}

// TestVerifyDeterministic checks that the same seeds give the same report
// whatever the parallelism, and that another seed gives another one.
func TestVerifyDeterministic(t *testing.T) {
	opts := tinyVerifyOptions(t)
	opts.Seeds = []int64{11}
	opts.Parallel = 1
	a, err := Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Parallel = 2
	b, err := Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Seeds = []int64{12011}
	c, err := Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	for ci := range a.Conditions {
		ma, mb, mc := a.Conditions[ci].Seeds[0].Biophysical, b.Conditions[ci].Seeds[0].Biophysical, c.Conditions[ci].Seeds[0].Biophysical
		if ma.BandPower != mb.BandPower || !slices.Equal(ma.Dipole, mb.Dipole) || !slices.Equal(ma.CellSpikes, mb.CellSpikes) || !slices.Equal(ma.PSD, mb.PSD) {
			t.Errorf("%s: same seed, different results: band power %v vs %v", a.Conditions[ci].Name, ma.BandPower, mb.BandPower)
		}
		if slices.Equal(ma.Dipole, mc.Dipole) {
			t.Errorf("%s: seeds 11 and 12011 gave the same dipole", a.Conditions[ci].Name)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*VerifyOptions)
		want string
	}{
		{"no column", func(o *VerifyOptions) { o.Column = nil }, "no column"},
		{"no optimized", func(o *VerifyOptions) { o.Optimized = nil }, "optimized"},
		{"no seeds", func(o *VerifyOptions) { o.Seeds = []int64{} }, "no seeds"},
		{"repeated seed", func(o *VerifyOptions) { o.Seeds = []int64{3, 3} }, "twice"},
		{"negative seed", func(o *VerifyOptions) { o.Seeds = []int64{-1} }, "negative"},
		{"tstop", func(o *VerifyOptions) { o.TStop = 0 }, "tstop"},
		{"warm-up", func(o *VerifyOptions) { o.Spectrum.WarmupMS = 60 }, "warm-up"},
		{"band", func(o *VerifyOptions) { o.Spectrum.HiHz = 10 }, "band"},
		{"step", func(o *VerifyOptions) { o.Spectrum.StepMS = 0.03 }, "multiple"},
		{"bad gain", func(o *VerifyOptions) { o.Optimized.Classes[0].Gain = math.NaN() }, "optimized connectivity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tinyVerifyOptions(t)
			opts.Seeds = []int64{1}
			tc.edit(&opts)
			_, err := Verify(opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
