package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestCoincidence(t *testing.T) {
	a := []float64{10, 50, 90, 130}
	if g := Coincidence(a, a, 200, 2); math.Abs(g-1) > 1e-12 {
		t.Errorf("identical trains: Γ = %v, want 1", g)
	}
	if g := Coincidence(nil, nil, 200, 2); !math.IsNaN(g) {
		t.Errorf("empty trains: Γ = %v, want NaN", g)
	}
	// Half the spikes exact, the rest far away: N_coinc = 2 of 4 and 4.
	b := []float64{10, 50, 70, 110}
	nu := 4.0 / 200
	want := (2 - 2*nu*2*4) / 4 / (1 - 2*nu*2)
	if g := Coincidence(b, a, 200, 2); math.Abs(g-want) > 1e-12 {
		t.Errorf("half matched: Γ = %v, want %v", g, want)
	}
	// Independent Poisson trains of equal rate: Γ near 0 on average.
	rng := rand.New(rand.NewPCG(1, 2))
	poisson := func() []float64 {
		var s []float64
		for x := rng.ExpFloat64() * 50; x < 1e5; x += rng.ExpFloat64() * 50 {
			s = append(s, x)
		}
		return s
	}
	if g := Coincidence(poisson(), poisson(), 1e5, 2); math.Abs(g) > 0.1 {
		t.Errorf("independent Poisson trains: Γ = %v, want ≈ 0", g)
	}
	if p := MatchPairs([]float64{11, 49.5}, a, 2); len(p) != 2 || p[0] != [2]float64{11, 10} || p[1] != [2]float64{49.5, 50} {
		t.Errorf("MatchPairs = %v", p)
	}
}
