package nn

import (
	"math/bits"
	"runtime"
	"sync"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Small GEMMs (a step of a batch of cells) are below the size at which the
// kernel splits a product across cores, but a backward pass often has several
// independent ones: the weight gradient and the input gradients. gemmPair runs
// a list of weight-gradient GEMMs on a helper goroutine while the caller
// computes the rest, without allocating. With GOMAXPROCS 1, or when every
// helper is busy, everything runs on the caller. The helpers (NumCPU-1 per
// element type) start at the first use and stay parked on a channel when idle.

// gemmSpec is one call of kernel.Gemm.
type gemmSpec[T autograd.Float] struct {
	transA, transB bool
	m, n, k        int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	beta           T
	c              []T
	ldc            int
	// pb, if set, is op(B) packed (packedWeights); b, ldb and transB are then
	// unused.
	pb *kernel.PackedB[T]
}

func (g *gemmSpec[T]) run() {
	if g.pb != nil {
		kernel.GemmPacked(g.transA, g.m, g.alpha, g.a, g.lda, g.pb, g.beta, g.c, g.ldc)
		return
	}
	kernel.Gemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
}

// maxBatch is the most GEMMs one helper task carries.
const maxBatch = 8

// gemmBatch is a list of GEMMs run in order.
type gemmBatch[T autograd.Float] struct {
	n     int
	specs [maxBatch]gemmSpec[T]
}

// add appends a GEMM; it reports false when the batch is full.
func (b *gemmBatch[T]) add(g gemmSpec[T]) bool {
	if b.n == maxBatch {
		return false
	}
	b.specs[b.n] = g
	b.n++
	return true
}

// work returns the multiply-adds of the batch's GEMMs.
func (b *gemmBatch[T]) work() int {
	w := 0
	for i := 0; i < b.n; i++ {
		w += b.specs[i].m * b.specs[i].n * b.specs[i].k
	}
	return w
}

func (b *gemmBatch[T]) run() {
	for i := 0; i < b.n; i++ {
		b.specs[i].run()
	}
}

type helper[T autograd.Float] struct {
	req  chan *gemmBatch[T]
	done chan struct{}
}

type helperPool[T autograd.Float] struct {
	once sync.Once
	free chan *helper[T]
	// batches is a free list of batches (a channel rather than a sync.Pool,
	// which empties at every garbage collection and would allocate again).
	batches chan *gemmBatch[T]
}

// freeBatches is how many idle batches a pool keeps.
const freeBatches = 64

var (
	pool32 = helperPool[float32]{batches: make(chan *gemmBatch[float32], freeBatches)}
	pool64 = helperPool[float64]{batches: make(chan *gemmBatch[float64], freeBatches)}
)

// getBatch returns an empty batch; give it back with putBatch.
func getBatch[T autograd.Float]() *gemmBatch[T] {
	select {
	case b := <-poolFor[T]().batches:
		b.n = 0
		return b
	default:
		return new(gemmBatch[T])
	}
}

func putBatch[T autograd.Float](b *gemmBatch[T]) {
	clear(b.specs[:b.n]) // drop references to tape memory
	select {
	case poolFor[T]().batches <- b:
	default:
	}
}

func poolFor[T autograd.Float]() *helperPool[T] {
	var zero T
	switch any(zero).(type) {
	case float32:
		return any(&pool32).(*helperPool[T])
	default:
		return any(&pool64).(*helperPool[T])
	}
}

func (p *helperPool[T]) start() {
	n := max(runtime.NumCPU()-1, 1)
	p.free = make(chan *helper[T], n)
	for range n {
		h := &helper[T]{req: make(chan *gemmBatch[T]), done: make(chan struct{})}
		go func() {
			for b := range h.req {
				b.run()
				h.done <- struct{}{}
			}
		}()
		p.free <- h
	}
}

// runBeside runs side on a helper goroutine while main runs on the caller, and
// returns when both are done. side must not share output memory with main.
func runBeside[T autograd.Float](side *gemmBatch[T], main func()) {
	if side.n == 0 {
		main()
		return
	}
	if runtime.GOMAXPROCS(0) > 1 && side.work() >= minHelperWork {
		p := poolFor[T]()
		p.once.Do(p.start)
		select {
		case h := <-p.free:
			h.req <- side
			main()
			<-h.done
			p.free <- h
			return
		default:
		}
	}
	side.run()
	main()
}

// minSplitRows is the least number of rows worth splitting a GEMM in two.
const minSplitRows = 32

// minHelperWork is the least number of multiply-adds worth handing to a
// helper goroutine. Waking a parked helper and waiting for it costs tens of
// µs, more than the GEMMs of a surrogate step take (a 50 × 72 × 160 LSTM
// product is about 0.6 M multiply-adds, ~10 µs): below this the hand-off made
// the default cmd/optimize epoch 1.3x slower on two cores than on one
// (docs/nn-bench.md). A variable so that tests can exercise the split on
// small layers.
var minHelperWork = 1 << 23

// canSplit reports whether a GEMM of m rows should be split across two cores.
func canSplit(m int) bool { return m >= minSplitRows && runtime.GOMAXPROCS(0) > 1 }

// bottom returns the spec restricted to rows [h, m) of op(A) and C (A not
// transposed), and top to rows [0, h).
func (g gemmSpec[T]) split(h int) (top, bottom gemmSpec[T]) {
	top, bottom = g, g
	top.m = h
	bottom.m = g.m - h
	bottom.a = g.a[h*g.lda:]
	bottom.c = g.c[h*g.ldc:]
	return top, bottom
}

// gemmRows runs the GEMMs of list in order, splitting their rows (A not
// transposed, the same m for all) between the caller and a helper goroutine when
// that pays. The GEMMs may accumulate into the same C. The split is at a
// multiple of the kernel's row tile, so the result is bit-for-bit that of
// running them whole.
func gemmRows[T autograd.Float](list *gemmBatch[T]) {
	if list.n == 0 {
		return
	}
	m := list.specs[0].m
	tile := kernel.GemmRowTile[T]()
	h := m / 2 / tile * tile
	if !canSplit(m) || h == 0 || list.work() < 2*minHelperWork {
		list.run()
		return
	}
	side := getBatch[T]()
	for i := 0; i < list.n; i++ {
		top, bottom := list.specs[i].split(h)
		list.specs[i] = top
		side.add(bottom)
	}
	runBeside(side, list.run)
	putBatch(side)
}

// Short-lived work buffers (the rows of a fused GEMM, the gate gradients of a
// backward step) come from free lists so that they stay in cache, keep the tape
// small, and nothing is allocated per step. A buffer is borrowed for the
// duration of one op. Lists are kept per power-of-two size class, so a buffer
// always fits the request it is handed to.
const sizeClasses = 48

var (
	bufs32 = newBufLists[float32]()
	bufs64 = newBufLists[float64]()
)

func newBufLists[T autograd.Float]() *[sizeClasses]chan []T {
	var l [sizeClasses]chan []T
	for i := range l {
		l[i] = make(chan []T, 8)
	}
	return &l
}

func bufsFor[T autograd.Float]() *[sizeClasses]chan []T {
	var zero T
	switch any(zero).(type) {
	case float32:
		return any(bufs32).(*[sizeClasses]chan []T)
	default:
		return any(bufs64).(*[sizeClasses]chan []T)
	}
}

// borrow returns a buffer of n elements with unspecified contents.
func borrow[T autograd.Float](n int) []T {
	c := bits.Len(uint(n))
	if c >= sizeClasses {
		return make([]T, n)
	}
	select {
	case b := <-bufsFor[T]()[c]:
		return b[:n]
	default:
		return make([]T, n, 1<<c)
	}
}

// giveBack returns a borrowed buffer to its free list.
func giveBack[T autograd.Float](b []T) {
	c := bits.Len(uint(cap(b))) - 1
	if c < 0 || c >= sizeClasses || cap(b) != 1<<c {
		return
	}
	select {
	case bufsFor[T]()[c] <- b[:0]:
	default:
	}
}
