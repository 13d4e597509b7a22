package train

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/nn"
)

// syntheticBasketSamples returns n basket samples of the given bins with
// random inputs, a resting trace with a spike peak every period bins (the
// first at bin first), and the matching spike times.
func syntheticBasketSamples(rng *rand.Rand, n, bins, period int) []*surrogate.Sample {
	out := make([]*surrogate.Sample, n)
	for i := range out {
		s := &surrogate.Sample{Bins: bins, X: make([]float32, bins*3), Y: make([]float32, bins)}
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
				s.Spikes = append(s.Spikes, surrogate.BinDt*float64(k+1)-0.2)
			}
		}
		out[i] = s
	}
	return out
}

// TestGaussianSmoother checks the timing-tolerant spike term's kernel:
// symmetric, 1 on the diagonal, exp(-1/2) at one sigma, 0 beyond 6 sigma.
func TestGaussianSmoother(t *testing.T) {
	const L, sigma = 30, 2.0
	k := gaussianSmoother[float64](L, sigma)
	for i := 0; i < L; i++ {
		for j := 0; j < L; j++ {
			if k.Data[i*L+j] != k.Data[j*L+i] {
				t.Fatalf("K[%d][%d] != K[%d][%d]", i, j, j, i)
			}
		}
		if k.Data[i*L+i] != 1 {
			t.Fatalf("K[%d][%d] = %v, want 1", i, i, k.Data[i*L+i])
		}
	}
	if got, want := k.Data[0*L+2], math.Exp(-0.5); math.Abs(got-want) > 1e-15 {
		t.Fatalf("K at one sigma %v, want %v", got, want)
	}
	if k.Data[0*L+13] != 0 {
		t.Fatalf("K beyond 6 sigma %v, want 0", k.Data[0*L+13])
	}
}

// TestTrainConfigErrors checks that bad training settings are rejected
// with an error naming them, and that a short run with the timing-tolerant
// spike term and score selection works.
func TestTrainConfigErrors(t *testing.T) {
	arch := surrogate.Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 4, Layers: 2, HeadHidden: 3}
	m, err := surrogate.New[float32](neuron.L2Basket, arch, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	train, val := syntheticBasketSamples(rng, 4, 120, 30), syntheticBasketSamples(rng, 2, 120, 30)
	base := DefaultConfig()
	base.Batch, base.WarmUp, base.BPTT, base.Steps, base.EvalEvery = 2, 10, 30, 4, 2
	for _, tc := range []struct {
		name string
		mod  func(*Config)
	}{
		{"SelectBy", func(c *Config) { c.SelectBy = "best" }},
		{"SpikeSmooth", func(c *Config) { c.SpikeSmooth = -1 }},
		{"sigma", func(c *Config) { c.SpikeSmooth, c.SpikeSmoothSigma = 1, 0 }},
		{"SomaWeight", func(c *Config) { c.SomaWeight = 0 }},
		{"EMA", func(c *Config) { c.EMA = 1 }},
		{"EMA", func(c *Config) { c.EMA = -0.5 }},
		{"HistorySchedule", func(c *Config) { c.HistorySchedule = -0.5 }},
		{"Steps", func(c *Config) { c.Steps = 0 }},
		{"Batch", func(c *Config) { c.Batch = -1 }},
		{"EvalEvery", func(c *Config) { c.EvalEvery = 0 }},
		{"MaxDuration", func(c *Config) { c.MaxDuration = 0 }},
		{"Dropout", func(c *Config) { c.Dropout = -1 }},
		{"Dropout", func(c *Config) { c.Dropout = 1 }},
		{"WeightDecay", func(c *Config) { c.WeightDecay = -1 }},
		{"SpikeLoss", func(c *Config) { c.SpikeLoss = math.NaN() }},
	} {
		cfg := base
		tc.mod(&cfg)
		if _, err := Fit(m, train, val, cfg); err == nil {
			t.Errorf("%s: bad setting accepted", tc.name)
		} else if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.name)) {
			t.Errorf("%s: error %q does not name it", tc.name, err)
		}
	}
	cfg := base
	cfg.SpikeSmooth, cfg.SelectBy, cfg.SomaWeight = 2, "score", 3
	res, err := Fit(m, train, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ValScore) != 2 || res.BestStep == 0 || math.IsNaN(res.BestScore) {
		t.Fatalf("score selection: %+v", res)
	}
}

// TestUpdateEMA checks the moving average against its definition.
func TestUpdateEMA(t *testing.T) {
	var tp *autograd.Tape[float64]
	p := []nn.Param[float64]{{Name: "w", Tensor: tp.NewTensor(3)}}
	copy(p[0].Tensor.Data, []float64{1, -2, 4})
	avg := [][]float64{{0, 0, 2}}
	updateEMA(avg, p, 0.75)
	want := []float64{0.25, -0.5, 2.5}
	for i, v := range avg[0] {
		if math.Abs(v-want[i]) > 1e-15 {
			t.Fatalf("avg %v, want %v", avg[0], want)
		}
	}
}

// TestTrainEMA checks that with EMA on, the kept parameters are the moving
// average (they differ from the run without it from the same start, with
// the same batches) and the selection still works.
func TestTrainEMA(t *testing.T) {
	arch := surrogate.Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 4, Layers: 1, HeadHidden: 3}
	rng := rand.New(rand.NewPCG(2, 1))
	train, val := syntheticBasketSamples(rng, 4, 120, 30), syntheticBasketSamples(rng, 2, 120, 30)
	cfg := DefaultConfig()
	cfg.Batch, cfg.WarmUp, cfg.BPTT, cfg.Steps, cfg.EvalEvery, cfg.SelectBy = 2, 10, 30, 6, 6, "loss"
	run := func(ema float64) []float32 {
		m, err := surrogate.New[float32](neuron.L2Basket, arch, 3)
		if err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.EMA = ema
		res, err := Fit(m, train, val, c)
		if err != nil {
			t.Fatal(err)
		}
		if res.BestStep != 6 {
			t.Fatalf("EMA %g: kept step %d, want 6 (one evaluation, better than the start)", ema, res.BestStep)
		}
		return append([]float32(nil), m.Params()[0].Tensor.Data...)
	}
	plain, avg := run(0), run(0.9)
	same := true
	for i := range plain {
		if plain[i] != avg[i] {
			same = false
		}
	}
	if same {
		t.Fatal("EMA run kept the raw iterate")
	}
}

// TestTrainSpikeHistory runs short trainings of a model with spike-history
// feedback, with its own spikes fed back, with teacher forcing and with
// scheduled sampling between the two, and
// checks that they learn (the free-running validation loss falls below the
// untrained model's) and save and load with the history in the architecture.
func TestTrainSpikeHistory(t *testing.T) {
	arch := surrogate.Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 6, Layers: 1, HeadHidden: 4, SpikeHistory: 2}
	rng := rand.New(rand.NewPCG(3, 1))
	train, val := syntheticBasketSamples(rng, 6, 120, 25), syntheticBasketSamples(rng, 2, 120, 25)
	for _, mode := range []struct {
		teacher  bool
		schedule float64
	}{{false, 0}, {true, 0}, {false, 0.5}} {
		teacher := mode.teacher
		m, err := surrogate.New[float64](neuron.L2Basket, arch, 5)
		if err != nil {
			t.Fatal(err)
		}
		before := somaMSE(m, val)
		cfg := DefaultConfig()
		cfg.Batch, cfg.WarmUp, cfg.BPTT, cfg.Steps, cfg.EvalEvery, cfg.SelectBy = 2, 10, 40, 60, 20, "loss"
		cfg.SomaWeight, cfg.SpikeLoss, cfg.HistoryTeacher, cfg.HistorySchedule = 1, 1, teacher, mode.schedule
		res, err := Fit(m, train, val, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if after := somaMSE(m, val); !(after < before) {
			t.Errorf("teacher %v: free-running soma MSE %v after training, %v before", teacher, after, before)
		}
		if math.IsNaN(res.BestValLoss) || res.BestStep == 0 {
			t.Fatalf("teacher %v: %+v", teacher, res)
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := surrogate.Load[float64](&buf)
		if err != nil {
			t.Fatal(err)
		}
		if back.Arch() != arch {
			t.Fatalf("loaded arch %+v, want %+v", back.Arch(), arch)
		}
		p1, p2 := m.Predict(val), back.Predict(val)
		for i := range p1[0] {
			if p1[0][i] != p2[0][i] {
				t.Fatalf("teacher %v: loaded model predicts differently at %d", teacher, i)
			}
		}
	}
}

// somaMSE is the mean squared error (mV²) of the free-running somatic
// prediction over the samples.
func somaMSE[T autograd.Float](m *surrogate.Model[T], ss []*surrogate.Sample) float64 {
	pred := m.Predict(ss)
	O := len(m.Outputs())
	var sum, n float64
	for i, s := range ss {
		for k := 0; k < s.Bins; k++ {
			d := float64(pred[i][k*O] - s.Y[k*O])
			sum += d * d
			n++
		}
	}
	return sum / n
}
