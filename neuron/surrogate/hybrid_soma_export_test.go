package surrogate

import "github.com/neurograd/neurograd/autograd"

// HybridStepTraj is HybridSoma.Step without the tape that also returns the exact part's
// node voltages after each substep (traj[q−1][b·3+i], q = 1…20, neuron.SomaCell.ReadExact's
// order): what a DendriteCell following the hybrid's soma needs (the held-dendrite
// oracle of the tests).
func HybridStepTraj[T autograd.Float](m *HybridSoma[T], x, held []T, st *HybridState[T]) (y []T, traj [][]float64) {
	B := st.batch
	W := m.StateWidth()
	s1 := make([]T, B*W)
	st.op.forward(B, st.S.Data, x, held, s1, true)
	KB := m.k.K * B
	for q := 1; q <= ExactSubsteps; q++ {
		r := make([]float64, B*hsNodes)
		for b := range B {
			for i := range hsNodes {
				r[b*hsNodes+i] = st.op.traj[q*KB+i*B+b]
			}
		}
		traj = append(traj, r)
	}
	copy(st.own.Data, s1)
	st.S = st.own
	no := 2 + 2*HybridBoundary
	y = make([]T, B*no)
	p := hsPick[T]{k: &m.k}
	for b := range B {
		for i := range no {
			y[b*no+i] = s1[b*W+p.col(i, W)]
		}
	}
	return y, traj
}

// ResetHybridState points a HybridSoma state back at its own memory.
func ResetHybridState[T autograd.Float](st *HybridState[T]) { st.S = st.own }
