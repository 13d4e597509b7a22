package optimize

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/spectral"
)

// ObjectiveKind selects what a surrogate optimization maximises or matches.
type ObjectiveKind int

const (
	// AbsoluteBandPower minimises −log(band power) (nAm²) of the dipole.
	AbsoluteBandPower ObjectiveKind = iota
	// RelativeBandPower minimises −log(band power / total power).
	RelativeBandPower
	// MatchPSD minimises the mean squared difference of log PSDs between the
	// dipole and a target PSD over the bins of the band.
	MatchPSD
)

// String returns the flag spelling of the objective.
func (k ObjectiveKind) String() string {
	switch k {
	case RelativeBandPower:
		return "relative"
	case MatchPSD:
		return "target"
	}
	return "absolute"
}

// ParseObjectiveKind parses "absolute", "relative" or "target".
func ParseObjectiveKind(s string) (ObjectiveKind, error) {
	switch s {
	case "absolute", "abs":
		return AbsoluteBandPower, nil
	case "relative", "rel":
		return RelativeBandPower, nil
	case "target", "match":
		return MatchPSD, nil
	}
	return 0, fmt.Errorf("network: unknown objective %q (want absolute, relative or target)", s)
}

// DipoleSignal selects which dipole series an objective looks at.
type DipoleSignal int

// Dipole series, in the row order of snn.Result.Dipole.
const (
	DipoleAggregate DipoleSignal = iota // L2/3 + L5
	DipoleL2                            // L2/3 pyramidal cells
	DipoleL5                            // L5 pyramidal cells
)

// String returns the flag spelling of the signal.
func (d DipoleSignal) String() string {
	switch d {
	case DipoleL2:
		return "L2"
	case DipoleL5:
		return "L5"
	}
	return "agg"
}

// ParseDipoleSignal parses "agg" (or "aggregate"), "L2" or "L5".
func ParseDipoleSignal(s string) (DipoleSignal, error) {
	switch s {
	case "agg", "aggregate":
		return DipoleAggregate, nil
	case "L2", "l2":
		return DipoleL2, nil
	case "L5", "l5":
		return DipoleL5, nil
	}
	return 0, fmt.Errorf("network: unknown dipole %q (want agg, L2 or L5)", s)
}

// ObjectiveConfig describes the loss of a surrogate optimization.
type ObjectiveConfig struct {
	Kind   ObjectiveKind
	Signal DipoleSignal
	Lo, Hi float64 // band (Hz); 0, 0 means 15-60 Hz
	// Warmup is the simulated time excluded from the spectrum (ms); negative
	// means none, 0 the default 100 ms.
	Warmup float64
	// Resolution is the Welch bin spacing aimed at (Hz); 0 means 4 Hz. The
	// segment length is ceil(fs/Resolution) samples, at most the signal.
	Resolution float64
	// TargetFreqs and TargetPSD give the target of MatchPSD (Hz, nAm²/Hz),
	// interpolated linearly in log power onto the Welch grid.
	TargetFreqs, TargetPSD []float64
}

// Objective computes the loss of a surrogate run from the Welch PSD of one
// dipole series after a warm-up: a float64-exact, differentiable function of
// the dipole recorded on the run's tape.
type Spectral[T autograd.Float] struct {
	Config  ObjectiveConfig
	Plan    *spectral.Plan
	Band    *spectral.Band
	Skip    int // samples dropped at the start (warm-up)
	Samples int // samples analysed
	FS      float64
	target  *autograd.Tensor[T] // log target PSD on the band's bins (MatchPSD)
}

// NewObjective builds the objective for runs of steps samples at dt ms.
func NewSpectral[T autograd.Float](cfg ObjectiveConfig, steps int, dt float64) (*Spectral[T], error) {
	if cfg.Lo == 0 && cfg.Hi == 0 {
		cfg.Lo, cfg.Hi = 15, 60
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = 100
	}
	if cfg.Warmup < 0 {
		cfg.Warmup = 0
	}
	if cfg.Resolution == 0 {
		cfg.Resolution = 4
	}
	if !(cfg.Lo >= 0 && cfg.Hi > cfg.Lo) || math.IsInf(cfg.Hi, 0) {
		return nil, fmt.Errorf("network: band [%v, %v] Hz is empty or invalid", cfg.Lo, cfg.Hi)
	}
	if !(cfg.Resolution > 0) {
		return nil, fmt.Errorf("network: resolution %v Hz must be positive", cfg.Resolution)
	}
	if cfg.Signal < DipoleAggregate || cfg.Signal > DipoleL5 {
		return nil, fmt.Errorf("network: unknown dipole signal %d", cfg.Signal)
	}
	o := &Spectral[T]{Config: cfg, FS: 1000 / dt}
	o.Skip = int(math.Round(cfg.Warmup / dt))
	o.Samples = steps - o.Skip
	if o.Samples < 8 {
		return nil, fmt.Errorf("network: %d samples after a %v ms warm-up: too few for a spectrum (simulate longer)", o.Samples, cfg.Warmup)
	}
	nper, err := spectral.NPerSegForResolution(o.FS, cfg.Resolution)
	if err != nil {
		return nil, err
	}
	nper = min(nper, o.Samples)
	o.Plan, err = spectral.NewWelch(o.Samples, o.FS, spectral.WelchOptions{NPerSeg: nper})
	if err != nil {
		return nil, err
	}
	o.Band, err = o.Plan.Band(cfg.Lo, cfg.Hi, spectral.Trapezoid)
	if err != nil {
		return nil, fmt.Errorf("network: band [%v, %v] Hz on a %.3g Hz grid: %w", cfg.Lo, cfg.Hi, o.Plan.Params().Resolution(), err)
	}
	if cfg.Kind == MatchPSD {
		if err := o.setTarget(); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *Spectral[T]) setTarget() error {
	f, p := o.Config.TargetFreqs, o.Config.TargetPSD
	if len(f) < 2 || len(f) != len(p) {
		return fmt.Errorf("network: target PSD needs at least two (frequency, power) pairs of equal length, got %d and %d", len(f), len(p))
	}
	idx := make([]int, len(f))
	for i := range idx {
		idx[i] = i
		if !(p[i] > 0) || math.IsInf(p[i], 0) || math.IsNaN(f[i]) {
			return fmt.Errorf("network: target PSD value %v at %v Hz must be positive and finite", p[i], f[i])
		}
	}
	sort.Slice(idx, func(a, b int) bool { return f[idx[a]] < f[idx[b]] })
	freqs := o.Plan.Freqs(nil)
	n := o.Band.Last - o.Band.First + 1
	o.target = autograd.Zeros[T](n)
	for j := range n {
		x := freqs[o.Band.First+j]
		k := sort.Search(len(idx), func(i int) bool { return f[idx[i]] >= x })
		var lp float64
		switch {
		case k == 0:
			lp = math.Log(p[idx[0]])
		case k == len(idx):
			lp = math.Log(p[idx[len(idx)-1]])
		default:
			x0, x1 := f[idx[k-1]], f[idx[k]]
			y0, y1 := math.Log(p[idx[k-1]]), math.Log(p[idx[k]])
			if x1 == x0 {
				lp = y1
			} else {
				lp = y0 + (y1-y0)*(x-x0)/(x1-x0)
			}
		}
		o.target.Data[j] = T(lp)
	}
	return nil
}

// signal returns the analysed part of the chosen dipole series, [replicas, Samples].
func (o *Spectral[T]) signal(tp *autograd.Tape[T], run *snn.Result[T]) *autograd.Tensor[T] {
	d := tp.Narrow(run.Dipole, 0, int(o.Config.Signal), 1)
	d = tp.Reshape(d, run.Replicas, run.Steps)
	return tp.Narrow(d, 1, o.Skip, o.Samples)
}

// Loss records the objective of a run on tp, averaged over its replicas:
// −mean log band power (absolute), −mean log relative band power (relative) or
// the mean squared log-PSD difference to the target over the band's bins. It
// returns an error when the dipole holds NaN or Inf or its band power is zero.
func (o *Spectral[T]) Loss(tp *autograd.Tape[T], run *snn.Result[T]) (*autograd.Tensor[T], error) {
	psd, err := spectral.PSDOp(tp, o.Plan, o.signal(tp, run))
	if err != nil {
		return nil, fmt.Errorf("network: dipole spectrum: %w", err)
	}
	var l *autograd.Tensor[T]
	switch o.Config.Kind {
	case AbsoluteBandPower, RelativeBandPower:
		for r := range run.Replicas {
			var s float64
			for i, a := range o.Band.Weights() {
				s += a * float64(psd.Data[r*o.Band.NBins()+i])
			}
			if !(s > 0) {
				return nil, fmt.Errorf("network: the %s dipole has no power in %v-%v Hz (replica %d): a constant dipole, is the network silent?", o.Config.Signal, o.Config.Lo, o.Config.Hi, r)
			}
		}
		var bp *autograd.Tensor[T]
		if o.Config.Kind == AbsoluteBandPower {
			bp, err = spectral.LogBandPowerOp(tp, o.Band, psd)
		} else {
			bp, err = spectral.RelativeBandPowerOp(tp, o.Band, psd)
			if err == nil {
				bp = tp.Log(bp)
			}
		}
		if err != nil {
			return nil, err
		}
		l = tp.Neg(tp.Mean(bp))
	case MatchPSD:
		n := o.Band.Last - o.Band.First + 1
		sel := tp.Narrow(psd, 1, o.Band.First, n)
		for _, v := range sel.Data {
			if !(v > 0) {
				return nil, fmt.Errorf("network: the %s dipole's PSD is zero in a bin of the band: a constant dipole, is the network silent?", o.Config.Signal)
			}
		}
		diff := tp.Sub(tp.Log(sel), o.target)
		l = tp.Mean(tp.Mul(diff, diff))
	default:
		return nil, fmt.Errorf("network: unknown objective %d", o.Config.Kind)
	}
	return l, nil
}

// BandPower returns the absolute band power (nAm²) of the chosen dipole of
// every replica of a run, computed outside the tape.
func (o *Spectral[T]) BandPower(run *snn.Result[T]) ([]float64, error) {
	psd, err := o.PSD(run)
	if err != nil {
		return nil, err
	}
	return o.Band.Power(nil, psd)
}

// PSD returns the Welch PSD (nAm²/Hz, row-major [replicas][bins] on
// Plan.Freqs) of the chosen dipole of every replica of a run.
func (o *Spectral[T]) PSD(run *snn.Result[T]) ([]float64, error) {
	x := make([]float64, run.Replicas*o.Samples)
	for r := range run.Replicas {
		src := run.Dipole.Data[(int(o.Config.Signal)*run.Replicas+r)*run.Steps+o.Skip:][:o.Samples]
		for i, v := range src {
			x[r*o.Samples+i] = float64(v)
		}
	}
	return o.Plan.PSD(nil, x)
}
