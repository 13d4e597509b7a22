package network

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
)

// DefaultVerifySeeds are the held-out noise seeds (event_seed of the Poisson
// drive) of a verification. hnn-core seeds drive cell k with event_seed + k
// (plus trial offsets), so two event seeds closer than the number of gids
// would share most of their trains; these are far apart from each other and
// from the seeds the optimizer trains and evaluates on.
var DefaultVerifySeeds = []int64{7_000_001, 7_010_001, 7_020_001, 7_030_001, 7_040_001}

// DefaultVerifyTargetRatio is the band-power gain (optimized / initial,
// biophysical, averaged over seeds) a verification calls a success.
const DefaultVerifyTargetRatio = 3.0

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Column is the column both models simulate.
	Column *Column
	// Initial and Optimized are the two connectivities compared.
	Initial, Optimized *Connectivity
	// Drive is the noise drive; its EventSeed is replaced by each seed. It
	// must be the drive the surrogate network was optimized with (10 Hz
	// Poisson on AMPA of every cell, cell-specific).
	Drive Drive
	// Seeds are the held-out noise seeds; nil means DefaultVerifySeeds.
	Seeds []int64
	// TStop is the simulated time (ms), warm-up included.
	TStop float64
	// Dt is the biophysical time step (ms); 0 means 0.025.
	Dt float64
	// Spectrum holds the optimizer's spectral settings (step of the
	// surrogate network, warm-up, band, Welch segment).
	Spectrum VerifySpectrum
	// Surrogate, when non-nil, runs the surrogate network on the same column,
	// connectivity and noise so its predictions are reported beside the
	// biophysical values.
	Surrogate SurrogateRunner
	// TargetRatio is the biophysical band-power gain called a success;
	// 0 means DefaultVerifyTargetRatio.
	TargetRatio float64
	// Parallel is the number of simulations run at once; 0 means
	// GOMAXPROCS (capped at the number of simulations). The biophysical
	// simulations split GOMAXPROCS/Parallel workers across cells. Results do
	// not depend on it.
	Parallel int
	// Progress, when non-nil, receives one line per finished simulation.
	Progress func(msg string)
}

// SurrogateRunner runs the surrogate network of a column with a
// connectivity and a noise drive, fed exactly the drive events
// Network.DriveEventTimes gives for trial 0, and returns its aggregate, L2
// and L5 dipoles (nAm, one sample per surrogate step, sample k at time
// (k+1)·step ms) and the cells' spikes (ms).
type SurrogateRunner interface {
	RunSurrogate(net *Network, tstop float64) (dipole Dipole, spikes []Spike, err error)
}

// VerifyConfig records the settings of a verification in its report.
type VerifyConfig struct {
	Mesh            [2]int            `json:"mesh"`
	CellCounts      map[string]int    `json:"cell_counts"`
	TStopMS         float64           `json:"tstop_ms"`
	BiophysicalDtMS float64           `json:"biophysical_dt_ms"`
	Spectrum        VerifySpectrum    `json:"spectrum"`
	Drive           Drive             `json:"drive"`
	Seeds           []int64           `json:"seeds"`
	TargetRatio     float64           `json:"target_ratio"`
	Surrogate       bool              `json:"surrogate"`
	Parallel        int               `json:"parallel"`
	Workers         int               `json:"workers_per_biophysical_run"`
	DipoleUnits     string            `json:"dipole_units"`
	Notes           map[string]string `json:"notes,omitempty"`
}

// Verify simulates the biophysical column with the initial and the
// optimized connectivity on every held-out seed (and, with a
// SurrogateRunner, the surrogate network on the same noise), measures each
// run and returns the report. Simulations run in parallel.
func Verify(opts VerifyOptions) (*VerifyReport, error) {
	start := time.Now()
	if opts.Column == nil {
		return nil, errors.New("network: verify: no column")
	}
	if opts.Initial == nil || opts.Optimized == nil {
		return nil, errors.New("network: verify: both the initial and the optimized connectivity are required")
	}
	seeds := opts.Seeds
	if seeds == nil {
		seeds = DefaultVerifySeeds
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
	}
	if opts.Drive.Type == "" {
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
	if err := opts.Spectrum.validate(opts.TStop, dt); err != nil {
		return nil, fmt.Errorf("network: verify: %w", err)
	}
	target := opts.TargetRatio
	if target == 0 {
		target = DefaultVerifyTargetRatio
	}
	conds := []struct {
		name string
		conn *Connectivity
	}{{ConditionInitial, opts.Initial}, {ConditionOptimized, opts.Optimized}}
	// Validate every network once up front so a bad input fails before hours
	// of simulation.
	for _, c := range conds {
		d := opts.Drive.Clone()
		d.EventSeed = seeds[0]
		if _, err := NewNetwork(opts.Column, c.conn, []Drive{d}); err != nil {
			return nil, fmt.Errorf("network: verify: %s connectivity: %w", c.name, err)
		}
	}

	type job struct {
		cond, seed int
		surrogate  bool
	}
	var jobs []job
	for ci := range conds {
		for si := range seeds {
			jobs = append(jobs, job{ci, si, false})
			if opts.Surrogate != nil {
				jobs = append(jobs, job{ci, si, true})
			}
		}
	}
	procs := runtime.GOMAXPROCS(0)
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = procs
	}
	parallel = min(parallel, len(jobs))
	workers := max(1, procs/parallel)

	rep := &VerifyReport{Config: VerifyConfig{
		Mesh:            [2]int{opts.Column.MeshX, opts.Column.MeshY},
		CellCounts:      map[string]int{},
		TStopMS:         opts.TStop,
		BiophysicalDtMS: dt,
		Spectrum:        opts.Spectrum,
		Drive:           opts.Drive.Clone(),
		Seeds:           slices.Clone(seeds),
		TargetRatio:     target,
		Surrogate:       opts.Surrogate != nil,
		Parallel:        parallel,
		Workers:         workers,
		DipoleUnits:     "nAm: raw sum over pyramidal cells of the per-cell current dipole (fAm × 1e-6), no hnn-core baseline renormalisation, sampled at the surrogate step",
	}}
	for _, ct := range CellTypes {
		rep.Config.CellCounts[ct.String()] = opts.Column.Count(ct)
	}
	rep.Conditions = make([]ConditionResult, len(conds))
	for ci, c := range conds {
		cr := &rep.Conditions[ci]
		cr.Name, cr.conn = c.name, c.conn
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
		firstErr error
		next     int
		done     int
	)
	for range parallel {
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
				d := opts.Drive.Clone()
				d.EventSeed = seeds[j.seed]
				net, err := NewNetwork(opts.Column, c.conn, []Drive{d})
				var m *Measurement
				model := ModelBiophysical
				if err == nil {
					if j.surrogate {
						model = ModelSurrogate
						m, err = measureSurrogate(net, opts.Surrogate, opts.TStop, opts.Spectrum)
					} else {
						m, err = measureBiophysical(net, opts.TStop, dt, workers, opts.Spectrum)
					}
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("network: verify: %s connectivity, seed %d, %s model: %w", c.name, seeds[j.seed], model, err)
					}
					mu.Unlock()
					return
				}
				sr := &rep.Conditions[j.cond].Seeds[j.seed]
				if j.surrogate {
					sr.Surrogate = m
				} else {
					sr.Biophysical = m
				}
				done++
				if opts.Progress != nil {
					opts.Progress(fmt.Sprintf("verify: %d/%d %-9s seed %d %-11s band power %.4g nAm², peak %.1f Hz, rates %s, %.1f s",
						done, len(jobs), c.name, seeds[j.seed], model, m.BandPower, m.PeakHz, formatRates(m.RatesHz), m.WallSeconds))
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

// measureBiophysical simulates net biophysically and measures the run.
func measureBiophysical(net *Network, tstop, dt float64, workers int, spec VerifySpectrum) (*Measurement, error) {
	t0 := time.Now()
	res, err := Simulate(net, SimOptions{TStop: tstop, Dt: dt, Workers: workers})
	if err != nil {
		return nil, err
	}
	wall := time.Since(t0).Seconds()
	dip, err := resampleRawDipole(res, spec.StepMS)
	if err != nil {
		return nil, err
	}
	m, err := measure(net.Column, dip, res.Spikes, tstop, spec)
	if err != nil {
		return nil, err
	}
	m.WallSeconds = wall
	return m, nil
}

// measureSurrogate runs the surrogate network on net and measures the run.
func measureSurrogate(net *Network, run SurrogateRunner, tstop float64, spec VerifySpectrum) (*Measurement, error) {
	t0 := time.Now()
	dip, spikes, err := run.RunSurrogate(net, tstop)
	if err != nil {
		return nil, err
	}
	wall := time.Since(t0).Seconds()
	m, err := measure(net.Column, dip, spikes, tstop, spec)
	if err != nil {
		return nil, err
	}
	m.WallSeconds = wall
	return m, nil
}

// resampleRawDipole converts a biophysical run's raw dipoles (fAm at dt)
// to the surrogate's units and grid: nAm, one sample every step ms, sample
// k at time (k+1)·step, taken from the biophysical sample at that time.
func resampleRawDipole(res *SimResult, step float64) (Dipole, error) {
	ratio := step / res.Dt
	r := int(math.Round(ratio))
	if r < 1 || math.Abs(ratio-float64(r)) > 1e-9*ratio {
		return Dipole{}, fmt.Errorf("surrogate step %v ms is not a multiple of the biophysical step %v ms", step, res.Dt)
	}
	n := (len(res.Times) - 1) / r
	d := Dipole{Times: make([]float64, n), Agg: make([]float64, n), L2: make([]float64, n), L5: make([]float64, n)}
	for k := range n {
		i := (k + 1) * r
		d.Times[k] = float64(k+1) * step
		d.L2[k] = res.L2[i] * FAmToNAm
		d.L5[k] = res.L5[i] * FAmToNAm
		d.Agg[k] = d.L2[k] + d.L5[k]
	}
	return d, nil
}

// measure turns a dipole (nAm on the surrogate grid) and spikes into a
// Measurement.
func measure(col *Column, dip Dipole, spikes []Spike, tstop float64, spec VerifySpectrum) (*Measurement, error) {
	if err := checkFinite("aggregate dipole", dip.Agg); err != nil {
		return nil, err
	}
	freqs, psd, bp, err := spec.bandPower(dip.Agg)
	if err != nil {
		return nil, err
	}
	if !(bp > 0) || math.IsInf(bp, 0) {
		return nil, fmt.Errorf("band power %v nAm² is not positive and finite (flat or diverging dipole)", bp)
	}
	m := &Measurement{BandPower: bp, LogBandPower: math.Log(bp), Freqs: freqs, PSD: psd,
		Times: dip.Times, Dipole: dip.Agg, L2: dip.L2, L5: dip.L5}
	m.PeakHz, m.BandPeakHz = peakFrequencies(freqs, psd, spec.LoHz, spec.HiHz)
	for _, s := range spikes {
		if s.GID < col.NumCells() {
			m.CellSpikes = append(m.CellSpikes, s)
		}
	}
	m.RatesHz, m.Spikes = cellRates(col, m.CellSpikes, spec.WarmupMS, tstop)
	return m, nil
}

// formatRates prints rates per cell type in gid order.
func formatRates(r map[string]float64) string {
	s := ""
	for i, ct := range CellTypes {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s=%.2f", ct.ShortName(), r[ct.String()])
	}
	return s + " Hz"
}
