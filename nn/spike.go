package nn

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// DefaultSpikeSlope is neurograd's one default slope k of the fast-sigmoid
// surrogate gradient of a spike, 1/(1+k|x|)², with x = v − θ the distance of
// a somatic voltage v from threshold in mV (1/mV). The surrogate peaks at 1 at
// threshold for every k and falls to half at |x| = 0.414/k. (snnTorch's default
// is 25, SpyTorch's and Norse's 100, on their own units.) With k = 16 the surrogate is 0.5 at 0.026 mV from
// threshold, 0.0035 at 1 mV and 1.5·10⁻⁴ at 5 mV: gradient flows through the
// steps where a cell is at or near threshold, which is where a small change
// of input adds or removes a spike.
//
// Much wider surrogates make backpropagation through time explode in a
// recurrent spiking network: every cell passes surrogate gradient at every
// step, so the backward pass sees a loop from each cell's voltage through
// its outgoing connections into its targets' voltages whose gain exceeds one
// once σ'(v−θ)·w·∂v/∂x, summed over targets, does. With the first shipped
// surrogates in the published column, k = 0.25 and k = 1 gave log-gain
// gradients of 10⁴³ and 10⁵ after 600 ms, k = 4 gradients of order 10 whose
// steps left the band power about where it was, and k from 8 to 10⁶
// gradients of order 1 that raised it 33- to 56-fold in 10 epochs
// (docs/optimize.md, package network/snn); the threshold moves with the surrogates (with the
// round-2 weights k = 8 already exploded). Most of that gradient is the
// direct one (a gain scales what the spikes that happened deliver); the
// surrogate adds the gradient of the classes onto basket cells, which act on
// the dipole only through spikes and get none without it, as with the
// published code's slope of 10⁶ on z-scored voltages (mistake 7 of the
// design notes).
const DefaultSpikeSlope = 16.0

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
		gx[i] += g[i] * FastSigmoidGrad(k, v)
	}
}

// FastSigmoidGrad returns the fast-sigmoid surrogate derivative of a spike,
// 1/(1+k|x|)², at distance x from threshold with slope k: the one formula of
// the surrogate gradient, used by Spike and by the surrogate spiking network.
func FastSigmoidGrad[T autograd.Float](k, x T) T {
	d := 1 + k*abs(x)
	return 1 / (d * d)
}

func abs[T autograd.Float](v T) T {
	if v < 0 {
		return -v
	}
	return v
}
