package spectral

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestWindowValues(t *testing.T) {
	for _, c := range []struct {
		w        Window
		n        int
		periodic bool
		want     []float64
	}{
		{Hann(), 5, false, []float64{0, 0.5, 1, 0.5, 0}},
		{Hann(), 4, true, []float64{0, 0.5, 1, 0.5}},
		{Hamming(), 3, false, []float64{0.08, 1, 0.08}},
		{Blackman(), 3, false, []float64{0, 1, 0}},
		{Boxcar(), 3, true, []float64{1, 1, 1}},
		{Tukey(1), 5, false, []float64{0, 0.5, 1, 0.5, 0}},
		{Tukey(0.5), 5, false, []float64{0, 1, 1, 1, 0}},
		{Hann(), 1, true, []float64{1}},
	} {
		got, err := WindowValues(nil, c.w, c.n, c.periodic)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > 1e-15 {
				t.Errorf("%v n %d periodic %v: %v, want %v", c.w, c.n, c.periodic, got, c.want)
				break
			}
		}
	}
}

func TestNPerSegForResolution(t *testing.T) {
	for _, c := range []struct {
		fs, df float64
		want   int
	}{{2000, 1, 2000}, {40000, 2, 20000}, {2000, 3, 667}, {1000, 0.3, 3334}, {100, 1000, 1}} {
		got, err := NPerSegForResolution(c.fs, c.df)
		if err != nil || got != c.want {
			t.Errorf("NPerSegForResolution(%v, %v) = %d, %v; want %d", c.fs, c.df, got, err, c.want)
		}
		if c.fs/float64(got) > c.df*(1+1e-12) {
			t.Errorf("fs %v nperseg %d gives %v Hz bins, coarser than %v", c.fs, got, c.fs/float64(got), c.df)
		}
	}
	for n, want := range map[int]int{1: 1, 7: 8, 11: 12, 257: 270, 2000: 2000, 2001: 2025} {
		if got := NextFastLength(n); got != want {
			t.Errorf("NextFastLength(%d) = %d, want %d", n, got, want)
		}
	}
}

// Parseval: a boxcar periodogram without detrending integrates (two-sided bin sum
// times the bin width) to the mean square of the signal.
func TestPeriodogramParseval(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{64, 99, 1000} {
		x := randomSignal(rng, n)
		var ms float64
		for _, v := range x {
			ms += v * v
		}
		ms /= float64(n)
		s, err := Periodogram(x, 250, PeriodogramOptions{Detrend: DetrendNone, TwoSided: true})
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, v := range s.Power {
			sum += v
		}
		if got := sum * s.Params.Resolution(); math.Abs(got-ms) > 1e-12*ms {
			t.Errorf("n %d: Σ P df = %v, mean square %v", n, got, ms)
		}
	}
}

// Rows of a batch are computed independently: the batched (parallel) PSD and VJP
// equal the row-by-row results bit for bit.
func TestBatchEqualsRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n, batch = 2000, 40 // enough work for parallelRows to split the batch
	x := make([]float64, 0, n*batch)
	for b := 0; b < batch; b++ {
		x = append(x, randomSignal(rng, n)...)
	}
	for _, opt := range []WelchOptions{{NPerSeg: 512}, {NPerSeg: 300, Average: AverageMedian, TwoSided: true}} {
		all, err := WelchBatch(x, batch, 2000, opt)
		if err != nil {
			t.Fatal(err)
		}
		pl, _ := NewWelch(n, 2000, opt)
		g := make([]float64, len(all.Power))
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		dx, _ := pl.VJP(nil, x, g)
		nf := len(all.Freqs)
		for b := 0; b < batch; b++ {
			one, _ := Welch(x[b*n:(b+1)*n], 2000, opt)
			for k, v := range one.Power {
				if all.Row(b)[k] != v {
					t.Fatalf("%+v row %d bin %d: batch %v, single %v", opt, b, k, all.Row(b)[k], v)
				}
			}
			dxb, _ := pl.VJP(nil, x[b*n:(b+1)*n], g[b*nf:(b+1)*nf])
			for i, v := range dxb {
				if dx[b*n+i] != v {
					t.Fatalf("%+v row %d sample %d: batch VJP %v, single %v", opt, b, i, dx[b*n+i], v)
				}
			}
		}
	}
}

func TestBandWeightsAndEdges(t *testing.T) {
	freqs := []float64{0, 0.5, 1, 1.5, 2, 2.5, 3}
	psd := []float64{1, 2, 3, 4, 5, 6, 7}
	// [1, 2] holds bins 1, 1.5, 2: trapezoid 0.5*(3+4)/2 + 0.5*(4+5)/2 = 4.
	got, err := BandPower(freqs, psd, 1, 2)
	if err != nil || math.Abs(got-4) > 1e-15 {
		t.Errorf("BandPower = %v, %v; want 4", got, err)
	}
	// [0.9, 2.2] holds the same bins: no interpolation at the edges.
	if got2, _ := BandPower(freqs, psd, 0.9, 2.2); got2 != got {
		t.Errorf("BandPower [0.9, 2.2] = %v, want %v (same bins)", got2, got)
	}
	// Relative: total = 0.5*(1/2 + 2+3+4+5+6 + 7/2) = 12.
	if r, _ := RelativeBandPower(freqs, psd, 1, 2); math.Abs(r-4.0/12) > 1e-15 {
		t.Errorf("RelativeBandPower = %v, want 1/3", r)
	}
	// A grid edge that is off by rounding still counts.
	f2 := []float64{0, 0.1, 0.2, 0.30000000000000004}
	b, err := NewBand(f2, 0.1, 0.3, Trapezoid)
	if err != nil || b.First != 1 || b.Last != 3 {
		t.Errorf("band [0.1, 0.3] on %v: %+v %v, want bins 1..3", f2, b, err)
	}
	bs, _ := NewBand(freqs, 1, 2, BinSum)
	var out [1]float64
	bs.Power(out[:], psd)
	if out[0] != 12 {
		t.Errorf("bin sum = %v, want 12", out[0])
	}
	// Odd NFFT: the highest bin lies below fs/2, and the plan accepts hi = fs/2.
	pl, _ := NewWelch(100, 100, WelchOptions{NPerSeg: 25})
	if _, err := pl.Band(10, 50, Trapezoid); err != nil {
		t.Errorf("odd-NFFT plan rejected [10, fs/2]: %v", err)
	}
}

func TestSpectrogramRowsAreWelchSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randomSignal(rng, 1000)
	sg, err := Spectrogram(x, 500, SpectrogramOptions{Window: Hann(), NPerSeg: 100, NOverlap: 50})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := Welch(x, 500, WelchOptions{NPerSeg: 100, NOverlap: 50})
	nt := len(sg.Times)
	for k := range w.Freqs {
		var mean float64
		for s := 0; s < nt; s++ {
			mean += sg.Power[k*nt+s]
		}
		mean /= float64(nt)
		if math.Abs(mean-w.Power[k]) > 1e-12*math.Abs(w.Power[k]) {
			t.Fatalf("bin %d: mean of spectrogram %v, Welch %v", k, mean, w.Power[k])
		}
	}
}

// At 40 kHz the default nperseg of 256 gives 156 Hz bins: no band power in
// 15-60 Hz is possible, and the resolution helper fixes that.
func TestDefaultNPerSegAt40kHz(t *testing.T) {
	const fs = 40000.0
	pl, err := NewWelch(40000, fs, WelchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Band(15, 60, Trapezoid); err == nil {
		t.Error("15-60 Hz band on 156 Hz bins did not fail")
	}
	nper, _ := NPerSegForResolution(fs, 5)
	pl, err = NewWelch(40000, fs, WelchOptions{NPerSeg: nper})
	if err != nil {
		t.Fatal(err)
	}
	b, err := pl.Band(15, 60, Trapezoid)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Last - b.First + 1; got != 10 { // 15, 20, ..., 60 Hz
		t.Errorf("15-60 Hz at 5 Hz resolution holds %d bins, want 10", got)
	}
}
