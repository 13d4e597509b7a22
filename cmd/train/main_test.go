package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/train"
)

// TestTrainTiny generates a tiny dataset (independent-Poisson and network
// runs on a 2x1 mesh, 100 ms samples), trains a small basket surrogate for a
// few steps twice with the same seed, and checks the weights, the metrics
// JSON and the determinism.
func TestTrainTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("generates data")
	}
	dir := t.TempDir()
	args := func(out string) []string {
		return []string{"-type", "L2_basket", "-data", filepath.Join(dir, "data"), "-out", out, "-bins", "200",
			"-mesh", "2x1", "-poisson", "4", "-netruns", "1", "-pick-pyr", "2", "-val-poisson", "2", "-val-netruns", "1", "-test-poisson", "2", "-test-netruns", "1",
			"-steps", "6", "-batch", "4", "-warmup", "20", "-bptt", "40", "-arch", "4,2,6,2,4",
			"-metrics", filepath.Join(out, "metrics.json")}
	}
	var w [2][]byte
	for i, out := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")} {
		if err := run(args(out), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "L2_basket.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		w[i] = b
		var m map[string]map[string]any
		mb, err := os.ReadFile(filepath.Join(out, "metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(mb, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["L2_basket"]["test"]; !ok {
			t.Fatalf("metrics lack the test figures: %s", mb)
		}
	}
	// The weights differ only in the provenance's timestamp and duration:
	// compare the tensor bytes after the header.
	body := func(b []byte) []byte {
		n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16 | int(b[3])<<24
		return b[8+n:]
	}
	if !bytes.Equal(body(w[0]), body(w[1])) {
		t.Error("two runs with the same seed trained different weights")
	}
}

// TestParseExtraSet checks the -extra-seeds entry syntax and its errors.
func TestParseExtraSet(t *testing.T) {
	def := train.Recipe{PoissonPer: 300, NetRuns: 10, LogGainSpan: 1}
	r := def
	if sd, err := parseExtraSet("7:200:12:1.5", &r); err != nil || sd != 7 || r.PoissonPer != 200 || r.NetRuns != 12 || r.LogGainSpan != 1.5 {
		t.Fatalf("7:200:12:1.5 -> seed %d, %+v, %v", sd, r, err)
	}
	r = def
	if sd, err := parseExtraSet("3", &r); err != nil || sd != 3 || r != def {
		t.Fatalf("3 -> seed %d, %+v, %v", sd, r, err)
	}
	for _, bad := range []string{"", "x", "2:5", "2:-1:3", "2:5:3:0", "2:5:3:-1", "2:5:3:1:9"} {
		r := def
		if _, err := parseExtraSet(bad, &r); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestExtraSetsFor checks which additional training sets each type uses:
// "shipped" gives the pyramidal types the shipped list, whose every entry
// parses, and the baskets none; any other value applies to every type.
func TestExtraSetsFor(t *testing.T) {
	for _, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
		if got := extraSetsFor(ct, "shipped"); got != shippedExtraSeeds {
			t.Errorf("%s: %q, want the shipped list", ct, got)
		}
	}
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		if got := extraSetsFor(ct, "shipped"); got != "" {
			t.Errorf("%s: %q, want none", ct, got)
		}
		if got := extraSetsFor(ct, "2,3"); got != "2,3" {
			t.Errorf("%s: explicit list became %q", ct, got)
		}
	}
	for _, f := range strings.Split(shippedExtraSeeds, ",") {
		r := train.Recipe{PoissonPer: 300, NetRuns: 10, LogGainSpan: 1}
		if _, err := parseExtraSet(f, &r); err != nil {
			t.Errorf("shipped entry %q: %v", f, err)
		}
	}
}

// TestHybridFlags: bad -hybrid flags fail with an error naming the flag and the value.
func TestHybridFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-hybrid", "-1"}, {"-hybrid", "2", "-hybrid-test", "0"}, {"-hybrid-mode", "v"}, {"-hybrid-lambda", "-1"}, {"-hybrid-lambda", "NaN"},
		{"-hybrid-hidden", "0"}, {"-hybrid-window", "0"}, {"-hybrid-fr-lr", "0"}, {"-hybrid-tf-weight", "-1"}, {"-hybrid-tf-epochs", "-1"},
		{"-hybrid-fr-epochs", "-2"}, {"-hybrid-dagger", "-1"}, {"-hybrid-dagger-epochs", "-1"}, {"-hybrid-long", "-hybrid-fr-epochs", "3"},
	} {
		_, err := parseFlags(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), args[len(args)-2]) {
			t.Errorf("%v: error %v, want one naming %s", args, err, args[len(args)-2])
		}
	}
	if _, err := parseFlags([]string{"-hybrid", "3", "-hybrid-mode", "lstm", "-hybrid-long", "-hybrid-dagger", "2"}, io.Discard, io.Discard); err != nil {
		t.Errorf("valid -hybrid-mode lstm flags: %v", err)
	}
	if _, err := parseFlags([]string{"-hybrid", "3", "-hybrid-mode", "held", "-hybrid-lambda", "0.01"}, io.Discard, io.Discard); err != nil {
		t.Errorf("valid -hybrid flags: %v", err)
	}
}

// TestEvalExactBasketTrueTimes runs -eval on the shipped basket weights with
// a small test set and checks the report: beside the binned exact basket,
// the exact basket fed its events at their true times scores Γ 1 on the
// regenerable splits (the independent-Poisson part and the HNN-drive split).
func TestEvalExactBasketTrueTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates data")
	}
	dir := t.TempDir()
	shipped := filepath.Join("..", "..", "neuron", "surrogate", "weights")
	args := []string{"-type", "L5_basket", "-data", filepath.Join(dir, "data"), "-eval", shipped, "-bins", "1000",
		"-mesh", "2x1", "-test-poisson", "2", "-test-netruns", "1", "-test-hnn", "3", "-extra-seeds", ""}
	var out bytes.Buffer
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep map[string]map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.Bytes())
	}
	var tt map[string]map[string]any
	if err := json.Unmarshal(rep["L5_basket"]["exact_basket_true_times"], &tt); err != nil {
		t.Fatalf("exact_basket_true_times: %v: %s", err, out.Bytes())
	}
	for _, key := range []string{"test_poisson", "test_hnn", "test_hnn_evoked"} {
		mt, ok := tt[key]
		if !ok {
			t.Fatalf("no true-time figures for %s: %v", key, tt)
		}
		spikes, _ := mt["true_spikes"].(float64)
		gamma, _ := mt["gamma_2ms"].(float64)
		if spikes > 0 && gamma < 0.9999 {
			t.Errorf("%s: %v spikes, true-time Γ %v, want 1", key, spikes, gamma)
		}
		t.Logf("%s: %v spikes, Γ %v", key, spikes, gamma)
	}
	if _, ok := tt["test_network"]; ok {
		t.Error("true-time figures for the network samples, whose events the cache does not keep")
	}
}
