package verify

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

// DefaultSeeds are the held-out noise seeds of a verification. A
// seed is a drive trial index: drive cell k of trial r is seeded with
// event_seed + r·n_gids + k as in hnn-core's trials (Network.DriveEventTimes),
// so different seeds are independent noise realisations. These are far from
// the trials the optimizer trains on (its epochs, from OptimizeConfig.TrainTrial)
// and evaluates on (from DefaultHeldOutTrial).
var DefaultSeeds = []int{200000, 200001, 200002, 200003, 200004}

// DefaultTargetRatio is the band-power gain (optimized / initial,
// biophysical, averaged over seeds) a verification calls a success.
const DefaultTargetRatio = 3.0

// DefaultDt is the biophysical time step (ms) of a verification whose
// Options.Dt is 0.
const DefaultDt = 0.025

// DefaultStep is the dipole spacing (ms) of a verification whose
// Options.Step is 0 and that runs no surrogate network.
const DefaultStep = 0.5

// OpenLoopSpikeTolerance is the window (ms) within which an open-loop
// surrogate spike matches a biophysical spike of its cell
// (SeedResult.OpenLoopSpikes).
const OpenLoopSpikeTolerance = 2.0

// Options configures Run.
type Options struct {
	// Column is the column both models simulate.
	Column *network.Column
	// Initial and Optimized are the two connectivities compared.
	Initial, Optimized *network.Connectivity
	// Drives are the noise drives, the ones the surrogate network was
	// optimized with (by default 10 Hz Poisson on AMPA of every cell); each
	// seed selects a trial of them.
	Drives []network.Drive
	// Seeds are the held-out noise trials, non-negative and distinct. Nil
	// means DefaultSeeds; an empty non-nil slice is an error.
	Seeds []int
	// ExcludeSeeds are trials the optimizer trained or evaluated on; a seed
	// among them is an error, so verification noise is never training noise.
	ExcludeSeeds []int
	// TStop is the simulated time (ms), warm-up included; it must be
	// positive and finite.
	TStop float64
	// Dt is the biophysical time step (ms). 0 means DefaultDt; any other
	// value must be positive and finite.
	Dt float64
	// Step is the spacing (ms) at which dipoles are analysed: the surrogate
	// network's step. 0 means the Surrogate's step, or DefaultStep without
	// one; any other value must be positive, equal to the Surrogate's step
	// when there is one, and a multiple of Dt.
	Step float64
	// Objective is the optimizer's objective configuration: which dipole,
	// band, warm-up and Welch resolution, with its defaults (mind Warmup: 0
	// means 100 ms, a negative value none). Its Kind is ignored: the
	// absolute band power is reported. The values used are recorded in
	// Config.Spectrum.
	Objective optimize.ObjectiveConfig
	// Surrogate, when non-nil, runs the surrogate network on the same column,
	// connectivity and noise so its predictions are reported beside the
	// biophysical values.
	Surrogate SurrogateRunner
	// OpenLoop additionally drives the surrogate cells with each biophysical
	// run's own spikes (Surrogate must implement OpenLoopRunner), to tell
	// the cell surrogates' error on the network's inputs from the closed-loop
	// network's divergence.
	OpenLoop bool
	// TargetRatio is the biophysical band-power gain called a success.
	// 0 means DefaultTargetRatio; any other value must be positive and
	// finite (a negative or NaN target, which every or no gain would meet,
	// is an error).
	TargetRatio float64
	// Parallel is the number of biophysical simulations run at once, capped
	// at the number of simulations. 0 means GOMAXPROCS; a negative value is
	// an error. Each simulation splits GOMAXPROCS/Parallel workers across
	// its cells. The surrogate network runs all seeds of a condition as one
	// batch. Results do not depend on it.
	Parallel int
	// Progress, when non-nil, receives one line per finished simulation.
	Progress func(msg string)
}

// SurrogateRunner runs the surrogate network of net (its column,
// connectivity and drives) for tstop ms once per trial, on exactly the
// drive events Network.DriveEventTimes gives for that trial, and returns
// per trial the aggregate, L2 and L5 dipoles (nAm, sample k at time
// (k+1)·Step ms) and the cells' spikes (ms).
type SurrogateRunner interface {
	Step() float64
	RunSurrogate(net *network.Network, tstop float64, trials []int) ([]network.Dipole, [][]network.Spike, error)
}

// Config records the settings of a verification in its report, every
// default of Options resolved: Parallel is the number of biophysical
// simulations run at once and Workers the workers of each.
type Config struct {
	Mesh            [2]int          `json:"mesh"`
	CellCounts      map[string]int  `json:"cell_counts"`
	TStopMS         float64         `json:"tstop_ms"`
	BiophysicalDtMS float64         `json:"biophysical_dt_ms"`
	Spectrum        Spectrum        `json:"spectrum"`
	Drives          []network.Drive `json:"drives"`
	Seeds           []int           `json:"seeds"`
	TargetRatio     float64         `json:"target_ratio"`
	Surrogate       bool            `json:"surrogate"`
	OpenLoop        bool            `json:"open_loop"`
	Parallel        int             `json:"parallel"`
	Workers         int             `json:"workers_per_biophysical_run"`
	DipoleUnits     string          `json:"dipole_units"`
}

// Run simulates the biophysical column with the initial and the
// optimized connectivity on every held-out seed (and, with a
// SurrogateRunner, the surrogate network on the same noise), measures each
// run with the optimizer's spectral settings and returns the report.
func Run(opts Options) (*Report, error) {
	start := time.Now()
	v, err := newVerification(opts)
	if err != nil {
		return nil, err
	}
	if err := v.simulate(); err != nil {
		return nil, err
	}
	v.summarise()
	v.rep.WallSeconds = time.Since(start).Seconds()
	return v.rep, nil
}

// verification is one Run: its options with every default resolved, the
// networks of both conditions, the simulations to run and the report they
// fill.
type verification struct {
	opts     Options
	seeds    []int
	dt       float64
	step     float64
	target   float64
	openLoop OpenLoopRunner // nil unless opts.OpenLoop
	spec     *verifySpectrum
	conds    []condition
	parallel int // biophysical simulations at once
	workers  int // workers of each biophysical simulation
	jobs     []job
	rep      *Report

	mu       sync.Mutex // guards rep, next, done and firstErr
	surMu    sync.Mutex // surrogate models keep scratch state: one run at a time
	next     int        // the next job to start
	done     int        // measurements finished
	firstErr error
}

// condition is one connectivity compared, with its network.
type condition struct {
	name string
	conn *network.Connectivity
	net  *network.Network
}

// job is one simulation: the surrogate network on every seed of a
// condition, or the biophysical column (and the open loop) on one seed.
type job struct {
	cond, seed int
	surrogate  bool
}

// errorf is fmt.Errorf with the prefix of verification errors.
func errorf(format string, a ...any) error {
	return fmt.Errorf("network: verify: "+format, a...)
}

// newVerification resolves and checks opts and builds every network, so
// that bad input fails before any simulation.
func newVerification(opts Options) (*verification, error) {
	v := &verification{opts: opts}
	if err := v.resolve(); err != nil {
		return nil, err
	}
	if err := v.buildNetworks(); err != nil {
		return nil, err
	}
	v.plan()
	v.newReport()
	return v, nil
}

// resolve fills in the defaults of the options and checks them.
func (v *verification) resolve() error {
	o := &v.opts
	if o.Column == nil {
		return errorf("no column")
	}
	if o.Initial == nil || o.Optimized == nil {
		return errorf("both the initial and the optimized connectivity are required")
	}
	if err := v.resolveSeeds(); err != nil {
		return err
	}
	if len(o.Drives) == 0 {
		return errorf("no noise drive")
	}
	if err := v.resolveTimes(); err != nil {
		return err
	}
	if o.OpenLoop {
		ol, ok := o.Surrogate.(OpenLoopRunner)
		if !ok {
			return errorf("open loop needs a surrogate runner that implements OpenLoopRunner")
		}
		v.openLoop = ol
	}
	spec, err := newVerifySpectrum(o.Objective, o.TStop, v.step)
	if err != nil {
		return errorf("%w", err)
	}
	v.spec = spec
	v.target = o.TargetRatio
	if v.target == 0 {
		v.target = DefaultTargetRatio
	}
	if !(v.target > 0) || math.IsInf(v.target, 0) {
		return errorf("target ratio %v must be positive and finite (0 means DefaultTargetRatio)", o.TargetRatio)
	}
	if o.Parallel < 0 {
		return errorf("parallel %d must not be negative (0 means GOMAXPROCS)", o.Parallel)
	}
	return nil
}

// resolveSeeds takes the default seeds and checks them against each other
// and the optimizer's trials.
func (v *verification) resolveSeeds() error {
	v.seeds = v.opts.Seeds
	if v.seeds == nil {
		v.seeds = DefaultSeeds
	}
	if len(v.seeds) == 0 {
		return errorf("no seeds")
	}
	for i, s := range v.seeds {
		if s < 0 {
			return errorf("seed %d is negative", s)
		}
		if slices.Contains(v.seeds[:i], s) {
			return errorf("seed %d is given twice", s)
		}
		if slices.Contains(v.opts.ExcludeSeeds, s) {
			return errorf("seed %d is a noise trial the optimizer used; verification needs held-out noise", s)
		}
	}
	return nil
}

// resolveTimes resolves and checks the biophysical step, the simulated
// time and the dipole step.
func (v *verification) resolveTimes() error {
	o := &v.opts
	v.dt = o.Dt
	if v.dt == 0 {
		v.dt = DefaultDt
	}
	if !(v.dt > 0) || math.IsInf(v.dt, 0) {
		return errorf("dt %v ms must be positive", v.dt)
	}
	if !(o.TStop > 0) || math.IsInf(o.TStop, 0) {
		return errorf("tstop %v ms must be positive and finite", o.TStop)
	}
	v.step = o.Step
	if v.step == 0 {
		v.step = DefaultStep
		if o.Surrogate != nil {
			v.step = o.Surrogate.Step()
		}
	}
	if r := v.step / v.dt; !(v.step > 0) || math.Round(r) < 1 || math.Abs(r-math.Round(r)) > 1e-9*r {
		return errorf("dipole step %v ms is not a multiple of the biophysical step %v ms", v.step, v.dt)
	}
	if o.Surrogate != nil && o.Surrogate.Step() != v.step {
		return errorf("dipole step %v ms differs from the surrogate network's step %v ms", v.step, o.Surrogate.Step())
	}
	return nil
}

// buildNetworks builds and validates the network of each condition, each
// with its own copy of the drives, and checks that every drive has events
// for every seed.
func (v *verification) buildNetworks() error {
	o := &v.opts
	v.conds = []condition{{name: ConditionInitial, conn: o.Initial}, {name: ConditionOptimized, conn: o.Optimized}}
	for i := range v.conds {
		c := &v.conds[i]
		drives := make([]network.Drive, len(o.Drives))
		for k := range drives {
			drives[k] = o.Drives[k].Clone()
		}
		var err error
		if c.net, err = network.NewNetwork(o.Column, c.conn, drives); err != nil {
			return errorf("%s connectivity: %w", c.name, err)
		}
		for k := range drives {
			if _, err := c.net.DriveEventTimes(k, slices.Max(v.seeds), o.TStop); err != nil {
				return errorf("%w", err)
			}
		}
	}
	return nil
}

// plan lists the simulations (per condition the surrogate network first,
// then the biophysical seeds) and splits the cores between them.
func (v *verification) plan() {
	for ci := range v.conds {
		if v.opts.Surrogate != nil {
			v.jobs = append(v.jobs, job{ci, -1, true})
		}
		for si := range v.seeds {
			v.jobs = append(v.jobs, job{ci, si, false})
		}
	}
	nBio := len(v.conds) * len(v.seeds)
	procs := runtime.GOMAXPROCS(0)
	v.parallel = v.opts.Parallel
	if v.parallel == 0 {
		v.parallel = procs
	}
	v.parallel = min(v.parallel, nBio)
	v.workers = max(1, procs/v.parallel)
}

// newReport starts the report: the resolved configuration, and per
// condition its gains and empty seed results.
func (v *verification) newReport() {
	o := &v.opts
	v.rep = &Report{Config: Config{
		Mesh:            [2]int{o.Column.MeshX, o.Column.MeshY},
		CellCounts:      map[string]int{},
		TStopMS:         o.TStop,
		BiophysicalDtMS: v.dt,
		Spectrum:        v.spec.rec,
		Drives:          v.conds[0].net.Drives,
		Seeds:           slices.Clone(v.seeds),
		TargetRatio:     v.target,
		Surrogate:       o.Surrogate != nil,
		OpenLoop:        o.OpenLoop,
		Parallel:        v.parallel,
		Workers:         v.workers,
		DipoleUnits:     "nAm: raw sum over pyramidal cells of the per-cell current dipole (fAm x 1e-6, the surrogates' training target), no hnn-core baseline renormalisation, sampled at the end of every surrogate step",
	}}
	for _, ct := range neuron.CellTypes {
		v.rep.Config.CellCounts[ct.String()] = o.Column.Count(ct)
	}
	v.rep.Conditions = make([]ConditionResult, len(v.conds))
	for ci, c := range v.conds {
		cr := &v.rep.Conditions[ci]
		cr.Name = c.name
		cr.Gains = make(map[string]float64, len(c.conn.Classes))
		for i := range c.conn.Classes {
			cr.Gains[c.conn.Classes[i].Name] = c.conn.EffectiveGain(i)
		}
		cr.Seeds = make([]SeedResult, len(v.seeds))
		for si, s := range v.seeds {
			cr.Seeds[si].Seed = s
		}
	}
}
