package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/neurograd/neurograd/internal/cputime"
)

// gemmCase is one GEMM call; pads are extra columns in each stride.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	padA, padB     int
	padC           int
}

const guard = 7 // sentinel elements before and after C

// sentinel marks memory the kernel must not write.
var sentinel = math.Float64frombits(0x7ff8dead0000beef)

func isSentinel[T Float](v T) bool {
	switch x := any(v).(type) {
	case float32:
		return math.Float32bits(x) == math.Float32bits(float32(sentinel))
	case float64:
		return math.Float64bits(x) == math.Float64bits(sentinel)
	}
	return false
}

// runGemmCase builds random operands (NaN in every padding element, so reading
// past a row shows up in the result), runs Gemm and checks every element of C
// against a float64 triple loop, and that nothing around C changed.
func runGemmCase[T Float](t *testing.T, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = bc, br
	}
	lda, ldb, ldc := max(1, ac+tc.padA), max(1, bc+tc.padB), max(1, tc.n+tc.padC)
	mat := func(rows, cols, ld int) []T {
		x := make([]T, max(0, (rows-1)*ld+cols))
		for i := range x {
			if i%ld < cols {
				x[i] = T(rng.Float64()*2 - 1)
			} else {
				x[i] = T(math.NaN())
			}
		}
		return x
	}
	a, b := mat(ar, ac, lda), mat(br, bc, ldb)
	cLen := max(0, (tc.m-1)*ldc+tc.n)
	cbuf := make([]T, cLen+2*guard)
	for i := range cbuf {
		cbuf[i] = T(sentinel)
	}
	c := cbuf[guard : guard+cLen]
	c0 := make([]T, cLen)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			v := T(rng.Float64()*2 - 1)
			if tc.beta == 0 {
				v = T(math.NaN()) // must not be read
			}
			c[i*ldc+j], c0[i*ldc+j] = v, v
		}
	}
	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)

	eps := 1e-16
	if is32[T]() {
		eps = 6e-8
	}
	for i := range cbuf {
		inC := i >= guard && i < guard+cLen && (i-guard)%ldc < tc.n
		if !inC && !isSentinel(cbuf[i]) {
			t.Fatalf("%+v: wrote outside C at offset %d: %v", tc, i-guard, cbuf[i])
		}
	}
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, mag float64
			for p := 0; p < tc.k; p++ {
				var av, bv float64
				if tc.transA {
					av = float64(a[p*lda+i])
				} else {
					av = float64(a[i*lda+p])
				}
				if tc.transB {
					bv = float64(b[j*ldb+p])
				} else {
					bv = float64(b[p*ldb+j])
				}
				s += av * bv
				mag += math.Abs(av * bv)
			}
			want := tc.alpha * s
			mag = math.Abs(tc.alpha) * mag
			if tc.beta != 0 {
				want += tc.beta * float64(c0[i*ldc+j])
				mag += math.Abs(tc.beta * float64(c0[i*ldc+j]))
			}
			got := float64(c[i*ldc+j])
			if !(math.Abs(got-want) <= 4*eps*float64(tc.k+2)*(mag+1e-30)) {
				t.Fatalf("%+v: C[%d][%d] = %v, want %v", tc, i, j, got, want)
			}
		}
	}
}

func gemmBoth(t *testing.T, name string, cases []gemmCase) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, ty := range []string{"float32", "float64"} {
			t.Run(ty, func(t *testing.T) {
				for _, tc := range cases {
					if ty == "float32" {
						runGemmCase[float32](t, rng, tc)
					} else {
						runGemmCase[float64](t, rng, tc)
					}
				}
			})
		}
		t.Logf("%s: %d cases on %s", name, len(cases), Implementation())
	})
}

// TestGemmAllSmall covers every m, n, k in 1..17 with every transpose
// combination (and k = 0).
func TestGemmAllSmall(t *testing.T) {
	var cases []gemmCase
	for m := 1; m <= 17; m++ {
		for n := 1; n <= 17; n++ {
			for k := 0; k <= 17; k++ {
				tr := (m + 2*n + 3*k) % 4
				cases = append(cases, gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: m, n: n, k: k, alpha: 1.25, beta: 0.5, padA: k % 3, padB: m % 2, padC: n % 3})
			}
		}
	}
	gemmBoth(t, "all 1..17", cases)
}

// TestGemmShapes covers primes, the benchmark shapes (some scaled down),
// every transpose, leading dimensions larger than the rows, alpha and beta.
func TestGemmShapes(t *testing.T) {
	shapes := [][3]int{ // m, k, n
		{2, 3, 5}, {7, 11, 13}, {31, 37, 41}, {61, 67, 71}, {97, 101, 103}, {1, 1, 1}, {1, 257, 1}, {1, 64, 300}, {300, 64, 1},
		{16, 16, 16}, {32, 128, 256}, {132, 128, 256}, {64, 320, 64}, {13, 600, 29}, {127, 1031, 33}, {23, 41, 530},
	}
	ab := [][2]float64{{1, 0}, {1, 1}, {-0.75, 0.5}, {2, -1}, {0, 0.5}, {0, 0}}
	var cases []gemmCase
	for si, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			for ai, x := range ab {
				if (si+tr+ai)%2 == 1 && s[0]*s[1]*s[2] > 100000 {
					continue
				}
				cases = append(cases, gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: s[0], k: s[1], n: s[2], alpha: x[0], beta: x[1], padA: (si + ai) % 5, padB: tr, padC: ai % 4})
			}
		}
	}
	gemmBoth(t, "shapes", cases)
}

// TestGemmLarge crosses the cache blocks and the parallel threshold.
func TestGemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow reference")
	}
	cases := []gemmCase{
		{m: 300, k: 257, n: 270, alpha: 1, beta: 0.5, padA: 1, padB: 3, padC: 2},
		{transA: true, transB: true, m: 131, k: 1100, n: 77, alpha: -1, beta: 0},
		{transB: true, m: 700, k: 40, n: 90, alpha: 0.5, beta: 1},
		{transA: true, m: 37, k: 300, n: 4500, alpha: 1, beta: 0},
		{m: 1000, k: 320, n: 64, alpha: 1, beta: 0},               // the causal conv1d benchmark shape
		{m: 256, k: 256, n: 256, alpha: 1, beta: 1, padC: 1},      // the square benchmark shape
		{transB: true, m: 132, k: 128, n: 256, alpha: 1, beta: 1}, // LSTM gates, x*W^T
	}
	gemmBoth(t, "large", cases)
}

func TestGemmPanicsOnShortSlice(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic for a too-short C")
		}
		if s := fmt.Sprint(r); len(s) == 0 {
			t.Fatal("empty panic message")
		}
	}()
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 3)
	Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
}

func TestGemmZeroAlloc(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, s := range [][3]int{{16, 16, 16}, {32, 128, 256}} {
			a, b, c := make([]float32, s[0]*s[1]), make([]float32, s[1]*s[2]), make([]float32, s[0]*s[2])
			Sgemm(false, false, s[0], s[2], s[1], 1, a, s[1], b, s[2], 0, c, s[2])
			allocs := testing.AllocsPerRun(20, func() {
				Sgemm(false, false, s[0], s[2], s[1], 1, a, s[1], b, s[2], 0, c, s[2])
				Sgemm(true, true, s[0], s[2], s[1], 1, a, s[0], b, s[1], 1, c, s[2])
			})
			if allocs != 0 {
				t.Errorf("%v: %v allocations per call", s, allocs)
			}
		}
	})
}

// TestGemmParallelZeroAlloc: split products allocate nothing once the crew
// is started.
func TestGemmParallelZeroAlloc(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	forEachImpl(t, func(t *testing.T) {
		for _, s := range [][3]int{{256, 256, 256}, {1000, 320, 64}, {132, 128, 256}} {
			m, k, n := s[0], s[1], s[2]
			if workers(m, n, k) < 2 {
				t.Fatalf("%v not split", s)
			}
			a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			var p PackedB[float32]
			PackB(&p, false, k, n, b, n)
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			GemmPacked(false, m, 1, a, k, &p, 0, c, n)
			allocs := testing.AllocsPerRun(10, func() {
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				GemmPacked(false, m, 1, a, k, &p, 0, c, n)
			})
			if allocs != 0 {
				t.Errorf("%v: %v allocations per call at GOMAXPROCS 2", s, allocs)
			}
		}
	})
}

// TestGemmParallel runs products above the parallel threshold, split along M
// (each worker packing its B, or B packed once and shared) and along N, with
// GOMAXPROCS forced to 3 (uneven chunks).
func TestGemmParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	cases := []gemmCase{
		{m: 301, k: 150, n: 290, alpha: 1, beta: 0.5, padA: 1, padB: 3, padC: 2},
		{transA: true, transB: true, m: 61, k: 210, n: 1000, alpha: -1, beta: 0},
		// split along M with B packed once for all workers (gemmSharedB), across K
		// blocks, with transposed B and with an N edge
		{transB: true, m: 700, k: 1300, n: 40, alpha: 0.5, beta: 1, padB: 1},
		{transA: true, m: 2000, k: 100, n: 70, alpha: 1, beta: 0, padC: 1},
	}
	for _, tc := range cases {
		if tc.m*tc.n*tc.k < 2*parallelMin {
			t.Fatalf("%+v is below the parallel threshold", tc)
		}
	}
	gemmBoth(t, "parallel", cases)
}

func TestGemmEmpty(t *testing.T) {
	c := []float64{3, 4}
	// Zero-sized products touch nothing, whatever the strides.
	Dgemm(false, false, 0, 0, 5, 1, nil, 0, nil, 0, 0, nil, 0)
	Dgemm(false, false, 1, 2, 0, 1, nil, 0, nil, 2, 2, c, 2) // k = 0: C = beta*C
	if c[0] != 6 || c[1] != 8 {
		t.Fatalf("k=0 gave %v, want [6 8]", c)
	}
	Dgemm(false, false, 1, 2, 0, 1, nil, 0, nil, 2, 0, c, 2)
	if c[0] != 0 || c[1] != 0 {
		t.Fatalf("k=0, beta=0 gave %v, want zeros", c)
	}
}

// TestGemmRandom draws shapes, transposes, strides and scalars at random
// (seeded), reaching the mixtures of packed and in-place operands.
func TestGemmRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	scalars := []float64{0, 1, -1, 0.5, 2.5}
	var cases []gemmCase
	for range 150 {
		dim := func() int {
			if rng.IntN(4) == 0 {
				return 1 + rng.IntN(600)
			}
			return 1 + rng.IntN(70)
		}
		tc := gemmCase{transA: rng.IntN(2) == 1, transB: rng.IntN(2) == 1, m: dim(), n: dim(), k: dim(),
			alpha: scalars[rng.IntN(len(scalars))], beta: scalars[rng.IntN(len(scalars))],
			padA: rng.IntN(3) * rng.IntN(20), padB: rng.IntN(3) * rng.IntN(20), padC: rng.IntN(3) * rng.IntN(20)}
		if tc.m*tc.n*tc.k > 3_000_000 {
			continue
		}
		cases = append(cases, tc)
	}
	gemmBoth(t, "random", cases)
}

// gemmOperands returns random A (m x k, or k x m when transA) and B (k x n,
// or n x k when transB) with padded strides, and a random C of m x n.
func gemmOperands[T Float](rng *rand.Rand, transA, transB bool, m, n, k int) (a []T, lda int, b []T, ldb int, c []T, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	lda, ldb, ldc = ac+1, bc+2, n+3
	a = randVec[T](rng, max(0, (ar-1)*lda+ac))
	b = randVec[T](rng, max(0, (br-1)*ldb+bc))
	c = randVec[T](rng, max(0, (m-1)*ldc+n))
	return
}

// sameBits reports the first index where x and y differ in their bits, or -1.
func sameBits[T Float](x, y []T) int {
	for i := range x {
		if math.Float64bits(float64(x[i])) != math.Float64bits(float64(y[i])) {
			return i
		}
	}
	return -1
}

// packedCases are the shapes of the packed-B and GOMAXPROCS tests: odd
// sizes, the step-mode shapes of the surrogates, K and N blocks crossed, and
// products above the parallel threshold.
var packedCases = [][3]int{ // m, n, k
	{1, 1, 1}, {3, 5, 7}, {13, 17, 11}, {6, 16, 8}, {24, 160, 72}, {25, 160, 72}, {50, 160, 72}, {50, 40, 160}, {50, 72, 160},
	{97, 33, 1031}, {61, 4500, 37}, {301, 290, 150}, {700, 40, 1300}, {2000, 70, 100}, {256, 256, 256}, {1000, 64, 320},
	// split along N with pieces on both sides of directAPolicy's width, along M
	// with a partial row tile, and both near the parallel threshold
	{37, 1043, 29}, {517, 45, 263}, {132, 256, 128}, {131, 127, 257}, {64, 64, 128}, {23, 600, 40},
}

// TestGemmPacked: GemmPacked with B packed once gives bit for bit Gemm's
// result for every implementation, transpose and beta, and a PackedB is
// reused across shapes and reports a change of implementation.
func TestGemmPacked(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		testGemmPacked[float32](t)
		testGemmPacked[float64](t)
	})
	var p PackedB[float32]
	if !p.Stale() {
		t.Error("an empty PackedB is not stale")
	}
	PackB(&p, false, 2, 3, make([]float32, 6), 3)
	if k, n := p.Dims(); k != 2 || n != 3 || p.Stale() {
		t.Errorf("packed 2x3: Dims %d x %d, stale %v", k, n, p.Stale())
	}
	if impls := Implementations(); len(impls) > 1 {
		prev := Implementation()
		SetImplementation(impls[len(impls)-1])
		if !p.Stale() {
			t.Error("not stale after SetImplementation")
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("GemmPacked with a stale PackedB did not panic")
				}
			}()
			GemmPacked(false, 1, 1, make([]float32, 2), 2, &p, 0, make([]float32, 3), 3)
		}()
		SetImplementation(prev)
	}
}

func testGemmPacked[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var p PackedB[T] // reused for every shape
	for _, s := range packedCases {
		m, n, k := s[0], s[1], s[2]
		if testing.Short() && m*n*k > 1<<22 {
			continue
		}
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []T{0, 1, 0.5} {
				a, lda, b, ldb, c, ldc := gemmOperands[T](rng, tr[0], tr[1], m, n, k)
				want := append([]T(nil), c...)
				Gemm(tr[0], tr[1], m, n, k, 0.75, a, lda, b, ldb, beta, want, ldc)
				PackB(&p, tr[1], k, n, b, ldb)
				GemmPacked(tr[0], m, 0.75, a, lda, &p, beta, c, ldc)
				if i := sameBits(c, want); i >= 0 {
					t.Fatalf("%s %T m=%d n=%d k=%d trans %v beta %v: C[%d] = %v packed, %v unpacked", Implementation(), c[0], m, n, k, tr, beta, i, c[i], want[i])
				}
			}
		}
	}
}

// TestGemmSameForAnyGOMAXPROCS: Gemm and GemmPacked give the same bits with
// GOMAXPROCS 1 to 4 (the parallel split sits on tile boundaries, along M or N
// only), for every implementation.
func TestGemmSameForAnyGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		split := 0
		for _, s := range packedCases {
			m, n, k := s[0], s[1], s[2]
			if m*n*k < parallelMin || (testing.Short() && m*n*k > 1<<25) {
				continue
			}
			split++
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				a, lda, b, ldb, c0, ldc := gemmOperands[float32](rng, tr[0], tr[1], m, n, k)
				var ref []float32
				for _, procs := range []int{1, 2, 3, 4} {
					runtime.GOMAXPROCS(procs)
					if w := workers(m, n, k); (w > 1) != (procs > 1) {
						t.Fatalf("m=%d n=%d k=%d GOMAXPROCS %d: %d pieces", m, n, k, procs, w)
					}
					c := append([]float32(nil), c0...)
					Gemm(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0.5, c, ldc)
					var p PackedB[float32]
					PackB(&p, tr[1], k, n, b, ldb)
					cp := append([]float32(nil), c0...)
					GemmPacked(tr[0], m, 1, a, lda, &p, 0.5, cp, ldc)
					if ref == nil {
						ref = c
					}
					for name, got := range map[string][]float32{"Gemm": c, "GemmPacked": cp} {
						if i := sameBits(got, ref); i >= 0 {
							t.Fatalf("%s m=%d n=%d k=%d trans %v GOMAXPROCS %d: C[%d] = %v, %v with GOMAXPROCS 1", name, m, n, k, tr, procs, i, got[i], ref[i])
						}
					}
				}
			}
		}
		if split < 8 {
			t.Fatalf("only %d shapes above the parallel threshold", split)
		}
	})
}

// TestGemmSplitPieces: the pieces of a split cover the range once, in whole
// tiles, the partial tile in the last piece, sizes within one tile.
func TestGemmSplitPieces(t *testing.T) {
	for _, total := range []int{1, 5, 6, 7, 100, 1000, 1001, 4500} {
		for _, unit := range []int{4, 6, 12, 16, 32} {
			for w := 1; w <= 9; w++ {
				next, small, large := 0, total, 0
				for i := range w {
					lo, hi := split(total, unit, i, w)
					if lo != next && hi > lo {
						t.Fatalf("split(%d, %d, %d, %d) = [%d, %d), want start %d", total, unit, i, w, lo, hi, next)
					}
					if hi <= lo {
						continue
					}
					if lo%unit != 0 || (hi%unit != 0 && hi != total) {
						t.Fatalf("split(%d, %d, %d, %d) = [%d, %d): not whole tiles", total, unit, i, w, lo, hi)
					}
					next = hi
					tiles := (hi - lo + unit - 1) / unit
					small, large = min(small, tiles), max(large, tiles)
				}
				if next != total {
					t.Fatalf("split(%d, %d, *, %d) ends at %d", total, unit, w, next)
				}
				if tiles := (total + unit - 1) / unit; tiles >= w && large-small > 1 {
					t.Fatalf("split(%d, %d, *, %d): pieces of %d to %d tiles", total, unit, w, small, large)
				}
			}
		}
	}
}

// TestGemmCrewConcurrent: products posted from several goroutines at once
// (one holds the crew, the others run on their own goroutine) are right.
func TestGemmCrewConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	const m, n, k = 96, 200, 64
	rng := rand.New(rand.NewPCG(9, 10))
	a, b := randVec[float32](rng, m*k), randVec[float32](rng, k*n)
	want := make([]float32, m*n)
	func() {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	}()
	errs := make(chan string, 4)
	for g := range 4 {
		go func() {
			c := make([]float32, m*n)
			for r := range 50 {
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				if i := sameBits(c, want); i >= 0 {
					errs <- fmt.Sprintf("goroutine %d round %d: C[%d] = %v, want %v", g, r, i, c[i], want[i])
					return
				}
			}
			errs <- ""
		}()
	}
	for range 4 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// TestGemmCrewIdle: after parallel products the crew holds at most
// GOMAXPROCS-1 goroutines whatever the number of products, and once its
// workers have parked an idle process uses no CPU.
func TestGemmCrewIdle(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const m, n, k = 128, 128, 128
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	limit := len(theCrew.workers) // started by earlier tests
	for _, procs := range []int{2, 4, 3, 2} {
		runtime.GOMAXPROCS(procs)
		limit = max(limit, procs-1)
		for range 200 {
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		}
		if got := len(theCrew.workers); got > limit {
			t.Fatalf("GOMAXPROCS %d: %d crew workers, want at most %d", procs, got, limit)
		}
	}
	if len(theCrew.workers) == 0 {
		t.Fatal("no crew worker started: the products were not split")
	}
	before := runtime.NumGoroutine()
	for range 200 {
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines after 200 more products, %d before", after, before)
	}
	time.Sleep(50 * time.Millisecond) // the workers stop polling (crewSpin) and park
	cpu0, wall0 := cputime.Process(), time.Now()
	time.Sleep(200 * time.Millisecond)
	cpu, wall := cputime.Process()-cpu0, time.Since(wall0)
	t.Logf("idle after parallel products: %v CPU in %v", cpu, wall)
	if cpu > wall/10 {
		t.Errorf("idle process used %v CPU in %v (workers still polling?)", cpu, wall)
	}
}

func TestGemmPackedZeroAlloc(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const m, n, k = 50, 160, 72
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		var p PackedB[float32]
		PackB(&p, false, k, n, b, n)
		GemmPacked(false, m, 1, a, k, &p, 0, c, n)
		if allocs := testing.AllocsPerRun(20, func() {
			PackB(&p, false, k, n, b, n)
			GemmPacked(false, m, 1, a, k, &p, 1, c, n)
		}); allocs != 0 {
			t.Errorf("%v allocations per PackB + GemmPacked", allocs)
		}
	})
}
