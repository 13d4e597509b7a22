package neuron_test

import (
	"fmt"
	"log"

	"github.com/neurograd/neurograd/neuron"
)

// Run simulates an L5 pyramidal cell receiving one 0.01 µS AMPA event on its apical tuft at
// 10 ms (one of the spec's reference scenarios) and prints its spikes and soma potential.
func Example() {
	desc, err := neuron.Template(neuron.L5Pyramidal)
	if err != nil {
		log.Fatal(err)
	}
	res, err := neuron.Run(neuron.RunSpec{
		Desc:   desc,
		TStop:  100,
		Inputs: []neuron.Input{{Section: "apical_tuft", Receptor: neuron.AMPA, WeightUS: 0.01, TimesMS: []float64{10}}},
		Probes: []neuron.Probe{{Section: "soma", X: 0.5}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range res.Spikes {
		fmt.Printf("spike at %.3f ms\n", t)
	}
	fmt.Printf("v_soma(100 ms) = %.3f mV, dipole = %.1f fAm\n", res.Traces[0][len(res.T)-1], res.Dipole[len(res.T)-1])
	// Output:
	// spike at 14.500 ms
	// spike at 24.575 ms
	// spike at 35.625 ms
	// v_soma(100 ms) = -75.896 mV, dipole = -2.4 fAm
}

// A network advances many cells in lock step: first every cell's threshold check (spikes
// are routed to their targets as events with delays), then every cell's integration step.
func ExampleCell_CheckThreshold() {
	cfg := neuron.DefaultConfig()
	pre, _ := neuron.NewType(neuron.L2Basket, cfg)
	post, _ := neuron.NewType(neuron.L2Pyramidal, cfg)
	if err := pre.AddIClamp("soma", 0.5, 0.5, 5, 20); err != nil {
		log.Fatal(err)
	}
	gaba, err := post.GroupSynapses("soma", neuron.GABAA)
	if err != nil {
		log.Fatal(err)
	}
	cells := []*neuron.Cell{pre, post}
	for step := 0; step < neuron.Steps(30, cfg.Dt); step++ {
		for _, c := range cells {
			if spiked, t := c.CheckThreshold(); spiked && c == pre {
				for _, id := range gaba {
					_ = post.Deliver(id, t+1.0, 0.05) // 1 ms delay, 0.05 µS
				}
			}
		}
		for _, c := range cells {
			c.Advance()
		}
	}
	fmt.Printf("presynaptic spikes: %.4f\n", pre.Spikes())
	fmt.Printf("postsynaptic soma at %.0f ms: %.2f mV\n", post.T(), post.VSoma())
	// Output:
	// presynaptic spikes: [6.1500 18.0000]
	// postsynaptic soma at 30 ms: -75.57 mV
}

// RunMany simulates independent cells on all cores, e.g. for surrogate training data:
// here each built-in cell type receives the same AMPA train on every AMPA synapse, and
// every section's voltage is recorded every 40th step (1 ms).
func ExampleRunMany() {
	var specs []neuron.RunSpec
	for _, typ := range neuron.CellTypes {
		desc, _ := neuron.Template(typ)
		spec := neuron.RunSpec{Desc: desc, TStop: 50, RecordEvery: 40, Probes: neuron.SectionProbes(desc)}
		for _, ch := range desc.Channels() {
			if ch.Receptor == neuron.AMPA {
				spec.Inputs = append(spec.Inputs, neuron.Input{Section: ch.Section, Receptor: ch.Receptor,
					WeightUS: 0.01, TimesMS: []float64{10, 12, 14}})
			}
		}
		specs = append(specs, spec)
	}
	results, err := neuron.RunMany(specs, 0)
	if err != nil {
		log.Fatal(err)
	}
	for i, r := range results {
		fmt.Printf("%-12s %d samples x %d sections, spikes %.3f\n", specs[i].Desc.Type, len(r.T), len(r.Traces), r.Spikes)
	}
	// Output:
	// L2_basket    51 samples x 1 sections, spikes [11.400]
	// L2_pyramidal 51 samples x 8 sections, spikes [11.175 25.875]
	// L5_basket    51 samples x 1 sections, spikes [11.400]
	// L5_pyramidal 51 samples x 9 sections, spikes [12.175 21.775 31.450]
}
