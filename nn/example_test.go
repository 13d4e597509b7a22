package nn_test

import (
	"bytes"
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/nn"
)

// A conv-LSTM surrogate stepped through time for a batch of 3 cells with carried
// state, trained by backpropagation through all steps, then saved.
func Example() {
	conv, _ := nn.NewConv1d[float32](nn.Conv1dConfig{In: 4, Out: 8, Kernel: 3, Init: nn.HeUniform, Seed: 1})
	lstm, _ := nn.NewLSTM[float32](nn.LSTMConfig{In: 8, Hidden: 16, Layers: 2, Seed: 2})
	head, _ := nn.NewLinear[float32](nn.LinearConfig{In: 16, Out: 2, Seed: 3})
	reg := nn.NewRegistry[float32]()
	_ = reg.Add("conv.0", conv)
	_ = reg.Add("lstm", lstm)
	_ = reg.Add("head", head)
	opt := nn.NewAdam(reg.Params(), nn.AdamConfig{LR: 1e-3})

	const cells, steps = 3, 50
	tp := autograd.NewTape[float32]()
	convState, lstmState := conv.NewState(cells), lstm.NewState(cells)
	x := autograd.Zeros[float32](cells, 4) // this step's input, refilled each step
	var outs []*autograd.Tensor[float32]
	for t := 0; t < steps; t++ {
		for i := range x.Data {
			x.Data[i] = float32((t + i) % 3)
		}
		h := lstm.Step(tp, nn.Relu(tp, conv.Step(tp, x, convState)), lstmState)
		outs = append(outs, head.Forward(tp, h)) // [cells, 2]
	}
	y := tp.Stack(1, outs...) // [cells, steps, 2]
	loss := nn.MSELoss(tp, y, autograd.Zeros[float32](y.Shape()...))
	_ = tp.Backward(loss)
	nn.ClipGradNorm(reg.Params(), 1)
	opt.Step()
	// Keep the state for the next window, then free the tape.
	convState.Detach()
	lstmState.Detach()
	tp.Reset()

	var file bytes.Buffer
	_ = nn.Save(&file, reg.Params(), map[string]string{"hidden": "16"})
	fmt.Println("output", y.Shape(), "parameters", reg.NumElements())
	for _, p := range reg.Params()[:4] {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// output [3 50 2] parameters 3850
	// conv.0.weight [8 3 4]
	// conv.0.bias [8]
	// lstm.0.w_ih [8 64]
	// lstm.0.w_hh [16 64]
}
