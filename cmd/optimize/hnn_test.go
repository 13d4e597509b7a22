package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// hnnFile writes a small network in hnn-core's format (a 2x2 column, the
// default connectivity and a Poisson drive on every cell) and returns it as
// read.
func hnnFile(t *testing.T) (string, *network.Network) {
	col, err := network.NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, err := network.PoissonNoise(neuron.Proximal, 10, 0.02, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	n, err := network.NewNetwork(col, nil, []network.Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "net.json")
	if err := network.SaveHNNNetwork(path, n); err != nil {
		t.Fatal(err)
	}
	back, _, err := network.LoadHNNNetwork(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, back
}

// -network reads an hnn-core file and writes the optimized network back in
// that format: the file's column and drives, the optimized gains applied to
// the weights; our reader reads it back identically.
func TestCLINetworkFile(t *testing.T) {
	in, want := hnnFile(t)
	out := t.TempDir()
	args := []string{"-models", "random", "-network", in, "-tstop", "120", "-warmup", "20", "-resolution", "10",
		"-epochs", "2", "-restarts", "1", "-heldout", "1", "-figures=false", "-out", out}
	var stderr bytes.Buffer
	if err := run(args, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	path := filepath.Join(out, "network.json")
	got, _, err := network.LoadHNNNetwork(path)
	if err != nil {
		t.Fatal(err)
	}
	final, err := network.LoadConnectivity(filepath.Join(out, "connectivity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Column, want.Column) || !reflect.DeepEqual(got.Drives, want.Drives) {
		t.Error("network.json's column or drives differ from the input file's")
	}
	if !reflect.DeepEqual(got.Connectivity, final.FoldGains()) {
		t.Error("network.json's connectivity is not the optimized one with its gains in the weights")
	}
	if reflect.DeepEqual(got.Connectivity, want.Connectivity) {
		t.Error("network.json holds the initial connectivity")
	}
	// Read back -> written again gives the same file.
	data, _ := os.ReadFile(path)
	var again bytes.Buffer
	if err := network.WriteHNNNetwork(&again, got); err != nil || !bytes.Equal(again.Bytes(), data) {
		t.Errorf("network.json read and written again differs (%v)", err)
	}

	// -network replaces -mesh, -connectivity and -drives.
	for _, extra := range [][]string{{"-mesh", "3x3"}, {"-drives", in}, {"-connectivity", in}} {
		err := run(append([]string{"-network", in, "-out", t.TempDir()}, extra...), &bytes.Buffer{}, &bytes.Buffer{})
		var ie inputError
		if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), extra[0]) {
			t.Errorf("-network with %v: %v, want an input error naming %s", extra, err, extra[0])
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"object_type": "Network", "celsius": 30}`), 0o644)
	err = run([]string{"-models", "random", "-network", bad, "-out", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{})
	var ie inputError
	if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), bad) {
		t.Errorf("a bad -network file: %v, want an input error naming it", err)
	}
}
