package train_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/train"
)

// A tiny training run: simulate a few 100 ms samples of an L2/3 basket cell
// under independent-Poisson input, store them as a dataset, and fit a small
// surrogate for two optimizer steps.
func Example() {
	const bins = 200 // 100 ms
	ct := neuron.L2Basket
	ds, err := train.NewDataset(ct, bins, "example")
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 4; i++ {
		evs, err := train.PoissonEvents(ct, train.DefaultPoissonConfig(ct), bins, rng)
		if err != nil {
			panic(err)
		}
		s, err := train.Simulate(ct, evs, bins)
		if err != nil {
			panic(err)
		}
		ds.Samples = append(ds.Samples, s)
	}
	var buf bytes.Buffer
	if _, err := ds.WriteTo(&buf); err != nil {
		panic(err)
	}
	back, err := train.ReadDataset(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.CellType, back.Count, "samples of", back.Bins, "bins:", back.Inputs, back.Outputs)

	m, err := surrogate.New[float32](ct, surrogate.Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 4, Layers: 1, HeadHidden: 3}, 1)
	if err != nil {
		panic(err)
	}
	cfg := train.ConfigFor(ct)
	cfg.Batch, cfg.WarmUp, cfg.BPTT, cfg.Steps, cfg.EvalEvery = 2, 20, 40, 2, 1
	res, err := train.Fit(m, back.Samples[:3], back.Samples[3:], cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Steps, "steps,", len(res.ValLoss), "validations")
	// Output:
	// L2_basket 4 samples of 200 bins: [soma/ampa soma/gabaa soma/nmda] [v_soma]
	// 2 steps, 2 validations
}
