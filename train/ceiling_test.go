package train

import (
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestShiftExcursions checks that runs above the level move later by the
// shift, leaving the value before the run behind, and are cut at the end.
func TestShiftExcursions(t *testing.T) {
	v := []float32{-70, -69, 10, 30, -68, -67, -66, 20}
	got := shiftExcursions(v, -45, 1)
	want := []float32{-70, -69, -69, 10, 30, -67, -66, -66}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("shift by 1: got %v, want %v", got, want)
		}
	}
	if got := shiftExcursions(v, -45, 0); got[3] != 30 || got[7] != 20 {
		t.Fatalf("shift by 0 changed the trace: %v", got)
	}
}

// TestCeilingBasket runs the -ceiling measurement on a few short basket
// samples: re-timing events inside their bins must leave the trace close to
// the original, and shifting spikes must cost r.
func TestCeilingBasket(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates cells")
	}
	rep, err := Ceiling([]neuron.CellType{neuron.L2Basket}, 4, 400, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rep[neuron.L2Basket.String()]
	if len(r.R) != 1 || !(r.R[0] > 0.8 && r.R[0] <= 1) {
		t.Fatalf("re-timed inputs: r %v, want one value in (0.8, 1]", r.R)
	}
	if !(r.SomaRShifted["2_ms"] < r.SomaRShifted["0.5_ms"]) {
		t.Fatalf("spike shifts: %v, want r falling with the shift", r.SomaRShifted)
	}
	if _, err := Ceiling([]neuron.CellType{neuron.L2Basket}, 0, 400, 7, nil); err == nil {
		t.Fatal("-ceiling 0 samples: no error")
	}
}
