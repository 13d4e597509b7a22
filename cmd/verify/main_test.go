package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/verify"
)

// TestRunTinyColumn runs the command on a 2x2 column with untrained
// surrogates and checks that every output is written and the report reads
// back with both conditions, models and the seed asked for.
func TestRunTinyColumn(t *testing.T) {
	dir := t.TempDir()
	opt := network.DefaultConnectivity()
	for i := range opt.Classes {
		opt.Classes[i].Gain = 1.5
	}
	connFile := filepath.Join(dir, "connectivity.json")
	if err := opt.Save(connFile); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	err := run([]string{"-connectivity", connFile, "-mesh", "2x2", "-tstop", "60", "-warmup", "10", "-resolution", "25",
		"-rate", "80", "-weight-ampa", "0.004", "-models", "random:3", "-seeds", "5", "-quiet", "-out", out}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"verify.json", "verify_seeds.csv", "verify_psd.csv", "verify_spikes.csv", "verify_dipole.csv",
		"verify_psd.png", "verify_raster.png", "verify_rates.png", "verify_dipole.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "verify.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep verify.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Conditions) != 2 || len(rep.Conditions[1].Seeds) != 1 || rep.Conditions[1].Seeds[0].Seed != 5 ||
		rep.Conditions[1].Seeds[0].Surrogate == nil || rep.Conditions[1].Gains["L2Pyr_L2Pyr_ampa_proximal"] == 0 {
		t.Errorf("report %s", b)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "verify_seeds.csv"))
	// Three models (biophysical, surrogate network, open loop), two conditions,
	// one seed: a header, 6 seed rows and 6 mean rows.
	if n := strings.Count(string(csv), "\n"); n != 1+6+6 {
		t.Errorf("verify_seeds.csv has %d lines, want 13:\n%s", n, csv)
	}
}

func TestRunErrors(t *testing.T) {
	connFile := filepath.Join(t.TempDir(), "connectivity.json")
	if err := network.DefaultConnectivity().Save(connFile); err != nil {
		t.Fatal(err)
	}
	tiny := []string{"-connectivity", connFile, "-mesh", "2x2", "-quiet", "-surrogate=false"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-connectivity"},
		{[]string{"-connectivity", "/nonexistent/c.json"}, "no such file"},
		{[]string{"-connectivity", "x.json", "extra"}, "unexpected"},
		// 0 would be verify.Options' "default": refused rather than read as 3 and 0.025.
		{append(tiny, "-target", "0"), "-target 0"},
		{append(tiny, "-dt", "0"), "-dt 0"},
		{append(tiny, "-parallel", "-1"), "parallel -1"},
	} {
		if err := run(tc.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q): error %v, want one mentioning %q", tc.args, err, tc.want)
		}
	}
}
