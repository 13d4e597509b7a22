package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPoissonInvariants drives every cell type with independent Poisson trains on every
// AMPA synapse after a 50 ms quiet period and checks: the soma starts at the spec's v0 and
// rests within 0.5 mV of it before input arrives, no state becomes NaN, every voltage stays
// in a physiological range, and every reported spike is an upward crossing of 0 mV at that
// step.
func TestPoissonInvariants(t *testing.T) {
	cases := []struct {
		typ    CellType
		v0     float64
		hz, w  float64
		nSeeds int
	}{
		{L2Pyramidal, -71.46, 40, 0.004, 3},
		{L5Pyramidal, -72, 40, 0.004, 3},
		{L2Basket, -64.9737, 200, 0.004, 3},
		{L5Basket, -64.9737, 200, 0.004, 3},
	}
	const quiet, tstop = 50.0, 400.0
	for ci, tc := range cases {
		t.Run(tc.typ.String(), func(t *testing.T) {
			spikes := 0
			for seed := uint64(1); seed <= uint64(tc.nSeeds); seed++ {
				d, err := Template(tc.typ)
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(seed, uint64(ci)))
				spec := RunSpec{Desc: d, TStop: tstop, Probes: SectionProbes(d)}
				for _, s := range d.Sections {
					for _, sy := range s.Synapses {
						if sy.Receptor != AMPA {
							continue
						}
						var ts []float64
						for _, x := range poissonTimes(rng, tc.hz, tstop-quiet) {
							ts = append(ts, x+quiet)
						}
						spec.Inputs = append(spec.Inputs, Input{Section: s.Name, Receptor: AMPA, WeightUS: tc.w, TimesMS: ts})
					}
				}
				spec.Probes = append(spec.Probes, Probe{Section: "soma", X: 0.5, Var: "hh2.m"})
				res, err := Run(spec)
				if err != nil {
					t.Fatal(err)
				}
				soma := res.Traces[0]
				if soma[0] != tc.v0 {
					t.Fatalf("seed %d: soma starts at %v, want v0 %v", seed, soma[0], tc.v0)
				}
				for k, tk := range res.T {
					for p, tr := range res.Traces {
						x := tr[k]
						if math.IsNaN(x) || (p < len(d.Sections) && (x < -100 || x > 60)) {
							t.Fatalf("seed %d: %v = %v at t = %v", seed, spec.Probes[p], x, tk)
						}
					}
					if res.Dipole != nil && math.IsNaN(res.Dipole[k]) {
						t.Fatalf("seed %d: dipole NaN at t = %v", seed, tk)
					}
					if tk < quiet && math.Abs(soma[k]-tc.v0) > 0.5 {
						t.Fatalf("seed %d: resting soma %v at t = %v, more than 0.5 mV from %v", seed, soma[k], tk, tc.v0)
					}
				}
				for _, ts := range res.Spikes {
					k := int(math.Round((ts - spikeTimeOffset) / 0.025))
					if math.Abs(res.T[k]+spikeTimeOffset-ts) > 1e-9 || !(soma[k] > 0) || !(soma[k-1] <= 0) {
						t.Fatalf("seed %d: spike at %v is not an upward 0 mV crossing (v = %v, %v)", seed, ts, soma[k-1], soma[k])
					}
				}
				if got, want := len(res.Spikes), len(crossings(res.T, soma)); got != want {
					t.Fatalf("seed %d: %d spikes reported, %d upward crossings in the trace", seed, got, want)
				}
				spikes += len(res.Spikes)
			}
			if spikes == 0 {
				t.Fatalf("no spikes in %d seeds: the crossing check did not run", tc.nSeeds)
			}
			t.Logf("%d spikes over %d seeds", spikes, tc.nSeeds)
		})
	}
}
