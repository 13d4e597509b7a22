package stats

import (
	"math"
	"testing"
)

func TestPearson(t *testing.T) {
	a := []float64{1, 2, 3, 4}
	for _, tc := range []struct {
		name string
		b    []float64
		want float64
	}{
		{"proportional", []float64{2, 4, 6, 8}, 1},
		{"reversed", []float64{4, 3, 2, 1}, -1},
		{"constant", []float64{1, 1, 1, 1}, 0},
		{"uncorrelated", []float64{1, -1, -1, 1}, 0},
	} {
		for _, mean := range []Mean{SumThenDivide, DivideEach} {
			if r := PearsonMean(a, tc.b, mean); math.Abs(r-tc.want) > 1e-12 {
				t.Errorf("%s (mean %d): r %v, want %v", tc.name, mean, r, tc.want)
			}
		}
	}
	if r := Pearson([]float32{1, 2, 3}, []float32{1, 2, 3.5}); !(r > 0.98 && r < 1) {
		t.Errorf("float32: r %v", r)
	}
}

func TestPearsonOddInputs(t *testing.T) {
	for _, mean := range []Mean{SumThenDivide, DivideEach} {
		if r := PearsonMean([]float64{}, []float64{}, mean); r != 0 {
			t.Errorf("empty (mean %d): r %v, want 0", mean, r)
		}
		if r := PearsonMean([]float64(nil), nil, mean); r != 0 {
			t.Errorf("nil (mean %d): r %v, want 0", mean, r)
		}
		if r := PearsonMean([]float64{3}, []float64{5}, mean); r != 0 {
			t.Errorf("one sample (mean %d): r %v, want 0", mean, r)
		}
		if r := PearsonMean([]float64{1, math.NaN(), 3}, []float64{1, 2, 3}, mean); !math.IsNaN(r) {
			t.Errorf("NaN sample (mean %d): r %v, want NaN", mean, r)
		}
		if r := PearsonMean([]float64{1, math.Inf(1), 3}, []float64{1, 2, 3}, mean); !math.IsNaN(r) {
			t.Errorf("Inf sample (mean %d): r %v, want NaN", mean, r)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("series of different lengths: no panic")
		}
	}()
	Pearson([]float64{1, 2}, []float64{1, 2, 3})
}

// TestPearsonMeanRounding pins the two accumulations to their formulas: the
// callers rely on each one's exact rounding.
func TestPearsonMeanRounding(t *testing.T) {
	a := []float64{0.1, 0.7, 0.2, 1e-3, 0.9, 0.3, 0.35}
	b := []float64{0.3, 0.1, 0.8, 0.4, 0.05, 0.6, 0.2}
	ref := func(ma, mb float64) float64 {
		var sab, saa, sbb float64
		for i := range a {
			sab += (a[i] - ma) * (b[i] - mb)
			saa += (a[i] - ma) * (a[i] - ma)
			sbb += (b[i] - mb) * (b[i] - mb)
		}
		return sab / math.Sqrt(saa*sbb)
	}
	n := float64(len(a))
	var sa, sb, qa, qb float64
	for i := range a {
		sa += a[i]
		sb += b[i]
		qa += a[i] / n
		qb += b[i] / n
	}
	if got, want := PearsonMean(a, b, SumThenDivide), ref(sa/n, sb/n); got != want {
		t.Errorf("SumThenDivide: %v, want %v", got, want)
	}
	if got, want := PearsonMean(a, b, DivideEach), ref(qa, qb); got != want {
		t.Errorf("DivideEach: %v, want %v", got, want)
	}
}

func TestMatchSpikes(t *testing.T) {
	ref := []float64{30, 20, 5} // matched in time order whatever the order given
	pred := []float64{
		21.5, // matches 20
		22,   // 20 is taken, 30 too far: unmatched
		29,   // matches 30
		7.5,  // 2.5 ms off 5: unmatched
	}
	got := MatchSpikes(pred, ref, 2)
	if want := (Match{Predicted: 4, Reference: 3, Matched: 2}); got != want {
		t.Fatalf("match %+v, want %+v", got, want)
	}
	if ref[0] != 30 || ref[2] != 5 {
		t.Errorf("ref modified: %v", ref)
	}
	if p, r, f := got.Precision(), got.Recall(), got.F1(); p != 0.5 || r != 2.0/3 || f != 4.0/7 {
		t.Errorf("precision %v recall %v F1 %v", p, r, f)
	}
	// Tolerance is inclusive; of two equally near spikes the later is taken,
	// which leaves the earlier one to the next predicted spike.
	if m := MatchSpikes([]float64{10, 8}, []float64{8, 12}, 2); m.Matched != 2 {
		t.Errorf("tie: %+v, want both matched", m)
	}
	// The nearest free spike wins over the first one within tol.
	if m := MatchSpikes([]float64{10, 8.5}, []float64{8.5, 9.5}, 1.5); m.Matched != 2 {
		t.Errorf("nearest: %+v, want both matched", m)
	}
}

func TestMatchSpikesOddInputs(t *testing.T) {
	none := MatchSpikes(nil, nil, 2)
	if none != (Match{}) || none.Precision() != 1 || none.Recall() != 1 || none.F1() != 1 {
		t.Errorf("no spikes: %+v P %v R %v F1 %v, want all 1", none, none.Precision(), none.Recall(), none.F1())
	}
	if m := MatchSpikes([]float64{1, 2}, nil, 2); m.Matched != 0 || m.Precision() != 0 || m.Recall() != 1 || m.F1() != 0 {
		t.Errorf("no reference: %+v", m)
	}
	if m := MatchSpikes(nil, []float64{1, 2}, 2); m.Precision() != 1 || m.Recall() != 0 {
		t.Errorf("no prediction: %+v", m)
	}
	if m := MatchSpikes([]float64{math.NaN(), 5}, []float64{5, math.NaN()}, 2); m.Matched != 1 {
		t.Errorf("NaN times: %+v, want only 5 matched", m)
	}
	if m := MatchSpikes([]float64{5}, []float64{5}, -1); m.Matched != 0 {
		t.Errorf("negative tolerance: %+v, want nothing matched", m)
	}
	if m := MatchSpikes([]float64{5}, []float64{5}, 0); m.Matched != 1 {
		t.Errorf("zero tolerance, same time: %+v, want matched", m)
	}
	sum := Match{Predicted: 1, Reference: 2, Matched: 1}.Add(Match{Predicted: 3, Reference: 1, Matched: 1})
	if sum != (Match{Predicted: 4, Reference: 3, Matched: 2}) {
		t.Errorf("Add: %+v", sum)
	}
}
