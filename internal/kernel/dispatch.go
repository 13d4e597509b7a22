package kernel

import "fmt"

// ops is one implementation's set of routines for element type T. A nil vector
// routine means the pure-Go loop; non-nil ones handle whole SIMD vectors (a
// multiple of lanes elements) and the Go wrapper finishes the tail.
type ops[T Float] struct {
	gemm  gemmImpl[T]
	lanes int

	axpy    func(alpha T, x, y []T)
	scal    func(alpha T, x []T)
	dot     func(x, y []T) T
	sum     func(x []T) T
	add     func(dst, a, b []T)
	sub     func(dst, a, b []T)
	mul     func(dst, a, b []T)
	mulAdd  func(dst, a, b []T)
	exp     func(dst, x []T)
	sigmoid func(dst, x []T)
	tanh    func(dst, x []T)
	// unaryTail applies exp, sigmoid or tanh to fewer than lanes elements by
	// padding them to one SIMD vector on the stack, so short rows (an LSTM of
	// hidden size 40 has 8-element tails per gate) stay on the SIMD path.
	unaryTail func(fn unaryFn, dst, x []T)

	lstmForward func(gates, cPrev, c, h, tanhC []T, n int)
	// lstmForwardBias is lstmForward activating gates + bias (a gates row).
	lstmForwardBias func(gates, bias, cPrev, c, h, tanhC []T, n int)
	// lstmRow and lstmRowBias (AVX-512 only) compute a whole row, its
	// last units in a masked vector, bit for bit as lstmForward(Bias) on
	// the whole vectors and the scalar path on the rest.
	lstmRow      func(gates, cPrev, c, h, tanhC []T)
	lstmRowBias  func(gates, bias, cPrev, c, h, tanhC []T)
	lstmBackward func(gates, dGates, cPrev, tanhC, dh, dc, dcPrev []T, n int)
}

// implementation is one dispatch path: "avx512", "avx2" or "purego".
type implementation struct {
	name string
	f32  ops[float32]
	f64  ops[float64]
}

// available lists the implementations this machine can run, best first; it is
// filled at init by the architecture files and always ends with purego.
var available []*implementation

// active is the implementation in use.
var active *implementation

func init() {
	available = append(simdImplementations(), pureGo())
	active = available[0]
}

// Implementation names the dispatch path in use: "avx512", "avx2" or "purego".
func Implementation() string { return active.name }

// Implementations lists the names of the implementations usable on this
// machine under the current GODEBUG settings and build tags, fastest first.
// Tests run every kernel once per entry.
func Implementations() []string {
	names := make([]string, len(available))
	for i, im := range available {
		names[i] = im.name
	}
	return names
}

// SetImplementation switches every kernel to the named implementation, which
// must be one of Implementations. It is meant for tests and benchmarks and must
// not be called while kernels run on other goroutines.
func SetImplementation(name string) error {
	for _, im := range available {
		if im.name == name {
			active = im
			return nil
		}
	}
	return fmt.Errorf("kernel: implementation %q not available (have %v)", name, Implementations())
}

func pureGo() *implementation {
	return &implementation{
		name: "purego",
		f32:  ops[float32]{gemm: goGemmImpl[float32](), lanes: 1},
		f64:  ops[float64]{gemm: goGemmImpl[float64](), lanes: 1},
	}
}
