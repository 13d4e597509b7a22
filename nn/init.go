package nn

import (
	"math"
	"math/rand/v2"

	"github.com/neurograd/neurograd/autograd"
)

// Init names a weight initialization scheme. Each draws from a zero-mean uniform
// distribution whose variance depends on the fan-in and fan-out of the weight.
type Init int

const (
	// GlorotUniform (Xavier) draws U(-a, a) with a = sqrt(6/(fanIn+fanOut)),
	// variance 2/(fanIn+fanOut); for tanh and sigmoid layers.
	GlorotUniform Init = iota
	// HeUniform (Kaiming) draws U(-a, a) with a = sqrt(6/fanIn), variance 2/fanIn;
	// for ReLU layers.
	HeUniform
	// LeCunUniform draws U(-a, a) with a = sqrt(3/fanIn), variance 1/fanIn; for
	// SELU layers.
	LeCunUniform
	// PyTorchUniform draws U(-a, a) with a = 1/sqrt(fanIn), PyTorch's default for
	// Linear, Conv1d and LSTM weights and biases.
	PyTorchUniform
)

// bound returns the half-width a of the uniform distribution.
func (in Init) bound(fanIn, fanOut int) float64 {
	fi, fo := float64(max(fanIn, 1)), float64(max(fanOut, 1))
	switch in {
	case HeUniform:
		return math.Sqrt(6 / fi)
	case LeCunUniform:
		return math.Sqrt(3 / fi)
	case PyTorchUniform:
		return 1 / math.Sqrt(fi)
	default:
		return math.Sqrt(6 / (fi + fo))
	}
}

// String returns the scheme's name.
func (in Init) String() string {
	switch in {
	case GlorotUniform:
		return "glorot_uniform"
	case HeUniform:
		return "he_uniform"
	case LeCunUniform:
		return "lecun_uniform"
	case PyTorchUniform:
		return "pytorch_uniform"
	}
	return "unknown"
}

// FillUniform sets every element of dst to a draw from U(-a, a).
func FillUniform[T autograd.Float](rng *rand.Rand, dst []T, a float64) {
	for i := range dst {
		dst[i] = T(a * (2*rng.Float64() - 1))
	}
}

// InitWeights fills w with the scheme's distribution for the given fan-in and
// fan-out, drawing from rng (deterministic by seed).
func InitWeights[T autograd.Float](rng *rand.Rand, w *autograd.Tensor[T], scheme Init, fanIn, fanOut int) {
	FillUniform(rng, w.Data, scheme.bound(fanIn, fanOut))
}

// newRNG returns the generator for seed used by every layer constructor.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, rngStream)) }

// rngStream is the second PCG seed word of the package's generators.
const rngStream = 0x6e6e2d696e6974
