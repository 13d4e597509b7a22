package surrogate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// syntheticBasketSamples returns n basket samples of the given bins with
// random inputs, a resting trace with a spike peak every period bins (the
// first at bin first), and the matching spike times.
func syntheticBasketSamples(rng *rand.Rand, n, bins, period int) []*Sample {
	out := make([]*Sample, n)
	for i := range out {
		s := &Sample{Bins: bins, X: make([]float32, bins*3), Y: make([]float32, bins)}
		for k := range s.X {
			if rng.Float64() < 0.05 {
				s.X[k] = float32(0.02 * rng.Float64())
			}
		}
		first := 5 + rng.IntN(period)
		for k := range s.Y {
			s.Y[k] = float32(-64 + rng.Float64())
			if k >= first && (k-first)%period == 0 {
				s.Y[k] = 30
				s.Spikes = append(s.Spikes, BinDt*float64(k+1)-0.2)
			}
		}
		out[i] = s
	}
	return out
}

// TestScore checks Model.Score against its definition: the mean of the
// soma's Pearson r and the spike F1 (from Evaluate's precision and recall at
// the returned threshold) for a basket cell.
func TestScore(t *testing.T) {
	m, err := New[float64](neuron.L2Basket, DefaultArch(neuron.L2Basket), 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetSpikePeak(30); err != nil {
		t.Fatal(err)
	}
	ss := syntheticBasketSamples(rand.New(rand.NewPCG(3, 4)), 3, 300, 40)
	score, th, mt := m.Score(ss)
	if th < -45 || th > 10 {
		t.Fatalf("threshold %v outside [-45, 10] mV", th)
	}
	if err := m.SetSpikeThreshold(th); err != nil {
		t.Fatal(err)
	}
	ev := m.Evaluate(ss)
	if ev.R[0] != mt.R[0] || ev.Precision != mt.Precision || ev.Recall != mt.Recall {
		t.Fatalf("Score's metrics %+v differ from Evaluate at its threshold %+v", mt, ev)
	}
	f1 := 0.0
	if ev.Precision+ev.Recall > 0 {
		f1 = 2 * ev.Precision * ev.Recall / (ev.Precision + ev.Recall)
	}
	if ev.PredSpikes == 0 {
		f1 = 0 // no predicted spikes: precision is reported as 1 but nothing matched
	}
	if want := (ev.R[0] + f1) / 2; math.Abs(score-want) > 1e-12 {
		t.Fatalf("score %v, want (r %v + F1 %v)/2 = %v", score, ev.R[0], f1, want)
	}
	if got := m.scoredOutputs(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("basket scored outputs %v, want [0]", got)
	}
	p, err := New[float64](neuron.L5Pyramidal, DefaultArch(neuron.L5Pyramidal), 5)
	if err != nil {
		t.Fatal(err)
	}
	names := p.Outputs()
	got := p.scoredOutputs()
	if len(got) != 3 || names[got[0]] != "v_soma" || names[got[1]] != "v_apical_tuft" || got[2] != p.DipoleOutput() {
		t.Fatalf("L5 pyramidal scored outputs %v of %v, want soma, apical tuft, dipole", got, names)
	}
}
