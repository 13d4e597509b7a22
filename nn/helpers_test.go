package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

type tape = autograd.Tape[float64]
type tensor = autograd.Tensor[float64]

// randTensor returns a heap tensor of N(0, scale²) values.
func randTensor(rng *rand.Rand, scale float64, shape ...int) *tensor {
	t := autograd.Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = scale * rng.NormFloat64()
	}
	return t
}

// gradCheck runs autograd.CheckGradient with the default tolerances.
func gradCheck(t *testing.T, name string, f func(tp *tape, in []*tensor) *tensor, in ...*tensor) {
	t.Helper()
	if err := autograd.CheckGradient(f, in, autograd.GradCheckOptions{Seed: 3}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// maxAbsDiff returns the largest |a[i]-b[i]|.
func maxAbsDiff[T autograd.Float](a, b []T) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

// stepSlice returns x[:, t, :] of a [batch, time, ch] tensor as a recorded op.
func stepSlice[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T], t int) *autograd.Tensor[T] {
	return tp.Reshape(tp.Narrow(x, 1, t, 1), x.Dim(0), x.Dim(2))
}

func expm1(x float64) float64 { return math.Expm1(x) }
