package optimize

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// RatePenalty is an objective holding the cell types' firing rates
// (snn.Result.Rates, Hz) inside bounds: Σ_c max(0, r_c − hi_c)² +
// max(0, lo_c − r_c)² (Hz²). Its gradient reaches the network through the
// spikes' surrogate gradient (network/snn/rates.go). Add it to another
// objective with NewSum and a weight.
type RatePenalty[T autograd.Float] struct {
	lo, hi *autograd.Tensor[T]
}

// NewRatePenalty returns the penalty of bounds ([lo, hi] Hz per cell type;
// a type without an entry is unconstrained).
func NewRatePenalty[T autograd.Float](bounds map[neuron.CellType][2]float64) (*RatePenalty[T], error) {
	p := &RatePenalty[T]{lo: autograd.Zeros[T](neuron.NumCellTypes), hi: autograd.Zeros[T](neuron.NumCellTypes)}
	for _, ct := range neuron.CellTypes {
		b, ok := bounds[ct]
		if !ok {
			b = [2]float64{0, math.MaxFloat32}
		}
		if math.IsNaN(b[0]) || math.IsNaN(b[1]) || b[0] < 0 || b[0] > b[1] {
			return nil, fmt.Errorf("optimize: firing-rate bounds %v Hz for %s: want 0 <= lo <= hi", b, ct)
		}
		p.lo.Data[ct], p.hi.Data[ct] = T(b[0]), T(min(b[1], math.MaxFloat32))
	}
	return p, nil
}

// Loss records the penalty of the run's rates on tp.
func (p *RatePenalty[T]) Loss(tp *autograd.Tape[T], run *snn.Result[T]) (*autograd.Tensor[T], error) {
	if run.Rates == nil {
		return nil, fmt.Errorf("optimize: the run has no rates")
	}
	over := tp.Relu(tp.Sub(run.Rates, p.hi))
	under := tp.Relu(tp.Sub(p.lo, run.Rates))
	return tp.Add(tp.Sum(tp.Mul(over, over)), tp.Sum(tp.Mul(under, under))), nil
}
