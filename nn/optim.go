package nn

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Optimizer updates parameters from their accumulated gradients. Step applies
// one update (it does not clear the gradients); Steps returns how many were
// applied.
type Optimizer interface {
	Step()
	Steps() int
}

// rate returns the learning rate of step t (0-based).
func rate(lr float64, s Schedule, t int) float64 {
	if s != nil {
		return s.LR(t)
	}
	return lr
}

// AdamConfig configures Adam and AdamW. Zero values take PyTorch's defaults:
// LR 1e-3, Beta1 0.9, Beta2 0.999, Eps 1e-8.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps float64
	// WeightDecay is L2 regularization added to the gradient for Adam, and the
	// decoupled decay p -= LR·WeightDecay·p for AdamW.
	WeightDecay float64
	Schedule    Schedule // optional; overrides LR
}

// Adam is the Adam optimizer (Kingma & Ba 2015) with bias correction, or AdamW
// (Loshchilov & Hutter 2019) when Decoupled is set:
//
//	m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//	p -= lr · (m/(1-β1^t)) / (sqrt(v/(1-β2^t)) + ε)
type Adam[T autograd.Float] struct {
	AdamConfig
	Decoupled bool
	params    []Param[T]
	m, v      [][]T
	t         int
}

// NewAdam returns Adam over params with L2 weight decay (coupled).
func NewAdam[T autograd.Float](params []Param[T], cfg AdamConfig) *Adam[T] {
	return newAdam(params, cfg, false)
}

// NewAdamW returns AdamW over params (decoupled weight decay).
func NewAdamW[T autograd.Float](params []Param[T], cfg AdamConfig) *Adam[T] {
	return newAdam(params, cfg, true)
}

func newAdam[T autograd.Float](params []Param[T], cfg AdamConfig, decoupled bool) *Adam[T] {
	if cfg.LR == 0 {
		cfg.LR = 1e-3
	}
	if cfg.Beta1 == 0 {
		cfg.Beta1 = 0.9
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = 0.999
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-8
	}
	a := &Adam[T]{AdamConfig: cfg, Decoupled: decoupled, params: append([]Param[T](nil), params...)}
	for _, p := range params {
		a.m = append(a.m, make([]T, p.Tensor.Len()))
		a.v = append(a.v, make([]T, p.Tensor.Len()))
	}
	return a
}

// Steps returns the number of updates applied.
func (a *Adam[T]) Steps() int { return a.t }

// Step applies one update to every parameter that has a gradient.
func (a *Adam[T]) Step() {
	defer WeightsChanged()
	lr := rate(a.LR, a.Schedule, a.t)
	a.t++
	b1, b2 := a.Beta1, a.Beta2
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	// p -= step·m / (sqrt(v)·s2 + eps) with the bias corrections folded in.
	step, s2 := T(lr/c1), T(1/math.Sqrt(c2))
	eps, wd := T(a.Eps), T(a.WeightDecay)
	tb1, tb2 := T(b1), T(b2)
	decay := T(1 - lr*a.WeightDecay)
	for i, p := range a.params {
		g := p.Tensor.Grad
		if g == nil {
			continue
		}
		x, m, v := p.Tensor.Data, a.m[i], a.v[i]
		g, m, v = g[:len(x)], m[:len(x)], v[:len(x)]
		for j, gj := range g {
			if wd != 0 {
				if a.Decoupled {
					x[j] *= decay
				} else {
					gj += wd * x[j]
				}
			}
			m[j] = tb1*m[j] + (1-tb1)*gj
			v[j] = tb2*v[j] + (1-tb2)*gj*gj
			x[j] -= step * m[j] / (T(math.Sqrt(float64(v[j])))*s2 + eps)
		}
	}
}

// SGDConfig configures SGD.
type SGDConfig struct {
	LR          float64
	Momentum    float64 // μ; 0 is plain gradient descent
	Nesterov    bool
	WeightDecay float64  // L2 regularization added to the gradient
	Schedule    Schedule // optional; overrides LR
}

// SGD is stochastic gradient descent with (optionally Nesterov) momentum, as
// PyTorch: b = μ·b + g; p -= lr·b (Nesterov: p -= lr·(g + μ·b)).
type SGD[T autograd.Float] struct {
	SGDConfig
	params []Param[T]
	buf    [][]T
	t      int
}

// NewSGD returns SGD over params.
func NewSGD[T autograd.Float](params []Param[T], cfg SGDConfig) *SGD[T] {
	s := &SGD[T]{SGDConfig: cfg, params: append([]Param[T](nil), params...)}
	for _, p := range params {
		s.buf = append(s.buf, make([]T, p.Tensor.Len()))
	}
	return s
}

// Steps returns the number of updates applied.
func (s *SGD[T]) Steps() int { return s.t }

// Step applies one update to every parameter that has a gradient.
func (s *SGD[T]) Step() {
	defer WeightsChanged()
	lr := T(rate(s.LR, s.Schedule, s.t))
	s.t++
	mu, wd := T(s.Momentum), T(s.WeightDecay)
	for i, p := range s.params {
		g := p.Tensor.Grad
		if g == nil {
			continue
		}
		x, b := p.Tensor.Data, s.buf[i]
		for j := range x {
			gj := g[j] + wd*x[j]
			if mu == 0 {
				x[j] -= lr * gj
				continue
			}
			b[j] = mu*b[j] + gj
			if s.Nesterov {
				x[j] -= lr * (gj + mu*b[j])
			} else {
				x[j] -= lr * b[j]
			}
		}
	}
}

// GradNorm returns the L2 norm of all parameters' gradients taken together
// (accumulated in float64).
func GradNorm[T autograd.Float](params []Param[T]) float64 {
	var s float64
	for _, p := range params {
		for _, g := range p.Tensor.Grad {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales all gradients by maxNorm/norm when their global L2 norm
// exceeds maxNorm, and returns the norm before clipping. A non-finite norm is
// returned unchanged and the gradients are left alone, so the caller can stop.
func ClipGradNorm[T autograd.Float](params []Param[T], maxNorm float64) float64 {
	n := GradNorm(params)
	if n > maxNorm && !math.IsInf(n, 0) && !math.IsNaN(n) {
		f := T(maxNorm / (n + 1e-12))
		for _, p := range params {
			kernel.Scal(f, p.Tensor.Grad)
		}
	}
	return n
}
