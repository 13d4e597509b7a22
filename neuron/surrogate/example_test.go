package surrogate_test

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// A surrogate is stepped one 0.5 ms bin at a time for a batch of cells; the
// input is the summed synaptic weight (µS) per (section, receptor) channel.
func Example() {
	m, err := surrogate.New[float32](neuron.L5Pyramidal, surrogate.DefaultArch(neuron.L5Pyramidal), 1)
	if err != nil {
		panic(err)
	}
	tp := autograd.NewTape[float32]()
	const batch = 2
	st := m.NewState(tp, batch)
	x := autograd.Zeros[float32](batch, len(m.Inputs()))
	// One AMPA event of 2 nS on the apical tuft of cell 0 in the first bin.
	for c, ch := range m.Inputs() {
		if ch.Section == "apical_tuft" && ch.Receptor == neuron.AMPA {
			x.Data[c] = 0.002
		}
	}
	var y *autograd.Tensor[float32]
	for k := 0; k < 10; k++ {
		y, st = m.Step(tp, x, st)
		clear(x.Data)
	}
	fmt.Println(len(m.Inputs()), "inputs,", m.Dt(), "ms step")
	fmt.Println(m.Outputs()[m.SomaOutput()], m.Outputs()[m.DipoleOutput()], y.Shape())
	// Output:
	// 34 inputs, 0.5 ms step
	// v_soma dipole_nAm [2 10]
}
