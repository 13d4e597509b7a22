// Package reference locates and reads the hnn-core reference files that tests
// compare against: the repository's copies under testdata/ and, when the
// checkout sits beside it, the spec's larger files in ../shared/spec/reference.
// It is for tests only; every function skips or fails the calling test.
package reference

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// root is the repository's root directory, found from this file's path.
var root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

// Dirs returns the folders searched for reference files, in order: the
// repository's testdata/<sub> and the shared spec's reference folder.
func Dirs(sub string) []string {
	return []string{filepath.Join(root, "testdata", sub), filepath.Join(root, "..", "shared", "spec", "reference")}
}

// Path returns the path of reference file name, looking in testdata/<sub> first
// and then in the shared spec folder; it skips the test when the file is absent.
func Path(tb testing.TB, sub, name string) string {
	tb.Helper()
	for _, dir := range Dirs(sub) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	tb.Skipf("reference file %s not found", name)
	return ""
}

// DriveEvents is hnn-core's record of a network's drive cells: their gid ranges
// per drive and the event times (ms) of every drive cell.
type DriveEvents struct {
	GIDRanges map[string][2]int      `json:"gid_ranges"`
	Events    map[string][][]float64 `json:"events"`
}

// LoadDriveEvents reads a drive-events reference file from testdata/<sub>.
func LoadDriveEvents(tb testing.TB, sub, name string) DriveEvents {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, sub, name))
	if err != nil {
		tb.Fatal(err)
	}
	var ref DriveEvents
	if err := json.Unmarshal(b, &ref); err != nil {
		tb.Fatal(err)
	}
	return ref
}

// ReadCSV reads a numeric CSV file with one header line.
func ReadCSV(tb testing.TB, path string) (header []string, rows [][]float64) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	if len(recs) == 0 {
		tb.Fatalf("%s: empty CSV", path)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for i, s := range rec {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}
