package spectral

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestResamplerMatchesScipy compares Resampler with scipy.signal.resample
// (testdata/resample/make_golden.py): down and up, even and odd lengths on
// both sides, equal lengths, to one sample and from one.
func TestResamplerMatchesScipy(t *testing.T) {
	b, err := os.ReadFile("testdata/resample/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			In, Out int
			X, Y    []float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 10 {
		t.Fatalf("%d golden cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		r, err := NewResampler(c.In, c.Out)
		if err != nil {
			t.Fatal(err)
		}
		y, err := r.Apply(nil, c.X)
		if err != nil {
			t.Fatal(err)
		}
		for i := range y {
			if math.Abs(y[i]-c.Y[i]) > 1e-12*(1+math.Abs(c.Y[i])) {
				t.Errorf("%d -> %d: y[%d] = %v, scipy %v", c.In, c.Out, i, y[i], c.Y[i])
				break
			}
		}
	}
	if _, err := NewResampler(0, 3); err == nil {
		t.Error("resampling 0 samples accepted")
	}
	if _, err := NewResampler(1<<20, 1<<20); err == nil {
		t.Error("a 2^40-entry resampler accepted")
	}
}

func TestResampleOpGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, c := range [][2]int{{30, 13}, {13, 30}, {14, 14}} {
		r, err := NewResampler(c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		x := append(randomSignal(rng, c[0]), randomSignal(rng, c[0])...)
		w := autograd.MustNew(randomSignal(rng, 2*c[1]), 2, c[1])
		gradCheck(t, "resample", 1e-5, x, 2, func(tp *autograd.Tape[float64], x *autograd.Tensor[float64]) (*autograd.Tensor[float64], error) {
			y, err := ResampleOp(tp, r, x)
			if err != nil {
				return nil, err
			}
			return tp.Sum(tp.Mul(w, tp.Mul(y, y))), nil
		})
	}
}
