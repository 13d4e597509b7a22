package spectral

import (
	"math"
	"strings"
	"testing"
)

func TestBadInputErrors(t *testing.T) {
	x := make([]float64, 1000)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	nan := append([]float64(nil), x...)
	nan[123] = math.NaN()
	inf := append([]float64(nil), x...)
	inf[5] = math.Inf(-1)
	welch := func(x []float64, fs float64, o WelchOptions) func() error {
		return func() error { _, err := Welch(x, fs, o); return err }
	}
	s, err := Welch(x, 100, WelchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want string
		f          func() error
	}{
		{"empty signal", "empty signal", welch(nil, 100, WelchOptions{})},
		{"fs zero", "fs = 0", welch(x, 0, WelchOptions{})},
		{"fs negative", "fs = -5", welch(x, -5, WelchOptions{})},
		{"fs NaN", "fs = NaN", welch(x, math.NaN(), WelchOptions{})},
		{"nperseg negative", "nperseg -3 < 1", welch(x, 100, WelchOptions{NPerSeg: -3})},
		{"noverlap equal", "noverlap 64 must be less than nperseg 64", welch(x, 100, WelchOptions{NPerSeg: 64, NOverlap: 64})},
		{"noverlap larger", "noverlap 100 must be less than nperseg 64", welch(x, 100, WelchOptions{NPerSeg: 64, NOverlap: 100})},
		{"noverlap negative", "noverlap -7 < 0", welch(x, 100, WelchOptions{NOverlap: -7})},
		{"nfft short", "nfft 100 < nperseg 128", welch(x, 100, WelchOptions{NPerSeg: 128, NFFT: 100})},
		{"NaN", "signal 0 has NaN at sample 123", welch(nan, 100, WelchOptions{})},
		{"Inf", "has -Inf at sample 5", welch(inf, 100, WelchOptions{})},
		{"tukey alpha", "alpha 1.5 outside [0, 1]", welch(x, 100, WelchOptions{Window: Tukey(1.5)})},
		{"custom window too long", "longer than the signal", welch(x[:10], 100, WelchOptions{Window: Custom(make([]float64, 11))})},
		{"custom window mismatch", "differs from the custom window's length", welch(x, 100, WelchOptions{NPerSeg: 5, Window: Custom([]float64{1, 1, 1})})},
		{"zero window", "sums to zero", welch(x, 100, WelchOptions{Window: Custom([]float64{0, 0, 0})})},
		{"unknown detrend", "unknown detrend", welch(x, 100, WelchOptions{Detrend: 9})},
		{"batch split", "do not split into 3", func() error { _, err := WelchBatch(x, 3, 100, WelchOptions{}); return err }},
		{"band above nyquist", "inside [0, 50] Hz", func() error { _, err := s.BandPower(10, 60); return err }},
		{"band negative", "inside [0, 50] Hz", func() error { _, err := s.BandPower(-1, 10); return err }},
		{"band inverted", "not a non-empty interval", func() error { _, err := s.BandPower(20, 10); return err }},
		{"band without bins", "holds 0 bins", func() error { _, err := s.BandPower(10.2, 10.3); return err }},
		{"band of one bin", "holds 1 bins", func() error { _, err := s.BandPower(10.1, 10.2); return err }},
		{"free band above grid", "inside [0, 50] Hz", func() error { _, err := BandPower(s.Freqs, s.Power, 0, 51); return err }},
		{"free band length", "129 values for 2 frequencies", func() error { _, err := BandPower(s.Freqs[:2], s.Power, 0, 1); return err }},
		{"periodogram empty", "empty signal", func() error { _, err := Periodogram(nil, 100, PeriodogramOptions{}); return err }},
		{"spectrogram NaN", "NaN at sample 123", func() error { _, err := Spectrogram(nan, 100, SpectrogramOptions{}); return err }},
		{"resolution", "resolution 0 Hz", func() error { _, err := NPerSegForResolution(100, 0); return err }},
	} {
		err := c.f()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	// Plan methods reject wrong lengths instead of panicking.
	pl, _ := NewWelch(1000, 100, WelchOptions{})
	if _, err := pl.PSD(nil, x[:999]); err == nil {
		t.Error("PSD accepted 999 samples for a 1000-sample plan")
	}
	if _, err := pl.PSD(make([]float64, 3), x); err == nil {
		t.Error("PSD accepted a destination of the wrong length")
	}
	if _, err := pl.VJP(nil, x, make([]float64, 3)); err == nil {
		t.Error("VJP accepted a gradient of the wrong length")
	}
}

func TestNPerSegShortenedIsReported(t *testing.T) {
	s, err := Welch(make([]float64, 100), 1000, WelchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Params
	if !p.NPerSegShortened || p.NPerSeg != 100 || p.RequestedNPerSeg != 256 || p.NOverlap != 50 || p.NSegments != 1 {
		t.Errorf("params %+v, want nperseg shortened from 256 to 100, noverlap 50, 1 segment", p)
	}
	s, _ = Welch(make([]float64, 300), 1000, WelchOptions{})
	if s.Params.NPerSegShortened || s.Params.NPerSeg != 256 {
		t.Errorf("params %+v, want default nperseg 256 not shortened", s.Params)
	}
}
