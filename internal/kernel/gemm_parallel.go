package kernel

import "sync"

// gemmParallel splits C into w blocks of whole tiles along its longer side and
// computes them concurrently, each with its own packing buffers.
func gemmParallel[T Float](g *gemmImpl[T], w int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	var wg sync.WaitGroup
	run := func(i0, i1, j0, j1 int) {
		var as, bs []T
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
