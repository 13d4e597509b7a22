package network

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// The rules hnn-core's readers apply: read_dipole's numpy.loadtxt splits
// rows on white space, takes every field as a float and wants 2 or 4
// columns (time, agg, L2, L5); read_spikes' loadtxt(dtype=str) wants three
// fields per row: a float time, an integer gid and a type name.
func TestHNNOutputLayouts(t *testing.T) {
	d := Dipole{Times: []float64{0, 0.025, 0.05}, Agg: []float64{0, 1.5e-3, -2}, L2: []float64{0, 1e-3, -1}, L5: []float64{0, 5e-4, -1}}
	var buf bytes.Buffer
	if err := WriteHNNDipole(&buf, d); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for k, r := range rows {
		f := strings.Fields(r)
		if len(f) != 4 {
			t.Fatalf("row %d %q: %d columns, read_dipole wants 4", k, r, len(f))
		}
		for j, s := range f {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v != [][]float64{d.Times, d.Agg, d.L2, d.L5}[j][k] {
				t.Errorf("row %d column %d: %q (%v)", k, j, s, err)
			}
		}
	}
	col, _ := NewColumn(1, 1)
	n, _ := NewNetwork(col, nil, ERPDrives())
	spikes := []Spike{{Time: 10.0250000001, GID: 3}, {Time: 26.7, GID: 5}}
	buf.Reset()
	if err := WriteHNNSpikes(&buf, spikes, n.GIDNames()); err != nil {
		t.Fatal(err)
	}
	rows = strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for k, r := range rows {
		f := strings.Fields(r)
		if len(f) != 3 {
			t.Fatalf("row %q: %d fields, read_spikes wants 3", r, len(f))
		}
		tm, err1 := strconv.ParseFloat(f[0], 64)
		g, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil || g != spikes[k].GID || tm != spikes[k].Time || f[2] != n.GIDNames()[g] {
			t.Errorf("row %q", r)
		}
	}
	if err := WriteHNNSpikes(&buf, []Spike{{Time: 1, GID: 99}}, n.GIDNames()); err == nil {
		t.Error("a gid without a name was written")
	}
	if err := WriteHNNSpikes(&buf, []Spike{{Time: 1, GID: 0}}, []string{"two words"}); err == nil {
		t.Error("a type name with a space was written")
	}
}
