package optimize

import (
	"math"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// meanDipole is a user-written objective: the squared mean aggregate
// dipole (nAm²), minimised.
type meanDipole struct{}

func (meanDipole) Loss(tp *autograd.Tape[float64], run *snn.Result[float64]) (*autograd.Tensor[float64], error) {
	m := tp.Mean(tp.Narrow(run.Dipole, 0, 0, 1))
	return tp.Mul(m, m), nil
}

// TestSumOfObjectives checks that a weighted sum's loss and gradient are the
// weighted sums of its terms' on the same run, with a user-written term.
func TestSumOfObjectives(t *testing.T) {
	sn, spec := tinyOptimizeSetup(t)
	const w1, w2 = 0.7, -2.5
	sum, err := NewSum([]Objective[float64]{spec, meanDipole{}}, []float64{w1, w2}, []string{"band", "mean"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Spectrum() != spec {
		t.Error("the sum's spectral read-out is not its spectral term")
	}
	lossAndGrad := func(obj Objective[float64]) (float64, []float64) {
		tp := autograd.NewTape[float64]()
		sn.LogGains.ZeroGrad()
		run, err := sn.Run(tp, []int{3})
		if err != nil {
			t.Fatal(err)
		}
		l, err := obj.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		if err := tp.Backward(l); err != nil {
			t.Fatal(err)
		}
		return l.Item(), append([]float64(nil), sn.LogGains.Grad...)
	}
	l1, g1 := lossAndGrad(spec)
	l2, g2 := lossAndGrad(meanDipole{})
	l, g := lossAndGrad(sum)
	if want := w1*l1 + w2*l2; math.Abs(l-want) > 1e-12*math.Abs(want) {
		t.Errorf("sum loss %v, want %v", l, want)
	}
	nonzero := 0
	for i := range g {
		want := w1*g1[i] + w2*g2[i]
		if math.Abs(g[i]-want) > 1e-9*(math.Abs(want)+1e-12) {
			t.Errorf("gradient %d: %v, want %v", i, g[i], want)
		}
		if g[i] != 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Error("the sum's gradient is zero")
	}
	for _, c := range []struct {
		terms []Objective[float64]
		w     []float64
		msg   string
	}{
		{nil, nil, "a sum of 0"},
		{[]Objective[float64]{spec}, []float64{0}, "every objective's weight is zero"},
		{[]Objective[float64]{spec}, []float64{math.NaN()}, "must be finite"},
		{[]Objective[float64]{spec, nil}, []float64{1, 1}, "is nil"},
	} {
		if _, err := NewSum(c.terms, c.w, nil); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("NewSum: error %v, want %q", err, c.msg)
		}
	}
}

// TestRunFitsAnERP fits the tiny network's class gains to the trial-averaged
// dipole of the same network at other gains and checks that the RMSE falls;
// without a spectral term the band power is reported as NaN.
func TestRunFitsAnERP(t *testing.T) {
	// The tiny network driven only by two evoked volleys (at 40 and 70 ms),
	// so that every trial is alike and the fit's target is reachable.
	net := tinyNet(t, 60)
	ev := network.NewEvokedDrive("evprox1", neuron.Proximal, 40, 0.2)
	ev2 := network.NewEvokedDrive("evdist1", neuron.Distal, 70, 0.2)
	ev2.NumSpikes = 1
	for _, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
		ev2.SetTarget(ct, 0.01, -1, 0.1)
	}
	ev.NumSpikes = 1
	for _, ct := range neuron.CellTypes {
		ev.SetTarget(ct, 0.01, -1, 0.1)
	}
	net, err := network.NewNetwork(net.Column, net.Connectivity, []network.Drive{ev, ev2})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := snn.New(net, fakeModels[float64](2500), snn.Options{TStop: 150})
	if err != nil {
		t.Fatal(err)
	}
	// The "measured" ERP: the network at gains 2 on every class, 4 trials
	// the fit never trains on.
	g0 := append([]float64(nil), sn.LogGains.Data...)
	for i := range sn.LogGains.Data {
		sn.LogGains.Data[i] = math.Log10(2)
	}
	tp := autograd.NewTape[float64]()
	tp.SetNoGrad(true)
	run, err := sn.Run(tp, []int{900, 901, 902, 903})
	if err != nil {
		t.Fatal(err)
	}
	target := network.Dipole{}
	for m := range run.Steps {
		target.Times = append(target.Times, float64(m+1)*run.Dt)
		var a [3]float64
		for row := range 3 {
			for r := range run.Replicas {
				a[row] += float64(run.Dipole.Data[(row*run.Replicas+r)*run.Steps+m]) / float64(run.Replicas)
			}
		}
		target.Agg, target.L2, target.L5 = append(target.Agg, a[0]), append(target.L2, a[1]), append(target.L5, a[2])
	}
	erp, err := NewERPObjective[float64](ERPConfig{Target: target, TStart: 20, NoBaseline: true}, sn.Steps, sn.Dt, 0)
	if err != nil {
		t.Fatal(err)
	}
	heldOut := []int{500, 501, 502}
	truth, err := Evaluate(sn, Objective[float64](erp), autograd.NewTape[float64](), heldOut)
	if err != nil {
		t.Fatal(err)
	}
	copy(sn.LogGains.Data, g0)
	res, err := Run(sn, Objective[float64](erp), Config{Epochs: 12, LR: 0.05, TrainReplicas: 2, HeldOut: heldOut, Progress: func(st EpochStats) {
		t.Logf("epoch %d: RMSE %.4g, gains %.3g", st.Epoch, st.Loss, st.Gains[:4])
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The trial noise leaves an RMSE even at the true gains: the fit must
	// close most of the gap to it.
	t.Logf("held-out RMSE: initial %.4g, fitted %.4g, at the true gains %.4g", res.Initial.Loss, res.Final.Loss, truth.Loss)
	if gap := res.Initial.Loss - truth.Loss; !(gap > 0) || !(res.Final.Loss-truth.Loss < 0.5*gap) {
		t.Errorf("held-out ERP RMSE %.4g -> %.4g nAm, %.4g at the true gains: the fit closed less than half the gap", res.Initial.Loss, res.Final.Loss, truth.Loss)
	}
	if !math.IsNaN(res.Final.MeanBandPower) || !math.IsNaN(res.Epochs[0].TrainBandPower) {
		t.Errorf("band power %v, %v without a spectral objective, want NaN", res.Final.MeanBandPower, res.Epochs[0].TrainBandPower)
	}
}
