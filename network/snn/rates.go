package snn

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// Differentiable firing rates.
//
// Result.Rates is the mean firing rate of each cell type (Hz per cell,
// over the replicas), r_c = Σ s / (N_c·R·T) with s the spikes of the type's
// cells. Its gradient reaches the somatic voltages the way a spike's
// gradient from the routing does: a loss's ∂L/∂r_c adds ∂L/∂r_c/(N_c·R·T)
// to ∂L/∂s of every unit of type c at every step, which the fast-sigmoid
// surrogate passes to the voltages on both sides of each crossing (and the
// graded spikes exactly, in GradedSpikes mode). A rate penalty can then
// hold the network's rates in physiological bounds.

// rates records Result.Rates on tp from the run's detected spikes.
func (rs *runState[T]) rates(tp *autograd.Tape[T]) *autograd.Tensor[T] {
	out := tp.NewTensor(neuron.NumCellTypes)
	rs.rateValues(out.Data)
	tp.Record(rateOp[T]{rs}, out, rs.params...)
	return out
}

// rateValues writes r_c = Σ spike values / (N_c·R·T) (Hz) into dst.
func (rs *runState[T]) rateValues(dst []T) {
	sn := rs.sn
	col := sn.Net.Column
	nc := col.NumCells()
	clear(dst)
	for j, u := range rs.spikeUnit {
		dst[col.Cells[int(u)%nc].Type] += rs.spikeVal[j]
	}
	for _, ct := range neuron.CellTypes {
		if n := rs.rateNorm(ct); n > 0 {
			dst[ct] /= T(n)
		}
	}
}

// rateNorm is N_c·R·T (cell-seconds) of cell type ct.
func (rs *runState[T]) rateNorm(ct neuron.CellType) float64 {
	return float64(rs.sn.Net.Column.Count(ct)*rs.reps) * float64(rs.sn.Steps) * rs.sn.Dt / 1000
}

type rateOp[T autograd.Float] struct{ rs *runState[T] }

// Backward keeps the per-spike gradient of each type for the routing's
// backward pass and applies it to the last step's crossings, which no
// later routing node handles.
func (op rateOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	op.rs.setRateGrad(nd.Out.Grad)
	op.rs.lastStepRateGrads(tp)
}

// setRateGrad sets the per-spike gradients from ∂L/∂r (nil: none).
func (rs *runState[T]) setRateGrad(g []T) {
	rs.rateGrad = [neuron.NumCellTypes]T{}
	rs.hasRateGrad = false
	if g == nil {
		return
	}
	for _, ct := range neuron.CellTypes {
		if n := rs.rateNorm(ct); n > 0 && g[ct] != 0 {
			rs.rateGrad[ct] = g[ct] / T(n)
			rs.hasRateGrad = true
		}
	}
}

// addRateGrads adds the per-spike rate gradients to gs of step n.
func (rs *runState[T]) addRateGrads(n int) {
	if !rs.hasRateGrad {
		return
	}
	col := rs.sn.Net.Column
	nc := col.NumCells()
	gsn, slots := rs.gs[n%rs.slots:], rs.slots // unit u's at gsn[u·slots]
	for r := range rs.reps {
		for _, ct := range neuron.CellTypes {
			g0, g1 := col.Range(ct)
			c := rs.rateGrad[ct]
			for u := r*nc + g0; u < r*nc+g1; u++ {
				gsn[u*slots] += c
			}
		}
	}
}

// lastStepRateGrads passes the rate gradient of the last step's crossings
// to its voltages.
func (rs *runState[T]) lastStepRateGrads(tp *autograd.Tape[T]) {
	if n := rs.sn.Steps - 1; rs.hasRateGrad && n >= 1 {
		rs.addRateGrads(n)
		rs.surrogateGrads(tp, n)
	}
}
