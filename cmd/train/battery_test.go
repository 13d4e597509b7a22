package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurograd/neurograd/cmd/internal/clitest"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

func runBuf(args []string, stdout, stderr *bytes.Buffer) int { return runMain(args, stdout, stderr) }

// TestBattery runs the command's bad-input cases in-process: each must fail
// with exit status 2 and the flag named before any data is generated (the
// data directory stays empty) or anything is written.
func TestBattery(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	wrong := t.TempDir() // every file holds L5_pyramidal weights
	m, err := surrogate.New[float32](neuron.L5Pyramidal, surrogate.Arch{ConvChannels: 2, ConvKernel: 2, Hidden: 3, Layers: 1, HeadHidden: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	for _, ct := range neuron.CellTypes {
		if err := os.WriteFile(filepath.Join(wrong, ct.String()+".safetensors"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := filepath.Abs(filepath.Join("..", "..", "neuron", "surrogate", "weights"))
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(shipped, "L2_basket.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	args := func(extra ...string) []string {
		return append([]string{"-type", "L2_basket", "-data", data, "-out", filepath.Join(tmp, "w"), "-bins", "20", "-poisson", "1", "-netruns", "0",
			"-val-poisson", "1", "-val-netruns", "0", "-test-poisson", "1", "-test-netruns", "0", "-extra-seeds", ""}, extra...)
	}
	unwritable := clitest.Unwritable(t)
	clitest.Run(t, runBuf, []clitest.Case{
		{Name: "no arguments", Args: nil, Code: 2, Want: []string{"usage: train", "training takes hours"}},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: []string{"Generates (and caches) biophysical training data", "-overwrite-shipped"}},
		{Name: "bad type", Args: args("-type", "L4_pyramidal"), Code: 2, Want: []string{`-type "L4_pyramidal"`}, Absent: []string{data}},
		{Name: "shipped weights without the flag", Args: args("-out", shipped), Code: 2, Want: []string{"-out " + shipped, "-overwrite-shipped"}, Absent: []string{data}},
		{Name: "eval missing", Args: args("-eval", filepath.Join(tmp, "none")), Code: 2, Want: []string{"-eval " + filepath.Join(tmp, "none")}, Absent: []string{data}},
		{Name: "eval of the wrong type", Args: args("-eval", wrong), Code: 2, Want: []string{"-eval", "L5_pyramidal", "asked for L2_basket"}, Absent: []string{data}},
		{Name: "init of the wrong type", Args: args("-init", wrong), Code: 2, Want: []string{"-init", "L5_pyramidal", "asked for L2_basket"}, Absent: []string{data, filepath.Join(tmp, "w")}},
		{Name: "bad arch", Args: args("-arch", "4,2"), Code: 2, Want: []string{"-arch"}, Absent: []string{data, filepath.Join(tmp, "w")}},
		{Name: "arch out of range", Args: args("-arch", "4,2,0,1,4"), Code: 2, Want: []string{"-arch", "hidden"}, Absent: []string{data}},
		{Name: "unwritable out", Args: args("-out", unwritable), Code: 2, Want: []string{"-out " + unwritable}, Absent: []string{data}},
		{Name: "unwritable metrics", Args: args("-metrics", filepath.Join(unwritable, "m.json")), Code: 2, Want: []string{"-metrics"}, Absent: []string{data}},
		{Name: "learning rate out of range", Args: args("-lr", "-1"), Code: 2, Want: []string{"training flags for L2_basket", "LR"}, Absent: []string{data, filepath.Join(tmp, "w")}},
		{Name: "bad mesh", Args: args("-mesh", "ten"), Code: 2, Want: []string{`-mesh "ten"`}, Absent: []string{data, filepath.Join(tmp, "w")}},
	})
	after, _ := os.ReadFile(filepath.Join(shipped, "L2_basket.safetensors"))
	if !bytes.Equal(before, after) {
		t.Fatal("the shipped weights changed")
	}
	clitest.NoStaging(t, tmp)
	clitest.NoStaging(t, filepath.Join(tmp, "w"))
}

// TestDefaultOutIsNotTheSourceTree checks -out's default and the guard.
func TestDefaultOutIsNotTheSourceTree(t *testing.T) {
	if defaultOut == shippedDir {
		t.Fatalf("-out defaults to %s", shippedDir)
	}
	abs, _ := filepath.Abs(filepath.Join("..", "..", "neuron", "surrogate", "weights"))
	if _, ok := sourceTree(abs); !ok {
		t.Errorf("%s is not recognised as the embedded weights", abs)
	}
	if _, ok := sourceTree(t.TempDir()); ok {
		t.Error("a temporary directory is taken for the embedded weights")
	}
}
