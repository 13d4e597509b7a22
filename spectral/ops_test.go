package spectral

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// gradCheck runs autograd's float64 gradient checker on f of a [batch, n] signal.
func gradCheck(t *testing.T, name string, eps float64, x []float64, batch int, f func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error)) {
	t.Helper()
	xt := autograd.MustNew(append([]float64(nil), x...), batch, len(x)/batch)
	err := autograd.CheckGradient(func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		y, err := f(tp, in[0])
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, []*autograd.Tensor[float64]{xt}, autograd.GradCheckOptions{Eps: eps, Rtol: 1e-6, Atol: 1e-10, Seed: 11})
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

func TestOpsGradientCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const fs = 500.0
	for _, c := range []struct {
		name string
		n    int
		opt  WelchOptions
	}{
		{"even-nfft-overlap", 256, WelchOptions{NPerSeg: 64}},
		{"odd-nfft-overlap", 255, WelchOptions{NPerSeg: 63, NOverlap: 40}},
		{"odd-padded-linear", 240, WelchOptions{NPerSeg: 60, NFFT: 75, Detrend: DetrendLinear}},
		{"median-hamming", 260, WelchOptions{NPerSeg: 64, Average: AverageMedian, Window: Hamming()}},
	} {
		x := append(randomSignal(rng, c.n), randomSignal(rng, c.n)...)
		// The median is piecewise smooth: where two segments' powers cross, the
		// median switches segment. A small step keeps the stencil on one piece.
		eps := 1e-3
		if c.opt.Average == AverageMedian {
			eps = 1e-6
		}
		pl, err := NewWelch(c.n, fs, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		band, err := pl.Band(15, 60, Trapezoid)
		if err != nil {
			t.Fatal(err)
		}
		sumBand, err := pl.Band(15, 60, BinSum)
		if err != nil {
			t.Fatal(err)
		}
		gradCheck(t, c.name+"/welch", eps, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			return PSDOp(tp, pl, x)
		})
		gradCheck(t, c.name+"/bandpower", eps, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			p, err := PSDOp(tp, pl, x)
			if err != nil {
				return nil, err
			}
			return BandPowerOp(tp, band, p)
		})
		gradCheck(t, c.name+"/logbandpower", eps, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			p, err := PSDOp(tp, pl, x)
			if err != nil {
				return nil, err
			}
			return LogBandPowerOp(tp, band, p)
		})
		gradCheck(t, c.name+"/relative-binsum", eps, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			p, err := PSDOp(tp, pl, x)
			if err != nil {
				return nil, err
			}
			return RelativeBandPowerOp(tp, sumBand, p)
		})
	}
}

func TestOpsMatchPlainAPIAndFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	pl, err := NewWelch(500, 1000, WelchOptions{NPerSeg: 128})
	if err != nil {
		t.Fatal(err)
	}
	x := append(randomSignal(rng, 500), randomSignal(rng, 500)...)
	want, _ := pl.PSD(nil, x)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	xt := autograd.MustNew(x32, 2, 500)
	xt.SetRequiresGrad(true)
	tp := autograd.NewTape[float32]()
	p, err := PSDOp(tp, pl, xt)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range p.Data {
		if math.Abs(float64(v)-want[i]) > 1e-5*maxAbs(want) {
			t.Fatalf("float32 PSD[%d] = %v, float64 %v", i, v, want[i])
		}
	}
	band, _ := pl.Band(15, 60, Trapezoid)
	lbp, err := LogBandPowerOp(tp, band, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(tp.Sum(lbp)); err != nil {
		t.Fatal(err)
	}
	// The float64 gradient from the plain functions.
	g := make([]float64, 2)
	for i := range g {
		g[i] = 1
	}
	dp, _ := band.LogPowerVJP(nil, want, g)
	dx, _ := pl.VJP(nil, x, dp)
	for i, v := range xt.Grad {
		if math.Abs(float64(v)-dx[i]) > 1e-4*maxAbs(dx) {
			t.Fatalf("float32 grad[%d] = %v, float64 %v", i, v, dx[i])
		}
	}
	// Shape errors are errors, not panics.
	if _, err := PSDOp(tp, pl, autograd.Zeros[float32](3, 499)); err == nil {
		t.Error("PSDOp accepted a [3, 499] input for a plan of 500 samples")
	}
	nan := autograd.Zeros[float32](500)
	nan.Data[17] = float32(math.NaN())
	if _, err := PSDOp(tp, pl, nan); err == nil {
		t.Error("PSDOp accepted NaN")
	}
}

// A sinusoid's band power is largest in the band that holds its frequency, and
// the band power of a narrow band, as a function of the sinusoid's frequency,
// peaks inside that band.
func TestSinusoidBandPowerPeaks(t *testing.T) {
	const fs, n = 2000.0, 2000
	nper, err := NPerSegForResolution(fs, 2)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewWelch(n, fs, WelchOptions{NPerSeg: nper})
	if err != nil {
		t.Fatal(err)
	}
	sine := func(f float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 3 * math.Sin(2*math.Pi*f*float64(i)/fs+0.4)
		}
		return x
	}
	// Scan 10 Hz bands for sinusoids at several frequencies.
	for _, f0 := range []float64{12.3, 20, 37.5, 44, 87} {
		psd, err := pl.PSD(nil, sine(f0))
		if err != nil {
			t.Fatal(err)
		}
		best, bestLo := -1.0, 0.0
		for lo := 0.0; lo < 200; lo += 10 {
			b, err := pl.Band(lo, lo+10, Trapezoid)
			if err != nil {
				t.Fatal(err)
			}
			var bp [1]float64
			b.Power(bp[:], psd)
			if bp[0] > best {
				best, bestLo = bp[0], lo
			}
		}
		if f0 < bestLo || f0 > bestLo+10 {
			t.Errorf("sinusoid at %v Hz: largest 10 Hz band power in [%v, %v] Hz", f0, bestLo, bestLo+10)
		}
		// Parseval: the whole spectrum holds the sinusoid's power A²/2 = 4.5
		// (Hann leakage to DC and windowing keep this within a few percent).
		tot, _ := BandPower(pl.Freqs(nil), psd, 0, fs/2)
		if math.Abs(tot-4.5) > 0.05*4.5 {
			t.Errorf("sinusoid at %v Hz: total power %v, want 4.5", f0, tot)
		}
	}
	// Band power of [18, 22] Hz against the sinusoid's frequency.
	band, err := pl.Band(18, 22, Trapezoid)
	if err != nil {
		t.Fatal(err)
	}
	bestF, best := 0.0, -1.0
	for f := 5.0; f <= 60; f += 0.25 {
		psd, _ := pl.PSD(nil, sine(f))
		var bp [1]float64
		band.Power(bp[:], psd)
		if bp[0] > best {
			best, bestF = bp[0], f
		}
	}
	if bestF < 18 || bestF > 22 {
		t.Errorf("band power of [18, 22] Hz peaks for a sinusoid at %v Hz", bestF)
	}
}

// Without a tape (or with recording off) the ops compute the same values and
// record nothing; a signal used twice accumulates both gradients.
func TestOpsNilTapeAndAccumulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	pl, _ := NewWelch(300, 1000, WelchOptions{NPerSeg: 100})
	x := autograd.MustNew(randomSignal(rng, 300), 300)
	want, _ := pl.PSD(nil, x.Data)
	p, err := PSDOp[float64](nil, pl, x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if p.Data[i] != want[i] {
			t.Fatalf("nil tape PSD[%d] = %v, want %v", i, p.Data[i], want[i])
		}
	}
	tp := autograd.NewTape[float64]()
	x.SetRequiresGrad(true)
	tp.SetNoGrad(true)
	if _, err := PSDOp(tp, pl, x); err != nil || tp.Len() != 0 {
		t.Fatalf("no-grad tape recorded %d nodes (err %v)", tp.Len(), err)
	}
	tp.SetNoGrad(false)
	band, _ := pl.Band(50, 150, Trapezoid)
	p1, _ := PSDOp(tp, pl, x)
	p2, _ := PSDOp(tp, pl, x)
	b1, _ := BandPowerOp(tp, band, p1)
	b2, _ := BandPowerOp(tp, band, p2)
	if err := tp.Backward(tp.Add(b1, b2)); err != nil {
		t.Fatal(err)
	}
	dp, _ := band.PowerVJP(nil, want, []float64{1})
	dx, _ := pl.VJP(nil, x.Data, dp)
	for i := range dx {
		if math.Abs(x.Grad[i]-2*dx[i]) > 1e-12*maxAbs(dx) {
			t.Fatalf("grad[%d] = %v, want twice %v", i, x.Grad[i], dx[i])
		}
	}
}

// The gradient of a band's log power, pulled back to a sinusoid's frequency,
// points toward the band: positive just below it, negative just above it (within
// the Hann main lobe, two bins, of the band's edge bins; further out the side
// lobes' nulls make the band power oscillate with frequency).
func TestBandPowerGradientPointsToBand(t *testing.T) {
	const fs, n, amp, phase = 2000.0, 2000, 2.0, 0.3
	pl, err := NewWelch(n, fs, WelchOptions{NPerSeg: 1000})
	if err != nil {
		t.Fatal(err)
	}
	band, err := pl.Band(18, 22, Trapezoid)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ f0, sign float64 }{{15.3, 1}, {16.5, 1}, {17.2, 1}, {22.8, -1}, {23.5, -1}, {24.7, -1}} {
		x := autograd.Zeros[float64](1, n)
		for i := range x.Data {
			x.Data[i] = amp * math.Sin(2*math.Pi*c.f0*float64(i)/fs+phase)
		}
		x.SetRequiresGrad(true)
		tp := autograd.NewTape[float64]()
		psd, err := PSDOp(tp, pl, x)
		if err != nil {
			t.Fatal(err)
		}
		lbp, err := LogBandPowerOp(tp, band, psd)
		if err != nil {
			t.Fatal(err)
		}
		if err := tp.Backward(tp.Sum(lbp)); err != nil {
			t.Fatal(err)
		}
		// d log BP / d f0 = Σ_i ∂/∂x_i · ∂x_i/∂f0.
		var dfreq float64
		for i, g := range x.Grad {
			ti := float64(i) / fs
			dfreq += g * amp * 2 * math.Pi * ti * math.Cos(2*math.Pi*c.f0*ti+phase)
		}
		if dfreq*c.sign <= 0 {
			t.Errorf("sinusoid at %v Hz: d log BP[18, 22] / d f0 = %v, want sign %v", c.f0, dfreq, c.sign)
		}
		// The same derivative by central differences in f0.
		logBP := func(f float64) float64 {
			y := make([]float64, n)
			for i := range y {
				y[i] = amp * math.Sin(2*math.Pi*f*float64(i)/fs+phase)
			}
			p, _ := pl.PSD(nil, y)
			v, _ := band.LogPower(nil, p)
			return v[0]
		}
		const h = 1e-5
		if num := (logBP(c.f0+h) - logBP(c.f0-h)) / (2 * h); math.Abs(num-dfreq) > 1e-5*math.Abs(num) {
			t.Errorf("sinusoid at %v Hz: d log BP / d f0 = %v by the chain rule, %v by finite differences", c.f0, dfreq, num)
		}
	}
}
