package verify

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

func TestMatchSpikes(t *testing.T) {
	col, err := network.NewColumn(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	p0, _ := col.Range(neuron.L2Pyramidal)
	b0, _ := col.Range(neuron.L2Basket)
	ref := []network.Spike{{Time: 5, GID: p0}, {Time: 20, GID: p0}, {Time: 30, GID: p0}, {Time: 40, GID: p0 + 1}, {Time: 50, GID: b0}}
	pred := []network.Spike{
		{Time: 5.5, GID: p0},     // before the window: ignored
		{Time: 21.5, GID: p0},    // matches 20
		{Time: 22, GID: p0},      // 20 is taken: unmatched
		{Time: 29, GID: p0},      // matches 30
		{Time: 40, GID: p0 + 2},  // another cell: unmatched
		{Time: 52.5, GID: b0},    // 2.5 ms off: unmatched
		{Time: 500, GID: p0 + 1}, // after the window: ignored
	}
	got := matchSpikes(col, ref, pred, 10, 100, 2)
	pyr := got[neuron.L2Pyramidal.String()]
	want := SpikeMatch{Reference: 3, Predicted: 4, Matched: 2, Precision: 0.5, Recall: 2.0 / 3, Tolerance: 2}
	if pyr != want {
		t.Errorf("L2 pyramidal %+v, want %+v", pyr, want)
	}
	bas := got[neuron.L2Basket.String()]
	if bas.Reference != 1 || bas.Predicted != 1 || bas.Matched != 0 || bas.Precision != 0 || bas.Recall != 0 {
		t.Errorf("L2 basket %+v", bas)
	}
	if l5 := got[neuron.L5Pyramidal.String()]; l5.Precision != 1 || l5.Recall != 1 || l5.Reference != 0 {
		t.Errorf("L5 pyramidal without spikes %+v, want precision and recall 1", l5)
	}
}

func TestDipoleRAndPeaks(t *testing.T) {
	vs := &verifySpectrum{obj: &optimize.Spectral[float64]{Skip: 1}}
	m := func(x ...float64) *Measurement { return &Measurement{Dipole: x} }
	if r := vs.dipoleR(m(100, 1, 2, 3, 4), m(-100, 2, 4, 6, 8)); math.Abs(r-1) > 1e-12 {
		t.Errorf("r = %v, want 1 (the warm-up sample is left out)", r)
	}
	if r := vs.dipoleR(m(0, 1, 2, 3, 4), m(0, 4, 3, 2, 1)); math.Abs(r+1) > 1e-12 {
		t.Errorf("r = %v, want -1", r)
	}
	if r := vs.dipoleR(m(0, 1, 2, 3, 4), m(0, 1, 1, 1, 1)); r != 0 {
		t.Errorf("r with a constant = %v, want 0", r)
	}
	freqs := []float64{0, 10, 20, 30, 40}
	psd := []float64{100, 5, 1, 3, 2}
	if p, b := peakFrequencies(freqs, psd, 15, 45); p != 10 || b != 30 {
		t.Errorf("peaks %v, %v Hz, want 10 (DC excluded) and 30", p, b)
	}
}
