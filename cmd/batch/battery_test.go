package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/clitest"
)

func runBuf(args []string, stdout, stderr *bytes.Buffer) int {
	return runMain(context.Background(), args, stdout, stderr)
}

// TestBattery runs the command's bad-input cases in-process: exit status,
// the error naming the flag or the spec's field, no output folder created.
func TestBattery(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.json")
	if err := os.WriteFile(spec, []byte(`{"kind": "sleep", "grid": {"value": [1]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badDt := filepath.Join(dir, "dt.json")
	if err := os.WriteFile(badDt, []byte(`{"kind": "simulate-network", "settings": {"dt": 0.5}, "grid": {"seed": [0]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	unwritable := clitest.Unwritable(t)
	clitest.Run(t, runBuf, []clitest.Case{
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Runs a sweep of jobs", "-spec"}},
		{Name: "no arguments", Args: nil, Code: 2, Want: []string{"-spec FILE and -out DIR are required"}},
		{Name: "missing spec", Args: []string{"-spec", filepath.Join(dir, "none.json"), "-out", out}, Code: 2, Want: []string{"none.json"}, Absent: []string{out}},
		{Name: "dt too coarse", Args: []string{"-spec", badDt, "-out", out}, Code: 2, Want: []string{"dt", "at most 0.1"}, Absent: []string{out}},
		{Name: "unwritable out", Args: []string{"-spec", spec, "-out", unwritable}, Code: 2, Want: []string{"-out " + unwritable}, Absent: []string{unwritable}},
		{Name: "worker without queue", Args: []string{"worker"}, Code: 2, Want: []string{"-queue"}},
		{Name: "stray argument", Args: []string{"-spec", spec, "-out", out, "extra"}, Code: 2, Want: []string{"unexpected arguments"}, Absent: []string{out}},
	})
}
