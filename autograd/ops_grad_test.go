package autograd

import (
	"math/rand/v2"
	"testing"
)

// randTensor returns a heap tensor with uniform values in [lo, hi).
func randTensor(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor[float64] {
	t := Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// awayFromZero pushes values out of (-m, m), so kinks (abs, relu, clamp) are not
// straddled by the finite-difference step.
func awayFromZero(t *Tensor[float64], m float64) *Tensor[float64] {
	for i, v := range t.Data {
		if v >= 0 && v < m {
			t.Data[i] = v + m
		} else if v < 0 && v > -m {
			t.Data[i] = v - m
		}
	}
	return t
}

type gradCase struct {
	name   string
	inputs func(rng *rand.Rand) []*Tensor[float64]
	f      func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64]
}

// shapes used for element-wise ops: size-1 dimensions and odd sizes.
var elemShapes = [][]int{{1}, {7}, {3, 5}, {1, 4}, {2, 1, 3}, {4, 3, 2}}

func unaryCases() []gradCase {
	type u struct {
		name   string
		lo, hi float64
		kink   bool
		f      func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64]
	}
	us := []u{
		{"Neg", -2, 2, false, (*Tape[float64]).Neg},
		{"Exp", -2, 2, false, (*Tape[float64]).Exp},
		{"Log", 0.2, 3, false, (*Tape[float64]).Log},
		{"Sqrt", 0.2, 3, false, (*Tape[float64]).Sqrt},
		{"Abs", -2, 2, true, (*Tape[float64]).Abs},
		{"Tanh", -3, 3, false, (*Tape[float64]).Tanh},
		{"Sigmoid", -6, 6, false, (*Tape[float64]).Sigmoid},
		{"Relu", -2, 2, true, (*Tape[float64]).Relu},
		{"Softplus", -5, 5, false, (*Tape[float64]).Softplus},
		{"Scale", -2, 2, false, func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64] { return tp.Scale(a, -1.7) }},
		{"AddScalar", -2, 2, false, func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64] { return tp.AddScalar(a, 0.3) }},
		{"Pow", 0.3, 2, false, func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64] { return tp.Pow(a, 2.5) }},
		{"PowNegative", 0.3, 2, false, func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64] { return tp.Pow(a, -1.5) }},
		{"Clamp", -2, 2, true, func(tp *Tape[float64], a *Tensor[float64]) *Tensor[float64] {
			// kinks at ±1 are avoided by shifting inputs away from 0 and then by ±1 below.
			return tp.Clamp(tp.AddScalar(a, 1), 0, 2)
		}},
	}
	var cs []gradCase
	for _, c := range us {
		for _, s := range elemShapes {
			c, s := c, s
			cs = append(cs, gradCase{
				name: c.name,
				inputs: func(rng *rand.Rand) []*Tensor[float64] {
					t := randTensor(rng, c.lo, c.hi, s...)
					if c.kink {
						awayFromZero(t, 0.05)
					}
					return []*Tensor[float64]{t}
				},
				f: func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return c.f(tp, in[0]) },
			})
		}
	}
	return cs
}

func binaryCases() []gradCase {
	pairs := [][2][]int{
		{{3, 4}, {3, 4}},
		{{3, 4}, {4}},    // bias row
		{{3, 4}, {3, 1}}, // column
		{{1, 4}, {3, 1}}, // outer
		{{2, 3, 5}, {5}}, // bias over a batch of matrices
		{{2, 3, 5}, {3, 1}},
		{{5}, {1}},
		{{1}, {2, 3}},
	}
	ops := []struct {
		name string
		f    func(tp *Tape[float64], a, b *Tensor[float64]) *Tensor[float64]
	}{
		{"Add", (*Tape[float64]).Add},
		{"Sub", (*Tape[float64]).Sub},
		{"Mul", (*Tape[float64]).Mul},
		{"Div", (*Tape[float64]).Div},
	}
	var cs []gradCase
	for _, op := range ops {
		for _, p := range pairs {
			op, p := op, p
			cs = append(cs, gradCase{
				name: op.name,
				inputs: func(rng *rand.Rand) []*Tensor[float64] {
					return []*Tensor[float64]{randTensor(rng, -2, 2, p[0]...), awayFromZero(randTensor(rng, -2, 2, p[1]...), 0.5)}
				},
				f: func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return op.f(tp, in[0], in[1]) },
			})
		}
	}
	return cs
}

func structuralCases() []gradCase {
	two := func(s1, s2 []int) func(rng *rand.Rand) []*Tensor[float64] {
		return func(rng *rand.Rand) []*Tensor[float64] {
			return []*Tensor[float64]{randTensor(rng, -1, 1, s1...), randTensor(rng, -1, 1, s2...)}
		}
	}
	one := func(s ...int) func(rng *rand.Rand) []*Tensor[float64] {
		return func(rng *rand.Rand) []*Tensor[float64] { return []*Tensor[float64]{randTensor(rng, -1, 1, s...)} }
	}
	var cs []gradCase
	for _, mkn := range [][3]int{{1, 1, 1}, {3, 5, 2}, {7, 1, 4}, {4, 6, 1}, {17, 13, 11}} {
		m, k, n := mkn[0], mkn[1], mkn[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ta, tb := tr[0], tr[1]
			sa, sb := []int{m, k}, []int{k, n}
			if ta {
				sa = []int{k, m}
			}
			if tb {
				sb = []int{n, k}
			}
			cs = append(cs, gradCase{"MatMulT", two(sa, sb), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
				return tp.MatMulT(in[0], in[1], ta, tb)
			}})
		}
	}
	cs = append(cs,
		gradCase{"Transpose", one(3, 5), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Transpose(in[0]) }},
		gradCase{"Sum", one(3, 4), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Sum(in[0]) }},
		gradCase{"Mean", one(2, 1, 5), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Mean(in[0]) }},
		gradCase{"Reshape", one(2, 6), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Mul(tp.Reshape(in[0], 3, -1), tp.Reshape(in[0], 3, 4))
		}},
		gradCase{"Concat0", two([]int{2, 3}, []int{4, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Concat(0, in[0], in[1], in[0])
		}},
		gradCase{"Concat1", two([]int{2, 1, 3}, []int{2, 4, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Concat(1, in[0], in[1])
		}},
		gradCase{"Stack0", two([]int{2, 3}, []int{2, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Stack(0, in[0], in[1])
		}},
		gradCase{"Stack2", two([]int{2, 3}, []int{2, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Stack(2, in[1], in[0], in[1])
		}},
		gradCase{"Where", two([]int{3, 4}, []int{3, 4}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			cond := Zeros[float64](3, 4)
			for i := range cond.Data {
				cond.Data[i] = float64(i % 3 % 2)
			}
			return tp.Where(cond, in[0], in[1])
		}},
		gradCase{"IndexSelectRepeat", one(5, 3), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.IndexSelect(in[0], 0, []int{4, 0, 4, 2})
		}},
		gradCase{"IndexAdd", two([]int{4, 3}, []int{5, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.IndexAdd(in[0], 0, []int{1, 3, 1, 0, 1}, in[1])
		}},
		gradCase{"IndexAddAxis1", two([]int{2, 4, 3}, []int{2, 2, 3}), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.IndexAdd(in[0], 1, []int{2, 2}, in[1])
		}},
		gradCase{"LogSumExp", one(3, 5), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.LogSumExp(tp.Scale(in[0], 4), 1)
		}},
	)
	for _, s := range [][]int{{4}, {3, 5}, {2, 1, 4}, {3, 4, 2}} {
		for ax := range s {
			s, ax := s, ax
			cs = append(cs,
				gradCase{"SumAxis", one(s...), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.SumAxis(in[0], ax) }},
				gradCase{"MeanAxis", one(s...), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.MeanAxis(in[0], ax) }},
				gradCase{"LogSumExpAxis", one(s...), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.LogSumExp(in[0], ax) }},
				gradCase{"IndexSelect", one(s...), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
					return tp.IndexSelect(in[0], ax, []int{s[ax] - 1, 0})
				}},
				gradCase{"Narrow", one(s...), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
					return tp.Narrow(in[0], ax, s[ax]/2, s[ax]-s[ax]/2)
				}},
			)
		}
	}
	return cs
}

func TestOpGradients(t *testing.T) {
	var cases []gradCase
	cases = append(cases, unaryCases()...)
	cases = append(cases, binaryCases()...)
	cases = append(cases, structuralCases()...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i, c := range cases {
		in := c.inputs(rng)
		if err := CheckGradient(c.f, in, GradCheckOptions{Seed: uint64(i)}); err != nil {
			var shapes [][]int
			for _, x := range in {
				shapes = append(shapes, x.Shape())
			}
			t.Errorf("%s %v: %v", c.name, shapes, err)
		}
	}
}

// TestFanOut checks that a tensor used several times accumulates every contribution.
func TestFanOut(t *testing.T) {
	x := MustNew([]float64{0.5, -1.5, 2}, 3)
	x.SetRequiresGrad(true)
	tp := NewTape[float64]()
	// y = sum(x*x + 3x + x)  ->  dy/dx = 2x + 4
	y := tp.Sum(tp.Add(tp.Add(tp.Mul(x, x), tp.Scale(x, 3)), x))
	if err := tp.Backward(y); err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Data {
		if want := 2*v + 4; x.Grad[i] != want {
			t.Errorf("grad[%d] = %v, want %v", i, x.Grad[i], want)
		}
	}
	// A second backward on a fresh tape accumulates into the parameter.
	tp.Reset()
	y = tp.Sum(x)
	if err := tp.Backward(y); err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Data {
		if want := 2*v + 5; x.Grad[i] != want {
			t.Errorf("after second backward grad[%d] = %v, want %v", i, x.Grad[i], want)
		}
	}
	if err := CheckGradient(func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		a := in[0]
		return tp.Mul(tp.Tanh(a), tp.Add(a, tp.Exp(a)))
	}, []*Tensor[float64]{MustNew([]float64{0.1, -0.7, 1.3}, 3)}, GradCheckOptions{}); err != nil {
		t.Error(err)
	}
}

// TestGradCheckDetectsWrongGradient makes sure the checker can fail.
func TestGradCheckDetectsWrongGradient(t *testing.T) {
	err := CheckGradient(func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		return tp.Mul(in[0], tp.Detach(in[0])) // true derivative of x*x is 2x; Detach drops half
	}, []*Tensor[float64]{MustNew([]float64{1, 2}, 2)}, GradCheckOptions{})
	if err == nil {
		t.Fatal("checker accepted a wrong gradient: Mul(x, Detach(x)) seen as x^2")
	}
}

func TestDetachStopsGradient(t *testing.T) {
	x := MustNew([]float64{1.5, -2}, 2)
	x.SetRequiresGrad(true)
	tp := NewTape[float64]()
	d := tp.Detach(x)
	if d.RequiresGrad() {
		t.Fatal("Detach result requires grad")
	}
	if err := tp.Backward(tp.Sum(tp.Mul(x, d))); err != nil {
		t.Fatal(err)
	}
	for i := range x.Data {
		if x.Grad[i] != x.Data[i] {
			t.Errorf("grad[%d] = %v, want %v (the detached value)", i, x.Grad[i], x.Data[i])
		}
	}
}
