package network

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// The fuzz targets of the package's readers. Each finds no panic in
// `go test -run='^$' -fuzz=FuzzX -fuzztime=60s ./network`; their seed
// corpora are in testdata/fuzz/FuzzX (plus the f.Add seeds below). An input
// the reader accepts must survive write -> read unchanged.
//
// An input is a base document (one of a few valid files, chosen by a byte)
// and two edits, each a JSON path ("connectivity.3.nc_dict.lamtha") and a
// value (JSON; any other bytes become a string; empty deletes the key).
// Go's fuzzer minimises every new input by up to n² executions of its
// length n, so whole files of kilobytes starve it (a few executions a
// minute); short edits keep it running at thousands a second, and reach
// every check of the readers that follows a successful parse.

// edit applies one edit to a decoded JSON document and returns the result.
func edit(doc any, path string, value []byte) any {
	var v any
	switch {
	case len(value) == 0:
		v = deleteMark{}
	case json.Valid(value):
		d := json.NewDecoder(bytes.NewReader(value))
		d.UseNumber()
		if d.Decode(&v) != nil {
			return doc
		}
	default:
		v = string(value)
	}
	if path == "" {
		if _, del := v.(deleteMark); del {
			return doc
		}
		return v
	}
	return set(doc, strings.Split(path, "."), v)
}

type deleteMark struct{}

func set(doc any, keys []string, v any) any {
	k := keys[0]
	switch d := doc.(type) {
	case map[string]any:
		if len(keys) > 1 {
			if c, ok := d[k]; ok {
				d[k] = set(c, keys[1:], v)
			}
			return d
		}
		if _, del := v.(deleteMark); del {
			delete(d, k)
		} else {
			d[k] = v
		}
	case []any:
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i > len(d) {
			return d
		}
		if len(keys) > 1 {
			if i < len(d) {
				d[i] = set(d[i], keys[1:], v)
			}
			return d
		}
		_, del := v.(deleteMark)
		switch {
		case del && i < len(d):
			return append(d[:i], d[i+1:]...)
		case i == len(d) && !del:
			return append(d, v)
		case i < len(d) && !del:
			d[i] = v
		}
	}
	return doc
}

// edited decodes base, applies the edits and encodes it again.
func edited(base []byte, edits ...string) []byte {
	d := json.NewDecoder(bytes.NewReader(base))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		panic(err)
	}
	for i := 0; i+1 < len(edits); i += 2 {
		doc = edit(doc, edits[i], []byte(edits[i+1]))
	}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return out
}

func pick[T any](list []T, b uint8) T { return list[int(b)%len(list)] }

// readWithDefaultCells is ReadHNNNetwork on data with hnn-core's default
// cell_types put in, already parsed, when data lacks them: the base
// documents leave out those 60 kB to keep executions fast.
func readWithDefaultCells(data []byte) (*Network, error) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil || top["cell_types"] != nil {
		n, _, err := ReadHNNNetwork(bytes.NewReader(data))
		return n, err
	}
	top["cell_types"] = hnnCellsCompact()
	h, err := checkHNNTop(top)
	if err != nil {
		return nil, err
	}
	n, _, err := h.network()
	return n, err
}

// withoutCells returns the network file without its cell_types.
func withoutCells(t testing.TB, data []byte) []byte {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	delete(top, "cell_types")
	small, _ := json.Marshal(top)
	return small
}

func written(t testing.TB, n *Network) []byte {
	var buf bytes.Buffer
	if err := WriteHNNNetwork(&buf, n); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hnnBases are the base documents of FuzzReadHNNNetwork: small columns
// (a fuzzer's execution must take well under a millisecond) with every
// drive type hnn-core's file holds and a tonic bias.
func hnnBases(t testing.TB) [][]byte {
	col, _ := NewColumn(1, 1)
	d := NewEvokedDrive("ev", neuron.Proximal, 10, 1)
	d.SetTarget(neuron.L2Pyramidal, 0.01, 0.001, 0.1)
	p := NewPoissonDrive("p", neuron.Distal, 10)
	p.CellSpecific, p.NDriveCells = false, 2
	p.SetTarget(neuron.L5Pyramidal, 0.01, -1, 0.1)
	n, err := NewNetwork(col, nil, []Drive{d, p})
	if err != nil {
		t.Fatal(err)
	}
	n.TonicBiases = []TonicBias{{CellType: neuron.L2Basket, Amplitude: 0.1, T0: 5, TStop: 50}}
	col2, _ := NewColumn(2, 1)
	b := NewBurstyDrive("b", neuron.Proximal, 10, 10, 20)
	b.SetTarget(neuron.L2Basket, 0.01, -1, 1)
	b.SetTarget(neuron.L5Basket, 0.02, -1, 1)
	r := NewPoissonDrive("r", neuron.Proximal, 0)
	r.RateConstant = map[neuron.CellType]float64{neuron.L5Pyramidal: 5}
	r.SetTarget(neuron.L5Pyramidal, 0.01, 0.002, 1)
	n2, err := NewNetwork(col2, nil, []Drive{b, r})
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{withoutCells(t, written(t, n)), withoutCells(t, written(t, n2))}
}

func FuzzReadHNNNetwork(f *testing.F) {
	bases := hnnBases(f)
	f.Add(uint8(0), "", "", "", "")
	f.Add(uint8(1), "N_pyr_x", "3", "", "")
	f.Add(uint8(0), "external_drives.ev.n_drive_cells", "100000000", "external_drives.ev.cell_specific", "false")
	f.Add(uint8(1), "connectivity.0.probability", "0.5", "connectivity.0.gid_pairs.2", "[]")
	f.Add(uint8(0), "gid_ranges.p.stop", "1000000000", "pos_dict.p", "")
	f.Fuzz(func(t *testing.T, base uint8, p1, v1, p2, v2 string) {
		n, err := readWithDefaultCells(edited(pick(bases, base), p1, v1, p2, v2))
		if err != nil {
			return
		}
		// WriteHNNNetwork less the cell templates and the indentation.
		doc, err := hnnDocument(n, json.RawMessage("{}"))
		if err != nil {
			return // e.g. a network hnn-core's file cannot express
		}
		top := map[string]json.RawMessage{}
		for _, e := range doc {
			if e.k != "cell_types" {
				b, err := json.Marshal(e.v)
				if err != nil {
					t.Fatal(err)
				}
				top[e.k] = b
			}
		}
		out, _ := json.Marshal(top)
		back, err := readWithDefaultCells(out)
		if err != nil {
			t.Fatalf("reading what we wrote: %v", err)
		}
		if !reflect.DeepEqual(back, n) {
			t.Fatal("read -> write -> read changed the network")
		}
	})
}

func FuzzReadDrives(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteDrives(&buf, ERPDrives()); err != nil {
		f.Fatal(err)
	}
	var top struct {
		ExternalDrives json.RawMessage `json:"external_drives"`
	}
	if err := json.Unmarshal(readFixture(f, "neymotin2020_3x3_drives.json"), &top); err != nil {
		f.Fatal(err)
	}
	bases := [][]byte{buf.Bytes(), top.ExternalDrives,
		[]byte(`{"drives": [{"type": "spike_train", "name": "s", "location": "proximal", "spike_times": [[1, 2], []],
		"weights_ampa": {"L2_pyramidal": 0.01}}]}`)}
	f.Add(uint8(0), "", "", "", "")
	f.Add(uint8(1), "alpha_prox.n_drive_cells", "1000000", "", "")
	f.Add(uint8(0), "1.numspikes", "100000000", "1.synaptic_delays", "0.2")
	f.Add(uint8(1), "poisson.dynamics.rate_constant", "{\"L2_basket\": 1}", "poisson.probability", "0.5")
	f.Add(uint8(2), "drives.0.spike_times.2", "[3]", "drives.0.n_drive_cells", "3")
	f.Fuzz(func(t *testing.T, base uint8, p1, v1, p2, v2 string) {
		drives, err := ReadDrives(bytes.NewReader(edited(pick(bases, base), p1, v1, p2, v2)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteDrives(&out, drives); err != nil {
			t.Fatalf("writing drives we read: %v", err)
		}
		back, err := ReadDrives(&out)
		if err != nil {
			t.Fatalf("reading what we wrote: %v\n%s", err, out.Bytes())
		}
		if !reflect.DeepEqual(back, drives) {
			t.Fatalf("read -> write -> read changed the drives:\n%+v\n%+v", drives, back)
		}
	})
}

func FuzzReadConnectivity(f *testing.F) {
	var buf bytes.Buffer
	if err := DefaultConnectivity().WriteJSON(&buf); err != nil {
		f.Fatal(err)
	}
	bases := [][]byte{buf.Bytes(), []byte(`{"connectivity": {"classes": [{"name": "x", "source": "L2_pyramidal",
		"target": "L5_basket", "location": "soma", "receptor": "ampa", "weight": 0.001, "lamtha": 3}], "gains": {"e_e": 2}}}`)}
	f.Add(uint8(0), "", "", "", "")
	f.Add(uint8(0), "classes.0.receptor", "gabab", "gains.i_i", "-1")
	f.Add(uint8(1), "connectivity.classes.0.location", "apical_tuft", "connectivity.classes.1", "{}")
	f.Fuzz(func(t *testing.T, base uint8, p1, v1, p2, v2 string) {
		c, err := ReadConnectivity(bytes.NewReader(edited(pick(bases, base), p1, v1, p2, v2)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := c.WriteJSON(&out); err != nil {
			t.Fatalf("writing a connectivity we read: %v", err)
		}
		back, err := ReadConnectivity(&out)
		if err != nil {
			t.Fatalf("reading what we wrote: %v\n%s", err, out.Bytes())
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatal("read -> write -> read changed the connectivity")
		}
	})
}

// The fuzz targets' base documents are valid, so that edits reach the
// checks behind the parse.
func TestFuzzBasesRead(t *testing.T) {
	for i, b := range hnnBases(t) {
		if _, err := readWithDefaultCells(edited(b)); err != nil {
			t.Errorf("network base %d: %v", i, err)
		}
	}
	if _, err := readWithDefaultCells(edited(hnnBases(t)[1], "N_pyr_x", "3")); err == nil {
		t.Error("an edit did not reach the reader")
	}
}

// Counts read from a file are bounded: a small file cannot ask for huge
// allocations.
func TestCountsBounded(t *testing.T) {
	base := `[{"type": "bursty", "name": "b", "location": "proximal", "burst_rate": 10, "spike_isi": 0,
		"n_drive_cells": 1, "cell_specific": false, "weights_ampa": {"L2_basket": 0.01}}]`
	for _, tc := range []struct{ path, value, want string }{
		{"0.n_drive_cells", "100000000", "n_drive_cells 100000000 exceeds 65536"},
		{"0.numspikes", "1000000", "numspikes 1000000 exceeds 1024"},
	} {
		_, err := ReadDrives(bytes.NewReader(edited([]byte(base), tc.path, tc.value)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v, want an error naming %q", tc.path, tc.value, err, tc.want)
		}
	}
	if _, err := ReadDrives(bytes.NewReader(edited([]byte(base), "0.n_drive_cells", "65536"))); err != nil {
		t.Errorf("n_drive_cells at the bound: %v", err)
	}
}
