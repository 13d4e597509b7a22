package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func cellTestFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCellCommand runs the spec's L5 tuft AMPA scenario through the command and checks the
// CSV header, the sampling, the spike file and the first-spike step.
func TestCellCommand(t *testing.T) {
	dir := t.TempDir()
	drive := cellTestFile(t, dir, "drive.json", `{"cell_type": "L5_pyramidal", "tstop_ms": 100, "dt_ms": 0.025,
	 "inputs": [{"section": "apical_tuft", "receptor": "ampa", "weight_uS": 0.01, "delay_ms": 0.5, "times_ms": [9.5]}],
	 "iclamp": [{"section": "soma", "amp_nA": 0.0, "delay_ms": 20, "dur_ms": 50}]}`)
	out := filepath.Join(dir, "trace.csv")
	spk := filepath.Join(dir, "spikes.json")
	if err := runCell([]string{"-type", "L5_pyramidal", "-inputs", drive, "-out", out, "-record-every", "4", "-spikes", spk}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	wantHeader := "t_ms,v_soma,v_apical_trunk,v_apical_1,v_apical_2,v_apical_tuft,v_apical_oblique,v_basal_1,v_basal_2,v_basal_3,dipole_fAm"
	if lines[0] != wantHeader {
		t.Fatalf("header %q", lines[0])
	}
	if len(lines) != 1+1000+1 {
		t.Fatalf("%d rows, want 1001 (4001 steps every 4th)", len(lines)-1)
	}
	last := strings.Split(lines[len(lines)-1], ",")
	if tv, _ := strconv.ParseFloat(last[0], 64); tv < 99.99 || tv > 100.01 {
		t.Fatalf("last time %v", last[0])
	}
	var s spikeOutput
	b, _ = os.ReadFile(spk)
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.SpikeTimesMS) != 3 || s.SpikeTimesMS[0] < 14.5 || s.SpikeTimesMS[0] > 14.5001 || s.CellType != "L5_pyramidal" {
		t.Fatalf("spikes %+v", s)
	}
}

// TestCellCommandBadInput checks that bad input is an input error (exit status 2).
func TestCellCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t.csv")
	n := 0
	input := func(body string) string {
		n++
		return cellTestFile(t, dir, "d"+strconv.Itoa(n)+".json", body)
	}
	cases := map[string][]string{
		"unknown type":     {"-type", "L4_stellate", "-tstop", "10", "-out", out},
		"no type":          {"-tstop", "10", "-out", out},
		"tstop 0":          {"-type", "L2_basket", "-tstop", "0", "-out", out},
		"negative dt":      {"-type", "L2_basket", "-tstop", "10", "-dt", "-0.1", "-out", out},
		"NaN dt":           {"-type", "L2_basket", "-tstop", "10", "-dt", "NaN", "-out", out},
		"record-every 0":   {"-type", "L2_basket", "-tstop", "10", "-record-every", "0", "-out", out},
		"unknown section":  {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"dend","receptor":"ampa","weight_uS":0.1,"times_ms":[1]}]}`), "-out", out},
		"unknown receptor": {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"soma","receptor":"kainate","weight_uS":0.1,"times_ms":[1]}]}`), "-out", out},
		"absent receptor":  {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"soma","receptor":"gabab","weight_uS":0.1,"times_ms":[1]}]}`), "-out", out},
		"negative time":    {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"soma","receptor":"ampa","weight_uS":0.1,"times_ms":[-1]}]}`), "-out", out},
		"negative weight":  {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"soma","receptor":"ampa","weight_uS":-0.1,"times_ms":[1]}]}`), "-out", out},
		"negative delay":   {"-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10,"inputs":[{"section":"soma","receptor":"ampa","weight_uS":0.1,"delay_ms":-1,"times_ms":[1]}]}`), "-out", out},
		"bad json":         {"-inputs", input(`{"cell_type":`), "-out", out},
		"type mismatch":    {"-type", "L5_basket", "-inputs", input(`{"cell_type":"L2_basket","tstop_ms":10}`), "-out", out},
	}
	for name, args := range cases {
		err := runCell(args, io.Discard, io.Discard)
		var rt runtimeError
		if err == nil || errors.As(err, &rt) {
			t.Errorf("%s: got %v, want an input error", name, err)
		}
	}
}
