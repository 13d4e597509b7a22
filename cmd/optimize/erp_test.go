package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
)

// TestCLIERPFit fits gains and drive weights to a dipole in hnn-core's text
// layout within bounds (held to float32 precision), and checks the outputs: erp.csv, the fitted
// drives.json (readable by simulate network), drives_initial.json.
func TestCLIERPFit(t *testing.T) {
	dir := t.TempDir()
	var dpl strings.Builder
	for k := 0; k <= 240; k++ {
		tm := 0.5 * float64(k)
		fmt.Fprintf(&dpl, "%g\t%g\t0\t0\n", tm, 30*math.Exp(-(tm-60)*(tm-60)/200)-10*math.Exp(-(tm-90)*(tm-90)/100))
	}
	target := filepath.Join(dir, "dpl.txt")
	os.WriteFile(target, []byte(dpl.String()), 0o644)
	bounds := filepath.Join(dir, "bounds.json")
	os.WriteFile(bounds, []byte(`{"poisson_ampa_L5_pyramidal": [0, 0.03], "L5Pyr_L5Pyr_ampa_proximal": [0.5, 2]}`), 0o644)
	out := filepath.Join(dir, "out")
	args := append(tinyArgs(out), "-objective", "erp", "-target", target, "-scale", "3000", "-smooth", "5",
		"-params", "gains,drives", "-bounds", bounds, "-restarts", "1")
	var stdout, stderr bytes.Buffer
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "objective: rmse of the trial-averaged agg dipole (x3000, smoothed 5 ms)") {
		t.Errorf("stdout does not describe the ERP objective:\n%s", stdout.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "erp.csv"))
	if err != nil || !strings.HasPrefix(string(b), "time_ms,target_nAm,initial_nAm,fitted_nAm\n") || strings.Count(string(b), "\n") < 100 {
		t.Fatalf("erp.csv: %v\n%.300s", err, b)
	}
	fitted, err := network.LoadDrives(filepath.Join(out, "drives.json"))
	if err != nil {
		t.Fatal(err)
	}
	initial, err := network.LoadDrives(filepath.Join(out, "drives_initial.json"))
	if err != nil {
		t.Fatal(err)
	}
	changed := false
	for i := range fitted {
		for ct, w := range fitted[i].WeightsAMPA {
			if w != initial[i].WeightsAMPA[ct] {
				changed = true
			}
			if fitted[i].Name == "poisson" && ct.String() == "L5_pyramidal" && w > 0.03*(1+1e-6) {
				t.Errorf("fitted L5 pyramidal weight %v µS above its bound 0.03", w)
			}
		}
	}
	if !changed {
		t.Error("no drive weight was fitted")
	}
	conn, err := network.LoadConnectivity(filepath.Join(out, "connectivity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := conn.Class("L5Pyr_L5Pyr_ampa_proximal"); c.Gain < 0.5*(1-1e-6) || c.Gain > 2*(1+1e-6) {
		t.Errorf("bounded gain %v outside [0.5, 2]", c.Gain)
	}
}

func TestCLIERPErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-objective", "erp"}, "needs -target FILE"},
		{[]string{"-objective", "erp", "-target", filepath.Join(dir, "none.txt")}, "none.txt"},
		{[]string{"-objective", "erp", "-target", "x", "-smooth", "-1"}, "-smooth"},
		{[]string{"-objective", "erp", "-target", "x", "-erp-window", "50-10"}, "erp-window"},
		{[]string{"-params", "per-class,per-connection"}, "give one of"},
		{[]string{"-params", "drives,weights"}, "-params"},
		{[]string{"-bounds", filepath.Join(dir, "none.json")}, "none.json"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(append(tinyArgs(filepath.Join(dir, "out")), c.args...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.msg)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("%v: an output directory was left", c.args)
			os.RemoveAll(filepath.Join(dir, "out"))
		}
	}
}
