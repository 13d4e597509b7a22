package spectral

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// goldenTol is the relative agreement required with scipy in float64.
const goldenTol = 1e-10

type goldenFile struct {
	Scipy         string                  `json:"scipy"`
	Signals       map[string]goldenSignal `json:"signals"`
	CustomWindows map[string][]float64    `json:"custom_windows"`
	Cases         []goldenCase            `json:"cases"`
}

type goldenSignal struct {
	FS   float64 `json:"fs"`
	N    int     `json:"n"`
	File string  `json:"file"`
}

type goldenCase struct {
	Name   string                     `json:"name"`
	Signal string                     `json:"signal"`
	FS     float64                    `json:"fs"`
	Func   string                     `json:"func"`
	Kwargs map[string]json.RawMessage `json:"kwargs"`
	Warned bool                       `json:"warned"`
	Freqs  []float64                  `json:"freqs"`
	Times  []float64                  `json:"times"`
	Shape  []int                      `json:"shape"`
	PSD    []float64                  `json:"psd"`
	Bands  [][4]float64               `json:"bands"` // lo, hi, np.trapz band power, ratio to the total
}

func loadGolden(t testing.TB) (*goldenFile, map[string][]float64) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "spectral")
	raw, err := os.ReadFile(filepath.Join(dir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	sig := make(map[string][]float64)
	for name, s := range g.Signals {
		b, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 8*s.N {
			t.Fatalf("%s: %d bytes, want %d", s.File, len(b), 8*s.N)
		}
		x := make([]float64, s.N)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		sig[name] = x
	}
	return &g, sig
}

// goldenKwargs is the union of the scipy keyword arguments used by gen_golden.py.
type goldenKwargs struct {
	NPerSeg, NOverlap, NFFT int
	HasNOverlap             bool
	Window                  Window
	Detrend                 Detrend
	Scaling                 Scaling
	Average                 Average
	TwoSided                bool
}

func parseKwargs(c goldenCase, custom map[string][]float64) (goldenKwargs, error) {
	var k goldenKwargs
	for key, v := range c.Kwargs {
		var err error
		switch key {
		case "nperseg":
			err = json.Unmarshal(v, &k.NPerSeg)
		case "nfft":
			err = json.Unmarshal(v, &k.NFFT)
		case "noverlap":
			k.HasNOverlap = true
			err = json.Unmarshal(v, &k.NOverlap)
			if k.NOverlap == 0 {
				k.NOverlap = NoOverlap
			}
		case "return_onesided":
			var b bool
			err = json.Unmarshal(v, &b)
			k.TwoSided = !b
		case "scaling":
			var s string
			err = json.Unmarshal(v, &s)
			if s == "spectrum" {
				k.Scaling = ScalingSpectrum
			}
		case "average":
			var s string
			err = json.Unmarshal(v, &s)
			if s == "median" {
				k.Average = AverageMedian
			}
		case "detrend":
			var s any
			err = json.Unmarshal(v, &s)
			switch s {
			case false:
				k.Detrend = DetrendNone
			case "linear":
				k.Detrend = DetrendLinear
			case "constant":
				k.Detrend = DetrendConstant
			default:
				err = fmt.Errorf("detrend %v", s)
			}
		case "window":
			var s any
			err = json.Unmarshal(v, &s)
			switch w := s.(type) {
			case string:
				switch w {
				case "hann":
					k.Window = Hann()
				case "hamming":
					k.Window = Hamming()
				case "blackman":
					k.Window = Blackman()
				case "boxcar":
					k.Window = Boxcar()
				default:
					vals, ok := custom[w]
					if !ok {
						err = fmt.Errorf("window %q", w)
					}
					k.Window = Custom(vals)
				}
			case []any:
				if len(w) == 2 && w[0] == "tukey" {
					k.Window = Tukey(w[1].(float64))
				} else {
					err = fmt.Errorf("window %v", w)
				}
			}
		default:
			err = fmt.Errorf("unknown kwarg %q", key)
		}
		if err != nil {
			return k, fmt.Errorf("%s: %v", c.Name, err)
		}
	}
	return k, nil
}

// compareRel returns the worst relative difference |got-want|/|want| over bins
// whose scipy value is above floor*max|want|, and the worst absolute difference
// relative to max|want| over the rest (bins that are round-off in scipy, such as
// the DC bin of a boxcar-windowed, mean-removed segment).
func compareRel(got, want []float64, floor float64) (worstRel, worstTiny float64, at int) {
	var peak float64
	for _, w := range want {
		peak = math.Max(peak, math.Abs(w))
	}
	for i, w := range want {
		d := math.Abs(got[i] - w)
		if math.Abs(w) > floor*peak {
			if r := d / math.Abs(w); r > worstRel {
				worstRel, at = r, i
			}
		} else if peak > 0 {
			worstTiny = math.Max(worstTiny, d/peak)
		}
	}
	return worstRel, worstTiny, at
}

func TestGoldenScipy(t *testing.T) {
	g, signals := loadGolden(t)
	if len(g.Cases) < 50 {
		t.Fatalf("golden file has only %d cases", len(g.Cases))
	}
	var worst, worstTiny, worstBand float64
	var worstCase string
	var nTiny, nBins, nBands int
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			kw, err := parseKwargs(c, g.CustomWindows)
			if err != nil {
				t.Fatal(err)
			}
			x := signals[c.Signal]
			var freqs, times, power []float64
			var p Params
			switch c.Func {
			case "welch":
				s, err := Welch(x, c.FS, WelchOptions{Window: kw.Window, NPerSeg: kw.NPerSeg,
					NOverlap: kw.NOverlap, NFFT: kw.NFFT, Detrend: kw.Detrend, Scaling: kw.Scaling,
					TwoSided: kw.TwoSided, Average: kw.Average})
				if err != nil {
					t.Fatal(err)
				}
				freqs, power, p = s.Freqs, s.Power, s.Params
			case "periodogram":
				s, err := Periodogram(x, c.FS, PeriodogramOptions{Window: kw.Window, NFFT: kw.NFFT,
					Detrend: kw.Detrend, Scaling: kw.Scaling, TwoSided: kw.TwoSided})
				if err != nil {
					t.Fatal(err)
				}
				freqs, power, p = s.Freqs, s.Power, s.Params
			case "spectrogram":
				s, err := Spectrogram(x, c.FS, SpectrogramOptions{Window: kw.Window, NPerSeg: kw.NPerSeg,
					NOverlap: kw.NOverlap, NFFT: kw.NFFT, Detrend: kw.Detrend, Scaling: kw.Scaling,
					TwoSided: kw.TwoSided})
				if err != nil {
					t.Fatal(err)
				}
				freqs, times, power, p = s.Freqs, s.Times, s.Power, s.Params
				if len(c.Shape) != 2 || c.Shape[0] != len(freqs) || c.Shape[1] != len(times) {
					t.Fatalf("shape %d x %d, scipy %v", len(freqs), len(times), c.Shape)
				}
			default:
				t.Fatalf("unknown func %q", c.Func)
			}
			if p.NPerSegShortened != c.Warned {
				t.Errorf("NPerSegShortened = %v, scipy warned = %v", p.NPerSegShortened, c.Warned)
			}
			if len(freqs) != len(c.Freqs) || len(power) != len(c.PSD) || len(times) != len(c.Times) {
				t.Fatalf("lengths freqs %d power %d times %d, scipy %d %d %d",
					len(freqs), len(power), len(times), len(c.Freqs), len(c.PSD), len(c.Times))
			}
			if r, _, i := compareRel(freqs, c.Freqs, 0); r > 1e-14 {
				t.Errorf("freqs[%d] = %v, scipy %v", i, freqs[i], c.Freqs[i])
			}
			if r, _, i := compareRel(times, c.Times, 0); r > 1e-14 {
				t.Errorf("times[%d] = %v, scipy %v", i, times[i], c.Times[i])
			}
			rel, tiny, i := compareRel(power, c.PSD, 1e-12)
			if rel > goldenTol {
				t.Errorf("PSD[%d] = %.17g, scipy %.17g: relative error %.3g > %g", i, power[i], c.PSD[i], rel, goldenTol)
			}
			if tiny > 1e-20 {
				t.Errorf("round-off-level bins differ by %.3g of the peak", tiny)
			}
			peak := maxAbs(c.PSD)
			for _, w := range c.PSD {
				nBins++
				if math.Abs(w) <= 1e-12*peak {
					nTiny++
				}
			}
			worstTiny = math.Max(worstTiny, tiny)
			spec := &Spectrum{Freqs: freqs, Power: power, Batch: 1, Params: p}
			for _, bd := range c.Bands {
				bps, err := spec.BandPower(bd[0], bd[1])
				if err != nil {
					t.Errorf("band [%v, %v]: %v", bd[0], bd[1], err)
					continue
				}
				rbps, _ := spec.RelativeBandPower(bd[0], bd[1])
				bp, rbp := bps[0], rbps[0]
				worstBand = math.Max(worstBand, math.Abs(bp-bd[2])/math.Abs(bd[2]))
				worstBand = math.Max(worstBand, math.Abs(rbp-bd[3])/math.Abs(bd[3]))
				if d := math.Abs(bp-bd[2]) / math.Abs(bd[2]); d > goldenTol {
					t.Errorf("band [%v, %v] power %.17g, np.trapz %.17g (relative error %.3g)", bd[0], bd[1], bp, bd[2], d)
				}
				if d := math.Abs(rbp-bd[3]) / math.Abs(bd[3]); d > goldenTol {
					t.Errorf("band [%v, %v] relative power %.17g, scipy %.17g (relative error %.3g)", bd[0], bd[1], rbp, bd[3], d)
				}
				nBands++
			}
			if rel > worst {
				worst, worstCase = rel, c.Name
			}
		})
	}
	t.Logf("%d cases, %d bins vs scipy %s: worst relative error %.3g (%s); %d round-off bins within %.3g of the peak; %d band powers, worst relative error %.3g",
		len(g.Cases), nBins, g.Scipy, worst, worstCase, nTiny, worstTiny, nBands, worstBand)
	if nBands < 100 {
		t.Errorf("only %d band powers checked", nBands)
	}
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
