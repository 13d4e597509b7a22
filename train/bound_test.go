package train

import (
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestBoundShort runs -bound on one short L2/3 sample per regime: the exact
// interface must reproduce the whole cell, and every interface must report.
func TestBoundShort(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates cells")
	}
	if _, err := Bound([]neuron.CellType{neuron.L2Pyramidal}, 0, 200, 3, nil); err == nil {
		t.Fatal("-bound 0: no error")
	}
	rep, err := Bound([]neuron.CellType{neuron.L2Pyramidal, neuron.L5Basket}, 1, 200, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rep[neuron.L5Basket.String()]; ok {
		t.Error("a basket has no junction: want it skipped")
	}
	r := rep[neuron.L2Pyramidal.String()]
	if len(r.Rows) != 3*len(boundIfaces) || len(r.Boundary["depth_0"]) != 2 {
		t.Fatalf("%d rows, depth-0 boundary %v", len(r.Rows), r.Boundary["depth_0"])
	}
	for _, row := range r.Rows {
		exact := row.Interface == boundIfaces[0].Name || row.Interface == "kernel 5 ms, u every step"
		if exact && (row.MaxAbsDV > 1e-9 || row.NTrue != row.NPred) {
			t.Errorf("%s %s: max |Δv| %g mV, spikes %d vs %d", row.Regime, row.Interface, row.MaxAbsDV, row.NTrue, row.NPred)
		}
		if row.Interface == "kernel 5 ms, u 0.5 ms linear" && (row.URough <= 0 || row.UStd <= 0 || row.VbRough <= row.URough) {
			t.Errorf("%s %s: u s.d. %g, interpolation RMS u %g, v_b %g mV: want u smoother than v_b", row.Regime, row.Interface, row.UStd, row.URough, row.VbRough)
		}
	}
	if _, err := BoundRows([]neuron.CellType{neuron.L2Pyramidal}, 1, 200, 3, "no such row", nil); err == nil {
		t.Error("-bound-rows matching nothing: no error")
	}
}
