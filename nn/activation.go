package nn

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// Layer is a differentiable map from one tensor to another recorded on a tape.
// Every layer here that has no carried state implements it.
type Layer[T autograd.Float] interface {
	Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T]
}

// Tanh is the element-wise hyperbolic tangent as a layer.
type Tanh[T autograd.Float] struct{}

// Forward returns tanh(x).
func (Tanh[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return tp.Tanh(x)
}

// Sigmoid is the element-wise logistic function 1/(1+e^-x) as a layer.
type Sigmoid[T autograd.Float] struct{}

// Forward returns 1/(1+e^-x).
func (Sigmoid[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return tp.Sigmoid(x)
}

// ReLU is the element-wise rectifier max(x, 0) as a layer.
type ReLU[T autograd.Float] struct{}

// Forward returns max(x, 0).
func (ReLU[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return Relu(tp, x)
}

// SELU is the scaled exponential linear unit (Klambauer et al. 2017) as a layer:
// λx for x > 0 and λα(e^x - 1) otherwise, with the constants of PyTorch.
type SELU[T autograd.Float] struct{}

// Forward returns selu(x).
func (SELU[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return Selu(tp, x)
}

// SELU's constants α and λ (PyTorch's values).
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// Selu returns the element-wise scaled exponential linear unit of x.
func Selu[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	y := tp.NewTensor(x.Shape()...)
	for i, v := range x.Data {
		if v > 0 {
			y.Data[i] = T(seluScale) * v
		} else {
			y.Data[i] = T(seluScale * seluAlpha * math.Expm1(float64(v)))
		}
	}
	tp.Record(seluOp[T]{}, y, x)
	return y
}

type seluOp[T autograd.Float] struct{}

func (seluOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, y, g := nd.In[0], nd.Out.Data, nd.Out.Grad
	gx := tp.GradOf(x)
	for i, v := range x.Data {
		if v > 0 {
			gx[i] += g[i] * T(seluScale)
		} else {
			gx[i] += g[i] * (y[i] + T(seluScale*seluAlpha))
		}
	}
}

// Sequential applies its layers in order.
type Sequential[T autograd.Float] []Layer[T]

// Forward applies every layer in turn.
func (s Sequential[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	for _, l := range s {
		x = l.Forward(tp, x)
	}
	return x
}

// Params lists the parameters of the layers that have any, each prefixed by the
// layer's index ("0.weight", "2.bias", ...).
func (s Sequential[T]) Params() []Param[T] {
	var ps []Param[T]
	for i, l := range s {
		if m, ok := l.(Module[T]); ok {
			ps = append(ps, prefixed(itoa(i), m.Params())...)
		}
	}
	return ps
}

// itoa formats a small non-negative integer.
func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Relu returns max(x, 0) element-wise (gradient 0 at 0), with a branch-free
// backward pass.
func Relu[T autograd.Float](tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	y := tp.NewUninit(x.Shape()...)
	yd := y.Data[:len(x.Data)]
	for i, v := range x.Data {
		yd[i] = max(v, 0)
	}
	tp.Record(reluOp[T]{}, y, x)
	return y
}

type reluOp[T autograd.Float] struct{}

func (reluOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	gx, g, y := tp.GradOf(nd.In[0]), nd.Out.Grad, nd.Out.Data
	addMasked(gx, g, y)
}
