package kernel

import (
	"fmt"
	"runtime"
	"sync"
)

// gemmKernel computes one tile of C: rows of C (its first argument count fixed
// per function) by vectors of columns, the last vector holding last valid
// lanes:
//
//	C[r*ldc+j] = alpha * sum_{p<k} A[p*lda+r]*B[p*ldb+j] + beta*C[r*ldc+j]
//
// A and B are p-major panels (packed, or the caller's matrix when its layout
// already fits). beta == 0 means C is not read. It never touches C outside the
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
}

// nr is the width of a full tile in columns.
func (g *gemmImpl[T]) nr() int { return g.nv * g.lanes }

// parallelGrain is the least number of multiply-adds worth a goroutine: about
// 30 µs on one core, so that the split pays off even when the other goroutine
// starts late on a busy machine.
const parallelGrain = 1 << 22

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
	if work := m * n * k; work >= 2*parallelGrain {
		if w := min(runtime.GOMAXPROCS(0), work/parallelGrain); w > 1 {
			gemmParallel(g, w, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
	}
	gemmSerial(g, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemm panics when a matrix is too short for its shape and stride.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: gemm with negative dimension m=%d n=%d k=%d", m, n, k))
	}
	check := func(name string, rows, cols, l, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("kernel: gemm %s stride %d < %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
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

// gemmParallel splits C into w blocks of whole tiles along its longer side and
// computes them concurrently, each with its own packing buffers.
func gemmParallel[T Float](g *gemmImpl[T], w int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	var wg sync.WaitGroup
	run := func(i0, i1, j0, j1 int) {
		as, bs := a, b
		if transA {
			as = a[i0:]
		} else {
			as = a[i0*lda:]
		}
		if transB {
			bs = b[j0*ldb:]
		} else {
			bs = b[j0:]
		}
		gemmSerial(g, transA, transB, i1-i0, j1-j0, k, alpha, as, lda, bs, ldb, beta, c[i0*ldc+j0:], ldc)
	}
	split := func(total, unit int) int { // chunk size: a multiple of unit
		chunk := (total + w - 1) / w
		return (chunk + unit - 1) / unit * unit
	}
	if m >= n {
		chunk := split(m, g.mr)
		for i0 := chunk; i0 < m; i0 += chunk {
			wg.Add(1)
			go func(i0 int) {
				defer wg.Done()
				run(i0, min(i0+chunk, m), 0, n)
			}(i0)
		}
		run(0, min(chunk, m), 0, n)
	} else {
		chunk := split(n, g.nr())
		for j0 := chunk; j0 < n; j0 += chunk {
			wg.Add(1)
			go func(j0 int) {
				defer wg.Done()
				run(0, m, j0, min(j0+chunk, n))
			}(j0)
		}
		run(0, m, 0, min(chunk, n))
	}
	wg.Wait()
}

// blocks splits total into the fewest blocks of at most limit, of equal size
// rounded up to a multiple of unit.
func blocks(total, limit, unit int) int {
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
	directA := transA && directAPolicy(n, nr)
	rowA := !transA && g.kernRowA != nil && directAPolicy(n, nr)
	kern := g.kern
	if rowA {
		directA, kern = true, g.kernRowA
	}
	buf := g.pool.get()
	defer g.pool.put(buf)
	if !directB {
		buf.b = grow(buf.b, kc*((min(nc, n)+nr-1)/nr*nr))
	}
	if !directA {
		buf.a = grow(buf.a, kc*min(mc, m))
	}
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			betaEff := beta
			if pc > 0 {
				betaEff = 1
			}
			if !directB {
				g.packB(buf.b, transB, b, ldb, pc, jc, kcur, ncur, nr, lanes)
			}
			for ic := 0; ic < m; ic += mc {
				mcur := min(mc, m-ic)
				if !directA {
					g.packA(buf.a, transA, a, lda, ic, pc, mcur, kcur, mr)
				}
				for jr := 0; jr < ncur; jr += nr {
					ncols := min(nr, ncur-jr)
					nv := (ncols + lanes - 1) / lanes
					last := ncols - (nv-1)*lanes
					var bp *T
					bs := ldb
					if directB {
						bp = &b[pc*ldb+jc+jr]
					} else {
						bp = &buf.b[jr*kcur]
						bs = nv * lanes
					}
					for ir := 0; ir < mcur; ir += mr {
						rows := min(mr, mcur-ir)
						var ap *T
						as := lda
						if rowA {
							ap = &a[(ic+ir)*lda+pc]
						} else if directA {
							ap = &a[pc*lda+ic+ir]
						} else {
							ap = &buf.a[ir*kcur]
							as = rows
						}
						kern[rows-1][nv-1](kcur, ap, as, bp, bs, &c[(ic+ir)*ldc+jc+jr], ldc, alpha, betaEff, last)
					}
				}
			}
		}
	}
}

// directAPolicy decides whether A is read in place rather than packed:
// packing pays only when each A panel serves many column panels.
func directAPolicy(n, nr int) bool { return n <= 16*nr }

// packA copies the mcur x kcur block of op(A) at (ic, pc) into panels of mr
// rows (fewer in the last), each stored p-major: dst[ir*kcur + p*rows + r].
func (g *gemmImpl[T]) packA(dst []T, transA bool, a []T, lda, ic, pc, mcur, kcur, mr int) {
	for ir := 0; ir < mcur; ir += mr {
		rows := min(mr, mcur-ir)
		panel := dst[ir*kcur : ir*kcur+rows*kcur]
		if transA {
			for p := 0; p < kcur; p++ {
				copy(panel[p*rows:p*rows+rows], a[(pc+p)*lda+ic+ir:])
			}
			continue
		}
		g.interleave(panel, rows, a, lda, ic+ir, pc, kcur, rows)
	}
}

// interleave transposes count rows of src into dst:
// dst[p*stride+j] = src[(first+j)*ld+off+p] for j < count, p < n. Four rows
// at a time, so that each p writes contiguous elements, or in blocks of
// g.tw x g.tw by the assembly transpose where available.
func (g *gemmImpl[T]) interleave(dst []T, stride int, src []T, ld, first, off, n, count int) {
	j := 0
	if tw := g.tw; g.transpose != nil && n >= tw {
		nb := n / tw
		for ; j+tw <= count; j += tw {
			// Bounds: the last block reads src[(first+j+tw-1)*ld+off+nb*tw-1]
			// and writes dst[(nb*tw-1)*stride+j+tw-1].
			_ = src[(first+j+tw-1)*ld+off+nb*tw-1]
			_ = dst[(nb*tw-1)*stride+j+tw-1]
			g.transpose(&dst[j], stride, &src[(first+j)*ld+off], ld, nb)
			for q := range tw {
				s0 := src[(first+j+q)*ld+off:][:n]
				for p := nb * tw; p < n; p++ {
					dst[p*stride+j+q] = s0[p]
				}
			}
		}
	}
	for ; j+4 <= count; j += 4 {
		s0 := src[(first+j)*ld+off:][:n]
		s1 := src[(first+j+1)*ld+off:][:n]
		s2 := src[(first+j+2)*ld+off:][:n]
		s3 := src[(first+j+3)*ld+off:][:n]
		d := dst[j:]
		for p := range n {
			o := p * stride
			x := d[o : o+4 : o+4]
			x[0], x[1], x[2], x[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; j < count; j++ {
		s0 := src[(first+j)*ld+off:][:n]
		for p, v := range s0 {
			dst[p*stride+j] = v
		}
	}
}

// packB copies the kcur x ncur block of op(B) at (pc, jc) into panels of nr
// columns, each stored p-major with a row stride of its width rounded up to
// whole vectors (zero padded): dst[jr*kcur + p*stride + j].
func (g *gemmImpl[T]) packB(dst []T, transB bool, b []T, ldb, pc, jc, kcur, ncur, nr, lanes int) {
	for jr := 0; jr < ncur; jr += nr {
		cols := min(nr, ncur-jr)
		stride := (cols + lanes - 1) / lanes * lanes
		panel := dst[jr*kcur : jr*kcur+stride*kcur]
		if !transB && cols == nr && g.packRows != nil {
			// Bounds: the last row read ends at b[(pc+kcur-1)*ldb+jc+jr+nr-1].
			_ = b[(pc+kcur-1)*ldb+jc+jr+nr-1]
			g.packRows(&panel[0], &b[pc*ldb+jc+jr], ldb, kcur)
			continue
		}
		if !transB {
			for p := 0; p < kcur; p++ {
				row := panel[p*stride : p*stride+stride]
				copy(row, b[(pc+p)*ldb+jc+jr:(pc+p)*ldb+jc+jr+cols])
				clear(row[cols:])
			}
			continue
		}
		g.interleave(panel, stride, b, ldb, jc+jr, pc, kcur, cols)
		if cols < stride {
			for p := 0; p < kcur; p++ {
				clear(panel[p*stride+cols : p*stride+stride])
			}
		}
	}
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemmBuf holds one goroutine's packing buffers.
type gemmBuf[T Float] struct{ a, b []T }

// bufPool keeps packing buffers for reuse. Unlike sync.Pool it never drops
// them at garbage collection, so steady-state GEMM calls allocate nothing; it
// holds at most one buffer per concurrently running GEMM.
type bufPool[T Float] struct {
	mu   sync.Mutex
	free []*gemmBuf[T]
}

func (p *bufPool[T]) get() *gemmBuf[T] {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return new(gemmBuf[T])
}

func (p *bufPool[T]) put(b *gemmBuf[T]) {
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}
