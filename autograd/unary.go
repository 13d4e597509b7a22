package autograd

import (
	"math"

	"github.com/neurograd/neurograd/internal/kernel"
)

type unaryKind int

const (
	unNeg unaryKind = iota
	unExp
	unLog
	unSqrt
	unAbs
	unTanh
	unSigmoid
	unRelu
	unScale     // x * F[0]
	unAddScalar // x + F[0]
	unPow       // x ^ F[0]
	unClamp     // min(max(x, F[0]), F[1])
	unSoftplus
)

// Neg returns -a.
func (tp *Tape[T]) Neg(a *Tensor[T]) *Tensor[T] { return tp.unary(unNeg, a, 0, 0) }

// Exp returns e^a element-wise.
func (tp *Tape[T]) Exp(a *Tensor[T]) *Tensor[T] { return tp.unary(unExp, a, 0, 0) }

// Log returns the natural logarithm of a element-wise.
func (tp *Tape[T]) Log(a *Tensor[T]) *Tensor[T] { return tp.unary(unLog, a, 0, 0) }

// Sqrt returns the square root of a element-wise.
func (tp *Tape[T]) Sqrt(a *Tensor[T]) *Tensor[T] { return tp.unary(unSqrt, a, 0, 0) }

// Abs returns |a| element-wise; its gradient at 0 is 0.
func (tp *Tape[T]) Abs(a *Tensor[T]) *Tensor[T] { return tp.unary(unAbs, a, 0, 0) }

// Tanh returns the hyperbolic tangent of a element-wise.
func (tp *Tape[T]) Tanh(a *Tensor[T]) *Tensor[T] { return tp.unary(unTanh, a, 0, 0) }

// Sigmoid returns 1/(1+e^-a) element-wise, computed without overflow for large |a|.
func (tp *Tape[T]) Sigmoid(a *Tensor[T]) *Tensor[T] { return tp.unary(unSigmoid, a, 0, 0) }

// Relu returns max(a, 0) element-wise; its gradient at 0 is 0.
func (tp *Tape[T]) Relu(a *Tensor[T]) *Tensor[T] { return tp.unary(unRelu, a, 0, 0) }

// Softplus returns log(1+e^a) element-wise, computed stably.
func (tp *Tape[T]) Softplus(a *Tensor[T]) *Tensor[T] { return tp.unary(unSoftplus, a, 0, 0) }

// Scale returns c*a.
func (tp *Tape[T]) Scale(a *Tensor[T], c float64) *Tensor[T] { return tp.unary(unScale, a, c, 0) }

// AddScalar returns a + c.
func (tp *Tape[T]) AddScalar(a *Tensor[T], c float64) *Tensor[T] {
	return tp.unary(unAddScalar, a, c, 0)
}

// Pow returns a^p element-wise for a real exponent p.
func (tp *Tape[T]) Pow(a *Tensor[T], p float64) *Tensor[T] { return tp.unary(unPow, a, p, 0) }

// Clamp returns a limited to [lo, hi]; the gradient is passed where lo <= a <= hi.
func (tp *Tape[T]) Clamp(a *Tensor[T], lo, hi float64) *Tensor[T] {
	return tp.unary(unClamp, a, lo, hi)
}

func (tp *Tape[T]) unary(kind unaryKind, a *Tensor[T], p, q float64) *Tensor[T] {
	out := tp.NewUninit(a.Shape()...)
	unaryForward(kind, out.Data, a.Data, p, q)
	if n := tp.Record(unaryOp[T]{}, out, a); n != nil {
		unaryArgs{kind: kind, p: p, q: q}.pack(&n.Args)
	}
	return out
}

// sigmoid64 is the logistic function without overflow.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus64 is log(1+e^x) without overflow.
func softplus64(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func unaryForward[T Float](kind unaryKind, dst, x []T, p, q float64) {
	x = x[:len(dst)]
	switch kind {
	case unNeg:
		for i, v := range x {
			dst[i] = -v
		}
	case unExp:
		kernel.Exp(dst, x)
	case unLog:
		for i, v := range x {
			if v == 1 { // log(1) = +0 exactly; common in log(1 + g) of quiet inputs
				dst[i] = 0
				continue
			}
			dst[i] = T(math.Log(float64(v)))
		}
	case unSqrt:
		for i, v := range x {
			dst[i] = T(math.Sqrt(float64(v)))
		}
	case unAbs:
		for i, v := range x {
			dst[i] = T(math.Abs(float64(v)))
		}
	case unTanh:
		kernel.Tanh(dst, x)
	case unSigmoid:
		kernel.Sigmoid(dst, x)
	case unRelu:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case unSoftplus:
		for i, v := range x {
			dst[i] = T(softplus64(float64(v)))
		}
	case unScale:
		c := T(p)
		for i, v := range x {
			dst[i] = v * c
		}
	case unAddScalar:
		c := T(p)
		for i, v := range x {
			dst[i] = v + c
		}
	case unPow:
		for i, v := range x {
			dst[i] = T(math.Pow(float64(v), p))
		}
	case unClamp:
		lo, hi := T(p), T(q)
		for i, v := range x {
			dst[i] = min(max(v, lo), hi)
		}
	}
}

type unaryOp[T Float] struct{}

// unaryArgs are the parameters of a unaryOp node: the function and its real
// parameters (Pow's exponent p, Clamp's bounds p and q).
type unaryArgs struct {
	kind unaryKind
	p, q float64
}

func (a unaryArgs) pack(s *Args) {
	s.Ints[0] = int(a.kind)
	s.Floats[0], s.Floats[1] = a.p, a.q
}

func unpackUnaryArgs(s *Args) unaryArgs {
	return unaryArgs{kind: unaryKind(s.Ints[0]), p: s.Floats[0], q: s.Floats[1]}
}

func (unaryOp[T]) Backward(tp *Tape[T], n *Node[T]) {
	a, y, g := n.In[0], n.Out.Data, n.Out.Grad
	ga := tp.GradOf(a)
	x := a.Data
	args := unpackUnaryArgs(&n.Args)
	p, q := args.p, args.q
	switch args.kind {
	case unNeg:
		kernel.Axpy(-1, g, ga)
	case unExp:
		mulAcc(ga, g, y)
	case unLog:
		for i, gv := range g {
			ga[i] += gv / x[i]
		}
	case unSqrt:
		for i, gv := range g {
			ga[i] += gv * 0.5 / y[i]
		}
	case unAbs:
		for i, gv := range g {
			switch {
			case x[i] > 0:
				ga[i] += gv
			case x[i] < 0:
				ga[i] -= gv
			}
		}
	case unTanh:
		for i, gv := range g {
			ga[i] += gv * (1 - y[i]*y[i])
		}
	case unSigmoid:
		for i, gv := range g {
			ga[i] += gv * y[i] * (1 - y[i])
		}
	case unRelu:
		for i, gv := range g {
			if x[i] > 0 {
				ga[i] += gv
			}
		}
	case unSoftplus:
		for i, gv := range g {
			ga[i] += gv * T(sigmoid64(float64(x[i])))
		}
	case unScale:
		kernel.Axpy(T(p), g, ga)
	case unAddScalar:
		accumulate(ga, g)
	case unPow:
		for i, gv := range g {
			ga[i] += gv * T(p*math.Pow(float64(x[i]), p-1))
		}
	case unClamp:
		lo, hi := T(p), T(q)
		for i, gv := range g {
			if x[i] >= lo && x[i] <= hi {
				ga[i] += gv
			}
		}
	}
}
