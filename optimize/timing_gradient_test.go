package optimize

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// timedNet is the tiny network with two evoked drives (4 events per drive
// cell, spread 2 ms) added to its Poisson drives.
func timedNet(t *testing.T, opt snn.Options) *snn.Net[float64] {
	t.Helper()
	net := tinyNet(t, 150)
	ev := network.NewEvokedDrive("evprox1", neuron.Proximal, 9, 2)
	ev.NumSpikes = 4
	ev2 := network.NewEvokedDrive("evdist1", neuron.Distal, 14, 1.5)
	ev2.NumSpikes = 3
	for _, ct := range neuron.CellTypes {
		ev.SetTarget(ct, 0.02, -1, 0.1)
	}
	for _, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
		ev2.SetTarget(ct, 0.02, 0.01, 0.1)
	}
	net, err := network.NewNetwork(net.Column, net.Connectivity, append(net.Drives, ev, ev2))
	if err != nil {
		t.Fatal(err)
	}
	sn, err := snn.New(net, fakeModels[float64](2500), opt)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// TestDriveTimingGradient checks ∂L/∂μ and ∂L/∂σ of the evoked drives
// against central finite differences of the smoothed loss: graded spikes and
// events spread over the two bins enclosing them (SoftEventTiming), so the
// loss is differentiable in the event times.
func TestDriveTimingGradient(t *testing.T) {
	const steps = 48
	sn := timedNet(t, snn.Options{TStop: steps * 0.5, SpikeSlope: 0.05, GradedSpikes: true, DriveTiming: true, SoftEventTiming: true})
	if len(sn.TimingDrives) != 2 || sn.DriveTiming.Len() != 4 {
		t.Fatalf("%d timed drives, %d timing parameters", len(sn.TimingDrives), sn.DriveTiming.Len())
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 2000.0 / steps}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		sn.DriveTiming = in[0]
		run, err := sn.Run(tp, []int{0, 1})
		if err != nil {
			t.Fatal(err)
		}
		loss, err := obj.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		return loss
	}
	p := autograd.Clone(sn.DriveTiming)
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-5, Rtol: 1e-5, Atol: 1e-9}); err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape[float64]()
	p.SetRequiresGrad(true)
	if err := tp.Backward(f(tp, []*autograd.Tensor[float64]{p})); err != nil {
		t.Fatal(err)
	}
	for i, g := range p.Grad {
		if g == 0 || math.IsNaN(g) {
			t.Errorf("timing gradient %d (%s) = %v", i, sn.TrainableName(1, i), g)
		}
	}
	if n := sn.TrainableName(1, 3); n != "evdist1_sigma" {
		t.Errorf("timing parameter 3 is named %q", n)
	}
}

// TestDriveTimingHardForward checks that training the timing leaves the
// forward pass as it was at the drives' own μ, σ (hard binning), and that a
// moved μ moves the events: the run's dipole changes.
func TestDriveTimingHardForward(t *testing.T) {
	dip := func(sn *snn.Net[float64]) []float64 {
		tp := autograd.NewTape[float64]()
		tp.SetNoGrad(true)
		run, err := sn.Run(tp, []int{2})
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), run.Dipole.Data...)
	}
	plain := dip(timedNet(t, snn.Options{TStop: 30}))
	sn := timedNet(t, snn.Options{TStop: 30, DriveTiming: true})
	timed := dip(sn)
	for i := range plain {
		if math.Abs(plain[i]-timed[i]) > 1e-12*(1+math.Abs(plain[i])) {
			t.Fatalf("dipole sample %d: %v with the timing trainable, %v without", i, timed[i], plain[i])
		}
	}
	sn.DriveTiming.Data[0] += 3 // evprox1 3 ms later
	moved := dip(sn)
	same := true
	for i := range moved {
		same = same && moved[i] == timed[i]
	}
	if same {
		t.Error("moving evprox1 by 3 ms left the dipole unchanged")
	}
	if d := sn.Drives(); d[sn.TimingDrives[0]].Mu != 12 {
		t.Errorf("Drives reports mu %v, want 12", d[sn.TimingDrives[0]].Mu)
	}
	sn.DriveTiming.Data[1] = -1
	tp := autograd.NewTape[float64]()
	if _, err := sn.Run(tp, []int{0}); err == nil {
		t.Error("a negative spread was accepted")
	}
}

// TestDriveTimingCheckpointed checks that checkpointed backpropagation gives
// the timing parameters the gradient of the whole tape.
func TestDriveTimingCheckpointed(t *testing.T) {
	sn := timedNet(t, snn.Options{TStop: 30, DriveTiming: true, DriveParams: true})
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 50}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	nClass := sn.LogGains.Len()
	// [drive gains..., timing...] after the class gains, reordered as the
	// checks below read them: timing first.
	grads := func(every int) []float64 {
		g := trainableGrads(t, sn, obj, []int{0, 1}, every)[nClass:]
		nd := sn.DriveLogGains.Len()
		return append(append([]float64(nil), g[nd:]...), g[:nd]...)
	}
	whole := grads(0)
	nz := 0
	for _, g := range whole[:4] {
		if g != 0 {
			nz++
		}
	}
	if nz == 0 {
		t.Fatal("no timing gradient")
	}
	for _, every := range []int{1, 5, 17} {
		got := grads(every)
		for i := range whole {
			if got[i] != whole[i] {
				t.Fatalf("every %d: gradient %d = %v, whole tape %v", every, i, got[i], whole[i])
			}
		}
	}
}
