package kernel

import "runtime"

// parallelMin is the least number of multiply-adds of a product split over
// goroutines (about 7 µs on one AVX2 core of this project's Zen 3): below it
// the product runs on the caller alone.
const parallelMin = 1 << 19

// pieceMin is the least number of multiply-adds of one piece of a split
// product.
const pieceMin = 1 << 18

// maxWorkers bounds the pieces (and so the goroutines) of one product.
const maxWorkers = 64

// workers returns how many pieces a product of m x n x k multiply-adds is
// cut into: 1 below parallelMin, otherwise up to GOMAXPROCS with at least
// pieceMin multiply-adds each; 1 while HoldSerial holds.
func workers(m, n, k int) int {
	work := m * n * k
	if work < parallelMin || serialHeld() {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), work/pieceMin, maxWorkers)
}

// gemmJob is a product split over the crew: piece i of w computes a block of
// whole micro-tiles of C, rows (split along M) or columns (along N), with the
// serial loop nest, so that every element of C gets the operations it gets on
// one goroutine, and the result is bit for bit the same for any split. One job
// per implementation and element type: the crew runs one product at a time.
type gemmJob[T Float] struct {
	g              *gemmImpl[T]
	packed         *packedB[T] // B packed by PackB (GemmPacked; split along M)
	transA, transB bool
	alongN         bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
}

// split returns the bounds [lo, hi) of piece i of w when total is cut into
// whole tiles of unit: the first pieces get the extra tiles, the last one
// the partial tile at the edge.
func split(total, unit, i, w int) (lo, hi int) {
	tiles := (total + unit - 1) / unit
	lo = (i*tiles + w - 1) / w * unit
	hi = min(((i+1)*tiles+w-1)/w*unit, total)
	return lo, hi
}

func (j *gemmJob[T]) piece(i, w int) {
	g := j.g
	r0, r1, c0, c1 := 0, j.m, 0, j.n
	if j.alongN {
		c0, c1 = split(j.n, g.nr(), i, w)
	} else {
		r0, r1 = split(j.m, g.mr, i, w)
	}
	if r0 >= r1 || c0 >= c1 {
		return
	}
	if j.packed != nil {
		buf := g.pool.get()
		packedBlock(g, buf, j.transA, r0, r1, c0, c1, j.alpha, j.a, j.lda, j.packed, j.beta, j.c, j.ldc)
		g.pool.put(buf)
		return
	}
	a, b := j.a, j.b
	switch {
	case r0 > 0 && j.transA:
		a = a[r0:]
	case r0 > 0:
		a = a[r0*j.lda:]
	case c0 > 0 && j.transB:
		b = b[c0*j.ldb:]
	case c0 > 0:
		b = b[c0:]
	}
	gemmSerial(g, j.transA, j.transB, r1-r0, c1-c0, j.k, j.alpha, a, j.lda, b, j.ldb, j.beta, j.c[r0*j.ldc+c0:], j.ldc)
}

// imbalance is the largest piece of total cut into w pieces of whole tiles of
// unit, counted in vectors of lanes, over the mean piece (1: even).
func imbalance(total, unit, lanes, w int) float64 {
	largest := 0
	for i := range w {
		lo, hi := split(total, unit, i, w)
		largest = max(largest, (hi-lo+lanes-1)/lanes)
	}
	return float64(largest*w) / (float64(total) / float64(lanes))
}

// gemmParallel computes the product in w pieces, one per goroutine of the
// crew (the caller is one of them), and reports false, computing nothing,
// when the crew is busy with another product. The pieces split C along N
// unless that leaves them much less even than a split along M: each piece
// packs its own columns of B (or reads them from p) and reads A in place or
// packs it; along M, each piece packs its own rows of A and all of B (or
// reads p). Measured on Zen 3 (AVX2), N splits were faster even where M is
// far longer (1000 x 320 x 64): no piece packs B twice, and each reads fewer
// B panels.
func gemmParallel[T Float](g *gemmImpl[T], w int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, p *packedB[T], beta T, c []T, ldc int) bool {
	if !theCrew.acquire() {
		return false
	}
	nr := g.nr()
	mTiles, nTiles := (m+g.mr-1)/g.mr, (n+nr-1)/nr
	w = min(w, max(mTiles, nTiles))
	alongN := nTiles >= w
	if alongN && mTiles >= w {
		in, im := imbalance(n, nr, g.lanes, w), imbalance(m, g.mr, 1, w)
		alongN = in <= 1.15 || in <= im
	}
	j := &g.job
	*j = gemmJob[T]{g: g, packed: p, transA: transA, transB: transB, alongN: alongN, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	theCrew.run(j, w)
	*j = gemmJob[T]{} // drop the references to the caller's matrices
	theCrew.release()
	return true
}
