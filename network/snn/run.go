package snn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// Result is the outcome of one simulation of a Net: the network
// dipole on the tape (differentiable) and the spikes.
type Result[T autograd.Float] struct {
	// Dipole is [3, Replicas, Steps] in nAm: row 0 the aggregate, row 1 the
	// sum over L2/3 pyramidal cells, row 2 the sum over L5 pyramidal cells.
	// Sample m is the dipole at time (m+1)·Dt ms.
	Dipole   *autograd.Tensor[T]
	Replicas int
	Steps    int
	Dt       float64 // ms
	Trials   []int   // the drive trial of each replica
	// Spikes lists each replica's cell spikes (time in ms: the end of the step
	// whose output crossed threshold), in time order.
	Spikes [][]network.Spike
	// Rates is the mean firing rate of each cell type (Hz per cell, over
	// the replicas), differentiable (rates.go); on the run's tape, or a
	// leaf of a checkpointed run whose gradient Result.Backward uses.
	Rates *autograd.Tensor[T]
	// SpikeCounts counts the spikes of each cell type over all replicas.
	SpikeCounts [neuron.NumCellTypes]int
	cells       [neuron.NumCellTypes]int
	ck          *checkpointRun[T] // RunCheckpointed's state for Backward
}

// FiringRates returns the mean firing rate of each cell type (Hz per cell)
// over the whole run and all replicas.
func (r *Result[T]) FiringRates() [neuron.NumCellTypes]float64 {
	var out [neuron.NumCellTypes]float64
	dur := float64(r.Steps) * r.Dt / 1000 * float64(r.Replicas)
	for ct := range out {
		if r.cells[ct] > 0 {
			out[ct] = float64(r.SpikeCounts[ct]) / float64(r.cells[ct]) / dur
		}
	}
	return out
}

// DipoleSeries returns a copy of one dipole series (row 0 aggregate, 1 L2/3,
// 2 L5) of one replica, in nAm.
func (r *Result[T]) DipoleSeries(row, replica int) []float64 {
	out := make([]float64, r.Steps)
	src := r.Dipole.Data[(row*r.Replicas+replica)*r.Steps:][:r.Steps]
	for i, v := range src {
		out[i] = float64(v)
	}
	return out
}

// Run simulates the network once per trial, all trials as one batch
// (replicas), recording everything on tp (a nil tape is not allowed; use
// SetNoGrad for inference). The drives' event times of replica r are those of
// trial trials[r] (Network.DriveEventTimes), so different trials are
// independent noise realisations and the same trial is the same noise. The
// returned dipole lives on tp and becomes invalid at tp.Reset.
func (sn *Net[T]) Run(tp *autograd.Tape[T], trials []int) (*Result[T], error) {
	if tp == nil {
		return nil, fmt.Errorf("network: surrogate Run needs a tape")
	}
	if len(trials) == 0 {
		return nil, fmt.Errorf("network: surrogate Run needs at least one trial")
	}
	rs := sn.runState(len(trials))
	rs.reset(tp.Recording())
	if err := rs.driveEvents(trials); err != nil {
		return nil, err
	}
	var steppers [neuron.NumCellTypes]Stepper[T]
	for _, ct := range neuron.CellTypes {
		steppers[ct] = sn.Models[ct].Begin(tp, rs.rows[ct])
	}
	if err := rs.simulate(tp, &steppers, 0, sn.Steps); err != nil {
		return nil, err
	}
	res := rs.result(rs.readout(tp, 0, sn.Steps), trials)
	res.Rates = rs.rates(tp)
	return res, nil
}

// simulate runs steps a..b−1 on tp with the models' steppers, recording
// every step's inputs and outputs in rs; it detects the spikes of each step
// unless rs is replaying a segment (whose spikes are known).
func (rs *runState[T]) simulate(tp *autograd.Tape[T], steppers *[neuron.NumCellTypes]Stepper[T], a, b int) error {
	sn := rs.sn
	for m := a; m < b; m++ {
		xs := rs.deliver(tp, m)
		for _, ct := range neuron.CellTypes {
			var out *autograd.Tensor[T]
			if sn.subs[ct] {
				out = steppers[ct].(substepStepper[T]).StepSubsteps(tp, rs.spread(tp, m, ct, xs[ct]))
			} else {
				out = steppers[ct].Step(tp, xs[ct])
			}
			if out.Rank() != 2 || out.Dim(0) != rs.rows[ct] || out.Dim(1) != sn.nOut[ct] {
				return fmt.Errorf("network: %s model returned shape %v at step %d, want [%d %d]", ct, out.Shape(), m, rs.rows[ct], sn.nOut[ct])
			}
			rs.outs[m][ct] = out
			if err := rs.checkFinite(m, ct, out, xs[ct], rs.trials); err != nil {
				return err
			}
		}
		if !rs.replay {
			rs.detect(m)
		}
	}
	return nil
}

// result returns the result of a run with dipole dip and the spikes
// detected.
func (rs *runState[T]) result(dip *autograd.Tensor[T], trials []int) *Result[T] {
	sn := rs.sn
	res := &Result[T]{
		Dipole: dip, Replicas: rs.reps, Steps: sn.Steps, Dt: sn.Dt,
		Trials: append([]int(nil), trials...), Spikes: make([][]network.Spike, rs.reps),
	}
	col := sn.Net.Column
	nc := col.NumCells()
	for _, ct := range neuron.CellTypes {
		res.cells[ct] = col.Count(ct)
	}
	if !sn.smooth {
		per := make([]int, rs.reps)
		for _, u := range rs.spikeUnit {
			per[int(u)/nc]++
		}
		all := make([]network.Spike, len(rs.spikeUnit))
		for r := range rs.reps {
			res.Spikes[r], all = all[:0:per[r]], all[per[r]:]
		}
		for m := range sn.Steps {
			for _, u := range rs.spikeUnit[rs.spikeStart[m]:rs.spikeStart[m+1]] {
				r, gid := int(u)/nc, int(u)%nc
				res.Spikes[r] = append(res.Spikes[r], network.Spike{Time: float64(m+1) * sn.Dt, GID: gid})
				res.SpikeCounts[col.Cells[gid].Type]++
			}
		}
	}
	return res
}

// driveEvents lays out the drive events of every replica by time step.
func (rs *runState[T]) driveEvents(trials []int) error {
	sn := rs.sn
	rs.trials = trials
	net := sn.Net
	tstop := float64(sn.Steps) * sn.Dt
	ev := rs.evTmp[:0]
	rs.subEv = rs.subEv[:0]
	var timed []timedEvent
	if err := sn.checkTiming(); err != nil {
		return err
	}
	gains := rs.driveGain[:0]
	for _, lg := range sn.DriveLogGains.Data {
		gains = append(gains, math.Pow(10, float64(lg)))
	}
	rs.driveGain = gains
	for r, trial := range trials {
		for i := range net.Drives {
			times, err := net.DriveEventTimes(i, trial, tstop)
			if err != nil {
				return err
			}
			times, zs := rs.retime(i, times)
			tix := int32(sn.timingIndex(i))
			for _, d := range sn.drives[i] {
				idx := int32(rs.blockOff[d.tct] + r*rs.stride[d.tct] + d.local)
				w := d.weight * gains[d.class]
				for e, t := range times[d.driveCell] {
					if zs == nil {
						ev = rs.hardDriveEvent(ev, t+d.delay, idx, w, d.class, d.tct)
						continue
					}
					ev, timed = rs.timedDriveEvent(ev, timed, t+d.delay, idx, w, d.class, d.tct, tix, zs[d.driveCell][e])
				}
			}
		}
	}
	rs.evTmp = ev
	if rs.timed {
		rs.layoutTimed(timed)
	}
	rs.layoutSubsteps()
	clear(rs.driveStart)
	for _, e := range ev {
		rs.driveStart[e.step+1]++
	}
	for m := range sn.Steps {
		rs.driveStart[m+1] += rs.driveStart[m]
	}
	if cap(rs.driveIdx) < len(ev) {
		rs.driveIdx = make([]int32, len(ev))
		rs.driveW = make([]T, len(ev))
		rs.driveClass = make([]int32, len(ev))
	}
	rs.driveIdx, rs.driveW, rs.driveClass = rs.driveIdx[:len(ev)], rs.driveW[:len(ev)], rs.driveClass[:len(ev)]
	if len(rs.driveFill) < sn.Steps {
		rs.driveFill = make([]int, sn.Steps)
	}
	fill := rs.driveFill[:sn.Steps]
	copy(fill, rs.driveStart[:sn.Steps])
	for _, e := range ev {
		p := fill[e.step]
		fill[e.step]++
		rs.driveIdx[p], rs.driveW[p], rs.driveClass[p] = e.idx, T(e.w), e.class
	}
	return nil
}

// peakInput is a cell's largest input so far in a run: its size (µS), the
// channel and the step.
type peakInput struct {
	size     float64
	ch, step int
}

// checkFinite records the largest input of every cell of type ct and
// returns an error naming the step, the cell, the output and the cell's
// largest input so far when out (the outputs of the cells of type ct at
// step m, inputs x) holds NaN or Inf: the run stops there rather than
// carrying NaN into the dipole and the spectrum.
func (rs *runState[T]) checkFinite(m int, ct neuron.CellType, out, x *autograd.Tensor[T], trials []int) error {
	sn := rs.sn
	nch := sn.nCh[ct]
	if len(rs.peak[ct]) != rs.rows[ct] {
		rs.peak[ct] = make([]peakInput, rs.rows[ct])
	} else if m == 0 {
		clear(rs.peak[ct])
	}
	pk := rs.peak[ct]
	for row := range pk {
		p := &pk[row]
		for c, v := range x.Data[row*nch : (row+1)*nch] {
			if a := math.Abs(float64(v)); a > p.size || (a != a && p.size == p.size) { // a NaN replaces a number
				*p = peakInput{a, c, m}
			}
		}
	}
	for k, v := range out.Data {
		if v-v == 0 { // finite (Inf−Inf and NaN−NaN are NaN)
			continue
		}
		f := float64(v)
		no := sn.nOut[ct]
		row := k / no
		cnt := sn.Net.Column.Count(ct)
		g0, _ := sn.Net.Column.Range(ct)
		p := pk[row]
		ch := sn.Models[ct].Inputs()[p.ch]
		big, bigV := 0, 0.0
		for i, v := range sn.Params().Data {
			if a := math.Abs(float64(v)); a > math.Abs(bigV) {
				big, bigV = i, float64(v)
			}
		}
		return fmt.Errorf("network: the surrogate %s cell gid %d (trial %d) output %s is %v at step %d (t = %g ms); its largest input so far was %g µS on %s/%s at step %d; the largest parameter is %s = %.4g (log10, a factor %.3g): connection gains or drive weights out of the cells' range",
			ct, g0+row%cnt, trials[row/cnt], sn.Models[ct].Outputs()[k%no], f, m, float64(m+1)*sn.Dt, p.size, ch.Section, ch.Receptor, p.step, sn.ParamName(big), bigV, math.Pow(10, bigV))
	}
	return nil
}

// timedDriveEvent appends a timed drive event taking effect at t ms: to ev
// at its hard bin (or, with SoftEventTiming, spread over the two bins
// enclosing it), and to timed for the time gradient (drive_timing.go).
func (rs *runState[T]) timedDriveEvent(ev []driveEvent, timed []timedEvent, t float64, idx int32, w float64, class int32, tct int, tix int32, z float64) ([]driveEvent, []timedEvent) {
	sn := rs.sn
	m0, f := softBins(t, sn.Dt)
	if m0 >= -1 && m0 < sn.Steps {
		timed = append(timed, timedEvent{m0: int32(max(m0, 0)), idx: idx, w: w, tix: tix, z: z})
		if m0 < 0 { // before the first bin's centre: only the upper bin gets weight
			timed[len(timed)-1].w = 0
		}
	}
	if !sn.softTiming {
		return rs.hardDriveEvent(ev, t, idx, w, class, tct), timed
	}
	for k, frac := range [2]float64{1 - f, f} {
		if m := m0 + k; m >= 0 && m < sn.Steps && frac != 0 {
			ev = append(ev, driveEvent{step: int32(m), idx: idx, w: w * frac, class: class})
		}
	}
	return ev, timed
}
