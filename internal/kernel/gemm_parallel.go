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
		if rows := split(m, g.mr); transB || n%g.lanes != 0 || rows > 4*g.mr {
			// each worker would pack all of B: share one packed copy instead
			gemmSharedB(g, w, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
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

// gemmSharedB is the parallel GEMM for a split along M when B must be packed: the
// workers pack each kc x nc block of B once, together (each a range of whole panels),
// then each computes its own rows of C against the shared packed block, packing its
// own A blocks. Splitting M with gemmParallel instead makes every worker pack all of B,
// work that does not shrink with more workers and that competes for the caches.
func gemmSharedB[T Float](g *gemmImpl[T], w int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr, lanes := g.mr, g.nr(), g.lanes
	kc := blocks(k, g.kc, 1)
	nc := blocks(n, g.nc, nr)
	rows := (((m + w - 1) / w) + mr - 1) / mr * mr // rows per worker, whole tiles
	w = (m + rows - 1) / rows
	directA := transA && directAPolicy(n, nr)
	rowA := !transA && g.kernRowA != nil && directAPolicy(n, nr)
	kern := g.kern
	if rowA {
		directA, kern = true, g.kernRowA
	}
	bufs := make([]*gemmBuf[T], w)
	for i := range bufs {
		bufs[i] = g.pool.get()
		defer g.pool.put(bufs[i])
	}
	mc := blocks(rows, g.mc, mr)
	bb := grow(bufs[0].b, kc*((min(nc, n)+nr-1)/nr*nr))
	bufs[0].b = bb
	if !directA {
		for _, bf := range bufs {
			bf.a = grow(bf.a, kc*min(mc, rows))
		}
	}
	// each runs fn(worker) on w goroutines (the caller is worker 0) and waits
	var wg sync.WaitGroup
	each := func(fn func(t int)) {
		wg.Add(w - 1)
		for t := 1; t < w; t++ {
			go func() {
				defer wg.Done()
				fn(t)
			}()
		}
		fn(0)
		wg.Wait()
	}
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		panels := (ncur + nr - 1) / nr
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			betaEff := beta
			if pc > 0 {
				betaEff = 1
			}
			each(func(t int) {
				// pack panels [p0, p1) of the block
				p0, p1 := t*panels/w, (t+1)*panels/w
				if p0 < p1 {
					j0 := p0 * nr
					g.packB(bb[j0*kcur:], transB, b, ldb, pc, jc+j0, kcur, min(p1*nr, ncur)-j0, nr, lanes)
				}
			})
			each(func(t int) {
				r0, r1 := t*rows, min((t+1)*rows, m)
				bufA := bufs[t].a
				for ic := r0; ic < r1; ic += mc {
					mcur := min(mc, r1-ic)
					if !directA {
						g.packA(bufA, transA, a, lda, ic, pc, mcur, kcur, mr)
					}
					for jr := 0; jr < ncur; jr += nr {
						ncols := min(nr, ncur-jr)
						nv := (ncols + lanes - 1) / lanes
						last := ncols - (nv-1)*lanes
						bp, bs := &bb[jr*kcur], nv*lanes
						for ir := 0; ir < mcur; ir += mr {
							rws := min(mr, mcur-ir)
							var ap *T
							as := lda
							if rowA {
								ap = &a[(ic+ir)*lda+pc]
							} else if directA {
								ap = &a[pc*lda+ic+ir]
							} else {
								ap = &bufA[ir*kcur]
								as = rws
							}
							kern[rws-1][nv-1](kcur, ap, as, bp, bs, &c[(ic+ir)*ldc+jc+jr], ldc, alpha, betaEff, last)
						}
					}
				}
			})
		}
	}
}
