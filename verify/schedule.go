package verify

import (
	"fmt"
	"sync"
)

// simulate runs every job: Parallel biophysical simulations at once, plus
// one goroutine for the surrogate network, and stops starting jobs at the
// first error, which it returns.
func (v *verification) simulate() error {
	var wg sync.WaitGroup
	for range min(v.parallel+btoi(v.opts.Surrogate != nil), len(v.jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j, ok := v.nextJob()
				if !ok {
					return
				}
				if j.surrogate {
					v.runSurrogate(j.cond)
				} else {
					v.runBiophysical(j.cond, j.seed)
				}
			}
		}()
	}
	wg.Wait()
	return v.firstErr
}

// nextJob hands out the next job, or false when all are out or one failed.
func (v *verification) nextJob() (job, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.next >= len(v.jobs) || v.firstErr != nil {
		return job{}, false
	}
	j := v.jobs[v.next]
	v.next++
	return j, true
}

// runSurrogate runs the surrogate network of condition ci on every seed
// and records the measurements.
func (v *verification) runSurrogate(ci int) {
	c := v.conds[ci]
	v.surMu.Lock()
	ms, err := measureSurrogate(c.net, v.opts.Surrogate, v.opts.TStop, v.seeds, v.spec)
	v.surMu.Unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.fail(errorf("%s connectivity, surrogate model: %w", c.name, err))
		return
	}
	for si, m := range ms {
		v.rep.Conditions[ci].Seeds[si].Surrogate = m
		v.progress(c.name, v.seeds[si], ModelSurrogate, m)
	}
}

// runBiophysical simulates the biophysical column of condition ci on seed
// si (and, with an open loop, the surrogate cells on its spikes) and
// records the measurements and their agreement.
func (v *verification) runBiophysical(ci, si int) {
	c := v.conds[ci]
	m, res, err := measureBiophysical(c.net, v.seeds[si], v.opts.TStop, v.dt, v.workers, v.spec)
	var ol *Measurement
	if err == nil && v.openLoop != nil {
		v.surMu.Lock()
		ol, err = measureOpenLoop(c.net, v.openLoop, res.Spikes, v.opts.TStop, v.spec)
		v.surMu.Unlock()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.fail(errorf("%s connectivity, seed %d, biophysical model: %w", c.name, v.seeds[si], err))
		return
	}
	sr := &v.rep.Conditions[ci].Seeds[si]
	sr.Biophysical = m
	v.progress(c.name, v.seeds[si], ModelBiophysical, m)
	if ol != nil {
		sr.OpenLoop = ol
		r := v.spec.dipoleR(m, ol)
		sr.OpenLoopDipoleR = &r
		sr.OpenLoopSpikes = matchSpikes(v.opts.Column, m.CellSpikes, ol.CellSpikes, v.spec.rec.WarmupMS, v.opts.TStop, OpenLoopSpikeTolerance)
	}
}

// fail records the first error (v.mu held).
func (v *verification) fail(err error) {
	if v.firstErr == nil {
		v.firstErr = err
	}
}

// progress counts a finished measurement and reports it to opts.Progress
// (v.mu held).
func (v *verification) progress(cond string, seed int, model string, m *Measurement) {
	v.done++
	if v.opts.Progress != nil {
		v.opts.Progress(fmt.Sprintf("verify: %d/%d %-9s seed %d %-11s band power %.4g nAm², peak %.1f Hz, rates %s, %.1f s",
			v.done, len(v.conds)*len(v.seeds)*(1+btoi(v.opts.Surrogate != nil)), cond, seed, model, m.BandPower, m.PeakHz, formatRates(m.RatesHz), m.WallSeconds))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
