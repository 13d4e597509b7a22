// Package autograd is neurograd's reverse-mode automatic differentiation engine.
//
// Values are dense, contiguous, row-major tensors of float32 (for speed) or float64
// (for tight gradient checks). Operations are methods on a Tape, a Wengert list
// that the caller owns: each op computes its result and, when one of its inputs
// requires a gradient, records a node whose Backward accumulates gradients into the
// inputs. Tape.Backward walks the nodes in reverse.
//
// A Tape owns the memory of every tensor it creates (an arena of slabs). Reset
// forgets the recorded nodes and rewinds the arena, so a training loop that builds
// the same graph every iteration allocates nothing after the first one. Tensors
// created by a tape are invalid after its Reset; parameters live outside the tape
// (NewParam) and keep their values and accumulated gradients.
//
// A nil *Tape is valid: ops then allocate their results on the heap and record
// nothing. A tape in no-grad mode (SetNoGrad) records nothing but still allocates
// from its arena, which is the allocation-free way to run inference.
//
// Shape mismatches between operands are programmer errors and panic with a message
// naming the op and the shapes; data from users (New) is validated and returns errors.
package autograd
