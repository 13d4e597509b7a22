package kernel

import "unsafe"

// goGemmImpl is the pure-Go GEMM: the same packing and blocking as the
// assembly paths around a 4x4 Go micro-kernel.
func goGemmImpl[T Float]() gemmImpl[T] {
	const mr, lanes = 4, 4
	g := gemmImpl[T]{mr: mr, nv: 1, lanes: lanes}
	g.kern = make([][]gemmKernel[T], mr)
	for rows := 1; rows <= mr; rows++ {
		g.kern[rows-1] = []gemmKernel[T]{func(k int, a *T, lda int, b *T, ldb int, c *T, ldc int, alpha, beta T, last int) {
			goKernel(rows, k, a, lda, b, ldb, c, ldc, alpha, beta, last)
		}}
	}
	var z T
	g.setBlocking(int(unsafe.Sizeof(z)))
	return g
}

// goKernel is the pure-Go micro-kernel for a rows x last tile (rows <= 4, last <= 4).
func goKernel[T Float](rows, k int, a *T, lda int, b *T, ldb int, c *T, ldc int, alpha, beta T, last int) {
	var acc [4][4]T
	if k > 0 {
		as := unsafe.Slice(a, (k-1)*lda+rows)
		bs := unsafe.Slice(b, (k-1)*ldb+4)
		if rows == 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
			for p := 0; p < k; p++ {
				ap := as[p*lda : p*lda+4]
				bp := bs[p*ldb : p*ldb+4]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				c20 += a2 * b0
				c21 += a2 * b1
				c22 += a2 * b2
				c23 += a2 * b3
				c30 += a3 * b0
				c31 += a3 * b1
				c32 += a3 * b2
				c33 += a3 * b3
			}
			acc = [4][4]T{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
		} else {
			for p := 0; p < k; p++ {
				bp := bs[p*ldb : p*ldb+4]
				for r := 0; r < rows; r++ {
					av := as[p*lda+r]
					for j := range 4 {
						acc[r][j] += av * bp[j]
					}
				}
			}
		}
	}
	cs := unsafe.Slice(c, (rows-1)*ldc+last)
	for r := 0; r < rows; r++ {
		row := cs[r*ldc : r*ldc+last]
		for j := range row {
			if beta == 0 {
				row[j] = alpha * acc[r][j]
			} else {
				row[j] = alpha*acc[r][j] + beta*row[j]
			}
		}
	}
}
