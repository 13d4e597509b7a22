package optimize

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// TestRatePenaltyGradient checks the gradient of a rate penalty (through
// Result.Rates and the spikes' gradient) with respect to the class gains
// against central finite differences, with graded spikes. The tolerance is
// 1e-3 relative: at eps 1e-5 one gain's difference quotient scatters by up
// to 1.5e-4, the round-off of a 1.75e13 loss that this gain moves by only 68
// (a step sweep shows the others converging quadratically onto the backward
// pass, docs/optimize.md),
// while a wrong normalisation, sign or missing step fails by far more.
func TestRatePenaltyGradient(t *testing.T) {
	const steps = 48
	sn, err := snn.New(tinyNet(t, 300), fakeModels[float64](2500), snn.Options{TStop: steps * 0.5, SpikeSlope: 0.05, GradedSpikes: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sn.LogGains.Data {
		sn.LogGains.Data[i] = 0.1 * float64(i%5-2)
	}
	pen, err := NewRatePenalty[float64](map[neuron.CellType][2]float64{neuron.L5Pyramidal: {0, 1}, neuron.L2Pyramidal: {0, 1}, neuron.L2Basket: {1e4, 2e4}})
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		sn.LogGains = in[0]
		run, err := sn.Run(tp, []int{0, 1})
		if err != nil {
			t.Fatal(err)
		}
		rates = append(rates[:0], run.Rates.Data...)
		l, err := pen.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	p := autograd.Clone(sn.LogGains)
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-5, Rtol: 1e-3, Atol: 1e-9}); err != nil {
		t.Fatal(err)
	}
	active := 0
	for ct, r := range rates { // graded spikes make any real "rate", negative ones included
		if b := [][2]float64{{1e4, 2e4}, {0, 1}, {0, 1e308}, {0, 1}}[ct]; r < b[0] || r > b[1] {
			active++
		}
	}
	if active < 2 {
		t.Fatalf("rates %v: the penalty is active on %d types", rates, active)
	}
	tp := autograd.NewTape[float64]()
	p.SetRequiresGrad(true)
	if err := tp.Backward(f(tp, []*autograd.Tensor[float64]{p})); err != nil {
		t.Fatal(err)
	}
	nz := 0
	for _, g := range p.Grad {
		if g != 0 && !math.IsNaN(g) {
			nz++
		}
	}
	if nz < len(p.Grad)/2 {
		t.Fatalf("only %d of %d gradient elements are non-zero", nz, len(p.Grad))
	}
}

// TestRatePenaltyCheckpointed: checkpointed backpropagation gives the rate
// penalty's gradient of the whole tape, and the rates agree with
// FiringRates.
func TestRatePenaltyCheckpointed(t *testing.T) {
	sn, err := snn.New(tinyNet(t, 300), fakeModels[float64](2500), snn.Options{TStop: 40})
	if err != nil {
		t.Fatal(err)
	}
	pen, _ := NewRatePenalty[float64](map[neuron.CellType][2]float64{neuron.L5Pyramidal: {0, 0.5}, neuron.L2Pyramidal: {0, 0.5}, neuron.L5Basket: {0, 0.5}, neuron.L2Basket: {0, 0.5}})
	grads := func(every int) []float64 {
		checked := objectiveFunc(func(tp *autograd.Tape[float64], run *snn.Result[float64]) (*autograd.Tensor[float64], error) {
			fr := run.FiringRates()
			for ct := range fr {
				if math.Abs(fr[ct]-run.Rates.Data[ct]) > 1e-9*(1+fr[ct]) {
					t.Fatalf("every %d: Rates %v, FiringRates %v", every, run.Rates.Data, fr)
				}
			}
			return pen.Loss(tp, run)
		})
		return trainableGrads(t, sn, checked, []int{0, 1}, every)
	}
	whole := grads(0)
	nz := 0
	for _, g := range whole {
		if g != 0 {
			nz++
		}
	}
	if nz == 0 {
		t.Fatal("no rate-penalty gradient")
	}
	for _, every := range []int{1, 6, 25} {
		got := grads(every)
		for i := range whole {
			if math.Abs(got[i]-whole[i]) > 1e-12*(1+math.Abs(whole[i])) {
				t.Fatalf("every %d: gradient %d = %v, whole tape %v", every, i, got[i], whole[i])
			}
		}
	}
	if _, err := NewRatePenalty[float64](map[neuron.CellType][2]float64{neuron.L5Basket: {3, 1}}); err == nil {
		t.Error("bounds [3, 1] accepted")
	}
}
