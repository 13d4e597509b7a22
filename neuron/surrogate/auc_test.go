package surrogate

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

func TestAUC(t *testing.T) {
	// four 1 ms bins; the spike is in bin 2 (t = 2.3 ms)
	v := []float32{-70, -69, -60, -65, -50, 10, -64, -66}
	var a aucCounter
	a.addSample(v, []float64{2.3}, len(v))
	if got := a.value(); got != 1 {
		t.Errorf("perfect score: AUC %v, want 1", got)
	}
	var b aucCounter
	b.addSample([]float32{0, 0, 0, 0, -80, -80, 0, 0}, []float64{2.3}, 8)
	if got := b.value(); got != 0 {
		t.Errorf("reversed score: AUC %v, want 0", got)
	}
	var c aucCounter
	c.addSample(make([]float32, 8), []float64{0.1, 2.3}, 8)
	if got := c.value(); got != 0.5 {
		t.Errorf("all tied: AUC %v, want 0.5", got)
	}
	var d aucCounter
	d.addSample(make([]float32, 8), nil, 8)
	if got := d.value(); got != -1 {
		t.Errorf("no spikes: AUC %v, want -1", got)
	}
	// one spike bin between two non-spike scores: AUC 0.5
	var e aucCounter
	e.addSample([]float32{-70, -70, -60, -60, -50, -50}, []float64{1.5}, 6)
	if got := e.value(); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("middle score: AUC %v, want 0.5", got)
	}
}

func TestFieldMetrics(t *testing.T) {
	const bins = 400
	mk := func(spikeBins []int, shift int) []float32 {
		v := make([]float32, bins)
		for k := range v {
			v[k] = -65 + float32(k%7)
		}
		for _, b := range spikeBins {
			v[b+shift] = 30
		}
		return v
	}
	spikes := []int{40, 120, 250, 333}
	s := &Sample{Bins: bins, Y: mk(spikes, 0)}
	for _, b := range spikes {
		s.Spikes = append(s.Spikes, float64(b)*BinDt+0.1)
	}
	same := evaluate([]string{"v_soma"}, []*Sample{s}, [][]float32{mk(spikes, 0)}, 0)
	if same.Gamma < 0.99 || same.ClippedRMSE != 0 || same.ClippedEV != 1 || same.SpikeAUC != 1 {
		t.Errorf("identical trace: Γ %v, clipped RMSE %v, EV %v, AUC %v", same.Gamma, same.ClippedRMSE, same.ClippedEV, same.SpikeAUC)
	}
	late := evaluate([]string{"v_soma"}, []*Sample{s}, [][]float32{mk(spikes, 2)}, 0)
	if d := late.SpikeBiasMS - (same.SpikeBiasMS + 2*BinDt); math.Abs(d) > 0.05 {
		t.Errorf("spikes 1 ms late: bias %v ms against %v ms on time", late.SpikeBiasMS, same.SpikeBiasMS)
	}
	far := evaluate([]string{"v_soma"}, []*Sample{s}, [][]float32{mk(spikes, 8)}, 0)
	if far.Gamma > 0.2 {
		t.Errorf("spikes 4 ms late: Γ %v, want about 0", far.Gamma)
	}
	if far.RMSE[0] < 10*far.ClippedRMSE {
		t.Errorf("the clipped soma should take the spikes out: RMSE %v mV, clipped %v mV", far.RMSE[0], far.ClippedRMSE)
	}
}

func TestExactBasketEvaluateMatchesItsBinnedCell(t *testing.T) {
	// fed the bin-start events, the exact basket is the biophysical cell:
	// scoring it against a sample simulated with the events at the bin
	// starts must give Γ 1 and r 1 (its trace is the sample's own target)
	m, err := NewExactBasket[float64](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	const bins = 600
	C := len(m.Inputs())
	x := make([]float32, bins*C)
	for k := 10; k < bins; k += 37 {
		x[k*C] = 0.02 // AMPA on the soma, enough for a spike
	}
	pred, err := m.Predict([]*Sample{{Bins: bins, X: x}})
	if err != nil {
		t.Fatal(err)
	}
	spikes := SpikeTimes(pred[0], 0)
	if len(spikes) < 5 {
		t.Fatalf("only %d spikes from %d strong inputs", len(spikes), bins/37)
	}
	s := &Sample{Bins: bins, X: x, Y: pred[0], Spikes: spikes}
	mt, err := m.Evaluate([]*Sample{s})
	if err != nil {
		t.Fatal(err)
	}
	if mt.Gamma < 0.999 || mt.R[0] < 0.9999 || mt.Precision != 1 || mt.Recall != 1 {
		t.Errorf("against its own trace: Γ %v, r %v, P/R %v/%v", mt.Gamma, mt.R[0], mt.Precision, mt.Recall)
	}
	if _, err := m.Evaluate([]*Sample{{Bins: bins, X: x[:10]}}); err == nil {
		t.Error("a sample with the wrong number of inputs should be an error")
	}
}
