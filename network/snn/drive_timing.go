package snn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
)

// Differentiable timing of evoked drives (Options.DriveTiming).
//
// An evoked drive's events are drawn as hnn-core draws them, t = μ + σ·z
// with z ~ N(0, 1) seeded per trial and drive cell (Network.DriveEventTimes
// at the drive's own μ, σ). With DriveTiming, z = (t − μ₀)/σ₀ is kept and the
// events are placed at t = μ + σ·z for the current DriveTiming (μ, σ) — the
// reparameterisation that makes the event times functions of the
// parameters, with the noise fixed.
//
// A binned input is not differentiable in an event's time: the event adds
// its weight w to the bin holding t. The time gradient is that of the
// event's weight spread linearly over the two bins whose centres enclose t
// (u = t/dt − ½, m₀ = ⌊u⌋, weight w·(1−f) to bin m₀ and w·f to m₀+1 with
// f = u − m₀), which is the expected input under a uniform jitter of the
// event by one bin: ∂L/∂t = w/dt·(∂L/∂X_{m₀+1} − ∂L/∂X_{m₀}) at the event's
// channel, and ∂L/∂μ = Σ ∂L/∂t, ∂L/∂σ = Σ z·∂L/∂t over the drive's events.
// By default the forward pass keeps the hard binning (the biophysical
// column's semantics) and this gradient is a straight-through estimate;
// Options.SoftEventTiming spreads the events in the forward pass too, and
// the gradient is then exact (checked against finite differences).

// timedEvent is one event of a timed drive, for the time gradient.
type timedEvent struct {
	m0  int32 // the lower of the two bins enclosing the event
	idx int32 // flat input index
	w   float64
	tix int32 // the drive's index in TimingDrives
	z   float64
}

// initDriveTiming lists the evoked drives and creates DriveTiming.
func (sn *Net[T]) initDriveTiming(trainable bool) {
	sn.TimingDrives = sn.TimingDrives[:0]
	for i, d := range sn.Net.Drives {
		if d.Type == network.DriveEvoked {
			sn.TimingDrives = append(sn.TimingDrives, i)
		}
	}
	sn.DriveTiming = autograd.Zeros[T](2 * len(sn.TimingDrives))
	for k, i := range sn.TimingDrives {
		d := sn.Net.Drives[i]
		sn.DriveTiming.Data[2*k], sn.DriveTiming.Data[2*k+1] = T(d.Mu), T(d.Sigma)
	}
	if trainable && len(sn.TimingDrives) > 0 {
		sn.DriveTiming.SetRequiresGrad(true)
	}
}

// timingIndex returns drive i's index in TimingDrives, or -1.
func (sn *Net[T]) timingIndex(i int) int {
	for k, j := range sn.TimingDrives {
		if j == i {
			return k
		}
	}
	return -1
}

// timingName names element j of DriveTiming: DRIVE_mu or DRIVE_sigma.
func (sn *Net[T]) timingName(j int) string {
	d := sn.Net.Drives[sn.TimingDrives[j/2]]
	if j%2 == 0 {
		return d.Name + "_mu"
	}
	return d.Name + "_sigma"
}

// retime maps the event times of drive i drawn at its own μ₀, σ₀ to the
// current DriveTiming, returning the times and their z (nil unless the
// drive is timed).
func (rs *runState[T]) retime(i int, times [][]float64) ([][]float64, [][]float64) {
	sn := rs.sn
	k := sn.timingIndex(i)
	if k < 0 || !rs.timed {
		return times, nil
	}
	d := sn.Net.Drives[i]
	mu, sigma := float64(sn.DriveTiming.Data[2*k]), float64(sn.DriveTiming.Data[2*k+1])
	out := make([][]float64, len(times))
	zs := make([][]float64, len(times))
	for c, ts := range times {
		out[c], zs[c] = make([]float64, len(ts)), make([]float64, len(ts))
		for e, t := range ts {
			z := 0.0
			if d.Sigma > 0 {
				z = (t - d.Mu) / d.Sigma
			}
			out[c][e], zs[c][e] = mu+sigma*z, z
		}
	}
	return out, zs
}

// softBins returns the two bins whose centres enclose time t (ms) and the
// weight fraction of the upper one.
func softBins(t, dt float64) (m0 int, f float64) {
	u := t/dt - 0.5
	fl := math.Floor(u)
	return int(fl), u - fl
}

// timingGrads adds ∂L/∂μ and ∂L/∂σ of the timed events whose lower bin is
// m, from the input gradients of steps m (adjM) and m+1 (adjNext, nil past
// the end).
func (rs *runState[T]) timingGrads(m int, adjM, adjNext, g []T) {
	dt := rs.sn.Dt
	for _, e := range rs.timedEv[rs.timedStart[m]:rs.timedStart[m+1]] {
		var up T
		if adjNext != nil {
			up = adjNext[e.idx]
		}
		gt := float64(up-adjM[e.idx]) * e.w / dt
		g[2*e.tix] += T(gt)
		g[2*e.tix+1] += T(gt * e.z)
	}
}

// layoutTimed sorts the timed events by their lower bin.
func (rs *runState[T]) layoutTimed(ev []timedEvent) {
	steps := rs.sn.Steps
	if len(rs.timedStart) != steps+1 {
		rs.timedStart = make([]int, steps+1)
	}
	clear(rs.timedStart)
	for _, e := range ev {
		rs.timedStart[e.m0+1]++
	}
	for m := range steps {
		rs.timedStart[m+1] += rs.timedStart[m]
	}
	if cap(rs.timedEv) < len(ev) {
		rs.timedEv = make([]timedEvent, len(ev))
	}
	rs.timedEv = rs.timedEv[:len(ev)]
	fill := make([]int, steps)
	copy(fill, rs.timedStart[:steps])
	for _, e := range ev {
		rs.timedEv[fill[e.m0]] = e
		fill[e.m0]++
	}
}

// checkTiming rejects a negative spread.
func (sn *Net[T]) checkTiming() error {
	for k := range sn.TimingDrives {
		if s := float64(sn.DriveTiming.Data[2*k+1]); !(s >= 0) || math.IsInf(s, 0) {
			return fmt.Errorf("network: drive %s: spread sigma %v ms must be >= 0", sn.Net.Drives[sn.TimingDrives[k]].Name, s)
		}
	}
	return nil
}
