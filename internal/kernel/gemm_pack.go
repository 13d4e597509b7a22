package kernel

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
