package network

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

const neymotinFile = "../testdata/hnncore/neymotin2020_3x3_drives.json"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../testdata/hnncore", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		data = b.Bytes()
	}
	return data
}

// NeymotinPresetNetwork builds, from this package's presets, the network
// hnn-core stores in tests/assets/neymotin2020_3x3_drives.json: the default
// 3x3 column and connectivity, the ERP drives with that file's seeds, its
// bursty and Poisson drives and its tonic bias.
func neymotinPresetNetwork(t testing.TB) *Network {
	col, err := NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	drives := ERPDrives()
	for i, s := range []int64{26, 47, 71} {
		drives[i].EventSeed = s
		for _, ct := range drives[i].Targets() {
			if _, ok := drives[i].WeightsNMDA[ct]; !ok {
				drives[i].SetTarget(ct, -1, 0, drives[i].SynapticDelays[ct])
			}
		}
	}
	alpha := NewBurstyDrive("alpha_prox", neuron.Proximal, 1, 10, 20)
	alpha.NDriveCells = 10
	alpha.EventSeed = 284
	pois := NewPoissonDrive("poisson", neuron.Proximal, 0)
	pois.EventSeed = 1349
	pois.RateConstant = map[neuron.CellType]float64{neuron.L2Pyramidal: 140, neuron.L5Pyramidal: 40, neuron.L2Basket: 40, neuron.L5Basket: 40}
	for _, d := range []*Drive{&alpha, &pois} {
		d.SetTarget(neuron.L2Basket, 0, 0, 0)
		d.SetTarget(neuron.L2Pyramidal, 5.4e-5, 0, 0.1)
		d.SetTarget(neuron.L5Basket, 0, 0, 0)
		d.SetTarget(neuron.L5Pyramidal, 5.4e-5, 0, 1)
	}
	pois.WeightsAMPA[neuron.L2Pyramidal], pois.WeightsAMPA[neuron.L5Pyramidal] = 0.0008, 0.0075
	n, err := NewNetwork(col, nil, append(drives, alpha, pois))
	if err != nil {
		t.Fatal(err)
	}
	n.TonicBiases = []TonicBias{{CellType: neuron.L2Pyramidal, Amplitude: 1}, {CellType: neuron.L5Pyramidal}, {CellType: neuron.L2Basket}, {CellType: neuron.L5Basket}}
	return n
}

func TestReadHNNNetworkFixtures(t *testing.T) {
	for _, tc := range []struct {
		file           string
		classes, gids  int
		drives, biases int
	}{
		{"neymotin2020_3x3_drives.json", 16, 127, 5, 4},
		{"gamma_L5weak_L2weak_hierarchical.json.gz", 16, 540, 1, 0},
	} {
		n, notes, err := ReadHNNNetwork(bytes.NewReader(readFixture(t, tc.file)))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		t.Logf("%s: notes %q", tc.file, notes)
		if len(n.Connectivity.Classes) != tc.classes || n.NumGIDs() != tc.gids || len(n.Drives) != tc.drives || len(n.TonicBiases) != tc.biases {
			t.Errorf("%s: %d classes, %d gids, %d drives, %d biases; want %+v", tc.file, len(n.Connectivity.Classes), n.NumGIDs(), len(n.Drives), len(n.TonicBiases), tc)
		}
		// read -> write -> read is identical.
		var buf bytes.Buffer
		if err := WriteHNNNetwork(&buf, n); err != nil {
			t.Fatal(err)
		}
		back, _, err := ReadHNNNetwork(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: reading what we wrote: %v", tc.file, err)
		}
		if !reflect.DeepEqual(back, n) {
			t.Errorf("%s: read -> write -> read changed the network", tc.file)
		}
		var buf2 bytes.Buffer
		if err := WriteHNNNetwork(&buf2, back); err != nil || !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Errorf("%s: writing twice gave different files (%v)", tc.file, err)
		}
	}
}

// The fixture describes the same network as the presets: same cells,
// connections (weights and delays), drive connections and drive events.
func TestHNNNetworkMatchesPresets(t *testing.T) {
	got, _, err := LoadHNNNetwork(neymotinFile)
	if err != nil {
		t.Fatal(err)
	}
	want := neymotinPresetNetwork(t)
	if !reflect.DeepEqual(got.Column, want.Column) {
		t.Error("columns differ")
	}
	if !reflect.DeepEqual(got.Connectivity, want.Connectivity) {
		t.Errorf("connectivity differs from DefaultConnectivity")
	}
	if !reflect.DeepEqual(got.TonicBiases, want.TonicBiases) {
		t.Errorf("biases %+v, want %+v", got.TonicBiases, want.TonicBiases)
	}
	if !reflect.DeepEqual(got.CellConnections(), want.CellConnections()) {
		t.Error("cell connections differ")
	}
	for i := range want.Drives {
		g, w := got.Drives[i], want.Drives[i]
		g.NDriveCells, w.NDriveCells = 0, 0
		if g.CellSpecific == false {
			g.NDriveCells, w.NDriveCells = got.Drives[i].NDriveCells, want.Drives[i].NDriveCells
		}
		if g.Name != w.Name || !reflect.DeepEqual(got.DriveConnections(i), want.DriveConnections(i)) {
			t.Errorf("drive %d (%s): connections differ", i, g.Name)
		}
		ge, err1 := got.DriveEventTimes(i, 0, 200)
		we, err2 := want.DriveEventTimes(i, 0, 200)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(ge, we) {
			t.Errorf("drive %s: event times differ (%v %v)", g.Name, err1, err2)
		}
	}
	// Presets -> write -> read gives the presets back.
	var buf bytes.Buffer
	if err := WriteHNNNetwork(&buf, want); err != nil {
		t.Fatal(err)
	}
	back, _, err := ReadHNNNetwork(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.CellConnections(), want.CellConnections()) || !reflect.DeepEqual(back.Connectivity, want.Connectivity) {
		t.Error("presets -> write -> read changed the connections")
	}
}

func TestReadDrivesHNNNetworkFile(t *testing.T) {
	drives, err := LoadDrives(neymotinFile)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range drives {
		names = append(names, d.Name)
	}
	if want := []string{"evdist1", "evprox1", "evprox2", "alpha_prox", "poisson"}; !reflect.DeepEqual(names, want) {
		t.Errorf("drives %v, want %v (gid order)", names, want)
	}
	if drives[0].NDriveCells != 21 || !drives[0].CellSpecific || drives[3].SpaceConstant != 100 || drives[0].SpaceConstant != 3 {
		t.Errorf("evdist1 %+v", drives[0])
	}
	// One drive object as hnn-core stores it, alone.
	var top struct {
		ExternalDrives map[string]json.RawMessage `json:"external_drives"`
	}
	if err := json.Unmarshal(readFixture(t, "neymotin2020_3x3_drives.json"), &top); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDrives(bytes.NewReader(append(append([]byte("["), top.ExternalDrives["evdist1"]...), ']'))); err != nil {
		t.Errorf("hnn-core's evdist1 object: %v", err)
	}
	// A resolved count that does not fit the column is an error.
	col, _ := NewColumn(3, 3)
	d := drives[0]
	d.NDriveCells = 20
	if _, err := NewNetwork(col, nil, []Drive{d}); err == nil || !strings.Contains(err.Error(), "n_drive_cells 20") {
		t.Errorf("n_drive_cells 20 on 21 targets: %v", err)
	}
}

// Bad files are refused with the JSON path and value.
func TestReadHNNNetworkErrors(t *testing.T) {
	base := readFixture(t, "neymotin2020_3x3_drives.json")
	for _, tc := range []struct {
		old, new, want string
	}{
		{`"celsius": 37.0`, `"celsius": 34.0`, "celsius: 34.0"},
		{`"legacy_mode": false`, `"legacy_mode": true`, "legacy_mode"},
		{`"gkbar_hh2": 0.01,`, `"gkbar_hh2": 0.02,`, "cell_types.L2_pyramidal.cell_object.sections.apical_trunk.mechs.hh2.gkbar_hh2: 0.02"},
		{`"probability": 1.0
        },
        {
            "target_type": "L2_pyramidal"`, `"probability": 0.5
        },
        {
            "target_type": "L2_pyramidal"`, "connectivity[1].probability: 0.5"},
		{`"threshold": 0.0,
                "gain": 1.0`, `"threshold": 1.0,
                "gain": 1.0`, "nc_dict.threshold"},
		{`"object_type": "Network"`, `"object_type": "Dipole"`, "object_type"},
		{`"section": "soma"`, `"section": "apical_tuft"`, "external_biases.tonic.L2_pyramidal.section"},
		{`"n_drive_cells": 21`, `"n_drive_cells": 20`, "n_drive_cells 20"},
		{`"A_weight": 0.006562`, `"A_weight": 0.5`, "connectivity[0].nc_dict.A_weight: 0.5"},
	} {
		if !bytes.Contains(base, []byte(tc.old)) {
			t.Fatalf("fixture lacks %q", tc.old)
		}
		data := bytes.Replace(base, []byte(tc.old), []byte(tc.new), 1)
		_, _, err := ReadHNNNetwork(bytes.NewReader(data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: error %v, want one naming %q", tc.old, tc.new, err, tc.want)
		}
	}
	// The file name comes first; nothing is written for a network that cannot be written.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, bytes.Replace(base, []byte(`"celsius": 37.0`), []byte(`"celsius": 34.0`), 1), 0o644)
	if _, _, err := LoadHNNNetwork(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("error %v does not start with the file name", err)
	}
	n := neymotinPresetNetwork(t)
	n.Drives = append(n.Drives, NewSpikeTrainDrive("replay", neuron.Proximal, [][]float64{{10}}))
	n.Drives[len(n.Drives)-1].SetTarget(neuron.L2Basket, 0.01, -1, 0.1)
	out := filepath.Join(dir, "network.json")
	if err := SaveHNNNetwork(out, n); err == nil {
		t.Error("a spike-train drive was written")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("a failed write left files: %v", ents)
	}
}
