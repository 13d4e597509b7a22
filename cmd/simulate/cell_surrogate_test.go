package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCellSurrogate runs the shipped surrogate and the biophysical cell on
// the same drive files and checks that the CSVs have the same columns and
// rows at the surrogate's step and that the surrogate, for a basket the
// exact basket fed the events at their true times, is the biophysical cell:
// the same voltages (to 1e-9 mV) and spike times (to 1e-6 ms); and that
// clamps are refused.
func TestCellSurrogate(t *testing.T) {
	dir := t.TempDir()
	drives := map[string]string{
		"L5_basket": `{"cell_type": "L5_basket", "tstop_ms": 200,
	 "inputs": [{"section": "soma", "receptor": "ampa", "weight_uS": 0.05, "delay_ms": 1, "times_ms": [20, 60, 100, 140, 180]}]}`,
		// off-grid times, two receptors, near-threshold volleys
		"L2_basket": `{"cell_type": "L2_basket", "tstop_ms": 200,
	 "inputs": [{"section": "soma", "receptor": "ampa", "weight_uS": 0.004, "delay_ms": 0.3,
	             "times_ms": [10.013, 10.2, 10.31, 10.477, 30.01, 30.26, 30.49, 50.1, 50.11, 50.33, 80.0123, 80.3, 120.444, 120.45, 120.49, 121.2]},
	            {"section": "soma", "receptor": "gabaa", "weight_uS": 0.002, "times_ms": [29.9, 50.2, 119.71]},
	            {"section": "soma", "receptor": "nmda", "weight_uS": 0.001, "times_ms": [5.55, 79.987]}]}`,
	}
	for typ, js := range drives {
		drive := cellTestFile(t, dir, typ+".json", js)
		outS, outB := filepath.Join(dir, typ+"s.csv"), filepath.Join(dir, typ+"b.csv")
		spkS, spkB := filepath.Join(dir, typ+"s.json"), filepath.Join(dir, typ+"b.json")
		if err := runCell([]string{"-surrogate", "-inputs", drive, "-out", outS, "-spikes", spkS}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := runCell([]string{"-inputs", drive, "-out", outB, "-spikes", spkB, "-record-every", "20"}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		read := func(p string) []string {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Split(strings.TrimSpace(string(b)), "\n")
		}
		ls, lb := read(outS), read(outB)
		if ls[0] != lb[0] || len(ls) != len(lb) || len(ls) != 402 {
			t.Fatalf("%s: surrogate CSV %q with %d rows, biophysical %q with %d rows (want 401 samples)", typ, ls[0], len(ls)-1, lb[0], len(lb)-1)
		}
		maxDv := 0.0
		for k := 1; k < len(ls); k++ {
			fs, fb := strings.Split(ls[k], ","), strings.Split(lb[k], ",")
			ts, _ := strconv.ParseFloat(fs[0], 64)
			tb, _ := strconv.ParseFloat(fb[0], 64)
			if math.Abs(ts-tb) > 1e-9 {
				t.Fatalf("%s: row %d: times %v and %v differ", typ, k, ts, tb)
			}
			vs, _ := strconv.ParseFloat(fs[1], 64)
			vb, _ := strconv.ParseFloat(fb[1], 64)
			maxDv = math.Max(maxDv, math.Abs(vs-vb))
		}
		if maxDv > 1e-9 {
			t.Errorf("%s: surrogate v_soma off the biophysical cell's by up to %g mV", typ, maxDv)
		}
		var s, b spikeOutput
		for _, kv := range []struct {
			p string
			v *spikeOutput
		}{{spkS, &s}, {spkB, &b}} {
			raw, _ := os.ReadFile(kv.p)
			if err := json.Unmarshal(raw, kv.v); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: max |Δv| %.3g mV, spikes %v, biophysical %v", typ, maxDv, s.SpikeTimesMS, b.SpikeTimesMS)
		if len(b.SpikeTimesMS) == 0 || len(s.SpikeTimesMS) != len(b.SpikeTimesMS) {
			t.Fatalf("%s: surrogate spikes %v, biophysical %v", typ, s.SpikeTimesMS, b.SpikeTimesMS)
		}
		for i := range s.SpikeTimesMS {
			if d := s.SpikeTimesMS[i] - b.SpikeTimesMS[i]; math.Abs(d) > 1e-6 {
				t.Errorf("%s: spike %d at %.9f ms, biophysical %.9f ms", typ, i, s.SpikeTimesMS[i], b.SpikeTimesMS[i])
			}
		}
	}
	outS, spkS := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.json")
	clamp := cellTestFile(t, dir, "clamp.json", `{"cell_type": "L5_basket", "tstop_ms": 50,
	 "iclamp": [{"section": "soma", "amp_nA": 1, "delay_ms": 5, "dur_ms": 10}]}`)
	if err := runCell([]string{"-surrogate", "-inputs", clamp, "-out", outS, "-spikes", spkS}, io.Discard, io.Discard); err == nil {
		t.Error("a current clamp was accepted by the surrogate")
	}
}
