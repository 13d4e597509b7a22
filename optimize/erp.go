package optimize

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/spectral"
)

// ERPMetric selects how a simulated dipole is compared with a measured one.
type ERPMetric int

const (
	// ERPRMSE is the root-mean-square difference (nAm): hnn-core's
	// dipole_rmse (hnn_core/dipole.py _rmse, weights 1).
	ERPRMSE ERPMetric = iota
	// ERPCorrelation is 1 − Pearson's r: hnn-core's dipole_corr
	// (hnn_core/dipole.py _anticorr), 0 for a perfect fit up to scale.
	ERPCorrelation
)

// String returns the flag spelling of the metric.
func (m ERPMetric) String() string {
	if m == ERPCorrelation {
		return "corr"
	}
	return "rmse"
}

// ParseERPMetric parses "rmse" or "corr".
func ParseERPMetric(s string) (ERPMetric, error) {
	switch s {
	case "rmse":
		return ERPRMSE, nil
	case "corr", "correlation":
		return ERPCorrelation, nil
	}
	return 0, fmt.Errorf("optimize: unknown ERP metric %q (want rmse or corr)", s)
}

// ERPConfig describes a time-domain fit of a measured dipole, as
// hnn-core's Optimizer does it (hnn_core/optimization/objective_functions.py):
// the simulated dipole is baseline-renormalised as hnn-core's
// simulate_dipole returns it, scaled, smoothed, averaged over the noise
// replicas (trials) and compared with the target over a time window, the
// longer of the two series brought to the shorter one's length by Fourier
// resampling (hnn_core/dipole.py _resample_and_weight_dipole).
type ERPConfig struct {
	// Target is the measured dipole (its times in ms from the simulation's
	// start; values in nAm after whatever scaling the data had).
	Target network.Dipole
	Metric ERPMetric
	// Signal is the dipole series compared (hnn-core compares the
	// aggregate); the target's series of the same name is used.
	Signal DipoleSignal
	// Scale multiplies the simulated dipole (hnn-core's scale_factor, the
	// real neurons per model cell, e.g. 3000); 0 means 1.
	Scale float64
	// SmoothMS is hnn-core's smooth_window_len (ms): a Hamming window
	// (spectral.Smoother); 0 means none.
	SmoothMS float64
	// TStart and TStop bound the compared window (ms), clamped to both
	// series as hnn-core does; TStop 0 means the simulation's end.
	TStart, TStop float64
	// NoBaseline skips hnn-core's baseline renormalisation (spec 11.3),
	// for targets that are raw summed dipoles.
	NoBaseline bool
}

// ERPObjective is the loss of an ERPConfig for runs of a fixed number of
// steps: a differentiable function of the replicas' dipole series.
type ERPObjective[T autograd.Float] struct {
	Config ERPConfig
	// SimFrom and SimTo are the compared simulated samples [SimFrom, SimTo)
	// (sample m at (m+1)·dt ms); TargetFrom and TargetTo the target's.
	SimFrom, SimTo, TargetFrom, TargetTo int
	// Compared is the number of samples compared after resampling.
	Compared int

	baseline *autograd.Tensor[T] // [steps]: hnn-core's renormalisation offset × scale (nAm)
	smoother *spectral.Smoother  // nil: none
	simRes   *spectral.Resampler // nil: the simulated window is not resampled
	target   *autograd.Tensor[T] // [Compared]: the compared target
	targetC  *autograd.Tensor[T] // centred target (correlation)
	targetN  float64             // its norm
	steps    int
}

// NewERPObjective builds the ERP loss for runs of steps samples at dt ms of
// a column with nPyr pyramidal cells per layer (for the baseline).
func NewERPObjective[T autograd.Float](cfg ERPConfig, steps int, dt float64, nPyr int) (*ERPObjective[T], error) {
	if err := checkERPConfig(&cfg, steps, dt); err != nil {
		return nil, err
	}
	e := &ERPObjective[T]{Config: cfg, steps: steps}
	simTimes := make([]float64, steps)
	for m := range simTimes {
		simTimes[m] = float64(m+1) * dt
	}
	e.baseline = autograd.Zeros[T](steps)
	if !cfg.NoBaseline {
		zero := make([]float64, steps)
		b := network.RenormaliseHNN(network.Dipole{Times: simTimes, Agg: zero, L2: zero, L5: zero}, nPyr)
		for m, v := range signalOf(b, cfg.Signal) {
			e.baseline.Data[m] = T(v * cfg.Scale)
		}
	}
	if cfg.SmoothMS > 0 {
		var err error
		if e.smoother, err = spectral.NewSmoother(steps, cfg.SmoothMS, 1000/dt); err != nil {
			return nil, fmt.Errorf("optimize: ERP smoothing: %w", err)
		}
	}
	if err := e.window(simTimes); err != nil {
		return nil, err
	}
	return e, nil
}

// checkERPConfig validates cfg and fills its defaults.
func checkERPConfig(cfg *ERPConfig, steps int, dt float64) error {
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	tstop := float64(steps) * dt
	if cfg.TStop == 0 {
		cfg.TStop = tstop
	}
	switch {
	case steps < 2 || !(dt > 0):
		return fmt.Errorf("optimize: ERP fit of %d steps of %v ms", steps, dt)
	case math.IsNaN(cfg.Scale) || math.IsInf(cfg.Scale, 0):
		return fmt.Errorf("optimize: ERP scale %v must be finite", cfg.Scale)
	case !(cfg.SmoothMS >= 0) || math.IsInf(cfg.SmoothMS, 0):
		return fmt.Errorf("optimize: ERP smoothing window %v ms must be >= 0 and finite", cfg.SmoothMS)
	case math.IsNaN(cfg.TStart) || math.IsNaN(cfg.TStop) || !(cfg.TStart < cfg.TStop):
		return fmt.Errorf("optimize: ERP window [%v, %v] ms: start must be below stop", cfg.TStart, cfg.TStop)
	case cfg.Metric != ERPRMSE && cfg.Metric != ERPCorrelation:
		return fmt.Errorf("optimize: unknown ERP metric %d", cfg.Metric)
	case cfg.Signal < DipoleAggregate || cfg.Signal > DipoleL5:
		return fmt.Errorf("optimize: unknown dipole signal %d", cfg.Signal)
	}
	t := cfg.Target
	if len(t.Times) < 2 || len(t.Agg) != len(t.Times) || len(t.L2) != len(t.Times) || len(t.L5) != len(t.Times) {
		return fmt.Errorf("optimize: the ERP target has %d times and %d, %d, %d samples", len(t.Times), len(t.Agg), len(t.L2), len(t.L5))
	}
	for _, v := range signalOf(t, cfg.Signal) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("optimize: the ERP target's %s dipole is missing or not finite (a 2-column file holds only the aggregate)", cfg.Signal)
		}
	}
	return nil
}

// window finds the compared samples as hnn-core does: the window clamped
// to both series, each series' nearest samples to its ends, [start, end),
// and the longer part resampled to the shorter's length.
func (e *ERPObjective[T]) window(simTimes []float64) error {
	cfg := e.Config
	tt := cfg.Target.Times
	tstart, tstop := cfg.TStart, cfg.TStop
	for _, ts := range [][]float64{tt, simTimes} {
		tstart, tstop = max(tstart, ts[0]), min(tstop, ts[len(ts)-1])
	}
	e.TargetFrom, e.TargetTo = nearest(tt, tstart), nearest(tt, tstop)
	e.SimFrom, e.SimTo = nearest(simTimes, tstart), nearest(simTimes, tstop)
	nt, ns := e.TargetTo-e.TargetFrom, e.SimTo-e.SimFrom
	if nt < 2 || ns < 2 {
		return fmt.Errorf("optimize: the ERP window [%v, %v] ms holds %d target and %d simulated samples: the target (%v-%v ms) and the simulation (%v-%v ms) must overlap by at least two samples",
			cfg.TStart, cfg.TStop, nt, ns, tt[0], tt[len(tt)-1], simTimes[0], simTimes[len(simTimes)-1])
	}
	target := signalOf(cfg.Target, cfg.Signal)[e.TargetFrom:e.TargetTo]
	e.Compared = min(nt, ns)
	var err error
	if ns > nt {
		if e.simRes, err = spectral.NewResampler(ns, nt); err != nil {
			return fmt.Errorf("optimize: ERP resampling: %w", err)
		}
	} else if nt > ns {
		r, err := spectral.NewResampler(nt, ns)
		if err != nil {
			return fmt.Errorf("optimize: ERP resampling: %w", err)
		}
		if target, err = r.Apply(nil, target); err != nil {
			return err
		}
	}
	e.target = autograd.Zeros[T](e.Compared)
	e.targetC = autograd.Zeros[T](e.Compared)
	var mean float64
	for _, v := range target {
		mean += v / float64(len(target))
	}
	for i, v := range target {
		e.target.Data[i] = T(v)
		e.targetC.Data[i] = T(v - mean)
		e.targetN += (v - mean) * (v - mean)
	}
	e.targetN = math.Sqrt(e.targetN)
	if cfg.Metric == ERPCorrelation && !(e.targetN > 0) {
		return fmt.Errorf("optimize: the ERP target is constant over the window: its correlation is undefined")
	}
	return nil
}

// nearest returns the index of the time closest to t (the first on a tie,
// as numpy's argmin).
func nearest(times []float64, t float64) int {
	best := 0
	for i, v := range times {
		if math.Abs(v-t) < math.Abs(times[best]-t) {
			best = i
		}
	}
	return best
}

// signalOf returns the named series of a dipole.
func signalOf(d network.Dipole, s DipoleSignal) []float64 {
	switch s {
	case DipoleL2:
		return d.L2
	case DipoleL5:
		return d.L5
	}
	return d.Agg
}

// LossOfDipole records the ERP loss of the replicas' dipoles on tp: dipole
// is [replicas, steps] of the configured series (nAm). It returns the RMSE
// (nAm) or 1 − r, a scalar.
func (e *ERPObjective[T]) LossOfDipole(tp *autograd.Tape[T], dipole *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	if dipole.Rank() != 2 || dipole.Dim(1) != e.steps {
		return nil, fmt.Errorf("optimize: ERP loss of a dipole of shape %v, want [replicas, %d]", dipole.Shape(), e.steps)
	}
	for _, v := range dipole.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("optimize: the simulated dipole is not finite")
		}
	}
	sim, err := e.compared(tp, dipole)
	if err != nil {
		return nil, err
	}
	if e.Config.Metric == ERPRMSE {
		d := tp.Sub(sim, e.target)
		return tp.Sqrt(tp.Mean(tp.Mul(d, d))), nil
	}
	c := tp.Sub(sim, tp.Mean(sim))
	num := tp.Sum(tp.Mul(c, e.targetC))
	den := tp.Scale(tp.Sqrt(tp.Sum(tp.Mul(c, c))), e.targetN)
	return tp.AddScalar(tp.Neg(tp.Div(num, den)), 1), nil
}

// compared records the simulated series as the loss compares it: the trial
// average of dipole ([replicas, steps]), baselined, scaled, smoothed,
// windowed and resampled.
func (e *ERPObjective[T]) compared(tp *autograd.Tape[T], dipole *autograd.Tensor[T]) (*autograd.Tensor[T], error) {
	avg := tp.MeanAxis(dipole, 0) // the trial average, [steps]
	sim := tp.Add(tp.Scale(avg, e.Config.Scale), e.baseline)
	if e.smoother != nil {
		var err error
		if sim, err = spectral.SmoothOp(tp, e.smoother, sim); err != nil {
			return nil, err
		}
	}
	sim = tp.Narrow(sim, 0, e.SimFrom, e.SimTo-e.SimFrom)
	if e.simRes != nil {
		var err error
		if sim, err = spectral.ResampleOp(tp, e.simRes, sim); err != nil {
			return nil, err
		}
	}
	return sim, nil
}

// Series simulates sn on trials without gradients and returns, on the
// compared grid, the times (ms), the simulated dipole as the loss sees it
// (baseline, scale, smoothing, trial average, window, resampling; nAm)
// and the target.
func (e *ERPObjective[T]) Series(sn *snn.Net[T], trials []int) (times, sim, target []float64, err error) {
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	var run *snn.Result[T]
	if sn.CanCheckpoint() {
		run, err = sn.RunCheckpointed(trials, snn.CheckpointOptions{NoGrad: true})
	} else {
		run, err = sn.Run(tp, trials)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if run.Steps != e.steps {
		return nil, nil, nil, fmt.Errorf("optimize: ERP series of a run of %d steps, built for %d", run.Steps, e.steps)
	}
	d := tp.Reshape(tp.Narrow(run.Dipole, 0, int(e.Config.Signal), 1), run.Replicas, run.Steps)
	s, err := e.compared(tp, d)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.simRes != nil { // the simulation was brought to the target's grid
		times = append(times, e.Config.Target.Times[e.TargetFrom:e.TargetTo]...)
	} else {
		for m := e.SimFrom; m < e.SimTo; m++ {
			times = append(times, float64(m+1)*sn.Dt)
		}
	}
	for i := range s.Data {
		sim = append(sim, float64(s.Data[i]))
		target = append(target, float64(e.target.Data[i]))
	}
	return times, sim, target, nil
}
