package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/clitest"
	"github.com/neurograd/neurograd/network/biophys"
)

func runBuf(args []string, stdout, stderr *bytes.Buffer) int { return runMain(args, stdout, stderr) }

// TestBattery runs the command's bad-input and failure cases in-process:
// exit status, the error naming the flag, key or file, and no output left
// behind.
func TestBattery(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string { return cellTestFile(t, dir, name, body) }
	drive := file("drive.json", `{"cell_type": "L2_basket", "tstop_ms": 5, "inputs": [{"section": "soma", "receptor": "ampa", "weight_uS": 0.01, "times_ms": [1]}]}`)
	typo := file("typo.json", `{"cell_type": "L2_basket", "tstop_ms": 5, "inputs": [{"section": "soma", "receptor": "ampa", "weights_uS": 0.01, "times_ms": [1]}]}`)
	topTypo := file("top.json", `{"cell_type": "L2_basket", "tstop": 5}`)
	fileDt0 := file("dt0.json", `{"cell_type": "L2_basket", "tstop_ms": 5, "dt_ms": 0}`)
	huge := file("huge.json", `{"cell_type": "L5_pyramidal", "tstop_ms": 20, "inputs": [{"section": "basal_1", "receptor": "ampa", "weight_uS": 1e39, "times_ms": [10]}]}`)
	trace := filepath.Join(dir, "trace.csv")
	spikes := filepath.Join(dir, "spikes.json")
	cell := func(extra ...string) []string {
		return append([]string{"cell", "-inputs", drive, "-out", trace, "-spikes", spikes}, extra...)
	}
	net := filepath.Join(dir, "net")
	foreign := filepath.Join(dir, "foreign")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	network := func(out string, extra ...string) []string {
		return append([]string{"network", "-mesh", "1x1", "-tstop", "5", "-quiet", "-out", out}, extra...)
	}
	unwritable := clitest.Unwritable(t)
	clitest.Run(t, runBuf, []clitest.Case{
		{Name: "no arguments", Args: nil, Code: 2, Want: []string{"usage: simulate"}},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Simulates HNN's cells", "cell", "network"}},
		{Name: "cell help", Args: []string{"cell", "-h"}, Code: 0, Want: []string{"Simulates one biophysical HNN cell", "docs/drives.md"}},
		{Name: "network help", Args: []string{"network", "-h"}, Code: 0, Want: []string{"Simulates HNN's cortical column", "-weight-ampa"}},
		{Name: "unknown command", Args: []string{"neuron"}, Code: 2, Want: []string{`unknown command "neuron"`}},
		{Name: "cell without flags", Args: []string{"cell"}, Code: 2, Want: []string{"usage: simulate cell"}},
		{Name: "valid drive", Args: cell(), Code: 0},
		{Name: "unknown input key", Args: []string{"cell", "-inputs", typo, "-out", filepath.Join(dir, "t1.csv")}, Code: 2,
			Want: []string{"typo.json", `unknown field "weights_uS"`, "docs/drives.md"}, Absent: []string{filepath.Join(dir, "t1.csv")}},
		{Name: "unknown top-level key", Args: []string{"cell", "-inputs", topTypo, "-out", filepath.Join(dir, "t2.csv")}, Code: 2,
			Want: []string{"top.json", `unknown field "tstop"`}, Absent: []string{filepath.Join(dir, "t2.csv")}},
		{Name: "dt 0", Args: []string{"cell", "-inputs", drive, "-dt", "0", "-out", filepath.Join(dir, "t3.csv")}, Code: 2, Want: []string{"-dt 0"}, Absent: []string{filepath.Join(dir, "t3.csv")}},
		{Name: "dt_ms 0 in the file", Args: []string{"cell", "-inputs", fileDt0, "-out", filepath.Join(dir, "t4.csv")}, Code: 2, Want: []string{"dt_ms of " + fileDt0}, Absent: []string{filepath.Join(dir, "t4.csv")}},
		{Name: "dt negative", Args: []string{"cell", "-inputs", drive, "-dt", "-1", "-out", filepath.Join(dir, "t5.csv")}, Code: 2, Want: []string{"-dt -1"}},
		{Name: "dt NaN", Args: []string{"cell", "-inputs", drive, "-dt", "NaN", "-out", filepath.Join(dir, "t6.csv")}, Code: 2, Want: []string{"-dt NaN"}},
		{Name: "dt too coarse", Args: []string{"cell", "-inputs", drive, "-dt", "0.25", "-out", filepath.Join(dir, "t7.csv")}, Code: 2, Want: []string{"-dt 0.25", "at most 0.1"}, Absent: []string{filepath.Join(dir, "t7.csv")}},
		{Name: "dt coarse warns", Args: []string{"cell", "-inputs", drive, "-dt", "0.05", "-out", filepath.Join(dir, "t8.csv"), "-spikes", filepath.Join(dir, "s8.json")}, Code: 0,
			Want: []string{"warning: -dt 0.05 ms is coarser than the 0.025 ms"}},
		{Name: "cell unwritable out", Args: []string{"cell", "-inputs", drive, "-out", filepath.Join(unwritable, "t.csv")}, Code: 2, Want: []string{"-out " + filepath.Join(unwritable, "t.csv")}},
		{Name: "cell unwritable spikes", Args: []string{"cell", "-inputs", drive, "-out", filepath.Join(dir, "t9.csv"), "-spikes", filepath.Join(unwritable, "s.json")}, Code: 2,
			Want: []string{"-spikes " + filepath.Join(unwritable, "s.json")}, Absent: []string{filepath.Join(dir, "t9.csv")}},
		{Name: "surrogate NaN", Args: []string{"cell", "-surrogate", "-inputs", huge, "-out", filepath.Join(dir, "t10.csv"), "-spikes", filepath.Join(dir, "s10.json")}, Code: 1,
			Want: []string{"output v_soma is NaN at step", "basal_1/ampa"}, Absent: []string{filepath.Join(dir, "t10.csv"), filepath.Join(dir, "s10.json")}},
		{Name: "network dt 0", Args: network(net, "-dt", "0"), Code: 2, Want: []string{"-dt 0"}, Absent: []string{net}},
		{Name: "network dt coarse", Args: network(net, "-dt", "0.2"), Code: 2, Want: []string{"at most 0.1"}, Absent: []string{net}},
		{Name: "network tstop", Args: network(net, "-tstop", "-5"), Code: 2, Want: []string{"-tstop -5"}, Absent: []string{net}},
		{Name: "network unwritable out", Args: network(unwritable), Code: 2, Want: []string{"-out " + unwritable}},
		{Name: "network foreign out", Args: network(foreign), Code: 2, Want: []string{"not written by a neurograd command"}},
		{Name: "network missing drives file", Args: network(net, "-drives", filepath.Join(dir, "nodrives.json")), Code: 2, Want: []string{"nodrives.json"}, Absent: []string{net}},
	})
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "mine" {
		t.Error("the foreign -out lost its file")
	}
	clitest.NoStaging(t, dir)
}

// TestNetworkRerun checks that a rerun replaces the output directory (no
// stale file of the earlier run) and that the Poisson drive's defaults are
// the main job's, defined once.
func TestNetworkRerun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	args := []string{"network", "-mesh", "1x1", "-tstop", "5", "-quiet", "-drives", "poisson", "-out", out}
	var o, e bytes.Buffer
	if code := runMain(args, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	stale := filepath.Join(out, "vsoma.csv")
	if err := os.WriteFile(stale, []byte("earlier"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := runMain(args, &o, &e); code != 0 {
		t.Fatalf("rerun exit %d: %s", code, e.String())
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a rerun left a stale file")
	}
	if _, err := os.Stat(filepath.Join(out, cli.MarkerFile)); err != nil {
		t.Error(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"event_seed": 1`) || !strings.Contains(string(b), "0.003") {
		t.Errorf("config.json does not hold the shared Poisson defaults (event seed 1, 0.003 µS):\n%.600s", b)
	}
	clitest.NoStaging(t, dir)
}

// TestCheckDipole checks that a NaN in the column's dipole is a runtime
// failure naming the layer, the step and the time.
func TestCheckDipole(t *testing.T) {
	res := &biophys.SimResult{Times: []float64{0, 0.025, 0.05}, L2: []float64{0, 1, 2}, L5: []float64{0, 1, math.NaN()}}
	err := checkDipole(res, 0.025)
	var rt runtimeError
	if err == nil || !errors.As(err, &rt) || !strings.Contains(err.Error(), "L5 pyramidal cells' dipole is NaN at step 2 (t = 0.05 ms)") {
		t.Errorf("error %v, want a runtime error naming L5, step 2 and t = 0.05 ms", err)
	}
	res.L5[2] = 3
	if err := checkDipole(res, 0.025); err != nil {
		t.Errorf("a finite dipole: %v", err)
	}
}
