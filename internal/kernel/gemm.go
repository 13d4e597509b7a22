package kernel

import "fmt"

// gemmKernel computes one tile of C: rows of C (its first argument count fixed
// per function) by vectors of columns, the last vector holding last valid
// lanes:
//
//	C[r*ldc+j] = alpha * sum_{p<k} A[p*lda+r]*B[p*ldb+j] + beta*C[r*ldc+j]
//
// A and B are p-major panels (packed, or the caller's matrix when its layout
// already fits); the kernRowA family reads A[r*lda+p] instead, untransposed A
// in place. beta == 0 means C is not read. It never touches C outside the
// tile.
type gemmKernel[T Float] func(k int, a *T, lda int, b *T, ldb int, c *T, ldc int, alpha, beta T, last int)

// gemmImpl is a GEMM implementation: micro-kernels for every tile size up to
// mr rows by nv vectors of lanes columns, and the cache blocking around them.
type gemmImpl[T Float] struct {
	mr, nv, lanes int
	kern          [][]gemmKernel[T] // kern[rows-1][vectors-1], A as p-major panels
	kernRowA      [][]gemmKernel[T] // the same reading row-major A; nil if absent
	kc, mc, nc    int               // largest K, M and N blocks
	// transpose, if set, transposes blocks of tw x tw elements (see
	// interleave); it speeds up packing transposed operands.
	transpose func(dst *T, dstStride int, src *T, srcStride int, blocks int)
	tw        int
	// packRows, if set, copies rows rows of one full tile width (nr elements)
	// from a matrix with row stride ld into consecutive rows.
	packRows func(dst, src *T, ld, rows int)
	pool     *bufPool[T] // set by setBlocking
	// job is the parallel product in progress on the crew (see gemmParallel).
	job gemmJob[T]
}

// nr is the width of a full tile in columns.
func (g *gemmImpl[T]) nr() int { return g.nv * g.lanes }

// gemm is the driver behind Sgemm and Dgemm.
func gemm[T Float](g *gemmImpl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	if w := workers(m, n, k); w > 1 && gemmParallel(g, w, transA, transB, m, n, k, alpha, a, lda, b, ldb, nil, beta, c, ldc) {
		return
	}
	gemmSerial(g, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemm panics when a matrix is too short for its shape and stride.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: gemm with negative dimension m=%d n=%d k=%d", m, n, k))
	}
	check := func(name string, rows, cols, l, ld int) {
		if rows == 0 || cols == 0 {
			return // nothing is read or written: any stride will do
		}
		if ld < cols {
			panic(fmt.Sprintf("kernel: gemm %s stride %d < %d columns", name, ld, cols))
		}
		if l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernel: gemm %s has %d elements, need %d for %dx%d with stride %d", name, l, (rows-1)*ld+cols, rows, cols, ld))
		}
	}
	if transA {
		check("A", k, m, la, lda)
	} else {
		check("A", m, k, la, lda)
	}
	if transB {
		check("B", n, k, lb, ldb)
	} else {
		check("B", k, n, lb, ldb)
	}
	check("C", m, n, lc, ldc)
}

// scaleMatrix sets C = beta*C (C = 0 when beta is 0, whatever C held).
func scaleMatrix[T Float](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// blocks splits total into the fewest blocks of at most limit, of equal size
// rounded up to a multiple of unit.
func blocks(total, limit, unit int) int {
	if total <= limit {
		return total // one block (and no divisions on the small-product path)
	}
	nb := (total + limit - 1) / limit
	size := (total + nb - 1) / nb
	return min(limit, (size+unit-1)/unit*unit)
}

// gemmSerial is the Goto/BLIS loop nest on one goroutine: N blocks of nc
// columns, K blocks of kc (B packed into kc x nr panels that stay in L1), M
// blocks of mc rows (A packed into mr x kc panels that stay in L2), and the
// micro-kernel over the tiles.
func gemmSerial[T Float](g *gemmImpl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr, lanes := g.mr, g.nr(), g.lanes
	kc := blocks(k, g.kc, 1)
	mc := blocks(m, g.mc, mr)
	nc := blocks(n, g.nc, nr)
	// Few row tiles share each B panel, or few column panels share each A
	// panel: then reading the caller's matrix directly beats packing it.
	directB := !transB && n%lanes == 0 && m <= 4*mr
	am := g.aMode(transA, n)
	var buf *gemmBuf[T]
	if am == aPacked || !directB {
		buf = g.pool.get()
		defer g.pool.put(buf)
		if !directB {
			buf.b = grow(buf.b, kc*((min(nc, n)+nr-1)/nr*nr))
		}
		if am == aPacked {
			buf.a = grow(buf.a, kc*min(mc, m))
		}
	}
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			betaEff := beta
			if pc > 0 {
				betaEff = 1
			}
			var bb []T
			bs := 0
			if directB {
				bb, bs = b[pc*ldb+jc:], ldb
			} else {
				g.packB(buf.b, transB, b, ldb, pc, jc, kcur, ncur, nr, lanes)
				bb = buf.b
			}
			for ic := 0; ic < m; ic += mc {
				var bufA []T
				if buf != nil {
					bufA = buf.a
				}
				g.macro(am, transA, a, lda, bufA, ic, min(mc, m-ic), pc, kcur, bb, bs, ncur, alpha, betaEff, c[jc:], ldc)
			}
		}
	}
}

// aMode is how the micro-kernels read A.
type aMode int

const (
	aPacked aMode = iota // packed into mr-row p-major panels
	aDirect              // transposed A read in place (already p-major)
	aRows                // untransposed A read in place by the row-major kernels
)

// aMode decides how A is read for a product of n columns.
func (g *gemmImpl[T]) aMode(transA bool, n int) aMode {
	switch {
	case transA && directAPolicy(n, g.nr()):
		return aDirect
	case !transA && g.kernRowA != nil && directAPolicy(n, g.nr()):
		return aRows
	}
	return aPacked
}

// macro computes the mcur x ncur block of C at row ic (c starts at the
// block's first column) for one K block of kcur at pc: A's rows ic.. (packed
// into bufA first when am is aPacked) times the B block bb, whose panels of nr
// columns lie at bb[jr*kcur] with a row stride of their width rounded up to
// whole vectors (bs == 0, packed) or which is B itself read in place with row
// stride bs.
func (g *gemmImpl[T]) macro(am aMode, transA bool, a []T, lda int, bufA []T, ic, mcur, pc, kcur int, bb []T, bs, ncur int, alpha, beta T, c []T, ldc int) {
	mr, nr, lanes := g.mr, g.nr(), g.lanes
	kern := g.kern
	if am == aRows {
		kern = g.kernRowA
	}
	if am == aPacked {
		g.packA(bufA, transA, a, lda, ic, pc, mcur, kcur, mr)
	}
	for jr := 0; jr < ncur; jr += nr {
		ncols := min(nr, ncur-jr)
		nv := (ncols + lanes - 1) / lanes
		last := ncols - (nv-1)*lanes
		var bp *T
		stride := bs
		if bs == 0 {
			bp, stride = &bb[jr*kcur], nv*lanes
		} else {
			bp = &bb[jr]
		}
		for ir := 0; ir < mcur; ir += mr {
			rows := min(mr, mcur-ir)
			var ap *T
			as := lda
			switch am {
			case aRows:
				ap = &a[(ic+ir)*lda+pc]
			case aDirect:
				ap = &a[pc*lda+ic+ir]
			default:
				ap, as = &bufA[ir*kcur], rows
			}
			kern[rows-1][nv-1](kcur, ap, as, bp, stride, &c[(ic+ir)*ldc+jr], ldc, alpha, beta, last)
		}
	}
}

// directAPolicy decides whether A is read in place rather than packed:
// packing pays only when each A panel serves many column panels.
func directAPolicy(n, nr int) bool { return n <= 16*nr }
