package neuron

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/neurograd/neurograd/internal/cputime"
)

// poissonTimes returns the event times (ms) of a homogeneous Poisson train of rate hz on
// [0, tstop).
func poissonTimes(rng *rand.Rand, hz, tstop float64) []float64 {
	var ts []float64
	t := 0.0
	for {
		t += rng.ExpFloat64() * 1000 / hz
		if t >= tstop {
			return ts
		}
		ts = append(ts, t)
	}
}

// ampaPoissonInputs returns one independent 10 Hz Poisson train of weight w on every AMPA
// synapse of d.
func ampaPoissonInputs(d *CellDesc, seed uint64, hz, w, tstop float64) []Input {
	rng := rand.New(rand.NewPCG(seed, 0x6e6575726f6e))
	var in []Input
	for _, s := range d.Sections {
		for _, sy := range s.Synapses {
			if sy.Receptor == AMPA {
				in = append(in, Input{Section: s.Name, Receptor: AMPA, X: 0.5, WeightUS: w,
					TimesMS: poissonTimes(rng, hz, tstop)})
			}
		}
	}
	return in
}

// BenchmarkL5Poisson1s simulates one L5 pyramidal cell for 1000 ms at dt 0.025 ms with an
// independent 10 Hz Poisson train on each of its 8 AMPA synapses (0.0015 µS), model build
// excluded (the NEURON reference point: hnn-core on NEURON 8.2.2, 0.60 s of CPU).
func BenchmarkL5Poisson1s(b *testing.B) {
	d, _ := Template(L5Pyramidal)
	spec := RunSpec{Desc: d, TStop: 1000, Inputs: ampaPoissonInputs(d, 1, 10, 0.0015, 1000)}
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		c, err := spec.Prepare()
		if err != nil {
			b.Fatal(err)
		}
		n := Steps(spec.TStop, c.Dt())
		cpu0 := cputime.Process()
		b.StartTimer()
		for k := 0; k < n; k++ {
			c.Step()
		}
		b.StopTimer()
		cpu += cputime.Process() - cpu0
		b.StartTimer()
	}
	// CPU seconds per simulated cell-second, comparable to NEURON's 0.60 s of CPU.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(0.60/(cpu.Seconds()/float64(b.N)), "x-vs-NEURON")
}

// BenchmarkRunManyL5 measures data-generation throughput: 8 independent L5 pyramidal cells
// (200 ms each, Poisson input on every AMPA synapse, all sections recorded every 10th step)
// on GOMAXPROCS workers. Report per op = 8 cells.
func BenchmarkRunManyL5(b *testing.B) {
	d, _ := Template(L5Pyramidal)
	specs := make([]RunSpec, 8)
	for i := range specs {
		specs[i] = RunSpec{Desc: d, TStop: 200, RecordEvery: 10, Probes: SectionProbes(d),
			Inputs: ampaPoissonInputs(d, uint64(i+1), 10, 0.0015, 200)}
	}
	for b.Loop() {
		if _, err := RunMany(specs, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepBasket measures one step of a basket cell (the smallest cell).
func BenchmarkStepBasket(b *testing.B) {
	c, _ := NewType(L2Basket, DefaultConfig())
	for b.Loop() {
		c.Step()
	}
}
