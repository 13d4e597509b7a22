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

// wrongModels writes a -models directory whose every file holds L2_basket
// weights (so L2_pyramidal.safetensors is of the wrong type).
func wrongModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	m, err := surrogate.New[float32](neuron.L2Basket, surrogate.Arch{ConvChannels: 2, ConvKernel: 2, Hidden: 3, Layers: 1, HeadHidden: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	for _, ct := range neuron.CellTypes {
		if err := os.WriteFile(filepath.Join(dir, ct.String()+".safetensors"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBattery runs the command's bad-input and failure cases in-process:
// exit status, the error naming the flag, no output left behind.
func TestBattery(t *testing.T) {
	tmp := t.TempDir()
	out := func(name string) string { return filepath.Join(tmp, name) }
	tiny := func(o string, extra ...string) []string {
		return append(append(tinyArgs(o), "-restarts", "1", "-figures=false"), extra...)
	}
	foreign := out("foreign")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(foreign, "thesis.tex"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable := clitest.Unwritable(t)
	clitest.Run(t, runBuf, []clitest.Case{
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Optimizes the connection gains", "-drive-weight"}},
		{Name: "bad band", Args: tiny(out("band"), "-band", "60-15"), Code: 2, Want: []string{"-band \"60-15\""}, Absent: []string{out("band")}},
		{Name: "unwritable out", Args: tiny(unwritable), Code: 2, Want: []string{"-out " + unwritable}, Absent: []string{unwritable}},
		{Name: "foreign out", Args: tiny(foreign), Code: 2, Want: []string{"-out " + foreign, "not written by a neurograd command"}},
		{Name: "models of the wrong type", Args: append(tiny(out("models")), "-models", wrongModels(t)), Code: 2,
			Want: []string{"-models", "L2_basket", "asked for L2_pyramidal"}, Absent: []string{out("models")}},
		{Name: "lr 1e6", Args: tiny(out("lr"), "-lr", "1e6"), Code: 1, Want: []string{"parameter", "log10 gain", "learning rate 1e+06"}, Absent: []string{out("lr")}},
		{Name: "absurd gain", Args: tiny(out("gain"), "-gains", "L5Pyr_L5Pyr_ampa_proximal=1e38"), Code: 1,
			Want: []string{"NaN"}, Absent: []string{out("gain")}},
		{Name: "absurd gain, shipped cells", Args: tiny(out("gain2"), "-models", "shipped", "-gains", "L5Pyr_L5Pyr_ampa_proximal=1e38"), Code: 1,
			Want: []string{"output v_soma is NaN at step", "cell gid", "largest parameter is L5Pyr_L5Pyr_ampa_proximal"}, Absent: []string{out("gain2")}},
		{Name: "verify dt 0", Args: tiny(out("vdt0"), "-verify", "-verify-dt", "0"), Code: 2, Want: []string{"-verify-dt 0"}, Absent: []string{out("vdt0")}},
		{Name: "verify dt coarse", Args: tiny(out("vdt"), "-verify", "-verify-dt", "0.2"), Code: 2, Want: []string{"-verify-dt 0.2", "at most 0.1"}, Absent: []string{out("vdt")}},
		{Name: "verify seeds", Args: tiny(out("vs"), "-verify", "-verify-seeds", "1,x"), Code: 2, Want: []string{"-verify-seeds"}, Absent: []string{out("vs")}},
	})
	if _, err := os.Stat(filepath.Join(foreign, "thesis.tex")); err != nil {
		t.Errorf("the foreign -out lost its file: %v", err)
	}
	clitest.NoStaging(t, tmp)
}

// TestRerunReplacesResults checks that a rerun leaves no stale file of an
// earlier run and that a failed rerun leaves the earlier results whole.
func TestRerunReplacesResults(t *testing.T) {
	tmp := t.TempDir()
	res := filepath.Join(tmp, "results")
	args := append(tinyArgs(res), "-restarts", "1", "-epochs", "1", "-figures=false")
	var o, e bytes.Buffer
	if code := runMain(args, &o, &e); code != 0 {
		t.Fatalf("first run: %d\n%s", code, e.String())
	}
	stale := filepath.Join(res, "F_gains.png")
	if err := os.WriteFile(stale, []byte("an earlier run's figure"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(res, "summary.json"))
	// A failing rerun changes nothing.
	if code := runMain(append(args, "-lr", "1e6", "-epochs", "2"), &o, &e); code != 1 {
		t.Fatalf("failing rerun: exit %d, want 1", code)
	}
	after, _ := os.ReadFile(filepath.Join(res, "summary.json"))
	if !bytes.Equal(before, after) {
		t.Error("a failed rerun changed summary.json")
	}
	if _, err := os.Stat(stale); err != nil {
		t.Error("a failed rerun removed files of the earlier results")
	}
	// A successful rerun replaces the directory: the stale figure is gone.
	if code := runMain(args, &o, &e); code != 0 {
		t.Fatalf("rerun: %d\n%s", code, e.String())
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a rerun left a stale file of the earlier run")
	}
	if _, err := os.Stat(filepath.Join(res, cli.MarkerFile)); err != nil {
		t.Errorf("no %s in the results: %v", cli.MarkerFile, err)
	}
	clitest.NoStaging(t, tmp)
}

// TestPoissonFlagNames checks that the Poisson drive's settings take the
// names cmd/verify and cmd/simulate network use as well, with the same
// defaults.
func TestPoissonFlagNames(t *testing.T) {
	c, err := parseFlags([]string{"-weight-ampa", "0.02", "-rate", "12"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.DriveWeight != 0.02 || c.DriveRate != 12 {
		t.Errorf("-weight-ampa/-rate gave %v µS, %v Hz", c.DriveWeight, c.DriveRate)
	}
	c, err = parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.DriveWeight != network.DefaultNoiseWeightAMPA || c.DriveRate != network.DefaultNoiseRate || c.Seed != network.DefaultNoiseEventSeed {
		t.Errorf("defaults %v µS, %v Hz, seed %d", c.DriveWeight, c.DriveRate, c.Seed)
	}
}
