package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/network"
)

// TestRefusedBeforeWork: a verification whose memory would not fit is
// refused before simulating (isMemoryError: exit status 2), naming the
// estimate, -max-memory and the flag to change, and writes nothing.
func TestRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	connFile := filepath.Join(dir, "connectivity.json")
	if err := network.DefaultConnectivity().Save(connFile); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"-tstop", "1e12"}, "-tstop"},
		{[]string{"-dt", "1e-9"}, "-dt"},
		{[]string{"-mesh", "100x100"}, "-mesh"},
		{[]string{"-max-memory", "1M"}, "-max-memory"},
	} {
		err := run(append(c.args, "-connectivity", connFile, "-out", out), io.Discard, io.Discard)
		if !isMemoryError(err) || !cli.IsInput(err) {
			t.Errorf("%v: error %v, want a -max-memory refusal", c.args, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "-max-memory") || !strings.Contains(msg, c.flag) || !strings.Contains(msg, "estimate") {
			t.Errorf("%v: %q does not name the estimate, -max-memory and %s", c.args, msg, c.flag)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: %s was written", c.args, out)
		}
	}
}
