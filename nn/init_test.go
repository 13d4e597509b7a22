package nn

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// TestInitSchemes checks each scheme's bound and variance (uniform on [-a, a]
// has variance a²/3) on a large draw, and that seeds make draws reproducible.
func TestInitSchemes(t *testing.T) {
	const fanIn, fanOut = 200, 100
	want := map[Init]float64{ // variance
		GlorotUniform:  2.0 / (fanIn + fanOut),
		HeUniform:      2.0 / fanIn,
		LeCunUniform:   1.0 / fanIn,
		PyTorchUniform: 1.0 / (3 * fanIn),
	}
	for scheme, v := range want {
		w := autograd.Zeros[float64](fanOut, fanIn)
		InitWeights(newRNG(1), w, scheme, fanIn, fanOut)
		a := math.Sqrt(3 * v)
		var s float64
		for _, x := range w.Data {
			if math.Abs(x) > a {
				t.Fatalf("%v: %v outside ±%v", scheme, x, a)
			}
			s += x * x
		}
		if got := s / float64(w.Len()); math.Abs(got-v) > 0.05*v {
			t.Fatalf("%v: variance %v, want %v", scheme, got, v)
		}
	}
	a, _ := NewLinear[float32](LinearConfig{In: 5, Out: 4, Seed: 9})
	b, _ := NewLinear[float32](LinearConfig{In: 5, Out: 4, Seed: 9})
	c, _ := NewLinear[float32](LinearConfig{In: 5, Out: 4, Seed: 10})
	if maxAbsDiff(a.Weight.Data, b.Weight.Data) != 0 || maxAbsDiff(a.Weight.Data, c.Weight.Data) == 0 {
		t.Fatal("initialization is not determined by the seed")
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := NewConv1d[float32](Conv1dConfig{In: 2, Out: 3, Kernel: 0}); err == nil {
		t.Error("kernel 0 accepted")
	}
	if _, err := NewConv1d[float32](Conv1dConfig{In: 2, Out: 3, Kernel: 3, Dilation: -1}); err == nil {
		t.Error("negative dilation accepted")
	}
	if _, err := NewLSTM[float32](LSTMConfig{In: 2, Hidden: 0, Layers: 1}); err == nil {
		t.Error("hidden 0 accepted")
	}
	if _, err := NewLSTM[float32](LSTMConfig{In: 2, Hidden: 3, Layers: 2, Dropout: 1}); err == nil {
		t.Error("dropout 1 accepted")
	}
	reg := NewRegistry[float32]()
	if err := reg.AddTensor("a b", autograd.Zeros[float32](1)); err == nil {
		t.Error("name with a space accepted")
	}
	if err := reg.AddTensor("x", nil); err == nil {
		t.Error("nil tensor accepted")
	}
}
