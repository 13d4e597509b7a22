package nn

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

func oneParam(vals ...float64) []Param[float64] {
	t := autograd.MustNew(append([]float64(nil), vals...), len(vals))
	t.SetRequiresGrad(true)
	return []Param[float64]{{"p", t}}
}

// TestAdamMatchesFormula runs three steps against the textbook update written out.
func TestAdamMatchesFormula(t *testing.T) {
	for _, decoupled := range []bool{false, true} {
		ps := oneParam(1.0, -2.0)
		cfg := AdamConfig{LR: 0.1, WeightDecay: 0.01}
		var opt *Adam[float64]
		if decoupled {
			opt = NewAdamW(ps, cfg)
		} else {
			opt = NewAdam(ps, cfg)
		}
		x := []float64{1, -2}
		m, v := []float64{0, 0}, []float64{0, 0}
		grads := [][]float64{{0.5, -1}, {0.2, 0.3}, {-0.4, 2}}
		for step, g := range grads {
			copy(ps[0].Tensor.Grad, g)
			opt.Step()
			for j := range x {
				gj := g[j]
				if decoupled {
					x[j] -= 0.1 * 0.01 * x[j]
				} else {
					gj += 0.01 * x[j]
				}
				m[j] = 0.9*m[j] + 0.1*gj
				v[j] = 0.999*v[j] + 0.001*gj*gj
				mh := m[j] / (1 - math.Pow(0.9, float64(step+1)))
				vh := v[j] / (1 - math.Pow(0.999, float64(step+1)))
				x[j] -= 0.1 * mh / (math.Sqrt(vh) + 1e-8)
			}
		}
		if d := maxAbsDiff(ps[0].Tensor.Data, x); d > 1e-7 {
			t.Fatalf("decoupled=%v: Adam %v, formula %v", decoupled, ps[0].Tensor.Data, x)
		}
		if opt.Steps() != 3 {
			t.Fatal("step count")
		}
	}
}

func TestSGDMomentum(t *testing.T) {
	for _, nesterov := range []bool{false, true} {
		ps := oneParam(1.0)
		opt := NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: nesterov})
		x, b := 1.0, 0.0
		for _, g := range []float64{1, -0.5, 2} {
			ps[0].Tensor.Grad[0] = g
			opt.Step()
			b = 0.9*b + g
			if nesterov {
				x -= 0.1 * (g + 0.9*b)
			} else {
				x -= 0.1 * b
			}
		}
		if math.Abs(ps[0].Tensor.Data[0]-x) > 1e-12 {
			t.Fatalf("nesterov=%v: SGD %v, formula %v", nesterov, ps[0].Tensor.Data[0], x)
		}
	}
}

// TestOptimizersMinimize checks every optimizer drives a quadratic to its minimum.
func TestOptimizersMinimize(t *testing.T) {
	mk := map[string]func([]Param[float64]) Optimizer{
		"adam":  func(p []Param[float64]) Optimizer { return NewAdam(p, AdamConfig{LR: 0.05}) },
		"adamw": func(p []Param[float64]) Optimizer { return NewAdamW(p, AdamConfig{LR: 0.05}) },
		"sgd":   func(p []Param[float64]) Optimizer { return NewSGD(p, SGDConfig{LR: 0.05, Momentum: 0.9}) },
	}
	for name, f := range mk {
		ps := oneParam(3, -4)
		opt := f(ps)
		for range 500 {
			for j, v := range ps[0].Tensor.Data {
				ps[0].Tensor.Grad[j] = 2 * (v - float64(j))
			}
			opt.Step()
		}
		if d := maxAbsDiff(ps[0].Tensor.Data, []float64{0, 1}); d > 1e-3 {
			t.Fatalf("%s ended at %v", name, ps[0].Tensor.Data)
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	ps := append(oneParam(0, 0), oneParam(0)...)
	ps[1].Name = "q"
	copy(ps[0].Tensor.Grad, []float64{3, 0})
	ps[1].Tensor.Grad[0] = 4
	if n := ClipGradNorm(ps, 1); n != 5 {
		t.Fatalf("norm before clipping %v, want 5", n)
	}
	if n := GradNorm(ps); math.Abs(n-1) > 1e-9 {
		t.Fatalf("norm after clipping %v", n)
	}
	if math.Abs(ps[0].Tensor.Grad[0]-0.6) > 1e-9 || math.Abs(ps[1].Tensor.Grad[0]-0.8) > 1e-9 {
		t.Fatal("clipping changed the direction")
	}
	if n := ClipGradNorm(ps, 10); math.Abs(n-1) > 1e-9 || math.Abs(ps[1].Tensor.Grad[0]-0.8) > 1e-9 {
		t.Fatal("clipping below the limit changed the gradient")
	}
	ps[0].Tensor.Grad[1] = math.NaN()
	if n := ClipGradNorm(ps, 1); !math.IsNaN(n) {
		t.Fatal("NaN gradient not reported")
	}
}

func TestSchedules(t *testing.T) {
	if ConstantLR(0.3).LR(100) != 0.3 {
		t.Fatal("constant")
	}
	s := StepLR{Base: 1, StepSize: 10, Gamma: 0.5}
	if s.LR(9) != 1 || s.LR(10) != 0.5 || s.LR(25) != 0.25 {
		t.Fatal("step")
	}
	c := CosineLR{Base: 1, Min: 0.1, Warmup: 4, Total: 14}
	checks := map[int]float64{0: 0.25, 3: 1, 4: 1, 9: 0.55, 14: 0.1, 99: 0.1}
	for step, want := range checks {
		if got := c.LR(step); math.Abs(got-want) > 1e-12 {
			t.Fatalf("cosine LR(%d) = %v, want %v", step, got, want)
		}
	}
	// The optimizer uses the schedule: with LR 0 at step 0 nothing moves.
	ps := oneParam(1)
	opt := NewSGD(ps, SGDConfig{Schedule: StepLR{Base: 0, StepSize: 1, Gamma: 2}})
	ps[0].Tensor.Grad[0] = 1
	opt.Step()
	if ps[0].Tensor.Data[0] != 1 {
		t.Fatal("schedule ignored")
	}
}
