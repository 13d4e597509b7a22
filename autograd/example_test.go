package autograd_test

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// A loss built on a tape, differentiated with Backward.
func Example() {
	w := autograd.NewParam[float64](2, 1)
	copy(w.Data, []float64{0.5, -1})
	x := autograd.MustNew([]float64{1, 2, 3, 4}, 2, 2)

	tp := autograd.NewTape[float64]()
	y := tp.Tanh(tp.MatMul(x, w)) // [2, 1]
	loss := tp.Sum(tp.Mul(y, y))
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4f\n", loss.Item())
	fmt.Printf("dloss/dw %.4f\n", w.Grad)
	// Output:
	// loss 1.7927
	// dloss/dw [-0.4846 -0.8642]
}

// square is a custom op: y = x^2 with backward dy/dx = 2x.
type square struct{}

func (square) Backward(tp *autograd.Tape[float64], n *autograd.Node[float64]) {
	gx := tp.GradOf(n.In[0])
	for i, g := range n.Out.Grad {
		gx[i] += 2 * n.In[0].Data[i] * g
	}
}

// Recording a custom operation with its own backward.
func ExampleTape_Record() {
	x := autograd.MustNew([]float64{3, -2}, 2)
	x.SetRequiresGrad(true)
	tp := autograd.NewTape[float64]()
	y := tp.NewTensor(2)
	for i, v := range x.Data {
		y.Data[i] = v * v
	}
	tp.Record(square{}, y, x)
	if err := tp.Backward(tp.Sum(y)); err != nil {
		panic(err)
	}
	fmt.Println(x.Grad)
	// Output: [6 -4]
}
