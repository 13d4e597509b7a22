package neuron

import (
	"math/rand/v2"
	"testing"
)

// TestSolveTwoLaneMatchesSerial checks solveTwoLane bit for bit against solveSerial (d,
// rhs and v) on the built-in cell trees and on random trees (parents precede children,
// mostly unbranched runs), and that the plan applies to the pyramidal cells.
func TestSolveTwoLaneMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var trees [][]int32
	for _, ct := range CellTypes {
		c, err := NewType(ct, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if (ct == L2Pyramidal || ct == L5Pyramidal) && !c.plan.two {
			t.Fatalf("%s: no two-lane plan", ct)
		}
		trees = append(trees, c.parent)
	}
	for range 300 {
		n := 2 + rng.IntN(80)
		par := []int32{-1}
		for i := 1; i < n; i++ {
			p := int32(i - 1)
			if rng.IntN(6) == 0 {
				p = int32(rng.IntN(i))
			}
			par = append(par, p)
		}
		trees = append(trees, par)
	}
	planned := 0
	for k, par := range trees {
		n := len(par)
		pl := planSolve(par)
		if !pl.two {
			continue
		}
		planned++
		mk := func() *Cell {
			return &Cell{parent: par, plan: pl, d: make([]float64, n), rhs: make([]float64, n),
				gAx: make([]float64, n), v: make([]float64, n)}
		}
		a, b := mk(), mk()
		for i := range n {
			a.gAx[i] = rng.Float64()
			a.d[i] = 2 + rng.Float64()*3
			a.rhs[i] = rng.NormFloat64()
			a.v[i] = rng.NormFloat64() * 60
		}
		copy(b.gAx, a.gAx)
		copy(b.d, a.d)
		copy(b.rhs, a.rhs)
		copy(b.v, a.v)
		a.dipK, b.dipK = make([]float64, n), make([]float64, n)
		for i := 1; i < n; i++ {
			a.dipK[i] = rng.NormFloat64()
		}
		copy(b.dipK, a.dipK)
		b.desc = &CellDesc{Dipole: true}
		q := a.solveTwoLane(true)
		b.solveSerial()
		if want := b.computeDipole(); !sameBits(q, want) {
			t.Fatalf("tree %d: dipole %v, computeDipole %v", k, q, want)
		}
		for i := range n {
			if !sameBits(a.d[i], b.d[i]) || !sameBits(a.rhs[i], b.rhs[i]) || !sameBits(a.v[i], b.v[i]) {
				t.Fatalf("tree %d (n %d, plan %+v) node %d: two lanes (%v, %v, %v), serial (%v, %v, %v)",
					k, n, pl, i, a.d[i], a.rhs[i], a.v[i], b.d[i], b.rhs[i], b.v[i])
			}
		}
	}
	if planned < 100 {
		t.Fatalf("only %d trees got a two-lane plan", planned)
	}
}
