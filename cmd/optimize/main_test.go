package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/summary"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/optimize"
)

func tinyArgs(out string) []string {
	return []string{"-models", "random", "-mesh", "2x2", "-tstop", "120", "-warmup", "20", "-resolution", "10",
		"-epochs", "2", "-heldout", "1", "-drive-weight", "0.02", "-out", out}
}

func TestCLITinyRun(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(tinyArgs(out), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "seed 1") || !strings.Contains(stdout.String(), "configuration:") {
		t.Errorf("stdout lacks the seed and configuration:\n%s", stdout.String())
	}
	if n := strings.Count(stderr.String(), "epoch "); n < 2 {
		t.Errorf("stderr has %d progress lines, want one per epoch:\n%s", n, stderr.String())
	}
	for _, f := range []string{"summary.json", "epochs.csv", "gains.csv", "psd.csv", "dipole.csv", "heldout.csv",
		"spikes_initial.csv", "spikes_final.csv", "connectivity.json", "connectivity_initial.json", "drives.json",
		"A_psd.png", "B_band_power.png", "C_dipole.png", "D_raster_initial.png", "E_raster_final.png", "F_gains.png"} {
		st, err := os.Stat(filepath.Join(out, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"band_power_heldout_initial", "band_power_heldout_final", "wall_seconds"} {
		v, ok := sum[k].(float64)
		if !ok || !(v > 0) {
			t.Errorf("summary.json %s = %v, want a positive number", k, sum[k])
		}
	}
	if eps, _ := sum["epochs"].([]any); len(eps) != 2 {
		t.Errorf("summary.json has %d epochs, want 2", len(eps))
	}
	// The default runs three restarts and keeps exactly one.
	rs, _ := sum["restarts"].([]any)
	kept := 0
	for _, r := range rs {
		if m, _ := r.(map[string]any); m["kept"] == true {
			kept++
		}
	}
	if len(rs) != optimize.DefaultRestarts || kept != 1 {
		t.Errorf("summary.json has %d restarts with %d kept, want %d with 1", len(rs), kept, optimize.DefaultRestarts)
	}
	// The connectivity is what simulate network reads.
	conn, err := network.LoadConnectivity(filepath.Join(out, "connectivity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(conn.Classes) != 16 {
		t.Errorf("%d classes in connectivity.json, want 16", len(conn.Classes))
	}
	if _, err := network.LoadDrives(filepath.Join(out, "drives.json")); err != nil {
		t.Errorf("drives.json: %v", err)
	}

	// Same seed, same numbers.
	out2 := t.TempDir()
	if err := run(append(tinyArgs(out2), "-figures=false"), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	b2, err := os.ReadFile(filepath.Join(out2, "epochs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(filepath.Join(out, "epochs.csv"))
	strip := func(b []byte) string { // drop the wall-time column
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 6 {
				f[5] = ""
			}
			lines = append(lines, strings.Join(f, ","))
		}
		return strings.Join(lines, "\n")
	}
	if strip(b1) != strip(b2) {
		t.Errorf("two runs with the same seed differ:\n%s\n%s", b1, b2)
	}
}

func TestCLIPerConnection(t *testing.T) {
	out := t.TempDir()
	args := append(tinyArgs(out), "-params", "per-connection", "-epochs", "1", "-figures=false", "-objective", "relative", "-dipole", "L5")
	if err := run(args, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "weights.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 100 || !strings.HasPrefix(lines[0], "class,src_gid,tgt_gid") {
		t.Fatalf("weights.csv has %d lines, header %q", len(lines), lines[0])
	}
	if _, err := network.LoadConnectivity(filepath.Join(out, "connectivity.json")); err != nil {
		t.Fatal(err)
	}
}

func TestCLIBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "-1"},
		{"-restarts", "0"},
		{"-clip", "0"}, // optimize.Config would read it as DefaultClipNorm
		{"-band", "60-15"},
		{"-mesh", "0x3"},
		{"-objective", "loudest"},
		{"-objective", "target"},
		{"-params", "per-synapse"},
		{"-dipole", "L4"},
		{"-gains", "NoSuchClass=2", "-models", "random"},
		{"-drive-weights", "L2_pyramidal=-1"},
		{"-float", "16"},
		{"stray"},
	} {
		err := run(append(args, "-out", t.TempDir()), &bytes.Buffer{}, &bytes.Buffer{})
		var ie inputError
		if err == nil || !errors.As(err, &ie) {
			t.Errorf("%v: error %v, want an input error", args, err)
		}
	}
}

// TestCLIDriveSubsteps: -drive-substeps is recorded in summary.json and,
// with the shipped (exact) baskets, changes the initial held-out evaluation
// (the drives' events reach the baskets at their NEURON steps).
func TestCLIDriveSubsteps(t *testing.T) {
	initial := map[bool]float64{}
	for _, sub := range []bool{false, true} {
		out := t.TempDir()
		args := []string{"-models", "shipped", "-mesh", "2x2", "-tstop", "120", "-warmup", "20", "-resolution", "10",
			"-epochs", "1", "-restarts", "1", "-heldout", "1", "-figures=false", "-out", out}
		if sub {
			args = append(args, "-drive-substeps")
		}
		if err := run(args, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s summary.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		if s.Config.DriveSubsteps != sub || s.BandPowerHeldOutInitial == nil {
			t.Fatalf("-drive-substeps %v: summary's drive_substeps %v, initial band power %v", sub, s.Config.DriveSubsteps, s.BandPowerHeldOutInitial)
		}
		initial[sub] = *s.BandPowerHeldOutInitial
	}
	if initial[false] == initial[true] {
		t.Errorf("-drive-substeps left the initial held-out band power at %v", initial[false])
	}
}
