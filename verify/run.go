package verify

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
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
	// Seeds are the held-out noise trials; nil means DefaultSeeds.
	Seeds []int
	// ExcludeSeeds are trials the optimizer trained or evaluated on; a seed
	// among them is an error, so verification noise is never training noise.
	ExcludeSeeds []int
	// TStop is the simulated time (ms), warm-up included.
	TStop float64
	// Dt is the biophysical time step (ms); 0 means 0.025.
	Dt float64
	// Step is the spacing (ms) at which dipoles are analysed: the surrogate
	// network's step. 0 means the Surrogate's step, or 0.5 ms without one.
	// It must be a multiple of Dt.
	Step float64
	// Objective is the optimizer's objective configuration: which dipole,
	// band, warm-up and Welch resolution. Its Kind is ignored: the absolute
	// band power is reported.
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
	// TargetRatio is the biophysical band-power gain called a success;
	// 0 means DefaultTargetRatio.
	TargetRatio float64
	// Parallel is the number of biophysical simulations run at once; 0 means
	// GOMAXPROCS (capped at the number of simulations). Each splits
	// GOMAXPROCS/Parallel workers across its cells. The surrogate network runs
	// all seeds of a condition as one batch. Results do not depend on it.
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

// Config records the settings of a verification in its report.
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
	if opts.Column == nil {
		return nil, errors.New("network: verify: no column")
	}
	if opts.Initial == nil || opts.Optimized == nil {
		return nil, errors.New("network: verify: both the initial and the optimized connectivity are required")
	}
	seeds := opts.Seeds
	if seeds == nil {
		seeds = DefaultSeeds
	}
	if len(seeds) == 0 {
		return nil, errors.New("network: verify: no seeds")
	}
	for i, s := range seeds {
		if s < 0 {
			return nil, fmt.Errorf("network: verify: seed %d is negative", s)
		}
		if slices.Contains(seeds[:i], s) {
			return nil, fmt.Errorf("network: verify: seed %d is given twice", s)
		}
		if slices.Contains(opts.ExcludeSeeds, s) {
			return nil, fmt.Errorf("network: verify: seed %d is a noise trial the optimizer used; verification needs held-out noise", s)
		}
	}
	if len(opts.Drives) == 0 {
		return nil, errors.New("network: verify: no noise drive")
	}
	dt := opts.Dt
	if dt == 0 {
		dt = 0.025
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return nil, fmt.Errorf("network: verify: dt %v ms must be positive", dt)
	}
	if !(opts.TStop > 0) || math.IsInf(opts.TStop, 0) {
		return nil, fmt.Errorf("network: verify: tstop %v ms must be positive and finite", opts.TStop)
	}
	step := opts.Step
	if step == 0 {
		step = 0.5
		if opts.Surrogate != nil {
			step = opts.Surrogate.Step()
		}
	}
	if r := step / dt; !(step > 0) || math.Round(r) < 1 || math.Abs(r-math.Round(r)) > 1e-9*r {
		return nil, fmt.Errorf("network: verify: dipole step %v ms is not a multiple of the biophysical step %v ms", step, dt)
	}
	if opts.Surrogate != nil && opts.Surrogate.Step() != step {
		return nil, fmt.Errorf("network: verify: dipole step %v ms differs from the surrogate network's step %v ms", step, opts.Surrogate.Step())
	}
	var openLoop OpenLoopRunner
	if opts.OpenLoop {
		ol, ok := opts.Surrogate.(OpenLoopRunner)
		if !ok {
			return nil, errors.New("network: verify: open loop needs a surrogate runner that implements OpenLoopRunner")
		}
		openLoop = ol
	}
	spec, err := newVerifySpectrum(opts.Objective, opts.TStop, step)
	if err != nil {
		return nil, fmt.Errorf("network: verify: %w", err)
	}
	target := opts.TargetRatio
	if target == 0 {
		target = DefaultTargetRatio
	}
	conds := []struct {
		name string
		conn *network.Connectivity
	}{{ConditionInitial, opts.Initial}, {ConditionOptimized, opts.Optimized}}
	// Build and validate every network up front so bad input fails before
	// any simulation.
	nets := make([]*network.Network, len(conds))
	for i, c := range conds {
		drives := make([]network.Drive, len(opts.Drives))
		for k := range drives {
			drives[k] = opts.Drives[k].Clone()
		}
		if nets[i], err = network.NewNetwork(opts.Column, c.conn, drives); err != nil {
			return nil, fmt.Errorf("network: verify: %s connectivity: %w", c.name, err)
		}
		for k := range drives {
			if _, err := nets[i].DriveEventTimes(k, slices.Max(seeds), opts.TStop); err != nil {
				return nil, fmt.Errorf("network: verify: %w", err)
			}
		}
	}

	type job struct {
		cond, seed int
		surrogate  bool
	}
	var jobs []job
	for ci := range conds {
		if opts.Surrogate != nil {
			jobs = append(jobs, job{ci, -1, true})
		}
		for si := range seeds {
			jobs = append(jobs, job{ci, si, false})
		}
	}
	nBio := len(conds) * len(seeds)
	procs := runtime.GOMAXPROCS(0)
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = procs
	}
	parallel = min(parallel, nBio)
	workers := max(1, procs/parallel)

	rep := &Report{Config: Config{
		Mesh:            [2]int{opts.Column.MeshX, opts.Column.MeshY},
		CellCounts:      map[string]int{},
		TStopMS:         opts.TStop,
		BiophysicalDtMS: dt,
		Spectrum:        spec.rec,
		Drives:          nets[0].Drives,
		Seeds:           slices.Clone(seeds),
		TargetRatio:     target,
		Surrogate:       opts.Surrogate != nil,
		OpenLoop:        opts.OpenLoop,
		Parallel:        parallel,
		Workers:         workers,
		DipoleUnits:     "nAm: raw sum over pyramidal cells of the per-cell current dipole (fAm x 1e-6, the surrogates' training target), no hnn-core baseline renormalisation, sampled at the end of every surrogate step",
	}}
	for _, ct := range neuron.CellTypes {
		rep.Config.CellCounts[ct.String()] = opts.Column.Count(ct)
	}
	rep.Conditions = make([]ConditionResult, len(conds))
	for ci, c := range conds {
		cr := &rep.Conditions[ci]
		cr.Name = c.name
		cr.Gains = make(map[string]float64, len(c.conn.Classes))
		for i := range c.conn.Classes {
			cr.Gains[c.conn.Classes[i].Name] = c.conn.EffectiveGain(i)
		}
		cr.Seeds = make([]SeedResult, len(seeds))
		for si, s := range seeds {
			cr.Seeds[si].Seed = s
		}
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		surMu    sync.Mutex // surrogate models keep scratch state: one run at a time
		firstErr error
		next     int
		done     int
	)
	report := func(cond string, seed int, model string, m *Measurement) {
		done++
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf("verify: %d/%d %-9s seed %d %-11s band power %.4g nAm², peak %.1f Hz, rates %s, %.1f s",
				done, len(conds)*len(seeds)*(1+btoi(opts.Surrogate != nil)), cond, seed, model, m.BandPower, m.PeakHz, formatRates(m.RatesHz), m.WallSeconds))
		}
	}
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for range min(parallel+btoi(opts.Surrogate != nil), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(jobs) || firstErr != nil {
					mu.Unlock()
					return
				}
				j := jobs[next]
				next++
				mu.Unlock()

				c := conds[j.cond]
				if j.surrogate {
					surMu.Lock()
					ms, err := measureSurrogate(nets[j.cond], opts.Surrogate, opts.TStop, seeds, spec)
					surMu.Unlock()
					mu.Lock()
					if err != nil {
						fail(fmt.Errorf("network: verify: %s connectivity, surrogate model: %w", c.name, err))
					} else {
						for si, m := range ms {
							rep.Conditions[j.cond].Seeds[si].Surrogate = m
							report(c.name, seeds[si], ModelSurrogate, m)
						}
					}
					mu.Unlock()
					continue
				}
				m, res, err := measureBiophysical(nets[j.cond], seeds[j.seed], opts.TStop, dt, workers, spec)
				var ol *Measurement
				if err == nil && openLoop != nil {
					surMu.Lock()
					ol, err = measureOpenLoop(nets[j.cond], openLoop, res.Spikes, opts.TStop, spec)
					surMu.Unlock()
				}
				mu.Lock()
				if err != nil {
					fail(fmt.Errorf("network: verify: %s connectivity, seed %d, biophysical model: %w", c.name, seeds[j.seed], err))
				} else {
					sr := &rep.Conditions[j.cond].Seeds[j.seed]
					sr.Biophysical = m
					report(c.name, seeds[j.seed], ModelBiophysical, m)
					if ol != nil {
						sr.OpenLoop = ol
						r := pearson(spec.analysed(m), spec.analysed(ol))
						sr.OpenLoopDipoleR = &r
						sr.OpenLoopSpikes = matchSpikes(opts.Column, m.CellSpikes, ol.CellSpikes, spec.rec.WarmupMS, opts.TStop, 2)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}

	pick := func(cr *ConditionResult, surrogate bool) []*Measurement {
		out := make([]*Measurement, len(cr.Seeds))
		for i := range cr.Seeds {
			if surrogate {
				out[i] = cr.Seeds[i].Surrogate
			} else {
				out[i] = cr.Seeds[i].Biophysical
			}
		}
		return out
	}
	for ci := range rep.Conditions {
		cr := &rep.Conditions[ci]
		cr.Mean.Biophysical = meanOf(pick(cr, false))
		var rs, ro float64
		for i := range cr.Seeds {
			sr := &cr.Seeds[i]
			if sr.Surrogate != nil {
				r := pearson(spec.analysed(sr.Biophysical), spec.analysed(sr.Surrogate))
				sr.SurrogateDipoleR = &r
				rs += r / float64(len(cr.Seeds))
			}
			if sr.OpenLoopDipoleR != nil {
				ro += *sr.OpenLoopDipoleR / float64(len(cr.Seeds))
			}
		}
		if opts.Surrogate != nil {
			cr.Mean.SurrogateDipoleR = &rs
		}
		if openLoop != nil {
			cr.Mean.OpenLoopDipoleR = &ro
			ols := make([]*Measurement, len(cr.Seeds))
			for i := range cr.Seeds {
				ols[i] = cr.Seeds[i].OpenLoop
			}
			cr.Mean.OpenLoop = meanOf(ols)
		}
		if opts.Surrogate != nil {
			cr.Mean.Surrogate = meanOf(pick(cr, true))
			b, s := cr.Mean.Biophysical, cr.Mean.Surrogate
			ag := ModelAgreement{
				Condition:      cr.Name,
				BandPowerRatio: s.BandPower / b.BandPower,
				PeakHzDiff:     s.PeakHz - b.PeakHz,
				RateDiffHz:     map[string]float64{},
			}
			for k, v := range b.RatesHz {
				ag.RateDiffHz[k] = s.RatesHz[k] - v
			}
			rep.SurrogateVsBiophysical = append(rep.SurrogateVsBiophysical, ag)
		}
	}
	ini, opt := &rep.Conditions[0], &rep.Conditions[1]
	rep.Biophysical = compare(pick(ini, false), pick(opt, false), target)
	if opts.Surrogate != nil {
		c := compare(pick(ini, true), pick(opt, true), target)
		rep.Surrogate = &c
	}
	rep.WallSeconds = time.Since(start).Seconds()
	return rep, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// measureBiophysical simulates net biophysically on one noise trial and
// measures the run.
func measureBiophysical(net *network.Network, trial int, tstop, dt float64, workers int, spec *verifySpectrum) (*Measurement, *biophys.SimResult, error) {
	t0 := time.Now()
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: tstop, Dt: dt, Trial: trial, Workers: workers})
	if err != nil {
		return nil, nil, err
	}
	wall := time.Since(t0).Seconds()
	dip, err := resampleRawDipole(res, spec.rec.StepMS)
	if err != nil {
		return nil, nil, err
	}
	m, err := measure(net.Column, dip, res.Spikes, tstop, spec)
	if err != nil {
		return nil, nil, err
	}
	m.WallSeconds = wall
	return m, res, nil
}

// measureOpenLoop drives the surrogate cells with a biophysical run's
// spikes and measures their prediction.
func measureOpenLoop(net *network.Network, run OpenLoopRunner, spikes []network.Spike, tstop float64, spec *verifySpectrum) (*Measurement, error) {
	t0 := time.Now()
	dip, sp, err := run.RunOpenLoop(net, tstop, spikes)
	if err != nil {
		return nil, err
	}
	wall := time.Since(t0).Seconds()
	m, err := measure(net.Column, dip, sp, tstop, spec)
	if err != nil {
		return nil, fmt.Errorf("open loop: %w", err)
	}
	m.WallSeconds = wall
	return m, nil
}

// measureSurrogate runs the surrogate network on net for every trial as
// one batch and measures each replica.
func measureSurrogate(net *network.Network, run SurrogateRunner, tstop float64, trials []int, spec *verifySpectrum) ([]*Measurement, error) {
	t0 := time.Now()
	dips, spikes, err := run.RunSurrogate(net, tstop, trials)
	if err != nil {
		return nil, err
	}
	if len(dips) != len(trials) || len(spikes) != len(trials) {
		return nil, fmt.Errorf("surrogate runner returned %d dipoles and %d spike lists for %d trials", len(dips), len(spikes), len(trials))
	}
	wall := time.Since(t0).Seconds() / float64(len(trials))
	out := make([]*Measurement, len(trials))
	for i := range trials {
		if out[i], err = measure(net.Column, dips[i], spikes[i], tstop, spec); err != nil {
			return nil, fmt.Errorf("seed %d: %w", trials[i], err)
		}
		out[i].WallSeconds = wall
	}
	return out, nil
}

// resampleRawDipole converts a biophysical run's raw dipoles (fAm at dt)
// to the surrogate's units and grid: nAm, one sample every step ms, sample
// k at time (k+1)·step, taken from the biophysical sample at that time (as
// the surrogates' training targets are, train.Simulate).
func resampleRawDipole(res *biophys.SimResult, step float64) (network.Dipole, error) {
	ratio := step / res.Dt
	r := int(math.Round(ratio))
	if r < 1 || math.Abs(ratio-float64(r)) > 1e-9*ratio {
		return network.Dipole{}, fmt.Errorf("surrogate step %v ms is not a multiple of the biophysical step %v ms", step, res.Dt)
	}
	n := (len(res.Times) - 1) / r
	d := network.Dipole{Times: make([]float64, n), Agg: make([]float64, n), L2: make([]float64, n), L5: make([]float64, n)}
	for k := range n {
		i := (k + 1) * r
		d.Times[k] = float64(k+1) * step
		d.L2[k] = res.L2[i] * network.FAmToNAm
		d.L5[k] = res.L5[i] * network.FAmToNAm
		d.Agg[k] = d.L2[k] + d.L5[k]
	}
	return d, nil
}

// measure turns a dipole (nAm on the surrogate grid) and spikes into a
// Measurement.
func measure(col *network.Column, dip network.Dipole, spikes []network.Spike, tstop float64, spec *verifySpectrum) (*Measurement, error) {
	for _, s := range []struct {
		name string
		x    []float64
	}{{"aggregate", dip.Agg}, {"L2", dip.L2}, {"L5", dip.L5}} {
		if err := checkFinite(s.name+" dipole", s.x); err != nil {
			return nil, err
		}
	}
	freqs, psd, bp, err := spec.bandPower(dip)
	if err != nil {
		return nil, err
	}
	if !(bp > 0) || math.IsInf(bp, 0) {
		return nil, fmt.Errorf("band power %v nAm² is not positive and finite (a flat dipole: is the network silent?)", bp)
	}
	m := &Measurement{BandPower: bp, LogBandPower: math.Log(bp), Freqs: freqs, PSD: psd,
		Times: dip.Times, Dipole: dip.Agg, L2: dip.L2, L5: dip.L5}
	m.PeakHz, m.BandPeakHz = peakFrequencies(freqs, psd, spec.rec.LoHz, spec.rec.HiHz)
	for _, s := range spikes {
		if s.GID < col.NumCells() {
			m.CellSpikes = append(m.CellSpikes, s)
		}
	}
	m.RatesHz, m.Spikes = cellRates(col, m.CellSpikes, spec.rec.WarmupMS, tstop)
	return m, nil
}

// formatRates prints rates per cell type in gid order.
func formatRates(r map[string]float64) string {
	s := ""
	for i, ct := range neuron.CellTypes {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s=%.2f", ct.ShortName(), r[ct.String()])
	}
	return s + " Hz"
}
