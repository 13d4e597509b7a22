package nn

import "math"

// Schedule gives the learning rate for optimizer step number step (0 for the
// first step). Optimizers with a non-nil Schedule use it instead of their LR.
type Schedule interface {
	LR(step int) float64
}

// ConstantLR is a fixed learning rate.
type ConstantLR float64

// LR returns the constant.
func (c ConstantLR) LR(int) float64 { return float64(c) }

// StepLR multiplies the base rate by Gamma every StepSize steps:
// Base·Gamma^⌊step/StepSize⌋ (PyTorch's StepLR).
type StepLR struct {
	Base     float64
	StepSize int // steps between decays; values below 1 mean no decay
	Gamma    float64
}

// LR returns the decayed rate.
func (s StepLR) LR(step int) float64 {
	if s.StepSize < 1 {
		return s.Base
	}
	return s.Base * math.Pow(s.Gamma, float64(step/s.StepSize))
}

// CosineLR rises linearly from 0 to Base over Warmup steps, then follows a
// half cosine from Base down to Min at step Total, and stays at Min after it.
type CosineLR struct {
	Base, Min     float64
	Warmup, Total int
}

// LR returns the rate at step.
func (c CosineLR) LR(step int) float64 {
	if step < c.Warmup {
		return c.Base * float64(step+1) / float64(c.Warmup)
	}
	span := c.Total - c.Warmup
	if span <= 0 || step >= c.Total {
		return c.Min
	}
	p := float64(step-c.Warmup) / float64(span)
	return c.Min + 0.5*(c.Base-c.Min)*(1+math.Cos(math.Pi*p))
}
