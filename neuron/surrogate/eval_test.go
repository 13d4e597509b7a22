package surrogate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// TestSpikeOracle checks Metrics.SomaRSpikeOracle: a subthreshold branch
// that follows the biophysical trace exactly below SomaClip gives r = 1
// (while the trace without spikes has a low r); with noise added below
// threshold the oracle equals the r of the noisy trace with exact spikes;
// Evaluate reports it for a model, and a trained-free random model's
// oracle is a valid correlation.
func TestSpikeOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	samples := syntheticBasketSamples(rng, 3, 400, 37)
	flat := make([][]float32, len(samples))
	noisy := make([][]float32, len(samples))
	exactNoisy := make([][]float32, len(samples))
	for i, s := range samples {
		flat[i] = make([]float32, s.Bins)
		noisy[i] = make([]float32, s.Bins)
		exactNoisy[i] = make([]float32, s.Bins)
		for k := 0; k < s.Bins; k++ {
			flat[i][k] = s.Y[k]
			if float64(s.Y[k]) > SomaClip {
				flat[i][k] = -64
			}
			n := float32(rng.NormFloat64())
			noisy[i][k] = flat[i][k] + n
			exactNoisy[i][k] = s.Y[k]
			if float64(s.Y[k]) <= SomaClip {
				exactNoisy[i][k] += n
			}
		}
	}
	if r := evaluate([]string{"v_soma"}, samples, flat, 0).R[0]; !(r < 0.9) {
		t.Fatalf("no spikes: soma r %.3f, want well below 1", r)
	}
	if r := spikeOracle(samples, flat, 1); math.Abs(r-1) > 1e-9 {
		t.Fatalf("oracle r %.6f with an exact subthreshold trace, want 1", r)
	}
	want := evaluate([]string{"v_soma"}, samples, exactNoisy, 0).R[0]
	if r := spikeOracle(samples, noisy, 1); math.Abs(r-want) > 1e-9 || !(want < 1) {
		t.Fatalf("oracle r %.6f with subthreshold noise, want %.6f (< 1)", r, want)
	}
	m, err := New[float64](neuron.L2Basket, DefaultArch(neuron.L2Basket), 5)
	if err != nil {
		t.Fatal(err)
	}
	mt := m.Evaluate(samples)
	_, sub := m.predict(samples, true)
	want = spikeOracle(samples, sub, 1)
	if mt.SomaRSpikeOracle != want || math.IsNaN(want) || math.Abs(want) > 1 {
		t.Fatalf("Evaluate's oracle %v, want %v in [-1, 1]", mt.SomaRSpikeOracle, want)
	}
}

// TestSpikeTimingMetrics checks Metrics.SpikeWithin on predictions whose
// spikes are all about 1.5 ms late (none within 0.5 or 1 ms, all within 2),
// and the pre-spike error of a subthreshold branch offset by +2 mV.
func TestSpikeTimingMetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	samples := syntheticBasketSamples(rng, 2, 300, 41)
	late := make([][]float32, len(samples))
	offset := make([][]float32, len(samples))
	for i, s := range samples {
		late[i] = make([]float32, s.Bins)
		offset[i] = make([]float32, s.Bins)
		for k := range late[i] {
			late[i][k] = -64
			if k >= 3 && s.Y[k-3] > 0 {
				late[i][k] = s.Y[k-3]
			}
			offset[i][k] = s.Y[k] + 2
		}
	}
	mt := evaluate([]string{"v_soma"}, samples, late, 0)
	want := map[string]float64{"0.5_ms": 0, "1_ms": 0, "2_ms": 1}
	for k, v := range want {
		if got, ok := mt.SpikeWithin[k]; !ok || math.Abs(got-v) > 1e-12 {
			t.Errorf("spikes 1.5 ms late: SpikeWithin[%s] = %v, want %v (all %v)", k, got, v, mt.SpikeWithin)
		}
	}
	bias, mae := preSpikeError(samples, offset, 1)
	if math.Abs(bias-2) > 1e-5 || math.Abs(mae-2) > 1e-5 {
		t.Errorf("subthreshold branch +2 mV: pre-spike bias %v, MAE %v, want 2, 2", bias, mae)
	}
	if b, m := preSpikeError(samples[:0], nil, 1); b != 0 || m != 0 {
		t.Errorf("no samples: %v, %v", b, m)
	}
}
