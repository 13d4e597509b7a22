package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// refLSTM is an independent scalar-loop LSTM with PyTorch's equations and
// layouts: per layer weight_ih [4H, in], weight_hh [4H, H], bias_ih + bias_hh,
// gate order i, f, g, o. x is [batch][time][in]; h0, c0 are [layer][batch][H].
// It returns the top layer's outputs [batch][time][H] and the final states.
func refLSTM(wih, whh [][][]float64, bias [][]float64, x [][][]float64, h0, c0 [][][]float64) (out [][][]float64, hT, cT [][][]float64) {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	layers := len(wih)
	hid := len(whh[0][0])
	batch, steps := len(x), len(x[0])
	hT, cT = make([][][]float64, layers), make([][][]float64, layers)
	in := x
	for l := 0; l < layers; l++ {
		out = make([][][]float64, batch)
		hT[l], cT[l] = make([][]float64, batch), make([][]float64, batch)
		for b := 0; b < batch; b++ {
			h := append([]float64(nil), h0[l][b]...)
			c := append([]float64(nil), c0[l][b]...)
			for t := 0; t < steps; t++ {
				z := make([]float64, 4*hid)
				for r := 0; r < 4*hid; r++ {
					s := bias[l][r]
					for i, v := range in[b][t] {
						s += wih[l][r][i] * v
					}
					for j, v := range h {
						s += whh[l][r][j] * v
					}
					z[r] = s
				}
				nh := make([]float64, hid)
				for j := 0; j < hid; j++ {
					ig, fg, gg, og := sig(z[j]), sig(z[hid+j]), math.Tanh(z[2*hid+j]), sig(z[3*hid+j])
					c[j] = fg*c[j] + ig*gg
					nh[j] = og * math.Tanh(c[j])
				}
				h = nh
				out[b] = append(out[b], h)
			}
			hT[l][b], cT[l][b] = h, c
		}
		in = out
	}
	return out, hT, cT
}

// torchWeights returns the LSTM's parameters in PyTorch's layouts.
func torchWeights(l *LSTM[float64]) (wih, whh [][][]float64, bias [][]float64) {
	h := l.Hidden
	for _, ly := range l.Layers {
		a := make([][]float64, 4*h)
		r := make([][]float64, 4*h)
		for o := 0; o < 4*h; o++ {
			for i := 0; i < ly.In; i++ {
				a[o] = append(a[o], ly.WIH.Data[i*4*h+o])
			}
			for j := 0; j < h; j++ {
				r[o] = append(r[o], ly.WHH.Data[j*4*h+o])
			}
		}
		wih, whh, bias = append(wih, a), append(whh, r), append(bias, ly.B.Data)
	}
	return
}

func nested3(t *tensor) [][][]float64 {
	a, b, c := t.Dim(0), t.Dim(1), t.Dim(2)
	out := make([][][]float64, a)
	for i := range out {
		out[i] = make([][]float64, b)
		for j := range out[i] {
			out[i][j] = t.Data[(i*b+j)*c : (i*b+j+1)*c]
		}
	}
	return out
}

func nestedState(ts []*tensor) [][][]float64 {
	out := make([][][]float64, len(ts))
	for l, t := range ts {
		for b := 0; b < t.Dim(0); b++ {
			out[l] = append(out[l], t.Data[b*t.Dim(1):(b+1)*t.Dim(1)])
		}
	}
	return out
}

// randomState returns a state with random h and c in fresh heap tensors.
func randomState(rng *rand.Rand, l *LSTM[float64], batch int) (*LSTMState[float64], []*tensor) {
	s := l.NewState(batch)
	var ts []*tensor
	for k := range s.H {
		s.H[k] = randTensor(rng, 0.5, batch, l.Hidden)
		s.C[k] = randTensor(rng, 0.5, batch, l.Hidden)
		ts = append(ts, s.H[k], s.C[k])
	}
	return s, ts
}

// TestLSTMMatchesReference compares sequence and step mode with the scalar
// reference on random weights, inputs and initial states.
func TestLSTMMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct{ in, hid, layers, batch, steps int }{{3, 4, 1, 2, 5}, {5, 3, 3, 3, 7}, {1, 6, 2, 1, 4}} {
		l, err := NewLSTM[float64](LSTMConfig{In: c.in, Hidden: c.hid, Layers: c.layers, Seed: uint64(c.in)})
		if err != nil {
			t.Fatal(err)
		}
		x := randTensor(rng, 1, c.batch, c.steps, c.in)
		s, _ := randomState(rng, l, c.batch)
		h0, c0 := nestedState(s.H), nestedState(s.C)
		wih, whh, bias := torchWeights(l)
		want, wantH, wantC := refLSTM(wih, whh, bias, nested3(x), h0, c0)

		s2 := l.NewState(c.batch)
		copy(s2.H, s.H)
		copy(s2.C, s.C)
		y := l.Forward(autograd.NewTape[float64](), x, s)
		got := nested3(y)
		for b := range want {
			for tt := range want[b] {
				if d := maxAbsDiff(got[b][tt], want[b][tt]); d > 1e-12 {
					t.Fatalf("%+v: sequence output [%d,%d] differs by %g", c, b, tt, d)
				}
			}
		}
		for k := 0; k < c.layers; k++ {
			for b := 0; b < c.batch; b++ {
				if maxAbsDiff(s.H[k].Data[b*c.hid:(b+1)*c.hid], wantH[k][b]) > 1e-12 || maxAbsDiff(s.C[k].Data[b*c.hid:(b+1)*c.hid], wantC[k][b]) > 1e-12 {
					t.Fatalf("%+v: final state of layer %d differs", c, k)
				}
			}
		}
		tp := autograd.NewTape[float64]()
		for tt := 0; tt < c.steps; tt++ {
			h := l.Step(tp, stepSlice(tp, x, tt), s2)
			for b := 0; b < c.batch; b++ {
				if d := maxAbsDiff(h.Data[b*c.hid:(b+1)*c.hid], want[b][tt]); d > 1e-12 {
					t.Fatalf("%+v: step output [%d,%d] differs by %g", c, b, tt, d)
				}
			}
		}
	}
}

// lstmLoss builds a loss that depends on every output and on the final state.
func lstmLoss(tp *tape, l *LSTM[float64], x *tensor, h0c0 []*tensor, stepMode bool) *tensor {
	s := l.NewState(x.Dim(0))
	for k := range s.H {
		s.H[k], s.C[k] = h0c0[2*k], h0c0[2*k+1]
	}
	var y *tensor
	if stepMode {
		var hs []*tensor
		for tt := 0; tt < x.Dim(1); tt++ {
			hs = append(hs, l.Step(tp, stepSlice(tp, x, tt), s))
		}
		y = tp.Stack(1, hs...)
	} else {
		y = l.Forward(tp, x, s)
	}
	last := len(s.H) - 1
	fin := tp.Add(tp.Mul(s.H[last], s.H[last]), tp.Scale(s.C[0], 0.7))
	return tp.Add(tp.Sum(tp.Mul(y, y)), tp.Sum(fin))
}

func TestLSTMGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, layers := range []int{1, 2} {
		for _, stepMode := range []bool{false, true} {
			// Without gradients for x and the initial state, their values are
			// saved by the ops instead of referenced.
			for _, inputsToo := range []bool{true, false} {
				l, _ := NewLSTM[float64](LSTMConfig{In: 3, Hidden: 4, Layers: layers, Seed: 5})
				x := randTensor(rng, 1, 2, 4, 3)
				_, st := randomState(rng, l, 2)
				var in []*tensor
				for _, ly := range l.Layers {
					in = append(in, ly.W, ly.B)
				}
				if inputsToo {
					in = append(append(in, x), st...)
				}
				gradCheck(t, "LSTM", func(tp *tape, _ []*tensor) *tensor { return lstmLoss(tp, l, x, st, stepMode) }, in...)
			}
		}
	}
}

// TestLSTMOnlyFinalState checks the gradient when the loss uses only the final
// state (no gradient reaches the output sequence).
func TestLSTMOnlyFinalState(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	l, _ := NewLSTM[float64](LSTMConfig{In: 2, Hidden: 3, Layers: 2, Seed: 6})
	x := randTensor(rng, 1, 3, 5, 2)
	gradCheck(t, "LSTM final state", func(tp *tape, _ []*tensor) *tensor {
		s := l.NewState(3)
		l.Forward(tp, x, s)
		return tp.Sum(tp.Mul(s.C[1], s.H[0]))
	}, x, l.Layers[0].W, l.Layers[1].B)
}

func TestLSTMDropoutGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x := randTensor(rng, 1, 2, 3, 2)
	var l *LSTM[float64]
	mk := func() *LSTM[float64] {
		m, _ := NewLSTM[float64](LSTMConfig{In: 2, Hidden: 3, Layers: 2, Dropout: 0.4, Seed: 8})
		if l != nil { // share the parameters, fresh dropout generator each call
			m.Layers = l.Layers
		}
		return m
	}
	l = mk()
	gradCheck(t, "LSTM dropout", func(tp *tape, _ []*tensor) *tensor {
		return tp.Sum(mk().Forward(tp, x, nil))
	}, x, l.Layers[0].W, l.Layers[1].W)
	// Evaluation mode is deterministic and equals a dropout-free model.
	l.SetTraining(false)
	a := l.Forward(nil, x, nil)
	b := l.Forward(nil, x, nil)
	if maxAbsDiff(a.Data, b.Data) != 0 {
		t.Fatal("evaluation mode is not deterministic")
	}
}

func TestLSTMStateDetach(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	l, _ := NewLSTM[float32](LSTMConfig{In: 3, Hidden: 5, Layers: 2, Seed: 1})
	x := autograd.Zeros[float32](4, 3)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	// Running 6 steps in one go equals 3 steps, Detach, Reset, 3 more steps.
	tp := autograd.NewTape[float32]()
	s1 := l.NewState(4)
	var y1 *autograd.Tensor[float32]
	for range 6 {
		y1 = l.Step(tp, x, s1)
	}
	tp2 := autograd.NewTape[float32]()
	s2 := l.NewState(4)
	for range 3 {
		l.Step(tp2, x, s2)
	}
	s2.Detach()
	tp2.Reset()
	var y2 *autograd.Tensor[float32]
	for range 3 {
		y2 = l.Step(tp2, x, s2)
	}
	if d := maxAbsDiff(y1.Data, y2.Data); d != 0 {
		t.Fatalf("detached continuation differs by %g", d)
	}
	s2.Zero()
	for _, h := range s2.H {
		if maxAbsDiff(h.Data, make([]float32, h.Len())) != 0 {
			t.Fatal("Zero left a non-zero state")
		}
	}
}
