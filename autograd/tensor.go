package autograd

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/internal/kernel"
)

// Float is the set of element types a Tensor may hold.
type Float interface{ float32 | float64 }

// MaxDims is the largest rank a Tensor may have.
const MaxDims = 6

// Tensor is a dense, contiguous, row-major array with a shape. Data holds the values;
// Grad, when not nil, holds the gradient of the last Backward's loss with respect to
// them (accumulated across Backward calls for parameters until ZeroGrad).
type Tensor[T Float] struct {
	// Data holds the elements in row-major order; len(Data) == product of the shape.
	Data []T
	// Grad holds the accumulated gradient, the same length as Data, or nil.
	Grad []T

	shapeBuf     [MaxDims]int
	rank         int
	requiresGrad bool
	tape         *Tape[T] // the tape whose memory holds Data (and Grad), nil for heap tensors
}

func (t *Tensor[T]) setShape(shape []int) {
	if len(shape) > MaxDims {
		panic(fmt.Sprintf("autograd: rank %d exceeds MaxDims %d", len(shape), MaxDims))
	}
	t.rank = copy(t.shapeBuf[:], shape)
}

// Shape returns the tensor's dimensions. The slice aliases the tensor: do not modify it.
func (t *Tensor[T]) Shape() []int { return t.shapeBuf[:t.rank] }

// Rank returns the number of dimensions.
func (t *Tensor[T]) Rank() int { return t.rank }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor[T]) Dim(i int) int {
	if i < 0 {
		i += t.rank
	}
	if i < 0 || i >= t.rank {
		panic(fmt.Sprintf("autograd: dimension %d out of range for shape %v", i, t.Shape()))
	}
	return t.shapeBuf[i]
}

// Len returns the number of elements.
func (t *Tensor[T]) Len() int { return len(t.Data) }

// RequiresGrad reports whether gradients flow into this tensor.
func (t *Tensor[T]) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad marks a tensor created outside a tape as a leaf that receives
// gradients, allocating its Grad buffer when needed.
func (t *Tensor[T]) SetRequiresGrad(v bool) {
	t.requiresGrad = v
	if v && t.Grad == nil {
		t.Grad = make([]T, len(t.Data))
	}
}

// ZeroGrad sets the accumulated gradient to zero.
func (t *Tensor[T]) ZeroGrad() { clear(t.Grad) }

// Item returns the single element of a one-element tensor.
func (t *Tensor[T]) Item() T {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("autograd: Item on tensor of shape %v", t.Shape()))
	}
	return t.Data[0]
}

// At returns the element at the given multi-index.
func (t *Tensor[T]) At(idx ...int) T { return t.Data[t.offset(idx)] }

// Set stores v at the given multi-index.
func (t *Tensor[T]) Set(v T, idx ...int) { t.Data[t.offset(idx)] = v }

func (t *Tensor[T]) offset(idx []int) int {
	if len(idx) != t.rank {
		panic(fmt.Sprintf("autograd: index %v for shape %v", idx, t.Shape()))
	}
	off := 0
	for i, v := range idx {
		if v < 0 || v >= t.shapeBuf[i] {
			panic(fmt.Sprintf("autograd: index %v out of range for shape %v", idx, t.Shape()))
		}
		off = off*t.shapeBuf[i] + v
	}
	return off
}

// String formats the tensor's shape and, for small tensors, its values.
func (t *Tensor[T]) String() string {
	if len(t.Data) <= 16 {
		return fmt.Sprintf("Tensor%v%v", t.Shape(), t.Data)
	}
	return fmt.Sprintf("Tensor%v[%d elements]", t.Shape(), len(t.Data))
}

// numel returns the product of the dimensions.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// New wraps data (not copied) in a tensor of the given shape. It returns an error
// when the shape has a negative dimension, too many dimensions, or does not match
// len(data). NaN and Inf values are allowed; use CheckFinite to reject them.
func New[T Float](data []T, shape ...int) (*Tensor[T], error) {
	if len(shape) > MaxDims {
		return nil, fmt.Errorf("autograd: shape %v has %d dimensions, at most %d allowed", shape, len(shape), MaxDims)
	}
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("autograd: shape %v has a negative dimension", shape)
		}
	}
	if n := numel(shape); n != len(data) {
		return nil, fmt.Errorf("autograd: shape %v needs %d elements, data has %d", shape, n, len(data))
	}
	t := &Tensor[T]{Data: data}
	t.setShape(shape)
	return t, nil
}

// MustNew is New for shapes known to be right; it panics on error.
func MustNew[T Float](data []T, shape ...int) *Tensor[T] {
	t, err := New(data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// Zeros returns a new heap tensor of zeros.
func Zeros[T Float](shape ...int) *Tensor[T] {
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("autograd: Zeros with negative dimension in %v", shape))
		}
	}
	return MustNew(make([]T, numel(shape)), shape...)
}

// NewParam returns a heap tensor of zeros of the given shape that requires a gradient
// (a trainable parameter); its Grad is allocated.
func NewParam[T Float](shape ...int) *Tensor[T] {
	t := Zeros[T](shape...)
	t.SetRequiresGrad(true)
	return t
}

// Scalar returns a one-element heap tensor of rank 0.
func Scalar[T Float](v T) *Tensor[T] { return MustNew([]T{v}) }

// CheckFinite returns an error naming the first NaN or Inf element of t.
func CheckFinite[T Float](name string, t *Tensor[T]) error {
	for i, v := range t.Data {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s: element %d is %v", name, i, f)
		}
	}
	return nil
}

// Clone returns a heap copy of t's data and shape (not its gradient).
func Clone[T Float](t *Tensor[T]) *Tensor[T] {
	c := &Tensor[T]{Data: append([]T(nil), t.Data...)}
	c.setShape(t.Shape())
	return c
}

// sameShape reports whether a and b have identical shapes.
func sameShape[T Float](a, b *Tensor[T]) bool {
	if a.rank != b.rank {
		return false
	}
	for i := 0; i < a.rank; i++ {
		if a.shapeBuf[i] != b.shapeBuf[i] {
			return false
		}
	}
	return true
}

// accumulate adds src into dst element-wise (dst += src).
func accumulate[T Float](dst, src []T) { kernel.Axpy(1, src, dst) }
