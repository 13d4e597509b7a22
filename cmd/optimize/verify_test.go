package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/verify"
)

// TestOptimizeVerify runs a one-epoch optimization of a tiny column with
// -verify and checks that the verification was written with the run's
// set-up: its column, simulated time, drive and surrogate cells.
func TestOptimizeVerify(t *testing.T) {
	dir := t.TempDir()
	var stdout strings.Builder
	err := run([]string{"-models", "random", "-epochs", "1", "-mesh", "2x2", "-tstop", "100", "-warmup", "20",
		"-resolution", "20", "-heldout", "1", "-figures=false", "-drive-rate", "60", "-drive-weight", "0.004",
		"-verify", "-verify-seeds", "7,8", "-out", dir}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "verify.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep verify.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Config
	if c.Mesh != [2]int{2, 2} || c.TStopMS != 100 || c.Spectrum.WarmupMS != 20 || len(c.Seeds) != 2 || !c.Surrogate || !c.OpenLoop {
		t.Errorf("verification config %+v does not follow the optimization's set-up", c)
	}
	if len(c.Drives) != 1 || c.Drives[0].Rate != 60 {
		t.Errorf("verification drives %+v, want the optimization's 60 Hz drive", c.Drives)
	}
	if len(rep.Conditions) != 2 || rep.Conditions[1].Seeds[1].Surrogate == nil {
		t.Errorf("report conditions %+v", rep.Conditions)
	}
	for _, f := range []string{"verify_seeds.csv", "verify_psd.png", "verify_raster.png", "verify_rates.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(stdout.String(), "biophysical: optimized/initial band power") {
		t.Errorf("no verification summary on stdout:\n%s", stdout.String())
	}

	// A verification seed the optimizer trained on is refused.
	err = run([]string{"-models", "random", "-epochs", "1", "-mesh", "2x2", "-tstop", "100", "-warmup", "20",
		"-resolution", "20", "-heldout", "1", "-figures=false", "-verify", "-verify-seeds", "0", "-out", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "held-out") {
		t.Errorf("verification on training trial 0: error %v", err)
	}
}
