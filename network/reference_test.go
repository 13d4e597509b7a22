package network

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// refDir is the repository's copy of the hnn-core reference files.
const refDir = "../testdata/network"

// sharedRefDir is the spec's reference folder, holding the larger files.
const sharedRefDir = "../../shared/spec/reference"

// refPath returns the path of a reference file, looking in testdata first
// and then in the shared spec folder; it skips the test when absent.
func refPath(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{refDir, sharedRefDir} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("reference file %s not found", name)
	return ""
}

type driveEventsRef struct {
	GIDRanges map[string][2]int      `json:"gid_ranges"`
	Events    map[string][][]float64 `json:"events"`
}

func loadDriveEventsRef(t testing.TB, name string) driveEventsRef {
	t.Helper()
	b, err := os.ReadFile(refPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var ref driveEventsRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// readCSV reads a numeric CSV file with one header line.
func readCSV(t testing.TB, path string) (header []string, rows [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for i, s := range rec {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatal(err)
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}
