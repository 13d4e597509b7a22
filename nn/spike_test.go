package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestSpikeForwardAndSurrogate checks H(x) forward and the closed-form backward
// g/(1+k|x|)² (the forward is not differentiable, so no finite differences).
func TestSpikeForwardAndSurrogate(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, k := range []float64{0, 1, 25, 100} {
		x := randTensor(rng, 0.2, 5, 7)
		x.Data[0], x.Data[1] = 0, math.Copysign(0, -1) // H(+0) = H(-0) = 0
		x.SetRequiresGrad(true)
		g := randTensor(rng, 1, 5, 7)
		tp := autograd.NewTape[float64]()
		y := FastSigmoidSpike[float64]{Slope: k}.Forward(tp, x)
		if err := tp.BackwardWith(y, g.Data); err != nil {
			t.Fatal(err)
		}
		slope := k
		if slope == 0 {
			slope = DefaultSpikeSlope
		}
		for i, v := range x.Data {
			want := 0.0
			if v > 0 {
				want = 1
			}
			if y.Data[i] != want {
				t.Fatalf("H(%v) = %v", v, y.Data[i])
			}
			d := 1 + slope*math.Abs(v)
			if wg := g.Data[i] / (d * d); math.Abs(x.Grad[i]-wg) > 1e-14 {
				t.Fatalf("k=%v: surrogate gradient at %v is %v, want %v", k, v, x.Grad[i], wg)
			}
		}
		if x.Grad[0] != g.Data[0] {
			t.Fatal("surrogate at threshold is not g")
		}
	}
}

func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	p := randTensor(rng, 1, 4, 3)
	y := randTensor(rng, 1, 4, 3)
	prob := autograd.Zeros[float64](4, 3)
	for i := range prob.Data {
		prob.Data[i] = rng.Float64()
	}
	fs := map[string]func(tp *tape) *tensor{
		"mse":   func(tp *tape) *tensor { return MSELoss(tp, p, y) },
		"mae":   func(tp *tape) *tensor { return MAELoss(tp, p, y) },
		"huber": func(tp *tape) *tensor { return HuberLoss(tp, p, y, 0.8) },
		"bce":   func(tp *tape) *tensor { return BCEWithLogitsLoss(tp, p, prob) },
	}
	for name, f := range fs {
		gradCheck(t, name, func(tp *tape, _ []*tensor) *tensor { return f(tp) }, p, y, prob)
	}
	// Values against direct formulas.
	var mse, mae, hub, bce float64
	for i := range p.Data {
		d := p.Data[i] - y.Data[i]
		mse += d * d
		mae += math.Abs(d)
		if math.Abs(d) <= 0.8 {
			hub += d * d / 2
		} else {
			hub += 0.8 * (math.Abs(d) - 0.4)
		}
		s := 1 / (1 + math.Exp(-p.Data[i]))
		bce -= prob.Data[i]*math.Log(s) + (1-prob.Data[i])*math.Log(1-s)
	}
	n := float64(p.Len())
	for name, want := range map[string]float64{"mse": mse / n, "mae": mae / n, "huber": hub / n, "bce": bce / n} {
		if got := fs[name](nil).Item(); math.Abs(got-want) > 1e-12 {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
	}
	// The stable BCE form does not overflow for large logits.
	big := autograd.MustNew([]float64{800, -800}, 2)
	tgt := autograd.MustNew([]float64{0, 1}, 2)
	if v := BCEWithLogitsLoss(nil, big, tgt).Item(); math.Abs(v-800) > 1e-9 {
		t.Fatalf("BCE of large logits = %v, want 800", v)
	}
}
