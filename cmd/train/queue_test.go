package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestQueueGeneratesTheSameData generates tiny splits in this process and as
// train-data jobs on an embedded JetStream server, and compares the files.
func TestQueueGeneratesTheSameData(t *testing.T) {
	dir := t.TempDir()
	args := func(data string, extra ...string) []string {
		return append([]string{"-type", "all", "-data", data, "-gen-only", "-bins", "60", "-mesh", "2x1",
			"-poisson", "3", "-netruns", "1", "-pick-pyr", "1", "-val-poisson", "1", "-val-netruns", "0",
			"-test-poisson", "2", "-test-netruns", "1", "-extra-seeds", ""}, extra...)
	}
	local, queued := filepath.Join(dir, "local"), filepath.Join(dir, "queued")
	if err := run(args(local), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(args(queued, "-queue", "embedded", "-shards", "3", "-queue-workers", "2"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, split := range []string{"train", "val", "test"} {
		for _, ct := range neuron.CellTypes {
			name := ct.String() + "_" + split + ".ds"
			a, err := os.ReadFile(filepath.Join(local, name))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(queued, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s: the queued generation differs from the in-process one", name)
			}
		}
	}
	// A rerun finds the datasets and submits nothing; a fresh data folder
	// with the kept sweep state takes every shard from the store.
	for _, ct := range neuron.CellTypes {
		os.Remove(filepath.Join(queued, ct.String()+"_train.ds"))
	}
	if err := run(args(queued, "-queue", "embedded", "-shards", "3", "-queue-workers", "-1"), io.Discard, io.Discard); err != nil {
		t.Fatalf("regenerating from the store without workers: %v", err)
	}
}
