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

// TestRefusedBeforeWork: datasets that would not fit are refused before
// any generation (exit status 2), naming the estimate, -max-memory and the
// flag to change, and nothing is written.
func TestRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"-bins", "1000000000"}, "-bins"},
		{[]string{"-poisson", "100000000"}, "-poisson"},
		{[]string{"-type", "L2_basket", "-max-memory", "1M"}, "-max-memory"},
	} {
		err := run(append(c.args, "-data", data, "-out", filepath.Join(dir, "w")), io.Discard, io.Discard)
		var me *cli.MemoryError
		if !errors.As(err, &me) || !cli.IsInput(err) {
			t.Errorf("%v: error %v, want a -max-memory refusal", c.args, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "-max-memory") || !strings.Contains(msg, c.flag) || !strings.Contains(msg, "estimate") {
			t.Errorf("%v: %q does not name the estimate, -max-memory and %s", c.args, msg, c.flag)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("%v: %s was written", c.args, data)
		}
	}
	types, _ := parseTypes("all")
	shipped := &options{bins: 2000, poisson: 160, netRuns: 8, pickPyr: 15, valPoisson: 20, valNetRuns: 2, testPoisson: 80, testNetRuns: 8,
		extraSeeds: "shipped", extraPoisson: 300, extraNetRuns: 10, extraPick: 40}
	all := shipped.estimate(types)
	basket := shipped.estimate(types[:1])
	if all.Bytes < 4*basket.Bytes || all.Bytes > 16<<30 {
		t.Errorf("the shipped recipe: %v for all types, %v for %s", cli.Bytes(all.Bytes), cli.Bytes(basket.Bytes), types[0])
	}
}
