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

// TestRefusedBeforeWork: an optimization whose memory would not fit is
// refused at once (an input error: exit status 2) naming the estimate,
// -max-memory and the flags to change, and writes nothing.
func TestRefusedBeforeWork(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"-mesh", "100x100"}, "-mesh"},
		{[]string{"-tstop", "1e12"}, "-tstop"},
		{[]string{"-replicas", "100000"}, "-replicas"},
		{[]string{"-max-memory", "10M"}, "-max-memory"},
		{[]string{"-checkpoint", "-1", "-mesh", "40x40"}, "-mesh"},
		{[]string{"-verify", "-verify-dt", "1e-9"}, "-verify-dt"},
	} {
		err := run(append(c.args, "-out", out), io.Discard, io.Discard)
		var me *cli.MemoryError
		var ie inputError
		if !errors.As(err, &me) || !errors.As(err, &ie) {
			t.Errorf("%v: error %v, want a -max-memory refusal (exit status 2)", c.args, err)
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

// TestEstimateDefaultRun: the default run's estimate is what README states
// (under 2.25 GiB with two restarts at once, an upper bound of the 1.3 GiB
// measured: the collector's headroom on everything, the checkpoints of
// every segment), and the whole tape's is more than twice that.
func TestEstimateDefaultRun(t *testing.T) {
	cfg, err := parseFlags([]string{"-workers", "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	col, err := cfg.column()
	if err != nil {
		t.Fatal(err)
	}
	e, w := cfg.estimate(col, nil)
	if w != 2 || e.Bytes <= 0 || e.Bytes > 9<<28 {
		t.Errorf("default run: %v with %d restarts at once, want under 2.25 GiB with 2", cli.Bytes(e.Bytes), w)
	}
	cfg.Checkpoint = -1
	whole, _ := cfg.estimate(col, nil)
	if whole.Bytes < 2*e.Bytes {
		t.Errorf("whole tape %v, checkpointed %v: want several times more", cli.Bytes(whole.Bytes), cli.Bytes(e.Bytes))
	}
}
