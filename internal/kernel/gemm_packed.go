package kernel

import "fmt"

// PackedB is the right operand op(B) of GEMMs packed once into the layout the
// micro-kernels read, for products that use the same B many times (a layer's
// weights at every time step). PackB fills it; GemmPacked multiplies by it.
// The zero value is empty; PackB reuses its memory. A PackedB is packed for
// the implementation in use at the time (Stale reports a change of
// implementation, after which it must be packed again). It may be read by
// several GemmPacked calls at once, but not while PackB writes it.
type PackedB[T Float] struct {
	p32 packedB[float32]
	p64 packedB[float64]
}

// packedB is op(B), k x n, in the blocks of gemmSerial: for each N block of
// nc columns and each K block of kc rows (in that order), the block's panels
// as packB writes them, at offset off(jc, pc).
type packedB[E Float] struct {
	g      *gemmImpl[E] // the implementation packed for
	k, n   int
	kc, nc int
	data   []E
}

// PackB packs op(B) into p: op(B) is k x n, B is stored k x n (transB false)
// or n x k (transB true) with row stride ldb. It reuses p's memory when it is
// large enough, so packing the same shape again allocates nothing.
func PackB[T Float](p *PackedB[T], transB bool, k, n int, b []T, ldb int) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernel: PackB with negative dimension k=%d n=%d", k, n))
	}
	if is32[T]() {
		packAllB(&active.f32.gemm, &p.p32, transB, k, n, as32(b), ldb)
	} else {
		packAllB(&active.f64.gemm, &p.p64, transB, k, n, as64(b), ldb)
	}
}

// Dims returns the shape k x n of the packed op(B) (0 x 0 when empty).
func (p *PackedB[T]) Dims() (k, n int) {
	if is32[T]() {
		return p.p32.k, p.p32.n
	}
	return p.p64.k, p.p64.n
}

// OneKBlock reports whether p holds op(B) as one block along K (k no more
// than the implementation's K block, the usual case for a layer's
// weights): then GemmPacked stores every element of C once, as
// alpha*op(A)*B (one accumulator, rounded to C's type) plus beta*C, so that
// with beta 0 it leaves the products to which a caller may add a bias
// later, bit for bit as C preloaded with the bias and beta 1.
func (p *PackedB[T]) OneKBlock() bool {
	if is32[T]() {
		return p.p32.kc >= p.p32.k
	}
	return p.p64.kc >= p.p64.k
}

// Stale reports whether p was packed for another implementation than the one
// in use (SetImplementation was called since), or never packed.
func (p *PackedB[T]) Stale() bool {
	if is32[T]() {
		return p.p32.g != &active.f32.gemm
	}
	return p.p64.g != &active.f64.gemm
}

// GemmPacked computes C = alpha*op(A)*B + beta*C with B packed by PackB
// (k x n): op(A) is m x k (A stored m x k, or k x m when transA, with row
// stride lda), C is m x n with row stride ldc. When beta is 0, C is not read.
// The result is bit for bit that of Gemm with the unpacked B, for any
// GOMAXPROCS. It panics when p is Stale.
func GemmPacked[T Float](transA bool, m int, alpha T, a []T, lda int, p *PackedB[T], beta T, c []T, ldc int) {
	if p.Stale() {
		panic("kernel: GemmPacked with a PackedB packed for another implementation (or never packed)")
	}
	if is32[T]() {
		gemmPackedB(&active.f32.gemm, transA, m, float32(alpha), as32(a), lda, &p.p32, float32(beta), as32(c), ldc)
	} else {
		gemmPackedB(&active.f64.gemm, transA, m, float64(alpha), as64(a), lda, &p.p64, float64(beta), as64(c), ldc)
	}
}

// packedLen returns the elements of the packed op(B), k x n, with blocks
// kc x nc.
func packedLen(k, n, nc, nr int) int {
	total := 0
	for jc := 0; jc < n; jc += nc {
		total += k * ((min(nc, n-jc) + nr - 1) / nr * nr)
	}
	return total
}

func packAllB[E Float](g *gemmImpl[E], p *packedB[E], transB bool, k, n int, b []E, ldb int) {
	if transB {
		checkGemm(false, true, 0, n, k, 0, 1, len(b), ldb, 0, 1)
	} else {
		checkGemm(false, false, 0, n, k, 0, 1, len(b), ldb, 0, 1)
	}
	nr := g.nr()
	p.g, p.k, p.n = g, k, n
	p.kc, p.nc = blocks(k, g.kc, 1), blocks(n, g.nc, nr)
	p.data = grow(p.data, packedLen(k, n, p.nc, nr))
	off := 0
	for jc := 0; jc < n; jc += p.nc {
		ncur := min(p.nc, n-jc)
		w := (ncur + nr - 1) / nr * nr
		for pc := 0; pc < k; pc += p.kc {
			kcur := min(p.kc, k-pc)
			g.packB(p.data[off:], transB, b, ldb, pc, jc, kcur, ncur, nr, g.lanes)
			off += kcur * w
		}
	}
}

// gemmPackedB is the driver of GemmPacked: gemmSerial's loop nest reading the
// B blocks from p, split across goroutines when large (see gemmParallel).
func gemmPackedB[E Float](g *gemmImpl[E], transA bool, m int, alpha E, a []E, lda int, p *packedB[E], beta E, c []E, ldc int) {
	n, k := p.n, p.k
	checkGemm(transA, false, m, n, k, len(a), lda, n*k, max(n, 1), len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	if w := workers(m, n, k); w > 1 && gemmParallel(g, w, transA, false, m, n, k, alpha, a, lda, nil, 0, p, beta, c, ldc) {
		return
	}
	buf := g.pool.get()
	defer g.pool.put(buf)
	packedBlock(g, buf, transA, 0, m, 0, n, alpha, a, lda, p, beta, c, ldc)
}

// packedBlock computes the block of rows [r0, r1) and columns [c0, c1) (c0
// a multiple of the tile width) of C = alpha*op(A)*B + beta*C with B packed
// in p, packing A into buf's A buffer where needed.
func packedBlock[E Float](g *gemmImpl[E], buf *gemmBuf[E], transA bool, r0, r1, c0, c1 int, alpha E, a []E, lda int, p *packedB[E], beta E, c []E, ldc int) {
	n, k, nr := p.n, p.k, g.nr()
	mc := blocks(r1-r0, g.mc, g.mr)
	am := g.aMode(transA, c1-c0)
	if am == aPacked {
		buf.a = grow(buf.a, p.kc*min(mc, r1-r0))
	}
	off := 0
	for jc := 0; jc < n; jc += p.nc {
		ncur := min(p.nc, n-jc)
		w := (ncur + nr - 1) / nr * nr
		j0, j1 := max(c0-jc, 0), min(c1-jc, ncur) // the block's columns in this N block
		for pc := 0; pc < k; pc += p.kc {
			kcur := min(p.kc, k-pc)
			betaEff := beta
			if pc > 0 {
				betaEff = 1
			}
			if j0 < j1 {
				bb := p.data[off+j0*kcur : off+kcur*w]
				for ic := r0; ic < r1; ic += mc {
					g.macro(am, transA, a, lda, buf.a, ic, min(mc, r1-ic), pc, kcur, bb, 0, j1-j0, alpha, betaEff, c[jc+j0:], ldc)
				}
			}
			off += kcur * w
		}
	}
}
