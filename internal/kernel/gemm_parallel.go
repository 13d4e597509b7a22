package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers returns how many goroutines a product of m x n x k multiply-adds
// is split over: 1 below 2·parallelGrain, otherwise up to GOMAXPROCS with
// at least parallelGrain multiply-adds each.
func workers(m, n, k int) int {
	work := m * n * k
	if work < 2*parallelGrain {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), work/parallelGrain)
}

// tasksPerWorker is how many pieces a parallel product is cut into per
// goroutine. The goroutines take pieces from a shared counter until none is
// left, so a goroutine that starts late (its core busy with another process)
// takes fewer of them and the caller does the rest: the split never waits for
// more than the piece a late goroutine holds.
const tasksPerWorker = 4

// gemmParallel computes the product on up to w goroutines (the caller is one
// of them), in pieces of whole micro-tiles of C, so that the result is bit for
// bit that of gemmSerial for any w. Split along M (m >= n), B is packed once
// for all (the caller packs it; the pieces are row blocks that pack their own
// A); split along N, each piece is gemmSerial on a block of columns.
func gemmParallel[T Float](g *gemmImpl[T], w int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m >= n {
		pb := g.packedPool.get()
		defer g.packedPool.put(pb)
		packAllB(g, pb, transB, k, n, b, ldb)
		rowTasks(g, w, transA, m, alpha, a, lda, pb, beta, c, ldc)
		return
	}
	nr := g.nr()
	cols := pieceSize(n, w, nr)
	tasks := (n + cols - 1) / cols
	runTasks(w, tasks, func(t int) {
		j0 := t * cols
		j1 := min(j0+cols, n)
		bs := b[j0:]
		if transB {
			bs = b[j0*ldb:]
		}
		gemmSerial(g, transA, transB, m, j1-j0, k, alpha, a, lda, bs, ldb, beta, c[j0:], ldc)
	})
}

// rowTasks computes C = alpha*op(A)*B + beta*C with B packed in p on up to w
// goroutines, in blocks of rows that are whole row tiles.
func rowTasks[T Float](g *gemmImpl[T], w int, transA bool, m int, alpha T, a []T, lda int, p *packedB[T], beta T, c []T, ldc int) {
	rows := min(pieceSize(m, w, g.mr), max(g.mc, g.mr))
	tasks := (m + rows - 1) / rows
	var bufs [maxWorkers]*gemmBuf[T]
	w = min(w, tasks, maxWorkers)
	runWorkers(w, tasks, func(worker, t int) {
		if bufs[worker] == nil {
			bufs[worker] = g.pool.get()
		}
		r0 := t * rows
		packedRows(g, bufs[worker], transA, r0, min(r0+rows, m), alpha, a, lda, p, beta, c, ldc)
	})
	for _, b := range bufs[:w] {
		if b != nil {
			g.pool.put(b)
		}
	}
}

// maxWorkers bounds the goroutines of one product.
const maxWorkers = 64

// pieceSize returns the size of the pieces total is cut into for w
// goroutines: about tasksPerWorker per goroutine, a multiple of unit.
func pieceSize(total, w, unit int) int {
	p := (total + w*tasksPerWorker - 1) / (w * tasksPerWorker)
	return max(unit, (p+unit-1)/unit*unit)
}

// runTasks runs fn(t) for t < tasks on up to w goroutines (see runWorkers).
func runTasks(w, tasks int, fn func(t int)) {
	runWorkers(min(w, tasks, maxWorkers), tasks, func(_, t int) { fn(t) })
}

// runWorkers runs fn(worker, t) for every t < tasks, each t once, on w
// goroutines numbered 0..w-1 (the caller is worker 0), which take the next t
// from a shared counter; it returns when all are done.
func runWorkers(w, tasks int, fn func(worker, t int)) {
	var next atomic.Int64
	loop := func(worker int) {
		for {
			t := int(next.Add(1)) - 1
			if t >= tasks {
				return
			}
			fn(worker, t)
		}
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for worker := 1; worker < w; worker++ {
		go func() {
			defer wg.Done()
			loop(worker)
		}()
	}
	loop(0)
	wg.Wait()
}
