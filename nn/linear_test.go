package nn

import (
	"math/rand/v2"
	"testing"
)

func TestLinearGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bias := range []bool{true, false} {
		l, err := NewLinear[float64](LinearConfig{In: 5, Out: 3, NoBias: !bias, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		for _, shape := range [][]int{{4, 5}, {2, 3, 5}, {5}} {
			x := randTensor(rng, 1, shape...)
			in := []*tensor{x, l.Weight}
			if bias {
				in = append(in, l.Bias)
			}
			gradCheck(t, "Linear", func(tp *tape, _ []*tensor) *tensor { return l.Forward(tp, x) }, in...)
		}
	}
}

func TestLinearForwardMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	l, _ := NewLinear[float64](LinearConfig{In: 7, Out: 4, Init: PyTorchUniform, Seed: 9})
	x := randTensor(rng, 1, 3, 7)
	y := l.Forward(nil, x)
	for r := 0; r < 3; r++ {
		for o := 0; o < 4; o++ {
			s := l.Bias.Data[o]
			for i := 0; i < 7; i++ {
				s += x.Data[r*7+i] * l.Weight.Data[o*7+i]
			}
			if d := s - y.Data[r*4+o]; d > 1e-12 || d < -1e-12 {
				t.Fatalf("y[%d,%d] = %v, loop %v", r, o, y.Data[r*4+o], s)
			}
		}
	}
	if _, err := NewLinear[float32](LinearConfig{In: 0, Out: 3}); err == nil {
		t.Fatal("NewLinear accepted in=0")
	}
}

func TestActivationGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := randTensor(rng, 1.5, 3, 4)
	for i := range x.Data { // keep away from the kinks of ReLU and SELU
		if x.Data[i] > -0.05 && x.Data[i] < 0.05 {
			x.Data[i] += 0.2
		}
	}
	for name, l := range map[string]Layer[float64]{"tanh": Tanh[float64]{}, "sigmoid": Sigmoid[float64]{}, "relu": ReLU[float64]{}, "selu": SELU[float64]{}} {
		gradCheck(t, name, func(tp *tape, _ []*tensor) *tensor { return l.Forward(tp, x) }, x)
	}
	// SELU's values: λx for x > 0, λα(e^x-1) below.
	y := Selu[float64](nil, x)
	for i, v := range x.Data {
		want := seluScale * v
		if v <= 0 {
			want = seluScale * seluAlpha * (expm1(v))
		}
		if d := y.Data[i] - want; d > 1e-12 || d < -1e-12 {
			t.Fatalf("selu(%v) = %v, want %v", v, y.Data[i], want)
		}
	}
}

func TestDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x := randTensor(rng, 1, 200, 50)
	d, err := NewDropout[float64](0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	y := d.Forward(nil, x)
	zeros := 0
	for i, v := range y.Data {
		switch {
		case v == 0:
			zeros++
		case abs(v-x.Data[i]/0.7) > 1e-12:
			t.Fatalf("kept element %v scaled to %v", x.Data[i], v)
		}
	}
	if frac := float64(zeros) / float64(x.Len()); frac < 0.28 || frac > 0.32 {
		t.Fatalf("dropped fraction %v, want about 0.3", frac)
	}
	if _, err := NewDropout[float64](1, 1); err == nil {
		t.Fatal("dropout probability 1 accepted")
	}
	d.Training = false
	if d.Forward(nil, x) != x {
		t.Fatal("dropout in evaluation mode is not the identity")
	}
	small := randTensor(rng, 1, 3, 4)
	gradCheck(t, "dropout", func(tp *tape, _ []*tensor) *tensor {
		return newDropout[float64](0.5, 7).Forward(tp, small) // same mask every call
	}, small)
}

func TestSequentialParams(t *testing.T) {
	a, _ := NewLinear[float32](LinearConfig{In: 2, Out: 3})
	b, _ := NewLinear[float32](LinearConfig{In: 3, Out: 1, NoBias: true})
	s := Sequential[float32]{a, Tanh[float32]{}, b}
	ps := s.Params()
	names := []string{"0.weight", "0.bias", "2.weight"}
	if len(ps) != len(names) {
		t.Fatalf("got %d params", len(ps))
	}
	for i, p := range ps {
		if p.Name != names[i] {
			t.Fatalf("param %d named %q, want %q", i, p.Name, names[i])
		}
	}
	reg := NewRegistry[float32]()
	if err := reg.Add("head", s); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add("head", s); err == nil {
		t.Fatal("duplicate names accepted")
	}
	if reg.Get("head.2.weight") != b.Weight || reg.NumElements() != 6+3+3 {
		t.Fatal("registry lookup or count wrong")
	}
}
