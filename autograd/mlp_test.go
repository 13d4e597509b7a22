package autograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mlp is a two-layer perceptron y = W2·tanh(W1·x + b1) + b2 used by the end-to-end tests.
type mlp struct{ w1, b1, w2, b2 *Tensor[float64] }

func newMLP(rng *rand.Rand, in, hidden, out int) *mlp {
	m := &mlp{w1: NewParam[float64](in, hidden), b1: NewParam[float64](hidden), w2: NewParam[float64](hidden, out), b2: NewParam[float64](out)}
	for _, p := range []*Tensor[float64]{m.w1, m.w2} {
		s := 1 / math.Sqrt(float64(p.Dim(0)))
		for i := range p.Data {
			p.Data[i] = s * (2*rng.Float64() - 1)
		}
	}
	return m
}

func (m *mlp) params() []*Tensor[float64] { return []*Tensor[float64]{m.w1, m.b1, m.w2, m.b2} }

func mlpForward(tp *Tape[float64], x, w1, b1, w2, b2 *Tensor[float64]) *Tensor[float64] {
	return tp.Add(tp.MatMul(tp.Tanh(tp.Add(tp.MatMul(x, w1), b1)), w2), b2)
}

func mseLoss(tp *Tape[float64], y, target *Tensor[float64]) *Tensor[float64] {
	d := tp.Sub(y, target)
	return tp.Mean(tp.Mul(d, d))
}

// TestMLPRegression trains a two-layer MLP on y = sin(x0) + x1^2/2 with plain SGD and
// checks that the loss falls well below its starting value, and that the analytic
// gradient of the loss w.r.t. all parameters matches finite differences.
func TestMLPRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n = 64
	x, y := Zeros[float64](n, 2), Zeros[float64](n, 1)
	for i := 0; i < n; i++ {
		a, b := 4*rng.Float64()-2, 4*rng.Float64()-2
		x.Data[2*i], x.Data[2*i+1] = a, b
		y.Data[i] = math.Sin(a) + b*b/2
	}
	m := newMLP(rng, 2, 16, 1)
	if err := CheckGradient(func(tp *Tape[float64], p []*Tensor[float64]) *Tensor[float64] {
		return mseLoss(tp, mlpForward(tp, x, p[0], p[1], p[2], p[3]), y)
	}, m.params(), GradCheckOptions{}); err != nil {
		t.Fatalf("MLP gradient: %v", err)
	}
	tp := NewTape[float64]()
	var first, last float64
	for it := 0; it < 2000; it++ {
		tp.Reset()
		for _, p := range m.params() {
			p.ZeroGrad()
		}
		loss := mseLoss(tp, mlpForward(tp, x, m.w1, m.b1, m.w2, m.b2), y)
		if err := tp.Backward(loss); err != nil {
			t.Fatal(err)
		}
		if it == 0 {
			first = loss.Item()
		}
		last = loss.Item()
		for _, p := range m.params() {
			for i := range p.Data {
				p.Data[i] -= 0.05 * p.Grad[i]
			}
		}
	}
	if !(last < first/20) {
		t.Fatalf("MSE fell from %.4g to %.4g; want at least 20x lower", first, last)
	}
	t.Logf("MSE %.4g -> %.4g", first, last)
}

func TestNilTapeAndNoGrad(t *testing.T) {
	var tp *Tape[float32]
	a := MustNew([]float32{1, 2, 3, 4}, 2, 2)
	a.SetRequiresGrad(true)
	c := tp.MatMul(a, a)
	if c.RequiresGrad() || c.Data[0] != 7 || c.Data[3] != 22 {
		t.Fatalf("nil tape MatMul = %v (requires grad %v)", c.Data, c.RequiresGrad())
	}
	ng := NewTape[float32]()
	ng.SetNoGrad(true)
	d := ng.Tanh(ng.MatMul(a, a))
	if d.RequiresGrad() || ng.Len() != 0 {
		t.Fatal("no-grad tape recorded nodes")
	}
	if err := ng.Backward(ng.Sum(d)); err == nil {
		t.Fatal("Backward from an unrecorded tensor did not fail")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New([]float32{1, 2, 3}, 2, 2); err == nil {
		t.Error("size mismatch accepted")
	}
	if _, err := New([]float32{}, -1); err == nil {
		t.Error("negative dimension accepted")
	}
	if _, err := New(make([]float64, 1), 1, 1, 1, 1, 1, 1, 1); err == nil {
		t.Error("too many dimensions accepted")
	}
	x := MustNew([]float64{1, math.NaN()}, 2)
	if err := CheckFinite("x", x); err == nil {
		t.Error("NaN not reported")
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Add of [2,3] and [4] did not panic")
		}
	}()
	var tp *Tape[float64]
	tp.Add(Zeros[float64](2, 3), Zeros[float64](4))
}

func TestReshapeDoesNotAllocateOnTape(t *testing.T) {
	tp := NewTape[float32]()
	a := tp.NewTensor(4, 6)
	tp.Reshape(a, 2, -1, 3)
	tp.Reset()
	if n := testing.AllocsPerRun(20, func() {
		tp.Reset()
		b := tp.NewTensor(4, 6)
		tp.Reshape(b, 2, -1, 3)
	}); n != 0 {
		t.Fatalf("Reshape with literal sizes allocates %v times", n)
	}
}
