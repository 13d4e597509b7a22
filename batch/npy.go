package batch

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// The table as NumPy arrays, for numpy, pandas or sbi (simulation-based
// inference wants θ and x as float arrays): params.npy holds the numeric
// settings (rows × numeric setting columns), features.npy the figures
// (rows × figure columns, NaN where a job has no such figure or failed),
// and npy_columns.json names the columns of both and gives each row's
// status. Written beside results.csv by Table.Write.

// npyColumns is npy_columns.json.
type npyColumns struct {
	Params   []string `json:"params"`
	Features []string `json:"features"`
	Status   []string `json:"status"`
}

// NumericSettings returns the setting columns whose value is a JSON number
// (or boolean, as 0/1) in every row: the columns of params.npy.
func (t *Table) NumericSettings() []string {
	var out []string
	for _, c := range t.Settings {
		ok := len(t.Rows) > 0
		for _, r := range t.Rows {
			if _, isNum := numericSetting(r.Settings[c]); !isNum {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// numericSetting reads a JSON number or boolean.
func numericSetting(v json.RawMessage) (float64, bool) {
	s := strings.TrimSpace(string(v))
	switch s {
	case "true":
		return 1, true
	case "false":
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// WriteNPY writes params.npy, features.npy and npy_columns.json into dir.
func (t *Table) WriteNPY(dir string) error {
	cols := npyColumns{Params: t.NumericSettings(), Features: t.Figures}
	params := make([]float64, 0, len(t.Rows)*len(cols.Params))
	features := make([]float64, 0, len(t.Rows)*len(cols.Features))
	for _, r := range t.Rows {
		cols.Status = append(cols.Status, r.Status)
		for _, c := range cols.Params {
			v, _ := numericSetting(r.Settings[c])
			params = append(params, v)
		}
		for _, f := range cols.Features {
			v, ok := r.Figures[f]
			if !ok || r.Status != StatusOK {
				v = Num(math.NaN())
			}
			features = append(features, float64(v))
		}
	}
	if err := writeNPY(filepath.Join(dir, "params.npy"), params, len(t.Rows), len(cols.Params)); err != nil {
		return err
	}
	if err := writeNPY(filepath.Join(dir, "features.npy"), features, len(t.Rows), len(cols.Features)); err != nil {
		return err
	}
	b, err := json.MarshalIndent(cols, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "npy_columns.json"), append(b, '\n'))
}

// EncodeNPY returns a rows × cols float64 array (row-major) in NumPy's .npy
// format, version 1.0: the magic "\x93NUMPY", the version bytes 1 0, a
// little-endian uint16 header length, a Python dict literal giving dtype
// '<f8', C order and the shape, padded with spaces and a newline to a
// multiple of 64 bytes (with numpy's room for the first dimension to grow: the
// bytes numpy.save writes), then the values little-endian.
func EncodeNPY(data []float64, rows, cols int) ([]byte, error) {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		return nil, fmt.Errorf("npy: %d values for a %d x %d array", len(data), rows, cols)
	}
	header := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	// As numpy does: room for the row count to grow to 21 digits in place,
	// then alignment of the data to 64 bytes.
	header += strings.Repeat(" ", max(21-len(strconv.Itoa(rows)), 0))
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	body := make([]byte, 8*len(data))
	for i, v := range data {
		bits := math.Float64bits(v)
		if v != v {
			bits = canonicalNaN // numpy's (and C's) NaN; Go's math.NaN differs in the last bit
		}
		binary.LittleEndian.PutUint64(body[8*i:], bits)
	}
	buf.Write(body)
	return buf.Bytes(), nil
}

// canonicalNaN is the bit pattern of the quiet NaN numpy writes.
const canonicalNaN = 0x7ff8000000000000

func writeNPY(path string, data []float64, rows, cols int) error {
	b, err := EncodeNPY(data, rows, cols)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}
