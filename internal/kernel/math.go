package kernel

import "math"

// expGo, sigmoidGo and tanhGo are the pure-Go element functions (float64
// arithmetic from package math, exact to about 1 ulp).
func expGo(x float64) float64 {
	if x > 709 {
		// math.Exp overflows early on amd64 (Exp(709.7) = +Inf); x-1 is exact here.
		return math.Exp(x-1) * math.E
	}
	return math.Exp(x)
}

func sigmoidGo(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + expGo(-x))
	}
	e := expGo(x)
	return e / (1 + e)
}

func tanhGo(x float64) float64 { return math.Tanh(x) }
