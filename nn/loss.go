package nn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

type lossKind int

const (
	lossMSE lossKind = iota
	lossMAE
	lossHuber
	lossBCELogits
)

var lossNames = [...]string{"MSELoss", "MAELoss", "HuberLoss", "BCEWithLogitsLoss"}

// MSELoss returns the mean over all elements of (pred - target)², a rank-0
// tensor. Gradients flow into both arguments when they require one.
func MSELoss[T autograd.Float](tp *autograd.Tape[T], pred, target *autograd.Tensor[T]) *autograd.Tensor[T] {
	return pointwiseLoss(tp, lossMSE, pred, target, 0)
}

// MAELoss returns the mean absolute error, the mean of |pred - target| (L1 loss);
// its gradient at pred == target is 0.
func MAELoss[T autograd.Float](tp *autograd.Tape[T], pred, target *autograd.Tensor[T]) *autograd.Tensor[T] {
	return pointwiseLoss(tp, lossMAE, pred, target, 0)
}

// HuberLoss returns the mean Huber loss with threshold delta > 0 (PyTorch's
// HuberLoss): ½d² where |d| <= delta, else delta·(|d| - ½delta), d = pred - target.
func HuberLoss[T autograd.Float](tp *autograd.Tape[T], pred, target *autograd.Tensor[T], delta float64) *autograd.Tensor[T] {
	if !(delta > 0) {
		panic(fmt.Sprintf("nn: HuberLoss delta %v must be positive", delta))
	}
	return pointwiseLoss(tp, lossHuber, pred, target, delta)
}

// BCEWithLogitsLoss returns the mean binary cross-entropy between targets y in
// [0, 1] and probabilities σ(x) given as logits x, in the stable form
// max(x,0) - x·y + log(1 + e^-|x|).
func BCEWithLogitsLoss[T autograd.Float](tp *autograd.Tape[T], logits, target *autograd.Tensor[T]) *autograd.Tensor[T] {
	return pointwiseLoss(tp, lossBCELogits, logits, target, 0)
}

func pointwiseLoss[T autograd.Float](tp *autograd.Tape[T], kind lossKind, p, y *autograd.Tensor[T], delta float64) *autograd.Tensor[T] {
	if p.Len() != y.Len() || p.Rank() != y.Rank() {
		panic(fmt.Sprintf("nn: %s shapes %v and %v differ", lossNames[kind], p.Shape(), y.Shape()))
	}
	for i := 0; i < p.Rank(); i++ {
		if p.Dim(i) != y.Dim(i) {
			panic(fmt.Sprintf("nn: %s shapes %v and %v differ", lossNames[kind], p.Shape(), y.Shape()))
		}
	}
	if p.Len() == 0 {
		panic(fmt.Sprintf("nn: %s of empty tensors", lossNames[kind]))
	}
	var s float64
	for i, pv := range p.Data {
		x, t := float64(pv), float64(y.Data[i])
		d := x - t
		switch kind {
		case lossMSE:
			s += d * d
		case lossMAE:
			s += math.Abs(d)
		case lossHuber:
			if a := math.Abs(d); a <= delta {
				s += 0.5 * d * d
			} else {
				s += delta * (a - 0.5*delta)
			}
		case lossBCELogits:
			s += math.Max(x, 0) - x*t + math.Log1p(math.Exp(-math.Abs(x)))
		}
	}
	out := tp.NewTensor()
	out.Data[0] = T(s / float64(p.Len()))
	if nd := tp.Record(lossOp[T]{}, out, p, y); nd != nil {
		lossArgs{kind: kind, delta: delta}.pack(&nd.Args)
	}
	return out
}

type lossOp[T autograd.Float] struct{}

// lossArgs are the parameters of a lossOp node: the loss and Huber's threshold.
type lossArgs struct {
	kind  lossKind
	delta float64
}

func (a lossArgs) pack(s *autograd.Args) {
	s.Ints[0] = int(a.kind)
	s.Floats[0] = a.delta
}

func unpackLossArgs(s *autograd.Args) lossArgs {
	return lossArgs{kind: lossKind(s.Ints[0]), delta: s.Floats[0]}
}

func (lossOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	p, y := nd.In[0], nd.In[1]
	args := unpackLossArgs(&nd.Args)
	kind, delta := args.kind, T(args.delta)
	scale := nd.Out.Grad[0] / T(p.Len())
	var gp, gy []T
	if p.RequiresGrad() {
		gp = tp.GradOf(p)
	}
	if y.RequiresGrad() {
		gy = tp.GradOf(y)
	}
	for i, x := range p.Data {
		t := y.Data[i]
		d := x - t
		var dp, dy T // derivatives w.r.t. p and y
		switch kind {
		case lossMSE:
			dp = 2 * d
			dy = -dp
		case lossMAE:
			switch {
			case d > 0:
				dp = 1
			case d < 0:
				dp = -1
			}
			dy = -dp
		case lossHuber:
			switch {
			case d > delta:
				dp = delta
			case d < -delta:
				dp = -delta
			default:
				dp = d
			}
			dy = -dp
		case lossBCELogits:
			dp = T(sigmoid64(float64(x))) - t
			dy = -x
		}
		if gp != nil {
			gp[i] += scale * dp
		}
		if gy != nil {
			gy[i] += scale * dy
		}
	}
}

// sigmoid64 is the logistic function without overflow.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
