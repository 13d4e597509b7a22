package neuron

import (
	"encoding/json"
	"os"
	"testing"
)

// TestWriteL5PoissonEvents writes, when NEUROGRAD_BENCH_EVENTS names a file, the input of
// BenchmarkL5Poisson1s (section, weight and event times of every AMPA train) and the spike
// times this package computes for it, so that bench/hnn_neuron.py can drive NEURON with
// the same events and compare spikes. Without the variable it checks that the benchmark's
// input is what the file would say: 8 trains, all on AMPA synapses.
func TestWriteL5PoissonEvents(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	in := ampaPoissonInputs(d, 1, 10, 0.0015, 1000)
	if len(in) != 8 {
		t.Fatalf("%d AMPA trains, want 8", len(in))
	}
	out := os.Getenv("NEUROGRAD_BENCH_EVENTS")
	if out == "" {
		return
	}
	res, err := Run(RunSpec{Desc: d, TStop: 1000, Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	type train struct {
		Section  string    `json:"section"`
		WeightUS float64   `json:"weight_uS"`
		TimesMS  []float64 `json:"times_ms"`
	}
	f := struct {
		TStopMS  float64   `json:"tstop_ms"`
		Inputs   []train   `json:"inputs"`
		SpikesMS []float64 `json:"neurograd_spikes_ms"`
	}{TStopMS: 1000, SpikesMS: res.Spikes}
	for _, x := range in {
		f.Inputs = append(f.Inputs, train{x.Section, x.WeightUS, x.TimesMS})
	}
	b, _ := json.MarshalIndent(f, "", " ")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
