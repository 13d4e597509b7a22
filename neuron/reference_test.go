package neuron

import (
	"compress/gzip"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// refTable is a reference CSV: header and columns.
type refTable struct {
	header []string
	cols   [][]float64
}

func (r *refTable) col(name string) []float64 {
	for i, h := range r.header {
		if h == name {
			return r.cols[i]
		}
	}
	return nil
}

// loadReference reads a reference trace from testdata (gzip copy) or from
// ../../shared/spec/reference when present.
func loadReference(t testing.TB, name string) *refTable {
	t.Helper()
	var rdr *csv.Reader
	if f, err := os.Open(filepath.Join("..", "testdata", "neuron", name+".gz")); err == nil {
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		rdr = csv.NewReader(gz)
	} else if f, err := os.Open(filepath.Join("..", "..", "shared", "spec", "reference", name)); err == nil {
		defer f.Close()
		rdr = csv.NewReader(f)
	} else {
		t.Skipf("reference %s not available", name)
	}
	rows, err := rdr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	r := &refTable{header: rows[0], cols: make([][]float64, len(rows[0]))}
	for _, row := range rows[1:] {
		for i, s := range row {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			r.cols[i] = append(r.cols[i], v)
		}
	}
	return r
}

// crossings returns the grid times at which v first exceeds 0 mV for each upward crossing.
func crossings(t, v []float64) []float64 {
	var out []float64
	above := false
	for k := range v {
		if v[k] > 0 && !above {
			out = append(out, t[k])
		}
		above = v[k] > 0
	}
	return out
}

type refCase struct {
	file    string
	cell    CellType
	inputs  []Input
	clamps  []IClampSpec
	spikes  []float64 // spec section 16 first-crossing times
	columns map[string]Probe
}

func referenceCases() []refCase {
	l5cols := map[string]Probe{
		"v_soma":   {Section: "soma", X: 0.5},
		"cai_soma": {Section: "soma", X: 0.5, Var: "cai"},
		"v_tuft":   {Section: "apical_tuft", X: 0.5},
	}
	l2cols := map[string]Probe{
		"v_soma": {Section: "soma", X: 0.5},
		"v_tuft": {Section: "apical_tuft", X: 0.5},
	}
	return []refCase{
		{file: "L5pyr_rest.csv", cell: L5Pyramidal, columns: l5cols},
		{file: "L5pyr_soma_iclamp_1nA.csv", cell: L5Pyramidal, columns: l5cols,
			clamps: []IClampSpec{{Section: "soma", X: 0.5, AmpNA: 1, DelayMS: 20, DurMS: 50}},
			spikes: []float64{24.275, 34.125, 43.5, 55.225}},
		{file: "L5pyr_tuft_ampa_0.01uS.csv", cell: L5Pyramidal, columns: l5cols,
			inputs: []Input{{Section: "apical_tuft", Receptor: AMPA, X: 0.5, WeightUS: 0.01, TimesMS: []float64{10}}},
			spikes: []float64{14.5, 24.575, 35.625}},
		{file: "L2pyr_rest.csv", cell: L2Pyramidal, columns: l2cols},
		{file: "L2pyr_soma_iclamp_0.5nA.csv", cell: L2Pyramidal, columns: l2cols,
			clamps: []IClampSpec{{Section: "soma", X: 0.5, AmpNA: 0.5, DelayMS: 20, DurMS: 50}},
			spikes: []float64{22.55, 50.075}},
		{file: "L2pyr_oblique_nmda_0.005uS.csv", cell: L2Pyramidal, columns: l2cols,
			inputs: []Input{{Section: "apical_oblique", Receptor: NMDA, X: 0.5, WeightUS: 0.005, TimesMS: []float64{10}}},
			spikes: []float64{13.675}},
		{file: "basket_soma_iclamp_0.5nA.csv", cell: L2Basket,
			columns: map[string]Probe{"v_soma": {Section: "soma", X: 0.5}},
			clamps:  []IClampSpec{{Section: "soma", X: 0.5, AmpNA: 0.5, DelayMS: 20, DurMS: 50}},
			spikes:  []float64{21.15, 33.0, 44.375, 55.725, 67.05}},
	}
}

// TestReferenceTraces compares every single-cell reference trace of hnn-core on NEURON 8.2.2
// (spec section 16): voltages within 1e-8 mV (issue target 1e-4), calcium, spikes at the
// same step, dipole within 1e-6 fAm (issue target 1e-3).
func TestReferenceTraces(t *testing.T) {
	for _, tc := range referenceCases() {
		t.Run(tc.file, func(t *testing.T) {
			ref := loadReference(t, tc.file)
			d, err := Template(tc.cell)
			if err != nil {
				t.Fatal(err)
			}
			spec := RunSpec{Desc: d, TStop: 100, Inputs: tc.inputs, IClamps: tc.clamps}
			var names []string
			for name, p := range tc.columns {
				names = append(names, name)
				spec.Probes = append(spec.Probes, p)
			}
			res, err := Run(spec)
			if err != nil {
				t.Fatal(err)
			}
			tref := ref.col("t")
			if len(res.T) != len(tref) {
				t.Fatalf("got %d samples, want %d", len(res.T), len(tref))
			}
			for k := range tref {
				if math.Abs(res.T[k]-tref[k]) > 1e-9 {
					t.Fatalf("time %d: got %v want %v", k, res.T[k], tref[k])
				}
			}
			for i, name := range names {
				want := ref.col(name)
				// The issue asks for 1e-4 mV; NEURON's numerics reproduced exactly give
				// ~1e-10 (the references' print precision), so guard at 1e-8.
				tol := 1e-8
				if name == "cai_soma" {
					tol = 1e-12
				}
				maxd, at := 0.0, 0
				for k := range want {
					if dd := math.Abs(res.Traces[i][k] - want[k]); dd > maxd || math.IsNaN(dd) {
						maxd, at = dd, k
					}
				}
				t.Logf("%s: max |Δ| = %.3g at t = %v", name, maxd, tref[at])
				if !(maxd <= tol) {
					t.Errorf("%s: max |Δ| = %g at t = %v exceeds %g", name, maxd, tref[at], tol)
				}
			}
			if want := ref.col("dipole_fAm"); want != nil {
				maxd := 0.0
				for k := range want {
					maxd = math.Max(maxd, math.Abs(res.Dipole[k]-want[k]))
				}
				t.Logf("dipole: max |Δ| = %.3g fAm", maxd)
				if !(maxd <= 1e-6) { // issue target 1e-3 fAm
					t.Errorf("dipole: max |Δ| = %g fAm exceeds 1e-6", maxd)
				}
			}
			vs := ref.col("v_soma")
			refSpikes := crossings(tref, vs)
			if len(refSpikes) != len(tc.spikes) {
				t.Fatalf("reference has %d crossings, spec lists %d", len(refSpikes), len(tc.spikes))
			}
			if len(res.Spikes) != len(refSpikes) {
				t.Fatalf("got spikes %v, want crossings at %v", res.Spikes, refSpikes)
			}
			for k, ts := range res.Spikes {
				if math.Abs(ts-spikeTimeOffset-refSpikes[k]) > 1e-6 {
					t.Errorf("spike %d at %v, want %v", k, ts, refSpikes[k])
				}
			}
		})
	}
}
