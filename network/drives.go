package network

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/neurograd/neurograd/neuron"
)

// DriveType names a kind of external drive, with hnn-core's names.
type DriveType string

// Drive types.
const (
	DriveEvoked     DriveType = "evoked"      // Gaussian-distributed event times
	DrivePoisson    DriveType = "poisson"     // homogeneous Poisson process
	DriveBursty     DriveType = "bursty"      // rhythmic bursts of spikes
	DriveSpikeTrain DriveType = "spike_train" // replay of given spike times
)

// Drive is an external input population of artificial spike sources
// ("drive cells") connected to the column, with the parameters of hnn-core's
// add_evoked_drive, add_poisson_drive and add_bursty_drive (and a spike-train
// replay). Weights are A_weight values in µS and delays A_delay values in ms
// at zero distance from the column origin; the distance rule is that of
// GaussianWeightDelay with lamtha = SpaceConstant.
//
// Use NewEvokedDrive, NewPoissonDrive, NewBurstyDrive or NewSpikeTrainDrive
// (or ReadDrives) to get hnn-core's defaults.
type Drive struct {
	Name     string
	Type     DriveType
	Location string // "proximal", "distal" or a section name

	// WeightsAMPA and WeightsNMDA map a target cell type to its weight (µS).
	// The union of their keys is the set of targeted cell types.
	WeightsAMPA map[neuron.CellType]float64
	WeightsNMDA map[neuron.CellType]float64
	// SynapticDelays maps every targeted cell type to its delay (ms).
	SynapticDelays map[neuron.CellType]float64
	SpaceConstant  float64 // lamtha of the distance rule (grid units)

	// CellSpecific gives one drive cell per targeted cell, connected 1-to-1;
	// otherwise NDriveCells drive cells each connect to every target cell.
	CellSpecific bool
	NDriveCells  int
	EventSeed    int64 // base seed of the drive cells' generators
	// ConnSeed is hnn-core's conn_seed: the seed of the draw that prunes
	// the drive's connections when Probability < 1 (default 3).
	ConnSeed int64
	// Probability maps a target cell type to the fraction of its drive
	// connections kept (hnn-core's probability, drawn with conn_seed plus
	// the type's index among the targets); absent types keep all.
	Probability map[neuron.CellType]float64

	// Evoked: NumSpikes times drawn from N(Mu, Sigma²) (ms).
	Mu, Sigma float64
	NumSpikes int // also spikes per burst (bursty)

	// Poisson and bursty: event window. TStop ≤ 0 means the simulation end.
	TStart, TStop float64
	// Poisson: Rate (Hz) for every target, or RateConstant per target type
	// (cell-specific drives only).
	Rate         float64
	RateConstant map[neuron.CellType]float64

	// Bursty: start jitter (ms, shared by all drive cells), burst rate (Hz),
	// burst jitter (ms) and inter-spike interval within a burst (ms).
	TStartStd, BurstRate, BurstStd, SpikeISI float64

	// SpikeTrain: the spike times (ms) of each drive cell.
	SpikeTimes [][]float64
}

// Defaults of hnn-core's add_*_drive functions.
const (
	DefaultDriveDelay          = 0.1   // synaptic_delays (ms)
	DefaultEventSeed           = 2     // event_seed
	DefaultConnSeed            = 3     // conn_seed
	DefaultEvokedSpaceConstant = 3.0   // space_constant of evoked and spike-train drives
	DefaultRhythmSpaceConstant = 100.0 // space_constant of Poisson and bursty drives
)

// Bounds on the counts a drive may hold, so that a small file cannot ask
// for huge allocations (hnn-core's networks stay far below them).
const (
	MaxDriveCells = 1 << 16 // n_drive_cells of a drive that is not cell-specific (a cell-specific one has one per target cell)
	MaxNumSpikes  = 1 << 10 // numspikes of an evoked drive or of a burst
)

// NewEvokedDrive returns an evoked drive with hnn-core's defaults:
// cell-specific, one spike per drive cell, space constant 3, event seed 2.
func NewEvokedDrive(name, location string, mu, sigma float64) Drive {
	return Drive{Name: name, Type: DriveEvoked, Location: location, Mu: mu, Sigma: sigma,
		NumSpikes: 1, CellSpecific: true, SpaceConstant: DefaultEvokedSpaceConstant,
		EventSeed: DefaultEventSeed, ConnSeed: DefaultConnSeed}
}

// NewPoissonDrive returns a cell-specific Poisson drive at rate (Hz) with
// hnn-core's defaults: tstart 0, tstop = simulation end, space constant 100,
// event seed 2.
func NewPoissonDrive(name, location string, rate float64) Drive {
	return Drive{Name: name, Type: DrivePoisson, Location: location, Rate: rate,
		CellSpecific: true, SpaceConstant: DefaultRhythmSpaceConstant, EventSeed: DefaultEventSeed, ConnSeed: DefaultConnSeed}
}

// NewBurstyDrive returns a bursty drive with hnn-core's defaults: one drive
// cell, not cell-specific, doublets 10 ms apart, space constant 100, event
// seed 2.
func NewBurstyDrive(name, location string, tstart, burstRate, burstStd float64) Drive {
	return Drive{Name: name, Type: DriveBursty, Location: location, TStart: tstart,
		BurstRate: burstRate, BurstStd: burstStd, NumSpikes: 2, SpikeISI: 10, NDriveCells: 1,
		SpaceConstant: DefaultRhythmSpaceConstant, EventSeed: DefaultEventSeed, ConnSeed: DefaultConnSeed}
}

// NewSpikeTrainDrive returns a drive replaying the given spike times, one
// drive cell per train, each connected to every target cell.
func NewSpikeTrainDrive(name, location string, times [][]float64) Drive {
	return Drive{Name: name, Type: DriveSpikeTrain, Location: location, SpikeTimes: times,
		NDriveCells: len(times), SpaceConstant: DefaultEvokedSpaceConstant}
}

// SetTarget sets the AMPA and NMDA weights (µS; a negative value means that
// receptor is not used) and the delay (ms) of one target cell type.
func (d *Drive) SetTarget(ct neuron.CellType, ampa, nmda, delay float64) {
	if d.SynapticDelays == nil {
		d.SynapticDelays = map[neuron.CellType]float64{}
	}
	if ampa >= 0 {
		if d.WeightsAMPA == nil {
			d.WeightsAMPA = map[neuron.CellType]float64{}
		}
		d.WeightsAMPA[ct] = ampa
	}
	if nmda >= 0 {
		if d.WeightsNMDA == nil {
			d.WeightsNMDA = map[neuron.CellType]float64{}
		}
		d.WeightsNMDA[ct] = nmda
	}
	d.SynapticDelays[ct] = delay
}

// Targets returns the targeted cell types in gid order.
func (d *Drive) Targets() []neuron.CellType {
	var out []neuron.CellType
	for _, ct := range neuron.CellTypes {
		_, a := d.WeightsAMPA[ct]
		_, n := d.WeightsNMDA[ct]
		if a || n {
			out = append(out, ct)
		}
	}
	return out
}

// Validate checks the drive's parameters the way hnn-core does.
func (d *Drive) Validate() error {
	if d.Name == "" {
		return fmt.Errorf("network: drive has no name")
	}
	for _, check := range []func() error{d.checkTargets, d.checkConnections, d.checkCounts, d.checkDynamics} {
		if err := check(); err != nil {
			return fmt.Errorf("network: drive %q: %w", d.Name, err)
		}
	}
	return nil
}

// checkTargets checks the targeted cell types, their weights (µS), delays
// (ms) and that the location has the receptors.
func (d *Drive) checkTargets() error {
	targets := d.Targets()
	if len(targets) == 0 {
		return fmt.Errorf("no target cell type has a synaptic weight")
	}
	if d.Location == neuron.Distal && slices.Contains(targets, neuron.L5Basket) {
		return fmt.Errorf("a distal drive cannot target L5_basket")
	}
	for _, m := range []map[neuron.CellType]float64{d.WeightsAMPA, d.WeightsNMDA, d.SynapticDelays} {
		for ct, v := range m {
			if !ct.Valid() {
				return fmt.Errorf("invalid cell type %d", int(ct))
			}
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: weight or delay %v must be non-negative and finite", ct, v)
			}
		}
	}
	for _, ct := range targets {
		if _, ok := d.SynapticDelays[ct]; !ok {
			return fmt.Errorf("no synaptic delay for target %s", ct)
		}
		for _, rw := range []struct {
			r neuron.Receptor
			m map[neuron.CellType]float64
		}{{neuron.AMPA, d.WeightsAMPA}, {neuron.NMDA, d.WeightsNMDA}} {
			if _, ok := rw.m[ct]; ok {
				if err := neuron.CheckTarget(ct, d.Location, rw.r); err != nil {
					return err
				}
			}
		}
	}
	if len(d.SynapticDelays) != len(targets) {
		return fmt.Errorf("synaptic_delays must name exactly the targeted cell types %v", targets)
	}
	return nil
}

// checkConnections checks the pruning and the distance rule.
func (d *Drive) checkConnections() error {
	targets := d.Targets()
	for ct, p := range d.Probability {
		if !slices.Contains(targets, ct) {
			return fmt.Errorf("probability for %s, which the drive does not target", ct)
		}
		if !(p > 0 && p <= 1) {
			return fmt.Errorf("probability %v for %s must be in (0, 1]", p, ct)
		}
	}
	if d.ConnSeed < 0 {
		return fmt.Errorf("conn_seed %d must be non-negative (numpy's seeds are)", d.ConnSeed)
	}
	if !(d.SpaceConstant > 0) || math.IsInf(d.SpaceConstant, 0) {
		return fmt.Errorf("space_constant %v must be positive", d.SpaceConstant)
	}
	return nil
}

// checkCounts checks the event seed and the bounded counts.
func (d *Drive) checkCounts() error {
	if d.EventSeed < 0 || d.EventSeed > math.MaxUint32 {
		return fmt.Errorf("event_seed %d must be in [0, 2^32)", d.EventSeed)
	}
	if !d.CellSpecific && d.NDriveCells < 1 {
		return fmt.Errorf("n_drive_cells %d must be at least 1 when cell_specific is false", d.NDriveCells)
	}
	if !d.CellSpecific && d.NDriveCells > MaxDriveCells {
		return fmt.Errorf("n_drive_cells %d exceeds %d", d.NDriveCells, MaxDriveCells)
	}
	if d.NumSpikes > MaxNumSpikes && (d.Type == DriveEvoked || d.Type == DriveBursty) {
		return fmt.Errorf("numspikes %d exceeds %d", d.NumSpikes, MaxNumSpikes)
	}
	return nil
}

// checkDynamics checks the parameters of the drive's type.
func (d *Drive) checkDynamics() error {
	switch d.Type {
	case DriveEvoked:
		return d.checkEvoked()
	case DrivePoisson:
		return d.checkPoisson()
	case DriveBursty:
		return d.checkBursty()
	case DriveSpikeTrain:
		return d.checkSpikeTrain()
	default:
		return fmt.Errorf("unknown drive type %q (want evoked, poisson, bursty or spike_train)", d.Type)
	}
}

func (d *Drive) checkEvoked() error {
	if !(d.Sigma >= 0) {
		return fmt.Errorf("sigma %v cannot be negative", d.Sigma)
	}
	if d.NumSpikes < 1 {
		return fmt.Errorf("numspikes must be greater than zero")
	}
	if math.IsNaN(d.Mu) || math.IsInf(d.Mu, 0) {
		return fmt.Errorf("mu %v must be finite", d.Mu)
	}
	return nil
}

func (d *Drive) checkPoisson() error {
	if err := d.checkWindow(); err != nil {
		return err
	}
	if d.RateConstant == nil {
		if !(d.Rate > 0) || math.IsInf(d.Rate, 0) {
			return fmt.Errorf("rate constant %v must be positive", d.Rate)
		}
		return nil
	}
	if !d.CellSpecific {
		return fmt.Errorf("rate_constant must be a single value when cell_specific is false")
	}
	for _, ct := range d.Targets() {
		if _, ok := d.RateConstant[ct]; !ok {
			return fmt.Errorf("no rate constant for target %s", ct)
		}
	}
	for ct, v := range d.RateConstant {
		if !ct.Valid() || !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("rate constant %v for %s must be positive", v, ct)
		}
	}
	return nil
}

func (d *Drive) checkWindow() error {
	if !(d.TStart >= 0) || math.IsInf(d.TStart, 0) {
		return fmt.Errorf("tstart %v must be non-negative", d.TStart)
	}
	if d.TStop > 0 && d.TStop < d.TStart {
		return fmt.Errorf("tstop %v is before tstart %v", d.TStop, d.TStart)
	}
	if math.IsNaN(d.TStop) || math.IsInf(d.TStop, 0) {
		return fmt.Errorf("tstop %v must be finite", d.TStop)
	}
	return nil
}

// Clone returns a deep copy of the drive.
func (d *Drive) Clone() Drive {
	c := *d
	c.WeightsAMPA, c.WeightsNMDA = maps.Clone(d.WeightsAMPA), maps.Clone(d.WeightsNMDA)
	c.SynapticDelays, c.RateConstant = maps.Clone(d.SynapticDelays), maps.Clone(d.RateConstant)
	c.Probability = maps.Clone(d.Probability)
	if d.SpikeTimes != nil {
		c.SpikeTimes = make([][]float64, len(d.SpikeTimes))
		for i, t := range d.SpikeTimes {
			c.SpikeTimes[i] = slices.Clone(t)
		}
	}
	return c
}

func (d *Drive) checkBursty() error {
	if err := d.checkWindow(); err != nil {
		return err
	}
	if !(d.BurstRate > 0) || math.IsInf(d.BurstRate, 0) {
		return fmt.Errorf("burst_rate %v must be positive", d.BurstRate)
	}
	if !(d.TStartStd >= 0) || !(d.BurstStd >= 0) || !(d.SpikeISI >= 0) {
		return fmt.Errorf("tstart_std, burst_std and spike_isi must be non-negative")
	}
	if d.NumSpikes < 1 {
		return fmt.Errorf("numspikes must be greater than zero")
	}
	if dur, period := float64(d.NumSpikes-1)*d.SpikeISI, 1000/d.BurstRate; dur > period {
		return fmt.Errorf("burst duration %v ms exceeds the burst period %v ms", dur, period)
	}
	return nil
}

func (d *Drive) checkSpikeTrain() error {
	if d.CellSpecific {
		return fmt.Errorf("spike-train drives cannot be cell-specific")
	}
	if d.NDriveCells != len(d.SpikeTimes) {
		return fmt.Errorf("n_drive_cells %d differs from the %d spike trains", d.NDriveCells, len(d.SpikeTimes))
	}
	for i, tr := range d.SpikeTimes {
		for _, t := range tr {
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return fmt.Errorf("spike train %d has a non-finite time", i)
			}
		}
	}
	return nil
}
