package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/cmd/internal/clitest"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

func runBuf(args []string, stdout, stderr *bytes.Buffer) int { return runMain(args, stdout, stderr) }

// TestBattery runs the command's bad-input cases in-process: exit status,
// the error naming the flag, and no verification file written.
func TestBattery(t *testing.T) {
	dir := t.TempDir()
	connFile := filepath.Join(dir, "connectivity.json")
	if err := network.DefaultConnectivity().Save(connFile); err != nil {
		t.Fatal(err)
	}
	models := t.TempDir()
	m, err := surrogate.New[float32](neuron.L5Basket, surrogate.Arch{ConvChannels: 2, ConvKernel: 2, Hidden: 3, Layers: 1, HeadHidden: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	for _, ct := range neuron.CellTypes {
		if err := os.WriteFile(filepath.Join(models, ct.String()+".safetensors"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tiny := func(extra ...string) []string {
		return append([]string{"-connectivity", connFile, "-mesh", "2x2", "-tstop", "60", "-warmup", "10", "-resolution", "25", "-quiet", "-seeds", "5"}, extra...)
	}
	// An optimization's results whose training used trial 0: -seeds 0 must be refused.
	used := t.TempDir()
	usedConn := filepath.Join(used, "connectivity.json")
	if err := network.DefaultConnectivity().Save(usedConn); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(used, "summary.json"), []byte(`{"config": {"mesh": "2x2", "tstop_ms": 60, "warmup_ms": 10, "resolution_hz": 25, "band_hz": [15, 60], "dipole": "agg", "models": "random", "spike_slope_per_mV": 16}, "epochs": [{"epoch": 1, "trials": [0]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable := clitest.Unwritable(t)
	verifyJSON := filepath.Join(dir, "verify.json")
	clitest.Run(t, runBuf, []clitest.Case{
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Simulates the biophysical column", "-weight-ampa"}},
		{Name: "no arguments", Args: nil, Code: 2, Want: []string{"-connectivity FILE is required"}},
		{Name: "missing connectivity", Args: []string{"-connectivity", filepath.Join(dir, "none.json")}, Code: 2, Want: []string{"none.json"}},
		{Name: "dt 0", Args: tiny("-dt", "0"), Code: 2, Want: []string{"-dt 0"}, Absent: []string{verifyJSON}},
		{Name: "dt negative", Args: tiny("-dt", "-0.025"), Code: 2, Want: []string{"-dt -0.025"}, Absent: []string{verifyJSON}},
		{Name: "dt NaN", Args: tiny("-dt", "NaN"), Code: 2, Want: []string{"-dt NaN"}, Absent: []string{verifyJSON}},
		{Name: "dt coarse", Args: tiny("-dt", "0.5"), Code: 2, Want: []string{"-dt 0.5", "at most 0.1"}, Absent: []string{verifyJSON}},
		{Name: "target 0", Args: tiny("-target", "0"), Code: 2, Want: []string{"-target 0"}, Absent: []string{verifyJSON}},
		{Name: "bad seeds", Args: tiny("-seeds", "3,-1"), Code: 2, Want: []string{"-seeds"}, Absent: []string{verifyJSON}},
		{Name: "a training seed", Args: []string{"-connectivity", usedConn, "-seeds", "0", "-quiet"}, Code: 2,
			Want: []string{"-seeds: seed 0 is a noise trial the optimizer used"}, Absent: []string{filepath.Join(used, "verify.json")}},
		{Name: "unwritable out", Args: tiny("-out", unwritable), Code: 2, Want: []string{"-out " + unwritable}, Absent: []string{unwritable}},
		{Name: "models of the wrong type", Args: tiny("-models", models), Code: 2, Want: []string{"-models", "L5_basket", "asked for L2_basket"}, Absent: []string{verifyJSON}},
	})
	clitest.NoStaging(t, dir)
}

// TestVerifyAddsToResults checks that a verification adds its files to the
// optimization's directory, leaves the others alone and replaces those of
// an earlier verification.
func TestVerifyAddsToResults(t *testing.T) {
	dir := t.TempDir()
	connFile := filepath.Join(dir, "connectivity.json")
	if err := network.DefaultConnectivity().Save(connFile); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "epochs.csv")
	if err := os.WriteFile(other, []byte("the optimization's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "verify.json"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-connectivity", connFile, "-mesh", "2x2", "-tstop", "60", "-warmup", "10", "-resolution", "25", "-quiet", "-seeds", "5",
		"-surrogate=false", "-rate", "80", "-weight-ampa", "0.004"}
	var o, e bytes.Buffer
	if code := runMain(args, &o, &e); code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, e.String())
	}
	if b, _ := os.ReadFile(other); string(b) != "the optimization's" {
		t.Error("verify changed a file it does not write")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "verify.json")); string(b) == "stale" {
		t.Error("verify.json of the earlier verification was not replaced")
	}
	clitest.NoStaging(t, dir)
}
