package spectral_test

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/spectral"
)

// The Welch PSD of a 20 Hz sinusoid sampled at 2 kHz, with 2 Hz bins chosen from
// the resolution, and its power in the beta band.
func ExampleWelch() {
	const fs = 2000.0
	x := make([]float64, 2000)
	for i := range x {
		x[i] = 2 * math.Sin(2*math.Pi*20*float64(i)/fs)
	}
	nperseg, _ := spectral.NPerSegForResolution(fs, 2)
	s, err := spectral.Welch(x, fs, spectral.WelchOptions{NPerSeg: nperseg})
	if err != nil {
		panic(err)
	}
	beta, _ := s.BandPower(15, 30)
	rel, _ := s.RelativeBandPower(15, 30)
	fmt.Printf("nperseg %d, %d segments, %.0f Hz bins\n", s.Params.NPerSeg, s.Params.NSegments, s.Params.Resolution())
	fmt.Printf("beta power %.3f, fraction %.3f\n", beta[0], rel[0])
	// Output:
	// nperseg 1000, 3 segments, 2 Hz bins
	// beta power 2.000, fraction 1.000
}

// The gradient of the log beta-band power of a batch of signals.
func ExamplePSDOp() {
	const fs, n = 1000.0, 1000
	x := autograd.Zeros[float64](2, n)
	for i := 0; i < n; i++ {
		x.Data[i] = math.Sin(2 * math.Pi * 20 * float64(i) / fs)   // 20 Hz
		x.Data[n+i] = math.Sin(2 * math.Pi * 80 * float64(i) / fs) // 80 Hz
	}
	x.SetRequiresGrad(true)
	pl, _ := spectral.NewWelch(n, fs, spectral.WelchOptions{NPerSeg: 250})
	beta, _ := pl.Band(15, 30, spectral.Trapezoid)

	tp := autograd.NewTape[float64]()
	psd, _ := spectral.PSDOp(tp, pl, x)              // [2, 126]
	lbp, _ := spectral.LogBandPowerOp(tp, beta, psd) // [2]
	if err := tp.Backward(tp.Sum(lbp)); err != nil {
		panic(err)
	}
	fmt.Printf("log beta power: %.2f %.2f\n", lbp.Data[0], lbp.Data[1])
	fmt.Printf("gradient shape %v\n", len(x.Grad))
	// Output:
	// log beta power: -0.78 -68.18
	// gradient shape 2000
}
