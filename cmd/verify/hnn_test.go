package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// -network takes the column, the drives and the initial connectivity from
// an hnn-core network file.
func TestRunNetworkFile(t *testing.T) {
	dir := t.TempDir()
	col, _ := network.NewColumn(2, 2)
	d, err := network.PoissonNoise(neuron.Proximal, 80, 0.004, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	n, err := network.NewNetwork(col, nil, []network.Drive{d})
	if err != nil {
		t.Fatal(err)
	}
	netFile := filepath.Join(dir, "net.json")
	if err := network.SaveHNNNetwork(netFile, n); err != nil {
		t.Fatal(err)
	}
	opt := network.DefaultConnectivity()
	for i := range opt.Classes {
		opt.Classes[i].Gain = 1.5
	}
	connFile := filepath.Join(dir, "connectivity.json")
	if err := opt.Save(connFile); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	stdout := os.Stdout
	os.Stdout, _ = os.Open(os.DevNull)
	defer func() { os.Stdout = stdout }()
	if err := run([]string{"-connectivity", connFile, "-network", netFile, "-tstop", "60", "-warmup", "10", "-resolution", "25",
		"-seeds", "5", "-quiet", "-surrogate=false", "-out", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(out, "verify_spikes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The file's 2x2 column, not the default published one.
	maxGID := -1
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	col0 := strings.Split(lines[0], ",")
	gi := -1
	for i, h := range col0 {
		if h == "gid" {
			gi = i
		}
	}
	if gi < 0 || len(lines) < 2 {
		t.Fatalf("verify_spikes.csv: header %q, %d lines", lines[0], len(lines))
	}
	for _, l := range lines[1:] {
		g, _ := strconv.Atoi(strings.Split(l, ",")[gi])
		maxGID = max(maxGID, g)
	}
	if maxGID >= col.NumCells() {
		t.Errorf("spikes of gid %d in a column of %d cells", maxGID, col.NumCells())
	}

	if err := run([]string{"-connectivity", connFile, "-network", netFile, "-mesh", "3x3"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-mesh") {
		t.Errorf("-network with -mesh: %v", err)
	}
	n.TonicBiases = []network.TonicBias{{CellType: neuron.L2Pyramidal, Amplitude: 0.5}}
	if err := network.SaveHNNNetwork(netFile, n); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-connectivity", connFile, "-network", netFile, "-quiet"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "external_biases.tonic.L2_pyramidal") {
		t.Errorf("a tonic bias: %v", err)
	}
}
