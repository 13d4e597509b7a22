package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/neurograd/neurograd/internal/cputime"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are the GEMM shapes of issue 3 (M x K x N).
var benchShapes = [][3]int{{256, 256, 256}, {1024, 1024, 1024}, {132, 128, 256}, {32, 128, 256}, {1000, 320, 64}, {16, 16, 16}, {64, 64, 64}}

func benchGemm[T Float](b *testing.B, m, k, n int, call func(a, bm, c []T)) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, bm, c := randVec[T](rng, m*k), randVec[T](rng, k*n), make([]T, m*n)
	call(a, bm, c)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		call(a, bm, c)
	}
	cpu := cputime.Process() - cpu0
	gflop := 2 * float64(m) * float64(n) * float64(k) * float64(b.N) / 1e9
	b.ReportMetric(gflop/b.Elapsed().Seconds(), "GFLOP/s")
	if cpu > 0 {
		// Throughput per CPU-second of the process: unaffected by time spent
		// descheduled on a shared machine (with GOMAXPROCS=2 it sums both
		// threads, so it measures per-core efficiency, not speed-up).
		b.ReportMetric(gflop/cpu.Seconds(), "GFLOP/cpu-s")
	}
}

// BenchmarkGemm compares this package's GEMM (every implementation available)
// with gonum's pure-Go BLAS on the same shapes in the same run. Use -cpu 1,2 for
// one goroutine and GOMAXPROCS=2.
func BenchmarkGemm(b *testing.B) {
	prev := Implementation()
	defer SetImplementation(prev)
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		shape := fmt.Sprintf("%dx%dx%d", m, k, n)
		for _, impl := range Implementations() {
			b.Run(fmt.Sprintf("f32/%s/%s", shape, impl), func(b *testing.B) {
				SetImplementation(impl)
				benchGemm(b, m, k, n, func(a, bm, c []float32) { Sgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n) })
			})
		}
		b.Run(fmt.Sprintf("f32/%s/gonum", shape), func(b *testing.B) {
			benchGemm(b, m, k, n, func(a, bm, c []float32) {
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
		for _, impl := range Implementations() {
			b.Run(fmt.Sprintf("f64/%s/%s", shape, impl), func(b *testing.B) {
				SetImplementation(impl)
				benchGemm(b, m, k, n, func(a, bm, c []float64) { Dgemm(false, false, m, n, k, 1, a, k, bm, n, 0, c, n) })
			})
		}
		b.Run(fmt.Sprintf("f64/%s/gonum", shape), func(b *testing.B) {
			benchGemm(b, m, k, n, func(a, bm, c []float64) {
				gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, bm, n, 0, c, n)
			})
		})
	}
}

// BenchmarkGemmTrans measures the LSTM backward products: dW = X^T*dY (A
// transposed) and dX = dY*W^T (B transposed), float32, default implementation.
func BenchmarkGemmTrans(b *testing.B) {
	const batch, in, out = 32, 128, 256
	b.Run("AT_128x32x256", func(b *testing.B) {
		benchGemm(b, in, batch, out, func(x, dy, dw []float32) { Sgemm(true, false, in, out, batch, 1, x, in, dy, out, 0, dw, out) })
	})
	b.Run("BT_32x256x128", func(b *testing.B) {
		benchGemm(b, batch, out, in, func(dy, w, dx []float32) { Sgemm(false, true, batch, in, out, 1, dy, out, w, out, 0, dx, in) })
	})
}

// BenchmarkLSTMCell measures the fused pointwise LSTM step, batch 32, hidden 64.
func BenchmarkLSTMCell(b *testing.B) {
	const batch, hidden = 32, 64
	rng := rand.New(rand.NewPCG(2, 2))
	pre := randVec[float32](rng, batch*4*hidden)
	gates := make([]float32, len(pre))
	cPrev := randVec[float32](rng, batch*hidden)
	c, h, tc := make([]float32, batch*hidden), make([]float32, batch*hidden), make([]float32, batch*hidden)
	dGates, dcPrev := make([]float32, len(pre)), make([]float32, batch*hidden)
	b.Run("forward", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			copy(gates, pre)
			LSTMCell(gates, cPrev, c, h, tc, batch, hidden)
		}
		reportCPU(b, cpu0)
	})
	b.Run("backward", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			LSTMCellBackward(gates, cPrev, tc, h, c, dGates, dcPrev, batch, hidden)
		}
		reportCPU(b, cpu0)
	})
}

func BenchmarkVec(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(3, 3))
	x, y, d := randVec[float32](rng, n), randVec[float32](rng, n), make([]float32, n)
	for _, fn := range []struct {
		name string
		f    func()
	}{
		{"Axpy", func() { Axpy(0.5, x, y) }},
		{"Dot", func() { Dot(x, y) }},
		{"Mul", func() { Mul(d, x, y) }},
		{"Exp", func() { Exp(d, x) }},
		{"Sigmoid", func() { Sigmoid(d, x) }},
		{"Tanh", func() { Tanh(d, x) }},
	} {
		b.Run(fn.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			cpu0 := cputime.Process()
			for b.Loop() {
				fn.f()
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the process CPU time per operation since cpu0, a measure
// that time spent descheduled on a shared machine does not inflate.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkLSTMCellColumn times the pointwise LSTM cell at the surrogate
// column's shape (a pyramidal type's 50 cells x 4 replicas, hidden 40, whose
// last 8 units per row are past the AVX-512 kernel's whole vectors), with
// the bias added by the cell (LSTMCellBias) as nn's LSTM step calls it.
func BenchmarkLSTMCellColumn(b *testing.B) {
	const batch, hidden = 200, 40
	rng := rand.New(rand.NewPCG(2, 3))
	pre := randVec[float32](rng, batch*4*hidden)
	bias := randVec[float32](rng, 4*hidden)
	gates := make([]float32, len(pre))
	cPrev := randVec[float32](rng, batch*hidden)
	c, h, tc := make([]float32, batch*hidden), make([]float32, batch*hidden), make([]float32, batch*hidden)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		copy(gates, pre)
		LSTMCellBias(gates, bias, cPrev, c, h, tc, batch, hidden)
	}
	reportCPU(b, cpu0)
}
