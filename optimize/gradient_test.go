package optimize

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
)

// The gradient of the whole surrogate-network loss (spike routing with delays,
// the surrogate derivative through both voltages of a crossing, the cell
// models, the dipole readout and the Welch band power) against central finite
// differences.

func gradCheckNet(t *testing.T, smooth bool, slope float64, mode snn.ParamMode) {
	net := tinyNet(t, 300)
	const steps = 48
	sn, err := snn.New(net, fakeModels[float64](2500), snn.Options{TStop: steps * 0.5, SpikeSlope: slope, Params: mode, GradedSpikes: smooth})
	if err != nil {
		t.Fatal(err)
	}
	// Non-trivial starting gains.
	for i := range sn.LogGains.Data {
		sn.LogGains.Data[i] = 0.1 * float64(i%5-2)
	}
	for i := range sn.LogWeights.Data {
		sn.LogWeights.Data[i] = 0.05 * float64(i%7-3)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 2000.0 / steps}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	trials := []int{0, 1}
	spikes := -1
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		if mode == snn.ParamsPerClass {
			sn.LogGains = in[0]
		} else {
			sn.LogWeights = in[0]
		}
		run, err := sn.Run(tp, trials)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range run.SpikeCounts {
			n += c
		}
		if !smooth {
			if spikes >= 0 && n != spikes {
				t.Fatalf("spike count changed from %d to %d under the finite-difference step", spikes, n)
			}
			spikes = n
		}
		loss, err := obj.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		return loss
	}
	p := autograd.Clone(sn.Params())
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-4, Rtol: 1e-6, Atol: 1e-10}); err != nil {
		t.Fatal(err)
	}
	if !smooth && spikes < 5 {
		t.Fatalf("only %d spikes: the check did not exercise the spike routing", spikes)
	}
	// The gradient must not be trivially zero.
	tp := autograd.NewTape[float64]()
	p.SetRequiresGrad(true)
	loss := f(tp, []*autograd.Tensor[float64]{p})
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	nz := 0
	for _, g := range p.Grad {
		if g != 0 {
			nz++
		}
	}
	if nz < len(p.Grad)/2 {
		t.Fatalf("only %d of %d gradient elements are non-zero", nz, len(p.Grad))
	}
}

// TestSurrogateNetGradientSmooth checks the gradient of the whole network
// loss with respect to the class log-gains against finite differences, with
// graded spikes (smooth mode), so that every path is differentiable: spike
// routing with delays, the surrogate derivative through both voltages of a
// crossing, the cell models, the dipole readout and the Welch band power.
func TestSurrogateNetGradientSmooth(t *testing.T) {
	gradCheckNet(t, true, 0.05, snn.ParamsPerClass)
}

func TestSurrogateNetGradientSmoothPerConnection(t *testing.T) {
	gradCheckNet(t, true, 0.05, snn.ParamsPerConnection)
}

// TestSurrogateNetGradientSpiking checks the gradient with real (Heaviside)
// spikes and a slope so steep that the surrogate term vanishes: the loss is
// then smooth in the gains between spike-count changes, and its derivative is
// exactly the routing part of the backward pass.
func TestSurrogateNetGradientSpiking(t *testing.T) {
	gradCheckNet(t, false, 1e12, snn.ParamsPerClass)
}
