package stats

import (
	"math"
	"testing"
)

func TestMoments(t *testing.T) {
	var m Moments
	if !math.IsNaN(m.RMSE()) || !math.IsNaN(m.EV()) {
		t.Fatal("empty moments should give NaN")
	}
	x := []float64{1, 2, 3, 4}
	for _, v := range x {
		m.Add(v, v+1)
	}
	if m.RMSE() != 1 || m.N() != 4 {
		t.Errorf("RMSE %v (n %d), want 1", m.RMSE(), m.N())
	}
	// variance sum 5, error sum 4: EV = 1 − 4/5
	if math.Abs(m.EV()-0.2) > 1e-12 {
		t.Errorf("EV %v, want 0.2", m.EV())
	}
}
