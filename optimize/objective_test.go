package optimize

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/spectral"
)

// fakeRun wraps a [3, replicas, steps] dipole tensor as a run.
func fakeRun(d *autograd.Tensor[float64]) *snn.Result[float64] {
	return &snn.Result[float64]{Dipole: d, Replicas: d.Dim(1), Steps: d.Dim(2), Dt: 0.5}
}

func noisyDipole(reps, steps int, seed uint64) *autograd.Tensor[float64] {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := autograd.Zeros[float64](3, reps, steps)
	for r := range reps {
		for m := range steps {
			l2 := rng.NormFloat64() + 3*math.Sin(2*math.Pi*30*float64(m)*0.0005)
			l5 := rng.NormFloat64() + 2*math.Sin(2*math.Pi*8*float64(m)*0.0005)
			d.Data[(1*reps+r)*steps+m] = l2
			d.Data[(2*reps+r)*steps+m] = l5
			d.Data[(0*reps+r)*steps+m] = l2 + l5
		}
	}
	return d
}

func TestObjectiveKinds(t *testing.T) {
	const steps = 1200
	d := noisyDipole(2, steps, 1)
	run := fakeRun(d)
	for _, sig := range []DipoleSignal{DipoleAggregate, DipoleL2, DipoleL5} {
		for _, kind := range []ObjectiveKind{AbsoluteBandPower, RelativeBandPower} {
			obj, err := NewSpectral[float64](ObjectiveConfig{Kind: kind, Signal: sig}, steps, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			if p := obj.Plan.Params(); p.NPerSeg != 500 || obj.Skip != 200 || obj.Samples != 1000 {
				t.Fatalf("nperseg %d, skip %d, samples %d; want 500 (4 Hz at 2 kHz), 200, 1000", p.NPerSeg, obj.Skip, obj.Samples)
			}
			loss, err := obj.Loss(autograd.NewTape[float64](), run)
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			for r := range 2 {
				x := run.DipoleSeries(int(sig), r)[200:]
				sp, err := spectral.Welch(x, 2000, spectral.WelchOptions{NPerSeg: 500})
				if err != nil {
					t.Fatal(err)
				}
				var v float64
				if kind == AbsoluteBandPower {
					v, err = spectral.BandPower(sp.Freqs, sp.Power, 15, 60)
				} else {
					v, err = spectral.RelativeBandPower(sp.Freqs, sp.Power, 15, 60)
				}
				if err != nil {
					t.Fatal(err)
				}
				want -= math.Log(v) / 2
			}
			if math.Abs(loss.Item()-want) > 1e-9*math.Abs(want) {
				t.Errorf("%s %s: loss %v, want %v", sig, kind, loss.Item(), want)
			}
		}
	}
	// L2 carries the 30 Hz rhythm: its band power exceeds L5's.
	bp := func(sig DipoleSignal) float64 {
		obj, _ := NewSpectral[float64](ObjectiveConfig{Signal: sig}, steps, 0.5)
		p, err := obj.BandPower(run)
		if err != nil {
			t.Fatal(err)
		}
		return p[0]
	}
	if !(bp(DipoleL2) > 3*bp(DipoleL5)) {
		t.Errorf("L2 band power %v not well above L5's %v", bp(DipoleL2), bp(DipoleL5))
	}
}

func TestObjectiveMatchPSD(t *testing.T) {
	const steps = 400
	d := noisyDipole(1, steps, 2)
	base, err := NewSpectral[float64](ObjectiveConfig{Warmup: 50, Resolution: 10}, steps, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	psd, err := base.PSD(fakeRun(d))
	if err != nil {
		t.Fatal(err)
	}
	freqs := base.Plan.Freqs(nil)
	cfg := ObjectiveConfig{Kind: MatchPSD, Warmup: 50, Resolution: 10, TargetFreqs: freqs[1:], TargetPSD: psd[1:]}
	obj, err := NewSpectral[float64](cfg, steps, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := obj.Loss(autograd.NewTape[float64](), fakeRun(d))
	if err != nil {
		t.Fatal(err)
	}
	if loss.Item() > 1e-20 {
		t.Errorf("matching a signal's own PSD: loss %v, want 0", loss.Item())
	}
	// Twice the power everywhere: loss (ln 2)².
	for i := range cfg.TargetPSD {
		cfg.TargetPSD[i] *= 2
	}
	obj2, _ := NewSpectral[float64](cfg, steps, 0.5)
	loss, _ = obj2.Loss(autograd.NewTape[float64](), fakeRun(d))
	if want := math.Ln2 * math.Ln2; math.Abs(loss.Item()-want) > 1e-12 {
		t.Errorf("target twice the PSD: loss %v, want %v", loss.Item(), want)
	}
	// The loss is differentiable with respect to the dipole.
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		l, err := obj2.Loss(tp, fakeRun(in[0]))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	small := noisyDipole(1, steps, 3)
	if err := autograd.CheckGradient(f, []*autograd.Tensor[float64]{small}, autograd.GradCheckOptions{Rtol: 1e-6, Atol: 1e-9}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []ObjectiveConfig{
		{Lo: 60, Hi: 15},
		{Kind: MatchPSD},
		{Kind: MatchPSD, TargetFreqs: []float64{1, 2}, TargetPSD: []float64{1, -1}},
		{Warmup: 199},
		{Signal: 7},
	} {
		if _, err := NewSpectral[float64](bad, steps, 0.5); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
