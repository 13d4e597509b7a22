package spectral

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/cputime"
)

// The benchmark shape: 132 signals (one per cell) of 1 s at 2 kHz,
// nperseg 512 (6 segments of 50% overlap, 257 bins).
const benchBatch, benchN, benchFS, benchNPerSeg = 132, 2000, 2000.0, 512

func benchSignals(batch, n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 0, batch*n)
	for b := 0; b < batch; b++ {
		x = append(x, randomSignal(rng, n)...)
	}
	return x
}

// cpuLoop runs f b.N times (via b.Loop) and reports the process CPU time per
// operation as cpu-ns/op beside the wall time: on a shared, loaded machine the
// CPU time of a single-threaded run is the stable measure of the work.
func cpuLoop(b *testing.B, f func()) {
	c0 := cputime.Process()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if c1 := cputime.Process(); c0 > 0 && n > 0 {
		b.ReportMetric(float64((c1-c0).Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

// BenchmarkWelch132 measures the forward PSD, and forward plus VJP, of the batch
// with the plain float64 API.
func BenchmarkWelch132(b *testing.B) {
	x := benchSignals(benchBatch, benchN)
	pl, err := NewWelch(benchN, benchFS, WelchOptions{NPerSeg: benchNPerSeg})
	if err != nil {
		b.Fatal(err)
	}
	psd := make([]float64, benchBatch*pl.NFreq())
	g := make([]float64, len(psd))
	for i := range g {
		g[i] = 1
	}
	dx := make([]float64, len(x))
	b.Run("forward", func(b *testing.B) {
		cpuLoop(b, func() { pl.PSD(psd, x) })
	})
	b.Run("forward+backward", func(b *testing.B) {
		cpuLoop(b, func() {
			pl.PSD(psd, x)
			pl.VJP(dx, x, g)
		})
	})
	saved := make([]float64, pl.SavedLen(benchBatch))
	b.Run("forward+backward-saved", func(b *testing.B) {
		cpuLoop(b, func() {
			pl.PSDSave(psd, x, saved)
			pl.VJPSaved(dx, saved, g, benchBatch)
		})
	})
}

// BenchmarkWelchOne is the forward PSD of a single 2,000-sample signal, the
// counterpart of one scipy.signal.welch call.
func BenchmarkWelchOne(b *testing.B) {
	x := benchSignals(1, benchN)
	pl, err := NewWelch(benchN, benchFS, WelchOptions{NPerSeg: benchNPerSeg})
	if err != nil {
		b.Fatal(err)
	}
	psd := make([]float64, pl.NFreq())
	b.Run("plan", func(b *testing.B) {
		cpuLoop(b, func() { pl.PSD(psd, x) })
	})
	b.Run("Welch", func(b *testing.B) { // plan construction included, as in scipy
		cpuLoop(b, func() { Welch(x, benchFS, WelchOptions{NPerSeg: benchNPerSeg}) })
	})
}

// BenchmarkWelchTape132 measures the autograd path: PSD, log band power over
// 15-60 Hz, sum, backward, on a reused tape, in float64 and float32.
func BenchmarkWelchTape132(b *testing.B) {
	pl, err := NewWelch(benchN, benchFS, WelchOptions{NPerSeg: benchNPerSeg})
	if err != nil {
		b.Fatal(err)
	}
	band, err := pl.Band(15, 60, Trapezoid)
	if err != nil {
		b.Fatal(err)
	}
	x := benchSignals(benchBatch, benchN)
	b.Run("float64", func(b *testing.B) { benchTape(b, pl, band, x) })
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	b.Run("float32", func(b *testing.B) { benchTape(b, pl, band, x32) })
}

func benchTape[T autograd.Float](b *testing.B, pl *Plan, band *Band, data []T) {
	x := autograd.MustNew(data, benchBatch, benchN)
	x.SetRequiresGrad(true)
	tp := autograd.NewTape[T]()
	cpuLoop(b, func() {
		tp.Reset()
		psd, err := PSDOp(tp, pl, x)
		if err != nil {
			b.Fatal(err)
		}
		lbp, err := LogBandPowerOp(tp, band, psd)
		if err != nil {
			b.Fatal(err)
		}
		if err := tp.Backward(tp.Sum(lbp)); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRealDFT compares the paths of the real DFT, forward plus adjoint of
// one full-length segment: the direct (table) DFT, our radix-2 FFT for powers of
// two (pow2RealFFT) and gonum's FFTPACK, to place useDirectDFT and isPow2's use.
func BenchmarkRealDFT(b *testing.B) {
	for _, n := range []int{8, 16, 24, 27, 31, 32, 40, 61, 64, 127, 128, 251, 256, 512, 1024, 4096} {
		for _, path := range []string{"direct", "radix2", "fftpack"} {
			if path == "direct" && n > 256 || path == "radix2" && (!isPow2(n) || n < 4) {
				continue
			}
			r := forceDFT(n, path)
			w := r.newWork()
			y := benchSignals(1, n)
			X := make([]complex128, n/2+1)
			out := make([]float64, n)
			b.Run(fmt.Sprintf("n=%d/%s", n, path), func(b *testing.B) {
				cpuLoop(b, func() {
					r.forward(w, X, y)
					r.adjoint(w, out, X)
				})
			})
		}
	}
}

// forceDFT builds a realDFT of length n on the named path ("direct",
// "radix2" or "fftpack"), whatever newRealDFT would choose.
func forceDFT(n int, path string) *realDFT {
	switch path {
	case "direct":
		return newRealDFTTables(n, n)
	case "radix2":
		return &realDFT{n: n, m: n, nHalf: n/2 + 1, pow2: newPow2RealFFT(n)}
	}
	return &realDFT{n: n, m: n, nHalf: n/2 + 1}
}
