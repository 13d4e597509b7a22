package biophys

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/neurograd/neurograd/network"
)

// A network written in hnn-core's configuration format and read back
// simulates spike for spike like the preset network it came from (the ERP
// network that matches hnn-core on NEURON), and hnn-core's own 3x3 test
// network file simulates.
func TestHNNNetworkFileSimulatesLikePresets(t *testing.T) {
	preset := erpNetwork(t, 3)
	var buf bytes.Buffer
	if err := network.WriteHNNNetwork(&buf, preset); err != nil {
		t.Fatal(err)
	}
	fromFile, _, err := network.ReadHNNNetwork(&buf)
	if err != nil {
		t.Fatal(err)
	}
	opts := SimOptions{TStop: 80, Workers: 1}
	a, err := Simulate(preset, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(fromFile, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Spikes) == 0 || !reflect.DeepEqual(a.Spikes, b.Spikes) || !reflect.DeepEqual(a.Agg, b.Agg) {
		t.Errorf("preset: %d spikes; from the file: %d spikes; dipoles equal %v", len(a.Spikes), len(b.Spikes), reflect.DeepEqual(a.Agg, b.Agg))
	}

	hnn, _, err := network.LoadHNNNetwork("../../testdata/hnncore/neymotin2020_3x3_drives.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(hnn, SimOptions{TStop: 40, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	cells := 0
	for _, s := range res.Spikes {
		if s.GID < hnn.Column.NumCells() {
			cells++
		}
	}
	t.Logf("hnn-core's neymotin2020_3x3 network, 40 ms: %d spikes, %d of cells", len(res.Spikes), cells)
}
