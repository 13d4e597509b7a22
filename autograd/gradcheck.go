package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GradCheckOptions sets the finite-difference step and tolerances of CheckGradient.
// An analytic gradient a and numeric gradient n agree when
// |a-n| <= Atol + Rtol*max(|a|, |n|).
type GradCheckOptions struct {
	Eps  float64 // finite-difference step h (scaled by max(1,|x|)); 0 means 1e-3
	Rtol float64 // relative tolerance; 0 means 1e-7
	Atol float64 // absolute tolerance; 0 means 1e-9
	Seed uint64  // seed of the random projection of non-scalar outputs
}

// GradCheckError reports the worst disagreement found by CheckGradient.
type GradCheckError struct {
	Input, Index      int     // which input and which element
	Analytic, Numeric float64 // the two gradients
	Excess            float64 // |a-n| minus the allowed tolerance
}

func (e *GradCheckError) Error() string {
	return fmt.Sprintf("gradient check failed: input %d element %d: analytic %.12g, numeric %.12g (|diff| %.3g)",
		e.Input, e.Index, e.Analytic, e.Numeric, math.Abs(e.Analytic-e.Numeric))
}

// CheckGradient compares the reverse-mode gradient of f with fourth-order central
// finite differences, (f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h, for every
// element of every input, in float64. The fourth-order stencil lets h be large
// (1e-3) so rounding in f does not swamp the comparison (truncation error O(h^4)). f builds its result
// on the given tape from the inputs; a non-scalar result y is reduced to the scalar
// sum(r*y) with fixed random weights r, so every output element is checked. The
// inputs must be heap tensors (not from a tape); their requires-grad flags and
// gradients are restored. It returns nil or a *GradCheckError for the worst element.
func CheckGradient(f func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64], inputs []*Tensor[float64], opt GradCheckOptions) error {
	if opt.Eps == 0 {
		opt.Eps = 1e-3
	}
	if opt.Rtol == 0 {
		opt.Rtol = 1e-7
	}
	if opt.Atol == 0 {
		opt.Atol = 1e-9
	}
	saved := make([][]float64, len(inputs))
	savedReq := make([]bool, len(inputs))
	for i, t := range inputs {
		saved[i], savedReq[i] = t.Grad, t.requiresGrad
		t.Grad = nil
		t.SetRequiresGrad(true)
	}
	defer func() {
		for i, t := range inputs {
			t.Grad, t.requiresGrad = saved[i], savedReq[i]
		}
	}()
	var weights []float64
	tp := NewTape[float64]()
	loss := func(record bool) (*Tensor[float64], float64) {
		tp.Reset()
		tp.SetNoGrad(!record)
		y := f(tp, inputs)
		if weights == nil {
			rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
			weights = make([]float64, y.Len())
			for i := range weights {
				weights[i] = 0.5 + rng.Float64()
			}
		}
		if len(weights) != y.Len() {
			panic("autograd: CheckGradient: f's output size changed between calls")
		}
		s := tp.Sum(tp.Mul(y, MustNew(weights, y.Shape()...)))
		return s, s.Data[0]
	}
	s, _ := loss(true)
	if err := tp.Backward(s); err != nil {
		return fmt.Errorf("gradient check: %w", err)
	}
	analytic := make([][]float64, len(inputs))
	for i, t := range inputs {
		analytic[i] = append([]float64(nil), t.Grad...)
		if analytic[i] == nil {
			analytic[i] = make([]float64, t.Len())
		}
	}
	var worst *GradCheckError
	for i, t := range inputs {
		for j := range t.Data {
			x := t.Data[j]
			h := opt.Eps * math.Max(1, math.Abs(x))
			at := func(v float64) float64 {
				t.Data[j] = v
				_, f := loss(false)
				return f
			}
			num := (at(x-2*h) - 8*at(x-h) + 8*at(x+h) - at(x+2*h)) / (12 * h)
			t.Data[j] = x
			a := analytic[i][j]
			excess := math.Abs(a-num) - (opt.Atol + opt.Rtol*math.Max(math.Abs(a), math.Abs(num)))
			if math.IsNaN(a) || math.IsNaN(num) {
				excess = math.Inf(1)
			}
			if excess > 0 && (worst == nil || excess > worst.Excess) {
				worst = &GradCheckError{Input: i, Index: j, Analytic: a, Numeric: num, Excess: excess}
			}
		}
	}
	tp.SetNoGrad(false)
	if worst != nil {
		return worst
	}
	return nil
}
