package nn

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Linear is the affine map y = x·Wᵀ + b over the last dimension of its input,
// with weight W of shape [out, in] and optional bias b of shape [out]
// (PyTorch's nn.Linear layout).
type Linear[T autograd.Float] struct {
	In, Out int
	Weight  *autograd.Tensor[T] // [Out, In]
	Bias    *autograd.Tensor[T] // [Out], or nil without bias
}

// LinearConfig configures NewLinear.
type LinearConfig struct {
	In, Out int
	NoBias  bool
	Init    Init   // weight initialization; the bias starts at 0 except with PyTorchUniform
	Seed    uint64 // seed of the initialization
}

// NewLinear returns a Linear layer initialized from cfg. It returns an error
// when a size is not positive.
func NewLinear[T autograd.Float](cfg LinearConfig) (*Linear[T], error) {
	if cfg.In <= 0 || cfg.Out <= 0 {
		return nil, fmt.Errorf("nn: Linear sizes must be positive, got in %d out %d", cfg.In, cfg.Out)
	}
	l := &Linear[T]{In: cfg.In, Out: cfg.Out, Weight: autograd.NewParam[T](cfg.Out, cfg.In)}
	rng := newRNG(cfg.Seed)
	InitWeights(rng, l.Weight, cfg.Init, cfg.In, cfg.Out)
	if !cfg.NoBias {
		l.Bias = autograd.NewParam[T](cfg.Out)
		if cfg.Init == PyTorchUniform {
			FillUniform(rng, l.Bias.Data, PyTorchUniform.bound(cfg.In, cfg.Out))
		}
	}
	return l, nil
}

// Params lists "weight" and, with a bias, "bias".
func (l *Linear[T]) Params() []Param[T] {
	ps := []Param[T]{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param[T]{"bias", l.Bias})
	}
	return ps
}

// Forward returns x·Wᵀ + b for x of shape [..., In]; the result has shape [..., Out].
// It works alike for a batch of steps [batch, In] and for sequences [batch, time, In].
func (l *Linear[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return linear(tp, x, l.Weight, l.Bias)
}

// linear computes x·wᵀ + b (b may be nil) as one recorded op.
func linear[T autograd.Float](tp *autograd.Tape[T], x, w, b *autograd.Tensor[T]) *autograd.Tensor[T] {
	out, in := w.Dim(0), w.Dim(1)
	if x.Rank() < 1 || x.Dim(-1) != in {
		panic(fmt.Sprintf("nn: Linear with weight %v applied to input %v", w.Shape(), x.Shape()))
	}
	var shape [autograd.MaxDims]int
	r := copy(shape[:], x.Shape())
	shape[r-1] = out
	y := tp.NewUninit(shape[:r]...)
	rows := x.Len() / in
	if rows == 0 || in == 0 {
		clear(y.Data)
	} else {
		s := gemmSpec[T]{transB: true, m: rows, n: out, k: in, alpha: 1, a: x.Data, lda: in, b: w.Data, ldb: in, c: y.Data, ldc: out,
			pb: packedWeights(tp, w, 0, true, in, out, in)}
		s.run()
		if b != nil {
			addRowVector(y.Data, b.Data)
		}
	}
	if b == nil {
		tp.Record(linearOp[T]{}, y, x, w)
	} else {
		tp.Record(linearOp[T]{}, y, x, w, b)
	}
	return y
}

// addRowVector adds v to every row of the row-major matrix m (len(m) a multiple of len(v)).
func addRowVector[T autograd.Float](m, v []T) {
	n := len(v)
	for o := 0; o+n <= len(m); o += n {
		kernel.Axpy(1, v, m[o:o+n])
	}
}

// addColumnSums adds the column sums of the row-major matrix g to dst.
func addColumnSums[T autograd.Float](dst, g []T) {
	n := len(dst)
	for o := 0; o+n <= len(g); o += n {
		kernel.Axpy(1, g[o:o+n], dst)
	}
}

type linearOp[T autograd.Float] struct{}

func (linearOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, w, g := nd.In[0], nd.In[1], nd.Out.Grad
	out, in := w.Dim(0), w.Dim(1)
	rows := x.Len() / in
	if rows == 0 {
		return
	}
	if x.RequiresGrad() {
		gx, fresh := tp.GradOfFresh(x)
		var beta T = 1
		if fresh { // a new buffer: overwrite instead of accumulating
			beta = 0
		}
		s := gemmSpec[T]{m: rows, n: in, k: out, alpha: 1, a: g, lda: out, b: w.Data, ldb: in, beta: beta, c: gx, ldc: in,
			pb: packedWeights(tp, w, 0, false, out, in, in)}
		s.run()
	}
	if w.RequiresGrad() {
		kernel.Gemm(true, false, out, in, rows, 1, g, out, x.Data, in, 1, tp.GradOf(w), in)
	}
	if len(nd.In) > 2 && nd.In[2].RequiresGrad() {
		addColumnSums(tp.GradOf(nd.In[2]), g)
	}
}
