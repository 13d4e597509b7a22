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
// the same drive file and checks that the CSVs have the same columns and
// rows at the surrogate's step, that the surrogate spikes where the cell
// spikes (within 2 ms), and that clamps are refused.
func TestCellSurrogate(t *testing.T) {
	dir := t.TempDir()
	drive := cellTestFile(t, dir, "drive.json", `{"cell_type": "L5_basket", "tstop_ms": 200,
	 "inputs": [{"section": "soma", "receptor": "ampa", "weight_uS": 0.05, "delay_ms": 1, "times_ms": [20, 60, 100, 140, 180]}]}`)
	outS, outB := filepath.Join(dir, "s.csv"), filepath.Join(dir, "b.csv")
	spkS, spkB := filepath.Join(dir, "s.json"), filepath.Join(dir, "b.json")
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
		t.Fatalf("surrogate CSV %q with %d rows, biophysical %q with %d rows (want 401 samples)", ls[0], len(ls)-1, lb[0], len(lb)-1)
	}
	for k := 1; k < len(ls); k++ {
		ts, _ := strconv.ParseFloat(strings.Split(ls[k], ",")[0], 64)
		tb, _ := strconv.ParseFloat(strings.Split(lb[k], ",")[0], 64)
		if math.Abs(ts-tb) > 1e-9 {
			t.Fatalf("row %d: times %v and %v differ", k, ts, tb)
		}
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
	if len(b.SpikeTimesMS) == 0 || len(s.SpikeTimesMS) != len(b.SpikeTimesMS) {
		t.Fatalf("surrogate spikes %v, biophysical %v", s.SpikeTimesMS, b.SpikeTimesMS)
	}
	for i := range s.SpikeTimesMS {
		if d := s.SpikeTimesMS[i] - b.SpikeTimesMS[i]; d > 2 || d < -2 {
			t.Errorf("spike %d at %.2f ms, biophysical %.2f ms", i, s.SpikeTimesMS[i], b.SpikeTimesMS[i])
		}
	}
	clamp := cellTestFile(t, dir, "clamp.json", `{"cell_type": "L5_basket", "tstop_ms": 50,
	 "iclamp": [{"section": "soma", "amp_nA": 1, "delay_ms": 5, "dur_ms": 10}]}`)
	if err := runCell([]string{"-surrogate", "-inputs", clamp, "-out", outS, "-spikes", spkS}, io.Discard, io.Discard); err == nil {
		t.Error("a current clamp was accepted by the surrogate")
	}
}
