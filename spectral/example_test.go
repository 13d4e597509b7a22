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

// hnn-core's maximize_psd objective: the relative power of a Hamming-window
// periodogram in a band, here with the bins summed as hnn-core does.
func ExamplePeriodogram() {
	const fs = 1000.0
	x := make([]float64, 1000)
	for i := range x {
		t := float64(i) / fs
		x[i] = math.Sin(2*math.Pi*20*t) + 0.5*math.Sin(2*math.Pi*100*t)
	}
	s, err := spectral.Periodogram(x, fs, spectral.PeriodogramOptions{Window: spectral.Hamming()})
	if err != nil {
		panic(err)
	}
	b, err := spectral.NewBand(s.Freqs, 15, 30, spectral.BinSum)
	if err != nil {
		panic(err)
	}
	rel, _ := b.Relative(nil, s.Power)
	fmt.Printf("%d bins of %.0f Hz; 15-30 Hz holds %.3f of the power\n", len(s.Freqs), s.Params.Resolution(), rel[0])
	// Output:
	// 501 bins of 1 Hz; 15-30 Hz holds 0.800 of the power
}

// A spectrogram for a figure: PSD per segment, frequency-major.
func ExampleSpectrogram() {
	const fs = 1000.0
	x := make([]float64, 2000)
	for i := range x {
		f := 12.0 // 12 Hz for the first second, then 40 Hz
		if i >= 1000 {
			f = 40
		}
		x[i] = math.Sin(2 * math.Pi * f * float64(i) / fs)
	}
	sg, err := spectral.Spectrogram(x, fs, spectral.SpectrogramOptions{NPerSeg: 250, NOverlap: spectral.NoOverlap})
	if err != nil {
		panic(err)
	}
	nt := len(sg.Times)
	for s, t := range sg.Times {
		best := 0
		for k := range sg.Freqs {
			if sg.Power[k*nt+s] > sg.Power[best*nt+s] {
				best = k
			}
		}
		fmt.Printf("t %.3f s: peak at %.0f Hz\n", t, sg.Freqs[best])
	}
	// Output:
	// t 0.125 s: peak at 12 Hz
	// t 0.375 s: peak at 12 Hz
	// t 0.625 s: peak at 12 Hz
	// t 0.875 s: peak at 12 Hz
	// t 1.125 s: peak at 40 Hz
	// t 1.375 s: peak at 40 Hz
	// t 1.625 s: peak at 40 Hz
	// t 1.875 s: peak at 40 Hz
}
