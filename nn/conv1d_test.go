package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
)

// refConv1d is an independent scalar-loop causal convolution (PyTorch's Conv1d
// with left padding (K-1)d) given PyTorch's weight layout [out, in, K]:
// y[b,t,o] = bias[o] + Σ w[o,c,k]·x[b, t-(K-1-k)d, c].
func refConv1d(w []float64, bias []float64, out, in, kk, d int, x [][][]float64) [][][]float64 {
	y := make([][][]float64, len(x))
	for b := range x {
		for t := range x[b] {
			row := make([]float64, out)
			for o := 0; o < out; o++ {
				if bias != nil {
					row[o] = bias[o]
				}
				for c := 0; c < in; c++ {
					for k := 0; k < kk; k++ {
						src := t - (kk-1-k)*d
						if src >= 0 {
							row[o] += w[(o*in+c)*kk+k] * x[b][src][c]
						}
					}
				}
			}
			y[b] = append(y[b], row)
		}
	}
	return y
}

type convCase struct{ in, out, kk, d, batch, steps int }

var convCases = []convCase{{2, 3, 3, 1, 2, 6}, {3, 2, 2, 2, 1, 7}, {1, 4, 4, 3, 2, 5}, {3, 3, 1, 1, 2, 3}, {2, 2, 5, 1, 1, 3}}

func TestConv1dMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range convCases {
		for _, bias := range []bool{true, false} {
			cv, err := NewConv1d[float64](Conv1dConfig{In: c.in, Out: c.out, Kernel: c.kk, Dilation: c.d, NoBias: !bias, Init: PyTorchUniform, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			var b []float64
			if bias {
				b = cv.Bias.Data
			}
			x := randTensor(rng, 1, c.batch, c.steps, c.in)
			want := refConv1d(torchConvWeight(cv), b, c.out, c.in, c.kk, c.d, nested3(x))
			if c.in == 3 { // the fused ReLU on some cases
				cv.ReLU = true
				for _, row := range want {
					for _, v := range row {
						for i := range v {
							v[i] = max(v[i], 0)
						}
					}
				}
			}
			got := nested3(cv.Forward(nil, x))
			tp := autograd.NewTape[float64]()
			st := cv.NewState(c.batch)
			for tt := 0; tt < c.steps; tt++ {
				y := cv.Step(tp, stepSlice(tp, x, tt), st)
				for bb := 0; bb < c.batch; bb++ {
					if d := maxAbsDiff(got[bb][tt], want[bb][tt]); d > 1e-12 {
						t.Fatalf("%+v: sequence output [%d,%d] differs by %g", c, bb, tt, d)
					}
					if d := maxAbsDiff(y.Data[bb*c.out:(bb+1)*c.out], want[bb][tt]); d > 1e-12 {
						t.Fatalf("%+v: streaming output [%d,%d] differs by %g", c, bb, tt, d)
					}
				}
			}
		}
	}
}

// TestConv1dStreamingEqualsSequenceFloat32 checks the two modes agree to float32
// rounding on the benchmark's layer shape.
func TestConv1dStreamingEqualsSequenceFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	cv, _ := NewConv1d[float32](Conv1dConfig{In: 16, Out: 64, Kernel: 5, Dilation: 2, Init: PyTorchUniform, Seed: 4})
	x := autograd.Zeros[float32](3, 40, 16)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	seq := cv.Forward(nil, x)
	tp := autograd.NewTape[float32]()
	st := cv.NewState(3)
	for tt := 0; tt < 40; tt++ {
		y := cv.Step(tp, stepSlice(tp, x, tt), st)
		for b := 0; b < 3; b++ {
			r := (b*40 + tt) * 64
			if d := maxAbsDiff(y.Data[b*64:(b+1)*64], seq.Data[r:r+64]); d > 2e-6 {
				t.Fatalf("step %d batch %d differs by %g", tt, b, d)
			}
		}
	}
}

func TestConv1dGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, c := range convCases {
		for _, stream := range []bool{false, true} {
			for _, xGrad := range []bool{true, false} { // without, the stream saves copies of x
				cv, _ := NewConv1d[float64](Conv1dConfig{In: c.in, Out: c.out, Kernel: c.kk, Dilation: c.d, Init: PyTorchUniform, Seed: 5, ReLU: c.in == 3})
				x := randTensor(rng, 1, c.batch, c.steps, c.in)
				in := []*tensor{cv.Weight, cv.Bias}
				if xGrad {
					in = append(in, x)
				}
				gradCheck(t, "Conv1d", func(tp *tape, _ []*tensor) *tensor {
					if !stream {
						return cv.Forward(tp, x)
					}
					st := cv.NewState(c.batch)
					var ys []*tensor
					for tt := 0; tt < c.steps; tt++ {
						ys = append(ys, cv.Step(tp, stepSlice(tp, x, tt), st))
					}
					return tp.Stack(1, ys...)
				}, in...)
			}
		}
	}
}

// TestConv1dStreamDetach checks that Detach keeps the history values (outputs
// continue unchanged) while cutting the gradient into earlier steps.
func TestConv1dStreamDetach(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	cv, _ := NewConv1d[float64](Conv1dConfig{In: 2, Out: 2, Kernel: 3, Seed: 1})
	x := randTensor(rng, 1, 1, 6, 2)
	full := cv.Forward(nil, x)
	tp := autograd.NewTape[float64]()
	st := cv.NewState(1)
	x0 := randTensor(rng, 1, 1, 2)
	copy(x0.Data, x.Data[:2])
	x0.SetRequiresGrad(true)
	cv.Step(tp, x0, st)
	st.Detach()
	var y *tensor
	for tt := 1; tt < 3; tt++ {
		y = cv.Step(tp, stepSlice(tp, x, tt), st)
	}
	if d := maxAbsDiff(y.Data, full.Data[4:6]); d > 1e-12 {
		t.Fatalf("detached stream differs by %g", d)
	}
	if err := tp.Backward(tp.Sum(y)); err != nil {
		t.Fatal(err)
	}
	if maxAbsDiff(x0.Grad, []float64{0, 0}) != 0 {
		t.Fatalf("gradient %v reached a detached input", x0.Grad)
	}
	st.Zero()
	y = cv.Step(nil, stepSlice[float64](nil, x, 0), st)
	if d := maxAbsDiff(y.Data, full.Data[:2]); d > 1e-12 {
		t.Fatal("Zero did not restore the zero history")
	}
}

// torchConvWeight returns the layer's weight in PyTorch's layout [out, in, K].
func torchConvWeight(c *Conv1d[float64]) []float64 {
	w := make([]float64, c.Weight.Len())
	for o := 0; o < c.Out; o++ {
		for k := 0; k < c.Kernel; k++ {
			for ci := 0; ci < c.In; ci++ {
				w[(o*c.In+ci)*c.Kernel+k] = c.Weight.Data[(o*c.Kernel+k)*c.In+ci]
			}
		}
	}
	return w
}

// TestConv1dForwardFrom checks that windows run with ForwardFrom (and steps run
// with Step before them) give the outputs of one long sequence, and the weight
// gradient of the window with its history.
func TestConv1dForwardFrom(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for _, c := range []convCase{{2, 3, 3, 2, 2, 9}, {3, 2, 4, 1, 1, 10}, {1, 2, 2, 3, 2, 12}} {
		cv, _ := NewConv1d[float64](Conv1dConfig{In: c.in, Out: c.out, Kernel: c.kk, Dilation: c.d, ReLU: true, Init: PyTorchUniform, Seed: 7})
		x := randTensor(rng, 1, c.batch, c.steps, c.in)
		full := cv.Forward(nil, x)
		st := cv.NewState(c.batch)
		tp := autograd.NewTape[float64]()
		// Steps 0..1 streamed, then windows [2, 2+w1) and [2+w1, steps) (one shorter
		// than the receptive field when possible).
		w1 := 1
		for tt := 0; tt < 2; tt++ {
			cv.Step(tp, stepSlice(tp, x, tt), st)
		}
		check := func(from, n int) {
			y := cv.ForwardFrom(tp, tp.Narrow(x, 1, from, n), st)
			for b := 0; b < c.batch; b++ {
				for tt := 0; tt < n; tt++ {
					got := y.Data[(b*n+tt)*c.out : (b*n+tt+1)*c.out]
					want := full.Data[(b*c.steps+from+tt)*c.out : (b*c.steps+from+tt+1)*c.out]
					if d := maxAbsDiff(got, want); d > 1e-12 {
						t.Fatalf("%+v: window at %d, output [%d,%d] differs by %g", c, from, b, tt, d)
					}
				}
			}
		}
		check(2, w1)
		check(2+w1, c.steps-2-w1)
		// Gradient of a window with a non-zero history w.r.t. the weights and x.
		st2 := cv.NewState(c.batch)
		cv.ForwardFrom(nil, tp.Narrow(x, 1, 0, 4), st2)
		win := randTensor(rng, 1, c.batch, 5, c.in)
		gradCheck(t, "ForwardFrom", func(tp *tape, _ []*tensor) *tensor {
			s := *st2 // the same history every call
			s.ring = make([][]float64, len(st2.ring))
			for j := range s.ring {
				s.ring[j] = append([]float64(nil), st2.ring[j]...)
			}
			s.src = make([]*tensor, len(st2.src))
			s.live = append([]bool(nil), st2.live...)
			return cv.ForwardFrom(tp, win, &s)
		}, win, cv.Weight, cv.Bias)
	}
}
