package spectral

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestSmootherMatchesHNNCore compares Smoother with hnn-core's smoothing as
// numpy computes it (testdata/smooth/make_golden.py), windows odd, even, of
// one sample, rounded half to even (2.5 ms at 1 kHz: 2 samples) and as long
// as the signal.
func TestSmootherMatchesHNNCore(t *testing.T) {
	b, err := os.ReadFile("testdata/smooth/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		X     []float64
		Cases []struct {
			WindowMS float64 `json:"window_ms"`
			FS       float64
			Winsz    int
			Y        []float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 5 {
		t.Fatalf("%d golden cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		s, err := NewSmoother(len(g.X), c.WindowMS, c.FS)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Window) != c.Winsz {
			t.Errorf("%v ms at %v Hz: %d samples, numpy %d", c.WindowMS, c.FS, len(s.Window), c.Winsz)
			continue
		}
		y, err := s.Apply(nil, g.X)
		if err != nil {
			t.Fatal(err)
		}
		for i := range y {
			if math.Abs(y[i]-c.Y[i]) > 1e-13*(1+math.Abs(c.Y[i])) {
				t.Errorf("%v ms at %v Hz: y[%d] = %v, numpy %v", c.WindowMS, c.FS, i, y[i], c.Y[i])
				break
			}
		}
	}
}

func TestSmootherErrors(t *testing.T) {
	for _, c := range []struct {
		n      int
		ms, fs float64
		msg    string
	}{
		{100, 0.5, 1000, "at least 1 ms"},
		{100, math.NaN(), 1000, "at least 1 ms"},
		{100, 20, 0, "sampling frequency"},
		{10, 20, 1000, "longer than the signal"},
		{0, 20, 1000, "0 samples"},
	} {
		if _, err := NewSmoother(c.n, c.ms, c.fs); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("n %d, %v ms, %v Hz: error %v, want %q", c.n, c.ms, c.fs, err, c.msg)
		}
	}
	s, _ := NewSmoother(20, 5, 1000)
	if _, err := s.Apply(nil, make([]float64, 30)); err == nil {
		t.Error("30 samples in signals of 20 accepted")
	}
	tp := autograd.NewTape[float64]()
	if _, err := SmoothOp(tp, s, autograd.Zeros[float64](2, 21)); err == nil {
		t.Error("SmoothOp accepted [2, 21] for signals of 20")
	}
}

func TestSmoothOpGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		n  int
		ms float64
	}{{31, 6}, {31, 5}, {12, 12}, {9, 1}} {
		s, err := NewSmoother(c.n, c.ms, 1000)
		if err != nil {
			t.Fatal(err)
		}
		x := append(randomSignal(rng, c.n), randomSignal(rng, c.n)...)
		w := randomSignal(rng, 2*c.n) // a loss Σ w·smooth(x)² sees every output
		wt := autograd.MustNew(w, 2, c.n)
		gradCheck(t, "smooth", 1e-5, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			y, err := SmoothOp(tp, s, x)
			if err != nil {
				return nil, err
			}
			return tp.Sum(tp.Mul(wt, tp.Mul(y, y))), nil
		})
	}
}
