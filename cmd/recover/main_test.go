package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/clitest"
	"github.com/neurograd/neurograd/recovery"
)

func runBuf(args []string, stdout, stderr *bytes.Buffer) int { return runMain(args, stdout, stderr) }

// tinyArgs is a run of a few seconds: 3x3 mesh, 40 ms, two trials, two
// epochs, a search budget of three evaluations.
func tinyArgs(out string) []string {
	return []string{"-mesh", "3x3", "-tstop", "40", "-trials", "2", "-epochs", "2", "-budget", "3", "-seed", "3", "-quiet", "-out", out}
}

// TestTiny runs the command twice with the same seed: every file is
// written, the tables are complete, and the results are identical.
func TestTiny(t *testing.T) {
	tmp := t.TempDir()
	var first map[string][]byte
	runs := 2
	if testing.Short() {
		runs = 1
	}
	for run := range runs {
		out := filepath.Join(tmp, "r"+string(rune('0'+run)))
		var stdout, stderr bytes.Buffer
		if code := runMain(tinyArgs(out), &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "recover: seed 3") || !strings.Contains(stdout.String(), "configuration:") {
			t.Errorf("stdout lacks the seed and configuration:\n%s", stdout.String())
		}
		files := map[string][]byte{}
		for _, name := range []string{"results.json", "params.csv", "loss_per_sim.csv", "erp.csv", "erp_surrogate.csv", "epochs.csv", "erp.png", "loss_per_sim.png", "params.png"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || len(b) == 0 {
				t.Fatalf("%s: %v (%d bytes)", name, err, len(b))
			}
			files[name] = b
		}
		var r recovery.Result
		if err := json.Unmarshal(files["results.json"], &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Params) != len(recovery.DefaultParams()) || len(r.Search) != 3 || len(r.Epochs) != 2 || r.Config.MeshX != 3 || r.Config.Trials != 2 {
			t.Errorf("results.json: %d parameters, %d evaluations, %d epochs, config %+v", len(r.Params), len(r.Search), len(r.Epochs), r.Config)
		}
		if n := strings.Count(string(files["loss_per_sim.csv"]), "\n"); n != 1+2+3 {
			t.Errorf("loss_per_sim.csv: %d lines, want 6", n)
		}
		if n := strings.Count(string(files["params.csv"]), "\n"); n != 1+len(r.Params) {
			t.Errorf("params.csv: %d lines", n)
		}
		if n := strings.Count(string(files["erp.csv"]), "\n"); n != 1+1601 { // header, t = 0, 0.025, ..., 40 ms
			t.Errorf("erp.csv: %d lines, want 1602", n)
		}
		clitest.NoStaging(t, tmp)
		if first == nil {
			first = files
			continue
		}
		for _, name := range []string{"params.csv", "loss_per_sim.csv", "erp.csv", "erp_surrogate.csv", "epochs.csv"} {
			if !bytes.Equal(first[name], files[name]) {
				t.Errorf("%s differs between two runs of the same seed", name)
			}
		}
	}
}

// TestBattery checks that bad flags exit 2 naming the flag and leave no
// output behind.
func TestBattery(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	bad := func(flag, value string) []string { return append(tinyArgs(out), "-"+flag, value) }
	var cases []clitest.Case
	for _, c := range []struct{ flag, value, want string }{
		{"mesh", "0x3", "-mesh"},
		{"trials", "0", "-trials"},
		{"tstop", "-5", "-tstop"},
		{"dt", "0.5", "-dt"},
		{"span", "0", "-span"},
		{"span", "NaN", "-span"},
		{"smooth", "-1", "-smooth"},
		{"smooth", "100", "-smooth"},
		{"epochs", "0", "-epochs"},
		{"lr", "-0.1", "-lr"},
		{"replicas", "-1", "-replicas"},
		{"search", "bayes", "-search"},
		{"budget", "0", "-budget"},
		{"params", "evprox1_ampa_L9_pyramidal", "-params"},
		{"params", "evprox1_mu", "-params"},
		{"params", ",", "-params"},
		{"scale", "0", "-scale"},
		{"seed", "x", "-seed"},
	} {
		cases = append(cases, clitest.Case{Name: c.flag + " " + c.value, Args: bad(c.flag, c.value), Code: 2, Want: []string{c.want}, Absent: []string{out}})
	}
	cases = append(cases,
		clitest.Case{Name: "stray argument", Args: append(tinyArgs(out), "extra"), Code: 2, Want: []string{"unexpected arguments"}, Absent: []string{out}},
		clitest.Case{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Parameter recovery", "-budget"}},
	)
	clitest.Run(t, runBuf, cases)
	clitest.NoStaging(t, tmp)
}
