package optimize

import (
	"strconv"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// TestRunKeepsParametersInBounds bounds a class gain and a drive weight
// tightly and checks that every epoch's parameters stay inside, that the
// clipped ones are named, and that unsupported bounds are refused.
func TestRunKeepsParametersInBounds(t *testing.T) {
	sn, err := snn.New(tinyNet(t, 200), fakeModels[float64](2500), snn.Options{TStop: 150, DriveParams: true})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 25, Resolution: 8}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	gain := sn.Net.Connectivity.Classes[0].Name
	dc := sn.DriveClasses[0]
	wname := dc.Name(sn.Net)
	w0 := sn.Net.Drives[dc.Drive].WeightsAMPA[dc.CellType]
	if dc.Receptor.String() == "nmda" {
		w0 = sn.Net.Drives[dc.Drive].WeightsNMDA[dc.CellType]
	}
	ps, err := ReadBounds(strings.NewReader(`{"`+gain+`": [0.9, 1.05], "`+wname+`": [0, `+ftoa(1.02*w0)+`]}`), sn.Net.Connectivity, sn.Net.Drives)
	if err != nil {
		t.Fatal(err)
	}
	bounds, err := LogBounds(ps, sn)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sn, Objective[float64](obj), Config{Epochs: 6, LR: 0.3, HeldOut: []int{}, Bounds: bounds})
	if err != nil {
		t.Fatal(err)
	}
	clipped := 0
	for _, st := range res.Epochs {
		for _, b := range bounds {
			if v := st.Params[b.Index]; v < b.Lo-1e-15 || v > b.Hi+1e-15 {
				t.Errorf("epoch %d: %s at log10 %v outside [%v, %v]", st.Epoch, b.Name, v, b.Lo, b.Hi)
			}
		}
		clipped += len(st.AtBounds)
	}
	if clipped == 0 {
		t.Error("a learning rate of 0.3 never reached bounds of ±2-5 %")
	}
	if g := res.FinalGains[0]; g < 0.9-1e-12 || g > 1.05+1e-12 {
		t.Errorf("final gain %v outside [0.9, 1.05]", g)
	}
	// Times are not differentiable parameters; gains need per-class mode.
	ev, err := ReadBounds(strings.NewReader(`{"noise_rate": [1, 20]}`), sn.Net.Connectivity, sn.Net.Drives)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LogBounds(ev, sn); err == nil || !strings.Contains(err.Error(), "not a differentiable parameter") {
		t.Errorf("a rate bound: %v", err)
	}
	pc, err := snn.New(tinyNet(t, 200), fakeModels[float64](2500), snn.Options{TStop: 20, Params: snn.ParamsPerConnection})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LogBounds(ps, pc); err == nil || !strings.Contains(err.Error(), "per-class") {
		t.Errorf("gain bounds with per-connection parameters: %v", err)
	}
	if _, err := Run(sn, Objective[float64](obj), Config{Epochs: 1, HeldOut: []int{}, Bounds: []Bound{{Index: 9999, Lo: 0, Hi: 1}}}); err == nil {
		t.Error("a bound on parameter 9999 was accepted")
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// TestRateBoundsReported constrains the rates so that one bound is
// violated and checks the per-epoch and final reports.
func TestRateBoundsReported(t *testing.T) {
	sn, err := snn.New(tinyNet(t, 200), fakeModels[float64](2500), snn.Options{TStop: 100})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewSpectral[float64](ObjectiveConfig{Lo: 15, Hi: 60, Warmup: 25, Resolution: 10}, sn.Steps, sn.Dt)
	if err != nil {
		t.Fatal(err)
	}
	rb := map[neuron.CellType][2]float64{neuron.L5Pyramidal: {0, 0.001}, neuron.L2Basket: {0, 1e6}}
	res, err := Run(sn, Objective[float64](obj), Config{Epochs: 2, HeldOut: []int{500}, RateBounds: rb})
	if err != nil {
		t.Fatal(err)
	}
	violated := 0
	for _, st := range res.Epochs {
		violated += len(st.RateViolations)
		if st.Rates[neuron.L5Pyramidal] > 0.001 && (len(st.RateViolations) != 1 || !strings.HasPrefix(st.RateViolations[0], "L5_pyramidal")) {
			t.Errorf("epoch %d: rates %v, violations %v", st.Epoch, st.Rates, st.RateViolations)
		}
	}
	if violated == 0 {
		t.Fatal("no epoch violated L5 pyramidal <= 0.001 Hz: the network is silent")
	}
	if res.Final.Rates[neuron.L5Pyramidal] > 0.001 && len(res.RateViolations) != 1 {
		t.Errorf("final violations %v for rates %v", res.RateViolations, res.Final.Rates)
	}
	if _, err := Run(sn, Objective[float64](obj), Config{Epochs: 1, HeldOut: []int{}, RateBounds: map[neuron.CellType][2]float64{neuron.L2Basket: {5, 1}}}); err == nil {
		t.Error("rate bounds [5, 1] were accepted")
	}
}
