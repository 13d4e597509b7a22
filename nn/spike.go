package nn

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// DefaultSpikeSlope is the default slope k of the fast-sigmoid surrogate gradient,
// snnTorch's default (SpyTorch and Norse use 100). The surrogate 1/(1+k|x|)^2
// peaks at 1 at threshold for every k and falls to half at |x| = 0.414/k, so k
// sets the width of the window (in the units of x) through which gradient flows:
// k = 25 on a membrane potential in mV passes gradient within about ±0.02 mV of
// threshold, on z-scored inputs within about ±0.02 standard deviations.
const DefaultSpikeSlope = 25

// FastSigmoidSpike is the spike non-linearity of surrogate-gradient spiking
// networks: forward it is the Heaviside step H(x) (1 where x > 0, else 0);
// backward it passes g/(1+k|x|)^2, the derivative of the fast sigmoid
// x/(1+k|x|) up to a factor k (Zenke & Ganguli 2018). Apply it to the distance
// from threshold, x = v - θ.
type FastSigmoidSpike[T autograd.Float] struct {
	Slope float64 // k; 0 means DefaultSpikeSlope
}

// Forward returns H(x) with the fast-sigmoid surrogate gradient.
func (s FastSigmoidSpike[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	k := s.Slope
	if k == 0 {
		k = DefaultSpikeSlope
	}
	return Spike(tp, x, k)
}

// Spike returns the Heaviside step of x (1 where x > 0, else 0), whose backward
// pass is the fast-sigmoid surrogate g/(1+k|x|)^2 with slope k > 0.
func Spike[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T], k float64) *autograd.Tensor[T] {
	if !(k > 0) || math.IsInf(k, 0) {
		panic("nn: spike slope must be positive and finite")
	}
	y := tp.NewTensor(x.Shape()...)
	for i, v := range x.Data {
		if v > 0 {
			y.Data[i] = 1
		}
	}
	if nd := tp.Record(spikeOp[T]{}, y, x); nd != nil {
		spikeArgs{slope: k}.pack(&nd.Args)
	}
	return y
}

type spikeOp[T autograd.Float] struct{}

// spikeArgs are the parameters of a spikeOp node: the surrogate's slope k.
type spikeArgs struct {
	slope float64
}

func (a spikeArgs) pack(s *autograd.Args) { s.Floats[0] = a.slope }

func unpackSpikeArgs(s *autograd.Args) spikeArgs { return spikeArgs{slope: s.Floats[0]} }

func (spikeOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, g := nd.In[0], nd.Out.Grad
	gx := tp.GradOf(x)
	k := T(unpackSpikeArgs(&nd.Args).slope)
	for i, v := range x.Data {
		d := 1 + k*abs(v)
		gx[i] += g[i] / (d * d)
	}
}

func abs[T autograd.Float](v T) T {
	if v < 0 {
		return -v
	}
	return v
}
