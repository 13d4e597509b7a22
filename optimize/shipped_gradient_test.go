package optimize

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
)

// TestShippedGradientMatchesFiniteDifferences checks the gradient of the band
// power loss of the published column of shipped surrogate cells (float64, real
// spikes, a slope so steep that the surrogate term vanishes) against central
// differences of the class log-gains, where the steps leave every spike in
// place: there the loss is smooth and the two must agree.
func TestShippedGradientMatchesFiniteDifferences(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates the 132-cell column 2·16+1 times")
	}
	models, err := snn.ShippedCells[float64]()
	if err != nil {
		t.Skip(err)
	}
	col, err := network.NewPublishedColumn()
	if err != nil {
		t.Fatal(err)
	}
	net, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(10, 0.003, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := snn.New(net, models, snn.Options{TStop: 120, SpikeSlope: 1e12})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Warmup: 20, Resolution: 12.5}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape[float64]()
	eval := func() (float64, int) {
		tp.Reset()
		sn.LogGains.ZeroGrad()
		run, err := sn.Run(tp, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		loss, err := obj.Loss(tp, run)
		if err != nil {
			t.Fatal(err)
		}
		if err := tp.Backward(loss); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range run.SpikeCounts {
			n += c
		}
		return loss.Item(), n
	}
	_, n0 := eval()
	if n0 == 0 {
		t.Fatal("the column is silent")
	}
	g := append([]float64(nil), sn.LogGains.Grad...)
	base := append([]float64(nil), sn.LogGains.Data...)
	const eps = 1e-6
	checked := 0
	for i := range g {
		copy(sn.LogGains.Data, base)
		sn.LogGains.Data[i] += eps
		lp, np := eval()
		copy(sn.LogGains.Data, base)
		sn.LogGains.Data[i] -= eps
		lm, nm := eval()
		copy(sn.LogGains.Data, base)
		if np != n0 || nm != n0 {
			continue // a spike appeared or vanished: the loss jumps there
		}
		fd := (lp - lm) / (2 * eps)
		if math.Abs(fd-g[i]) > 1e-5*math.Max(math.Abs(fd), 1e-3) {
			t.Errorf("class %s: gradient %.8g, finite difference %.8g", net.Connectivity.Classes[i].Name, g[i], fd)
		}
		checked++
	}
	if checked < 8 {
		t.Fatalf("only %d classes checked", checked)
	}
}
