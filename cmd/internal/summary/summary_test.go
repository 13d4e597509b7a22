package summary

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadRoundTrip(t *testing.T) {
	ratio := 12.5
	in := &Summary{
		BandPowerRatio: &ratio, Seed: 3,
		Config:         &Config{Seed: 3, Epochs: 2, Band: [2]float64{15, 60}, Mesh: "published", Models: "shipped"},
		HeldOutInitial: &Eval{Trials: []int{1000, 1001}, BandPower: []float64{1, 2}, Mean: 1.5},
		Epochs:         []Epoch{{Epoch: 1, Trials: []int{1}}},
		GainChanges:    []GainChange{{Class: "c", Initial: 1, Final: 2, Factor: 2}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "summary.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the summary:\n%+v\n%+v", in, out)
	}
	if err := os.WriteFile(p, []byte(`{"config": [}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); err == nil {
		t.Fatal("malformed summary accepted")
	}
}
