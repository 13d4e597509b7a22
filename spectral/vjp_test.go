package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomSignal returns n samples of a drifting, noisy test signal.
func randomSignal(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() + 0.01*float64(i) + math.Sin(0.3*float64(i))
	}
	return x
}

// checkVJP compares Plan.VJP with fourth-order central finite differences of
// L(x) = Σ r ⊙ PSD(x) for random weights r, for every sample of a batch of 2.
func checkVJP(t *testing.T, n int, fs float64, opt WelchOptions) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	pl, err := NewWelch(n, fs, opt)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 2
	x := append(randomSignal(rng, n), randomSignal(rng, n)...)
	r := make([]float64, batch*pl.NFreq())
	for i := range r {
		r[i] = rng.Float64() - 0.5
	}
	dx, err := pl.VJP(nil, x, r)
	if err != nil {
		t.Fatal(err)
	}
	loss := func(x []float64) float64 {
		pw, err := pl.PSD(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		return dot(r, pw)
	}
	const h = 1e-3
	var worst float64
	for i := range x {
		orig := x[i]
		f := func(d float64) float64 { x[i] = orig + d; return loss(x) }
		num := (f(-2*h) - 8*f(-h) + 8*f(h) - f(2*h)) / (12 * h)
		x[i] = orig
		scale := math.Max(math.Abs(num), 1e-3*maxAbs(dx))
		worst = math.Max(worst, math.Abs(dx[i]-num)/scale)
	}
	p := pl.Params()
	if worst > 1e-7 {
		t.Errorf("n %d %+v (nseg %d, nfft %d): worst relative gradient error %.3g", n, opt, p.NSegments, p.NFFT, worst)
	}
}

func TestWelchVJPFiniteDifferences(t *testing.T) {
	cases := []struct {
		n   int
		opt WelchOptions
	}{
		{300, WelchOptions{NPerSeg: 64}},                          // even nfft, 50% overlap, trailing samples dropped
		{301, WelchOptions{NPerSeg: 63}},                          // odd nfft
		{300, WelchOptions{NPerSeg: 64, NFFT: 101}},               // odd zero-padded nfft
		{300, WelchOptions{NPerSeg: 60, NOverlap: 45, NFFT: 128}}, // heavy overlap, even padding
		{200, WelchOptions{NPerSeg: 50, Detrend: DetrendLinear}},  // linear detrend
		{200, WelchOptions{NPerSeg: 50, Detrend: DetrendNone, Window: Hamming()}},
		{200, WelchOptions{NPerSeg: 40, Scaling: ScalingSpectrum, Window: Blackman()}},
		{210, WelchOptions{NPerSeg: 40, Average: AverageMedian}},                                // odd number of segments
		{180, WelchOptions{NPerSeg: 40, Average: AverageMedian, NOverlap: NoOverlap, NFFT: 45}}, // 4 segments, odd nfft
		{150, WelchOptions{NPerSeg: 33, TwoSided: true}},                                        // two-sided, odd nfft
		{150, WelchOptions{NPerSeg: 32, TwoSided: true, Detrend: DetrendLinear}},
		{90, WelchOptions{NPerSeg: 12}},                               // direct DFT path, even
		{90, WelchOptions{NPerSeg: 11, NFFT: 15, Window: Tukey(0.5)}}, // direct DFT path, odd
		{40, WelchOptions{}}, // nperseg shortened to the signal: one segment
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("n%d-%v-%d-%d-%d", c.n, c.opt.Window, c.opt.NPerSeg, c.opt.NOverlap, c.opt.NFFT), func(t *testing.T) {
			checkVJP(t, c.n, 1000, c.opt)
		})
	}
}

func TestPeriodogramVJP(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, opt := range []PeriodogramOptions{{}, {Window: Hamming(), NFFT: 129}, {NFFT: 50}} {
		pl, err := NewPeriodogram(77, 100, opt)
		if err != nil {
			t.Fatal(err)
		}
		x := randomSignal(rng, 77)
		r := make([]float64, pl.NFreq())
		for i := range r {
			r[i] = rng.Float64()
		}
		dx, _ := pl.VJP(nil, x, r)
		for i := range x {
			orig := x[i]
			f := func(d float64) float64 { x[i] = orig + d; pw, _ := pl.PSD(nil, x); return dot(r, pw) }
			num := (f(-1e-3) - f(1e-3)) / -2e-3 // exact for a quadratic up to rounding
			x[i] = orig
			if math.Abs(num-dx[i]) > 1e-7*math.Max(1, maxAbs(dx)) {
				t.Fatalf("%+v: dx[%d] = %v, finite difference %v", opt, i, dx[i], num)
			}
		}
		if opt.NFFT == 50 {
			for i := 50; i < 77; i++ {
				if dx[i] != 0 {
					t.Fatalf("truncated sample %d has gradient %v", i, dx[i])
				}
			}
		}
	}
}

// The adjoint identity <J v, r> = <v, J^T r> for the real DFT on both code paths.
func TestRealDFTAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for _, m := range []int{1, (n + 1) / 2, n} {
			r := newRealDFT(n, m)
			w := r.newWork()
			y := make([]float64, m)
			for i := range y {
				y[i] = rng.NormFloat64()
			}
			X := make([]complex128, n/2+1)
			r.forward(w, X, y)
			// Against the naive DFT.
			for k := range X {
				var want complex128
				for j, v := range y {
					a := -2 * math.Pi * float64(k*j) / float64(n)
					want += complex(v*math.Cos(a), v*math.Sin(a))
				}
				if d := X[k] - want; math.Hypot(real(d), imag(d)) > 1e-12*float64(n) {
					t.Fatalf("n %d m %d: X[%d] = %v, naive %v", n, m, k, X[k], want)
				}
			}
			z := make([]complex128, n/2+1)
			for k := range z {
				z[k] = complex(rng.NormFloat64(), rng.NormFloat64())
			}
			var lhs float64
			for k := range z {
				lhs += real(z[k])*real(X[k]) + imag(z[k])*imag(X[k])
			}
			zt := append([]complex128(nil), z...)
			v := make([]float64, m)
			r.adjoint(w, v, zt)
			if rhs := dot(v, y); math.Abs(lhs-rhs) > 1e-11*float64(n) {
				t.Fatalf("n %d m %d (direct %v): <z, F y> = %v, <F^T z, y> = %v", n, m, r.direct, lhs, rhs)
			}
		}
	}
}

// VJPSaved from the spectra PSDSave kept equals VJP from the signal, bit for bit.
func TestVJPSavedEqualsVJP(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, opt := range []WelchOptions{{NPerSeg: 64}, {NPerSeg: 50, Average: AverageMedian, TwoSided: true, NFFT: 75}} {
		pl, _ := NewWelch(400, 100, opt)
		x := append(randomSignal(rng, 400), randomSignal(rng, 400)...)
		saved := make([]float64, pl.SavedLen(2))
		psd, err := pl.PSDSave(nil, x, saved)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, len(psd))
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		a, _ := pl.VJP(nil, x, g)
		b, err := pl.VJPSaved(nil, saved, g, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%+v: dx[%d] = %v from the signal, %v from saved spectra", opt, i, a[i], b[i])
			}
		}
		if _, err := pl.VJPSaved(nil, saved[1:], g, 2); err == nil {
			t.Error("VJPSaved accepted a short buffer")
		}
	}
}
