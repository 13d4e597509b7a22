package network

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MaxDipoleSamples bounds the samples a dipole file may hold.
const MaxDipoleSamples = 10_000_000

// ReadDipoleFile reads a dipole (times in ms; the values in the file's
// unit, nAm for hnn-core's files) from a file in any of the layouts
// ReadDipole takes, chosen by the extension: ".txt" hnn-core's text layout,
// ".csv" a CSV with a header.
func ReadDipoleFile(path string) (Dipole, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Dipole{}, err
	}
	d, err := ReadDipole(bytes.NewReader(b), strings.EqualFold(filepath.Ext(path), ".csv"))
	if err != nil {
		return Dipole{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// ReadDipole reads a dipole. Without csv it is hnn-core's text layout
// (read_dipole of a .txt, Dipole.write; WriteHNNDipole): rows of 2 or 4
// numbers separated by white space — time (ms), aggregate[, L2, L5] —
// with '#' comments and blank lines skipped. With csv the first row is a
// header: cmd/simulate network's dipole.csv (t_ms, …, agg_nAm, L2_nAm,
// L5_nAm: the nAm columns are read), cmd/optimize's dipole.csv (time_ms,
// agg_final_nAm, …: the final columns) and any CSV of 2 or 4 columns
// (hnn-core's read of a .csv: time, aggregate[, L2, L5]). A file with only
// the aggregate gets L2 and L5 as NaN. Times must increase strictly, with a
// constant step (to 1e-6 relative), and every value be finite.
func ReadDipole(r io.Reader, csv bool) (Dipole, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	cols := []int(nil) // the columns of time, agg[, L2, L5]
	width := 0         // fields per row: the header's or the first row's
	var d Dipole
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if !csv {
			if i := strings.IndexByte(text, '#'); i >= 0 {
				text = strings.TrimSpace(text[:i])
			}
		}
		if text == "" {
			continue
		}
		var fields []string
		if csv {
			fields = strings.Split(text, ",")
			for i := range fields {
				fields[i] = strings.TrimSpace(fields[i])
			}
		} else {
			fields = strings.Fields(text)
		}
		if csv && cols == nil {
			c, err := dipoleCSVColumns(fields)
			if err != nil {
				return Dipole{}, fmt.Errorf("line %d (header): %w", line, err)
			}
			cols, width = c, len(fields)
			continue
		}
		if cols == nil {
			if len(fields) != 2 && len(fields) != 4 {
				return Dipole{}, fmt.Errorf("line %d: %d columns, want 2 (time, aggregate) or 4 (time, aggregate, L2, L5) as hnn-core's read_dipole", line, len(fields))
			}
			cols, width = []int{0, 1, 2, 3}[:len(fields)], len(fields)
		}
		if len(fields) != width {
			return Dipole{}, fmt.Errorf("line %d: %d columns, but the file's rows have %d", line, len(fields), width)
		}
		if err := d.appendRow(fields, cols, line); err != nil {
			return Dipole{}, err
		}
		if len(d.Times) > MaxDipoleSamples {
			return Dipole{}, fmt.Errorf("line %d: more than %d samples", line, MaxDipoleSamples)
		}
	}
	if err := sc.Err(); err != nil {
		return Dipole{}, err
	}
	if len(d.Times) < 2 {
		return Dipole{}, fmt.Errorf("%d samples: a dipole needs at least two", len(d.Times))
	}
	if len(cols) == 2 {
		d.L2, d.L5 = nanSeries(len(d.Times)), nanSeries(len(d.Times))
	}
	return d, d.checkGrid()
}

// dipoleCSVColumns finds the time and dipole columns of a CSV header.
func dipoleCSVColumns(h []string) ([]int, error) {
	idx := map[string]int{}
	for i, name := range h {
		idx[name] = i
	}
	for _, set := range [][]string{
		{"t_ms", "agg_nAm", "L2_nAm", "L5_nAm"},
		{"time_ms", "agg_final_nAm", "L2_final_nAm", "L5_final_nAm"},
	} {
		var c []int
		for _, name := range set {
			if i, ok := idx[name]; ok {
				c = append(c, i)
			}
		}
		if len(c) == 4 {
			return c, nil
		}
	}
	if len(h) == 2 || len(h) == 4 {
		return []int{0, 1, 2, 3}[:len(h)], nil
	}
	return nil, fmt.Errorf("%d columns %q: want time, aggregate[, L2, L5], or the nAm columns of cmd/simulate's or cmd/optimize's dipole.csv", len(h), h)
}

// appendRow parses one row's columns cols onto d.
func (d *Dipole) appendRow(fields []string, cols []int, line int) error {
	var v [4]float64
	for k, c := range cols {
		x, err := strconv.ParseFloat(fields[c], 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("line %d, column %d: %q is not a finite number", line, c+1, fields[c])
		}
		v[k] = x
	}
	d.Times = append(d.Times, v[0])
	d.Agg = append(d.Agg, v[1])
	if len(cols) == 4 {
		d.L2 = append(d.L2, v[2])
		d.L5 = append(d.L5, v[3])
	}
	return nil
}

// checkGrid requires strictly increasing times with a constant step.
func (d Dipole) checkGrid() error {
	step := d.Times[1] - d.Times[0]
	if !(step > 0) {
		return fmt.Errorf("times %v, %v: must increase", d.Times[0], d.Times[1])
	}
	for k := 2; k < len(d.Times); k++ {
		if s := d.Times[k] - d.Times[k-1]; math.Abs(s-step) > 1e-6*step+1e-9 {
			return fmt.Errorf("time %v ms (sample %d): step %v ms, but the first step is %v ms: the samples must be evenly spaced", d.Times[k], k, s, step)
		}
	}
	return nil
}

func nanSeries(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
