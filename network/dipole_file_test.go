package network

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadDipoleLayouts(t *testing.T) {
	want := Dipole{Times: []float64{0, 0.5, 1}, Agg: []float64{1, -2.5, 3e-3}, L2: []float64{0.25, 1, 2}, L5: []float64{0.75, -3.5, -1.997}}
	var hnn bytes.Buffer
	if err := WriteHNNDipole(&hnn, want); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"hnn.txt":      "# hnn-core\n" + hnn.String() + "\n",
		"simulate.csv": "t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm\n0,9,9,9,1,0.25,0.75\n0.5,9,9,9,-2.5,1,-3.5\n1,9,9,9,3e-3,2,-1.997\n",
		"optimize.csv": "time_ms,agg_initial_nAm,L2_initial_nAm,L5_initial_nAm,agg_final_nAm,L2_final_nAm,L5_final_nAm\n0,9,9,9,1,0.25,0.75\n0.5,9,9,9,-2.5,1,-3.5\n1,9,9,9,3e-3,2,-1.997\n",
		"four.csv":     "times,agg,L2,L5\n0, 1, 0.25, 0.75\n0.5, -2.5, 1, -3.5\n1, 3e-3, 2, -1.997\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		got, err := ReadDipoleFile(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read %+v, want %+v", name, got, want)
		}
	}
	// Two columns: the aggregate only.
	d, err := ReadDipole(strings.NewReader("0 1\n0.025 2\n0.05 3\n"), false)
	if err != nil || len(d.Agg) != 3 || !math.IsNaN(d.L2[0]) || !math.IsNaN(d.L5[2]) {
		t.Errorf("two columns: %+v, %v", d, err)
	}
}

func TestReadDipoleErrors(t *testing.T) {
	for _, c := range []struct {
		text string
		csv  bool
		msg  string
	}{
		{"0 1 2\n1 2 3\n", false, "line 1: 3 columns"},
		{"0 1\n1 NaN\n", false, "line 2, column 2"},
		{"0 1\n1 x\n", false, `"x" is not a finite number`},
		{"0 1\n", false, "at least two"},
		{"0 1\n0 2\n", false, "must increase"},
		{"0 1\n1 2\n3 3\n", false, "evenly spaced"},
		{"0 1\n1 2 3 4\n", false, "line 2: 4 columns"},
		{"a,b,c\n0,1,2\n", true, "header"},
		{"t_ms,agg_nAm,L2_nAm,L5_nAm\n0,1\n", true, "line 2: 2 columns, but the file's rows have 4"},
	} {
		_, err := ReadDipole(strings.NewReader(c.text), c.csv)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.msg)
		}
	}
	if _, err := ReadDipoleFile(filepath.Join(t.TempDir(), "none.txt")); err == nil {
		t.Error("a missing file was read")
	}
	p := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(p, []byte("0 1\n0 1\n"), 0o644)
	if _, err := ReadDipoleFile(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name the file", err)
	}
}

// FuzzReadDipole: no input panics, and a dipole read from hnn-core's layout
// is written and read back identically.
func FuzzReadDipole(f *testing.F) {
	f.Add([]byte("0\t1\t0.5\t0.5\n0.025\t2\t1\t1\n"), false)
	f.Add([]byte("# c\n0 1\n0.5 2\n1 3\n"), false)
	f.Add([]byte("t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm\n0,1,1,1,1,1,1\n1,2,2,2,2,2,2\n"), true)
	f.Add([]byte("time,agg\n0,1\n1,1e308\n"), true)
	f.Fuzz(func(t *testing.T, b []byte, csv bool) {
		d, err := ReadDipole(bytes.NewReader(b), csv)
		if err != nil || csv || math.IsNaN(d.L2[0]) {
			return
		}
		var buf bytes.Buffer
		if err := WriteHNNDipole(&buf, d); err != nil {
			t.Fatalf("writing a dipole read back: %v", err)
		}
		back, err := ReadDipole(&buf, false)
		if err != nil || !reflect.DeepEqual(back, d) {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, d)
		}
	})
}
