package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

func TestSimulateDt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	evs, err := PoissonEvents(neuron.L2Basket, DefaultPoissonConfig(neuron.L2Basket), 200, rng)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Simulate(neuron.L2Basket, evs, 200)
	b, err := SimulateDt(neuron.L2Basket, evs, 200, 0.025)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Y {
		if a.Y[i] != b.Y[i] {
			t.Fatalf("SimulateDt at 0.025 ms differs from Simulate at value %d", i)
		}
	}
	if _, err := SimulateDt(neuron.L2Basket, evs, 200, 0.3); err == nil {
		t.Error("a step that does not divide the bin should be an error")
	}
	c, err := SimulateDt(neuron.L2Basket, evs, 200, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	diff := 0.0
	for i := range a.Y {
		diff = math.Max(diff, math.Abs(float64(a.Y[i]-c.Y[i])))
	}
	if diff == 0 {
		t.Error("the cell at dt 0.5 ms gave the same trace as at 0.025 ms")
	}
}

func TestSeedProtocol(t *testing.T) {
	m, err := surrogate.Shipped[float32](neuron.L2Pyramidal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SeedProtocol(m, nil, 0, 1); err == nil {
		t.Error("no network samples should be an error")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var test []*surrogate.Sample
	for range 2 {
		evs, err := PoissonEvents(neuron.L2Pyramidal, DefaultPoissonConfig(neuron.L2Pyramidal), 560, rng)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Simulate(neuron.L2Pyramidal, evs, 560)
		if err != nil {
			t.Fatal(err)
		}
		test = append(test, s)
	}
	// one "Poisson" sample, then one network run of one cell
	rows, err := SeedProtocol(m, test, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 truths", len(rows))
	}
	for _, r := range rows {
		if r.Windows != seedWindows || r.Cells != 1 || math.IsNaN(r.RSoma) || r.RSoma < 0.2 {
			t.Errorf("row %+v", r)
		}
	}
	// binned at dt 0.025 ms the truth differs from the test's only by the
	// binning of the input: the two r lie close, the dt 0.5 ms truth apart
	if d := math.Abs(rows[0].RSoma - rows[1].RSoma); d > 0.15 {
		t.Errorf("r against the test truth %.3f and the binned truth %.3f", rows[0].RSoma, rows[1].RSoma)
	}
}
