package batch

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEncodeNPYMatchesNumpy compares EncodeNPY with numpy.save's bytes
// (testdata/npy/make_golden.py).
func TestEncodeNPYMatchesNumpy(t *testing.T) {
	for _, c := range []struct {
		file       string
		data       []float64
		rows, cols int
	}{
		{"golden_2x3.npy", []float64{1, 2.5, math.NaN(), math.Copysign(0, -1), 1e300, -3.25}, 2, 3},
		{"golden_0x4.npy", nil, 0, 4},
		{"golden_1x0.npy", nil, 1, 0},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "npy", c.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := EncodeNPY(c.data, c.rows, c.cols)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: EncodeNPY gives\n%q\nnumpy.save wrote\n%q", c.file, got, want)
		}
	}
	if _, err := EncodeNPY([]float64{1, 2}, 1, 3); err == nil {
		t.Error("2 values for a 1 x 3 array were accepted")
	}
}

// TestTableNPY writes a table with a failed row and a string setting and
// reads the arrays back.
func TestTableNPY(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tab := &Table{Settings: []string{"seed", "band", "surrogate"}, Figures: []string{"ratio", "rate"}, Rows: []Row{
		{Status: StatusOK, Settings: map[string]json.RawMessage{"seed": raw("1"), "band": raw(`"15-60"`), "surrogate": raw("true")}, Figures: map[string]Num{"ratio": 2, "rate": 3}},
		{Status: StatusFailed, Settings: map[string]json.RawMessage{"seed": raw("2.5"), "band": raw(`"8-12"`), "surrogate": raw("false")}, Figures: map[string]Num{"ratio": 7}},
		{Status: StatusOK, Settings: map[string]json.RawMessage{"seed": raw("3"), "band": raw(`"8-12"`), "surrogate": raw("true")}, Figures: map[string]Num{"rate": 4}},
	}}
	dir := t.TempDir()
	if err := tab.WriteNPY(dir); err != nil {
		t.Fatal(err)
	}
	var cols npyColumns
	b, _ := os.ReadFile(filepath.Join(dir, "npy_columns.json"))
	if err := json.Unmarshal(b, &cols); err != nil {
		t.Fatal(err)
	}
	if strings.Join(cols.Params, ",") != "seed,surrogate" || strings.Join(cols.Features, ",") != "ratio,rate" || cols.Status[1] != StatusFailed {
		t.Fatalf("columns %+v", cols)
	}
	params := readNPY(t, filepath.Join(dir, "params.npy"), 3, 2)
	if want := []float64{1, 1, 2.5, 0, 3, 1}; !equalNaN(params, want) {
		t.Errorf("params %v, want %v", params, want)
	}
	feats := readNPY(t, filepath.Join(dir, "features.npy"), 3, 2)
	if want := []float64{2, 3, math.NaN(), math.NaN(), math.NaN(), 4}; !equalNaN(feats, want) {
		t.Errorf("features %v, want %v", feats, want)
	}
}

// readNPY parses a rows × cols float64 .npy file written by EncodeNPY.
func readNPY(t *testing.T, path string, rows, cols int) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("%s: no npy magic", path)
	}
	n := int(binary.LittleEndian.Uint16(b[8:10]))
	if (10+n)%64 != 0 || !strings.Contains(string(b[10:10+n]), "'shape': (") {
		t.Fatalf("%s: header %q", path, b[10:10+n])
	}
	data := make([]float64, (len(b)-10-n)/8)
	binary.Read(bytes.NewReader(b[10+n:]), binary.LittleEndian, data)
	if len(data) != rows*cols {
		t.Fatalf("%s: %d values, want %d", path, len(data), rows*cols)
	}
	return data
}

func equalNaN(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
