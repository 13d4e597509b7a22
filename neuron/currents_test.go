package neuron

import (
	"math"
	"testing"
)

// TestFusedCurrentsMatchPerMechanism runs every built-in cell type twice, with the fused
// current pass (its AVX2 form where it applies) and with the per-mechanism loops, under
// Poisson input and a soma clamp, and requires every node voltage, gate and calcium state
// to agree bit for bit at every step; then the same with the Go fused pass against its
// AVX2 form.
func TestFusedCurrentsMatchPerMechanism(t *testing.T) {
	testFusedCurrents(t, false)
	if useAVX2 {
		testFusedCurrents(t, true)
	}
}

// testFusedCurrents compares the fused pass with the per-mechanism loops (goFused false)
// or the AVX2 form with the Go fused pass (goFused true).
func testFusedCurrents(t *testing.T, goFused bool) {
	for _, ct := range CellTypes {
		d, _ := Template(ct)
		spec := RunSpec{Desc: d, TStop: 120, Inputs: ampaPoissonInputs(d, 5, 40, 0.004, 120)}
		cells := clampedTwins(t, spec, 0.5, 20, 80)
		if cells[0].fused == fusedNone {
			t.Fatalf("%s: no fused current pass applies", ct)
		}
		if goFused {
			if cells[0].curBlock == nil && (ct == L2Pyramidal || ct == L5Pyramidal) {
				t.Fatalf("%s: no AVX2 current pass", ct)
			}
			cells[1].curBlock = nil
		} else {
			cells[1].fused = fusedNone
		}
		eq := func(a, b []float64) int {
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					return i
				}
			}
			return -1
		}
		spikes := 0
		for k := 0; k < Steps(spec.TStop, cells[0].Dt()); k++ {
			s0, _ := cells[0].Step()
			cells[1].Step()
			if s0 {
				spikes++
			}
			a, b := cells[0], cells[1]
			if i := eq(a.v, b.v); i >= 0 {
				t.Fatalf("%s step %d: v[%d] fused %v, per mechanism %v", ct, k, i, a.v[i], b.v[i])
			}
			if i := eq(a.gate, b.gate); i >= 0 {
				t.Fatalf("%s step %d: gate %d differs", ct, k, i)
			}
			if i := eq(a.cai, b.cai); i >= 0 {
				t.Fatalf("%s step %d: cai %d differs", ct, k, i)
			}
		}
		if spikes == 0 {
			t.Fatalf("%s: no spike: the comparison covers no spiking", ct)
		}
	}
}
