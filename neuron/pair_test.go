package neuron

import (
	"math"
	"testing"
)

// TestAdvancePairMatchesAdvance steps pairs of cells of each type with AdvancePair and
// copies of them with Advance, under different Poisson inputs and a clamp on one cell, and
// requires every voltage, gate, cai and dipole to agree bit for bit at every step.
func TestAdvancePairMatchesAdvance(t *testing.T) {
	for _, ct := range CellTypes {
		d, _ := Template(ct)
		mk := func(seed uint64, clamp bool) *Cell {
			spec := RunSpec{Desc: d, TStop: 150, Inputs: ampaPoissonInputs(d, seed, 40, 0.004, 150)}
			c, err := spec.Prepare()
			if err != nil {
				t.Fatal(err)
			}
			if clamp {
				if err := c.AddIClamp(SecSoma, 0.5, 0.6, 20, 100); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
		pa, pb, sa, sb := mk(1, true), mk(2, false), mk(1, true), mk(2, false)
		if want := ct == L2Pyramidal || ct == L5Pyramidal; Pairable(pa, pb) != want {
			t.Fatalf("%s: Pairable %v", ct, !want)
		}
		if Pairable(pa, pa) {
			t.Fatalf("%s: a cell is pairable with itself", ct)
		}
		same := func(x, y []float64) bool {
			for i := range x {
				if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
					return false
				}
			}
			return true
		}
		spikes := 0
		for k := 0; k < Steps(150, pa.Dt()); k++ {
			for _, c := range []*Cell{pa, pb, sa, sb} {
				if s, _ := c.CheckThreshold(); s && c == pa {
					spikes++
				}
			}
			AdvancePair(pa, pb)
			sa.Advance()
			sb.Advance()
			for _, q := range [][2]*Cell{{pa, sa}, {pb, sb}} {
				x, y := q[0], q[1]
				if !same(x.v, y.v) || !same(x.gate, y.gate) || !same(x.cai, y.cai) || !sameBits(x.dipole, y.dipole) || x.t != y.t {
					t.Fatalf("%s step %d: AdvancePair differs from Advance", ct, k)
				}
			}
		}
		if spikes == 0 {
			t.Fatalf("%s: no spike", ct)
		}
	}
}
