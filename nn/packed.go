package nn

import (
	"sync/atomic"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Step-mode GEMMs multiply a small batch by the same weights at every time
// step. Packing those weights into the micro-kernel's layout is part of every
// kernel.Gemm call; packedWeights packs each weight operand once per tape
// generation instead and keeps it on the tape (autograd.Tape.Memo), so
// concurrent passes on different tapes never share one. Parameters change
// between passes (an optimizer step, loading weights), not during one; a pack
// is redone when the tape was Reset, when WeightsChanged was called since, or
// when the weights' memory or the kernel implementation changed. The result
// is bit for bit that of packing on every call (kernel.GemmPacked).

// usePacked switches the packed-weights path on; the tests compare both.
var usePacked = true

// weightsVersion counts WeightsChanged calls (the optimizers' steps among them).
var weightsVersion atomic.Uint64

// WeightsChanged tells the layers that parameter values were changed in
// place during a pass on a tape (between its Reset calls), so that weights
// packed for that pass are packed again. The optimizers and the weight
// loaders of this package call it; code that writes parameters itself between
// two steps of one tape generation must call it too.
func WeightsChanged() { weightsVersion.Add(1) }

// packKey names one weight operand: the weight tensor, the offset of the
// block used and whether it is transposed.
type packKey[T autograd.Float] struct {
	w      *autograd.Tensor[T]
	off    int
	transB bool
}

// packEntry is a packed operand and what it was packed from.
type packEntry[T autograd.Float] struct {
	p       kernel.PackedB[T]
	gen     uint64
	version uint64
	src     *T
}

// packedWeights returns op(B) packed for tp's current generation, where B is
// w.Data[off:] with row stride ldb and op(B) is k x n; nil (use kernel.Gemm)
// without a tape or with the path switched off.
func packedWeights[T autograd.Float](tp *autograd.Tape[T], w *autograd.Tensor[T], off int, transB bool, k, n, ldb int) *kernel.PackedB[T] {
	if tp == nil || !usePacked || k == 0 || n == 0 {
		return nil
	}
	key := packKey[T]{w, off, transB}
	e, _ := tp.Memo(key).(*packEntry[T])
	if e == nil {
		e = new(packEntry[T])
		tp.SetMemo(key, e)
	}
	b := w.Data[off:]
	v := weightsVersion.Load()
	if kk, nn := e.p.Dims(); e.gen != tp.Generation() || e.version != v || e.src != &b[0] || kk != k || nn != n || e.p.Stale() {
		kernel.PackB(&e.p, transB, k, n, b, ldb)
		e.gen, e.version, e.src = tp.Generation(), v, &b[0]
	}
	return &e.p
}
