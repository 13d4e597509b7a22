package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/cli"
)

// TestRefusedBeforeWork: settings whose memory would not fit are refused
// at once (an input error: exit status 2) with the estimate, -max-memory
// and the flag to change named, and nothing is written.
func TestRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		name string
		run  func([]string, io.Writer, io.Writer) error
		args []string
		flag string
	}{
		{"cell tstop", runCell, []string{"-type", "L5_pyramidal", "-tstop", "1e12", "-out", out}, "-tstop"},
		{"cell dt", runCell, []string{"-type", "L2_basket", "-tstop", "100", "-dt", "1e-9", "-out", out}, "-dt"},
		{"surrogate cell tstop", runCell, []string{"-type", "L5_pyramidal", "-surrogate", "-tstop", "1e12", "-out", out}, "-tstop"},
		{"network dt", runNetwork, []string{"-dt", "1e-9", "-out", out, "-quiet"}, "-dt"},
		{"network mesh", runNetwork, []string{"-mesh", "100x100", "-out", out, "-quiet"}, "-mesh"},
		{"network max-memory", runNetwork, []string{"-mesh", "3x3", "-tstop", "50", "-max-memory", "1M", "-out", out, "-quiet"}, "-max-memory"},
	} {
		err := c.run(c.args, io.Discard, io.Discard)
		var me *cli.MemoryError
		if !errors.As(err, &me) || !cli.IsInput(err) {
			t.Errorf("%s: error %v, want a -max-memory refusal (exit status 2)", c.name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "-max-memory") || !strings.Contains(msg, c.flag) || !strings.Contains(msg, "estimate") {
			t.Errorf("%s: %q does not name the estimate, -max-memory and %s", c.name, msg, c.flag)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: %s was written", c.name, out)
		}
	}
	// -mesh 1000x1000 is refused by the mesh parser already.
	if err := runNetwork([]string{"-mesh", "1000x1000", "-out", out}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-mesh") {
		t.Errorf("-mesh 1000x1000: %v", err)
	}
}
