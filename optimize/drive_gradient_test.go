package optimize

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
)

// The loss is strongly curved in the drive gains (a third-order term gives
// 1e-3 of error at a step of 1e-3, 5e-7 at 1e-4), so the step is 1e-5.

// TestDriveGainGradient checks the gradient of the network loss with
// respect to the drives' log10 gains (snn.Options.DriveParams) against
// central finite differences, with graded spikes (every path smooth) and
// with real spikes at a slope so steep that only the drive-to-input path
// and the routing remain.
func TestDriveGainGradient(t *testing.T) {
	for _, c := range []struct {
		smooth bool
		slope  float64
	}{{true, 0.05}, {false, 1e12}} {
		net := tinyNet(t, 300)
		const steps = 48
		sn, err := snn.New(net, fakeModels[float64](2500), snn.Options{TStop: steps * 0.5, SpikeSlope: c.slope, GradedSpikes: c.smooth, DriveParams: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(sn.DriveClasses) < 5 || len(sn.Trainable()) != 2 {
			t.Fatalf("%d drive classes, %d trainable tensors", len(sn.DriveClasses), len(sn.Trainable()))
		}
		for i := range sn.DriveLogGains.Data {
			sn.DriveLogGains.Data[i] = 0.1 * float64(i%5-2)
		}
		obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 2000.0 / steps}, sn.Steps, sn.Dt)
		if err != nil {
			t.Fatal(err)
		}
		spikes := -1
		f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
			sn.DriveLogGains = in[0]
			run, err := sn.Run(tp, []int{0, 1})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, k := range run.SpikeCounts {
				n += k
			}
			if !c.smooth {
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
		p := autograd.Clone(sn.DriveLogGains)
		if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{p}, autograd.GradCheckOptions{Eps: 1e-5, Rtol: 1e-6, Atol: 1e-9}); err != nil {
			t.Fatalf("smooth %v: %v", c.smooth, err)
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
			t.Fatalf("smooth %v: only %d of %d drive gradients are non-zero", c.smooth, nz, len(p.Grad))
		}
	}
}

// TestDriveGainCheckpointed checks that checkpointed backpropagation gives
// the drive gains the gradient of the whole tape.
func TestDriveGainCheckpointed(t *testing.T) {
	sn, err := snn.New(tinyNet(t, 300), fakeModels[float64](2500), snn.Options{TStop: 40, DriveParams: true})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 100, Hi: 900, Warmup: -1, Resolution: 50}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	nClass := sn.LogGains.Len()
	grads := func(every int) []float64 { return trainableGrads(t, sn, obj, []int{0, 1}, every)[nClass:] }
	whole := grads(0)
	for _, every := range []int{1, 7, 33} {
		got := grads(every)
		for i := range whole {
			if got[i] != whole[i] {
				t.Fatalf("every %d: drive gradient %d = %v, whole tape %v", every, i, got[i], whole[i])
			}
		}
	}
}

// TestRunTrainsDriveGains runs two restarts with the drives' weights among
// the parameters and checks that they move and are reported.
func TestRunTrainsDriveGains(t *testing.T) {
	sn, err := snn.New(tinyNet(t, 200), fakeModels[float64](2500), snn.Options{TStop: 150, DriveParams: true})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 25, Resolution: 8}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sn, Objective[float64](obj), Config{Epochs: 3, LR: 0.2, Restarts: 2, HeldOut: []int{500}})
	if err != nil {
		t.Fatal(err)
	}
	nd := len(sn.DriveClasses)
	if len(res.InitialDriveGains) != nd || len(res.FinalDriveGains) != nd || len(res.Restarts[1].FinalDriveGains) != nd {
		t.Fatalf("drive gains reported %d, %d, %d; want %d", len(res.InitialDriveGains), len(res.FinalDriveGains), len(res.Restarts[1].FinalDriveGains), nd)
	}
	moved := 0
	for i, g := range res.FinalDriveGains {
		if res.InitialDriveGains[i] != 1 {
			t.Errorf("initial drive gain %d = %v, want 1", i, res.InitialDriveGains[i])
		}
		if math.Abs(math.Log10(g)) > 1e-3 {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no drive gain moved")
	}
	if st := res.Epochs[len(res.Epochs)-1]; len(st.Params) != len(sn.LogGains.Data)+nd || len(st.DriveGains) != nd {
		t.Errorf("epoch parameters %d, drive gains %d; want %d and %d", len(st.Params), len(st.DriveGains), len(sn.LogGains.Data)+nd, nd)
	}
	// The network ends with the kept restart's drive gains, and Drives
	// applies them to the weights.
	got := sn.DriveGains()
	for i := range got {
		if math.Abs(got[i]-res.FinalDriveGains[i]) > 1e-12*got[i] {
			t.Fatalf("drive gain %d: network %v, result %v", i, got[i], res.FinalDriveGains[i])
		}
	}
	c := sn.DriveClasses[0]
	d0, d := sn.Net.Drives[c.Drive], sn.Drives()[c.Drive]
	w0, w := d0.WeightsAMPA[c.CellType], d.WeightsAMPA[c.CellType]
	if c.Receptor.String() == "nmda" {
		w0, w = d0.WeightsNMDA[c.CellType], d.WeightsNMDA[c.CellType]
	}
	if math.Abs(w-w0*got[0]) > 1e-12*w {
		t.Errorf("drive weight %v after training, want %v·%v", w, w0, got[0])
	}
}
