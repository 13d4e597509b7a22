package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Dropout zeroes each element with probability P during training and scales the
// survivors by 1/(1-P) (inverted dropout), so evaluation is the identity.
// Masks are drawn from the layer's own generator, deterministic by seed.
type Dropout[T autograd.Float] struct {
	P        float64
	Training bool
	rng      *rand.Rand
	src      *rand.PCG // rng's source, for RNGState
}

// NewDropout returns a dropout layer with drop probability p in [0, 1), in
// training mode, seeded with seed. It returns an error for p outside [0, 1).
func NewDropout[T autograd.Float](p float64, seed uint64) (*Dropout[T], error) {
	if !(p >= 0 && p < 1) {
		return nil, fmt.Errorf("nn: dropout probability %v outside [0, 1)", p)
	}
	return newDropout[T](p, seed), nil
}

func newDropout[T autograd.Float](p float64, seed uint64) *Dropout[T] {
	src := rand.NewPCG(seed^0xd50, rngStream)
	return &Dropout[T]{P: p, Training: true, rng: rand.New(src), src: src}
}

// RNGState returns the state of the layer's mask generator (for training
// checkpoints; SetRNGState restores it).
func (d *Dropout[T]) RNGState() ([]byte, error) { return d.src.MarshalBinary() }

// SetRNGState restores a state RNGState returned.
func (d *Dropout[T]) SetRNGState(b []byte) error {
	if err := d.src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("nn: dropout generator state: %w", err)
	}
	return nil
}

// Forward returns x with dropout applied when training and P > 0, else x itself.
func (d *Dropout[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	if !d.Training || d.P == 0 {
		return x
	}
	y := tp.NewTensor(x.Shape()...)
	mask := tp.Scratch(x.Len())
	keep := T(1 / (1 - d.P))
	for i := range mask {
		if d.rng.Float64() >= d.P {
			mask[i] = keep
		}
	}
	kernel.Mul(y.Data, x.Data, mask)
	if nd := tp.Record(dropoutOp[T]{}, y, x); nd != nil {
		nd.Saved = mask
	}
	return y
}

type dropoutOp[T autograd.Float] struct{}

func (dropoutOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	gx, g := tp.GradOf(nd.In[0]), nd.Out.Grad
	for i, m := range nd.Saved {
		gx[i] += g[i] * m
	}
}
