package snn

import (
	"fmt"
	"math"
	"slices"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
	"github.com/neurograd/neurograd/nn"
)

// ParamMode selects the trainable parameters of a surrogate network.
type ParamMode int

const (
	// ParamsPerClass trains one log10 gain per connection class (16 for HNN's
	// column), multiplying every weight of the class.
	ParamsPerClass ParamMode = iota
	// ParamsPerConnection trains one log10 multiplier per connection (source
	// cell, target cell, class); the class gains stay fixed.
	ParamsPerConnection
)

// String returns the mode's flag spelling.
func (m ParamMode) String() string {
	if m == ParamsPerConnection {
		return "per-connection"
	}
	return "per-class"
}

// ParseParamMode parses "per-class" or "per-connection".
func ParseParamMode(s string) (ParamMode, error) {
	switch s {
	case "per-class", "class":
		return ParamsPerClass, nil
	case "per-connection", "connection":
		return ParamsPerConnection, nil
	}
	return 0, fmt.Errorf("network: unknown parameter mode %q (want per-class or per-connection)", s)
}

// Options configures a Net.
type Options struct {
	TStop float64 // simulated time (ms), > 0; the step is the models' Dt
	// SpikeSlope is the fast-sigmoid slope k (1/mV); 0 means nn.DefaultSpikeSlope.
	SpikeSlope float64
	Params     ParamMode
	// GradedSpikes replaces each threshold crossing by a graded spike (the
	// antiderivative of the surrogate derivative, evaluated at the voltages on
	// both sides of threshold), so that the whole network is differentiable
	// and its gradient can be checked against finite differences through the
	// very code paths of the spiking network. No spikes are listed in this
	// mode. For gradient checks; off for simulation and optimization.
	GradedSpikes bool
	// DriveParams makes the drives' weights trainable: DriveLogGains, one
	// log10 gain per drive, cell type and receptor (DriveClasses), joins the
	// parameters (Trainable).
	DriveParams bool
	// DriveTiming makes the evoked drives' mean times and spreads
	// trainable: DriveTiming holds (μ, σ) in ms per evoked drive
	// (TimingDrives), the events reparameterised as μ + σ·z (see
	// drive_timing.go for how the time gradient reaches the binned inputs).
	DriveTiming bool
	// SoftEventTiming spreads every timed event over the two bins whose
	// centres enclose it, so that the loss is differentiable in the event
	// times (for gradient checks); off, events are binned as the
	// biophysical column places them and the timing gradient is a
	// straight-through estimate.
	SoftEventTiming bool
	// DriveSubsteps delivers every external drive event to the cell types
	// whose model takes its inputs per NEURON step (the exact baskets:
	// surrogate.ExactBasket.StepSubsteps) at the 0.025 ms step before which
	// NEURON applies it (surrogate.SubstepOf of its time), as the
	// biophysical column does, instead of at the start of its 0.5 ms bin.
	// Cell-to-cell spikes (whose times the network knows to the bin) still
	// arrive at the bin's start. Off by default; the other cell types are
	// unaffected. With SoftEventTiming the timed events stay binned.
	DriveSubsteps bool
}

// Connection is one cell-to-cell connection of a surrogate network:
// every spike of Src reaches the Receptor channel of each of Sections on Tgt
// after Steps time steps, with weight BaseWeight·10^(log-gain of Class +
// log-weight of the connection) µS.
type Connection struct {
	Class      int      // index into the connectivity's classes
	Src, Tgt   int      // gids
	Sections   []string // target sections (shared)
	BaseWeight float64  // µS: distance rule and global gain applied, class gain not
	Delay      float64  // ms, distance rule applied
	Steps      int      // delay in time steps (see Net)
}

// synapse is one (connection, target channel) pair, grouped by source cell and
// ordered by delay within a source.
type synapse struct {
	conn  int32 // connection index
	delay int32 // steps
	tct   int32 // target cell type
	local int32 // target row × channels + channel, within the target type's block
}

// tseg is a run of tCon[start:end] sharing a target cell and a class.
type tseg struct {
	class, start, end int32
}

// tentry is a connection listed in target order: its index, source gid and
// delay (steps).
type tentry struct {
	conn  int32
	src   uint16
	delay uint16
}

// driveSyn is one (drive connection, target channel) pair.
type driveSyn struct {
	driveCell int // offset within the drive
	delay     float64
	weight    float64
	tct       int
	local     int
	class     int32 // drive class (DriveClasses)
}

// Net is HNN's column built from learned surrogate cells: every cell
// type's model is stepped once per time bin on all of its cells as one batch;
// spikes are upward crossings of the predicted somatic voltage through the
// model's threshold (Heaviside forward, fast-sigmoid surrogate gradient
// backward); each spike reaches the target cells' (section, receptor) input
// channels with its own distance-dependent weight after its own delay, carried
// by ring buffers; drive events are added to the same channels.
//
// Timing follows the surrogates' training data: the input of step n (0-based)
// holds the events taking effect in [n·dt, (n+1)·dt) (on NEURON's 0.025 ms
// grid, see eventStep) and its outputs are the state at (n+1)·dt. A spike
// of step n is timed at (n+1)·dt, so over a connection with delay d ms it
// reaches the input of step n+1+D with D = eventStep(d): the step holding its
// arrival time (n+1)·dt + d. D = 2 for HNN's 1 ms delay at zero distance. Everything is recorded on an autograd tape, so the loss of a run
// can be differentiated with respect to the connection gains through the whole
// simulation (backpropagation through time).
//
// The trainable parameters are LogGains (log10 of each class's gain) and,
// with ParamsPerConnection, LogWeights (log10 multiplier of each connection).
// A Net is not safe for concurrent use.
type Net[T autograd.Float] struct {
	Net    *network.Network
	Models [neuron.NumCellTypes]Cell[T]
	Dt     float64 // time step (ms), the models' Dt
	Steps  int     // time steps per run
	Slope  float64 // fast-sigmoid slope (1/mV)
	Mode   ParamMode

	// LogGains holds log10 of each connection class's gain; it starts at
	// log10(class.Gain) and requires a gradient with ParamsPerClass.
	LogGains *autograd.Tensor[T]
	// LogWeights holds a log10 multiplier per connection (starting at 0); it
	// requires a gradient with ParamsPerConnection.
	LogWeights *autograd.Tensor[T]

	// DriveClasses lists the drive weights (drive, cell type, receptor);
	// DriveLogGains holds log10 of a gain on each (0 at the start), which
	// requires a gradient with Options.DriveParams.
	DriveClasses  []DriveClass
	DriveLogGains *autograd.Tensor[T]
	// TimingDrives are the evoked drives (indices into Network.Drives);
	// DriveTiming holds their (μ, σ) in ms, trainable with
	// Options.DriveTiming.
	TimingDrives []int
	DriveTiming  *autograd.Tensor[T]
	softTiming   bool
	// subs marks the cell types fed per-substep drive input (DriveSubsteps).
	subs [neuron.NumCellTypes]bool

	Connections []Connection

	nCh, nOut, soma, dipole [neuron.NumCellTypes]int
	threshold               [neuron.NumCellTypes]float64
	syn                     []synapse
	synStart                []int     // per source gid
	tCon                    []tentry  // the connections in target order (by class, then delay), for the backward pass
	tSegStart               []int32   // per target cell (gid order): start of its segments in tSeg
	tSeg                    []tseg    // runs of tCon with one target and class
	classCh                 [][]int32 // per class: the target channels of each of its sections
	connClass               []int32
	maxDelay                int
	drives                  [][]driveSyn
	runs                    map[int]*runState[T]
	smooth                  bool // graded spikes (smoothStep), for gradient checks
}

// New builds the surrogate network of net with one model per cell
// type (models[ct], indexed by CellType). Every model must have the same Dt,
// a soma output, a dipole output for the pyramidal types, and an input channel
// for every (section, receptor) that a connection class or drive of net
// targets on its cell type. Connections whose delay reaches past the end of a
// run are omitted. Class gains must be positive (their log10 is trained).
func New[T autograd.Float](net *network.Network, models [neuron.NumCellTypes]Cell[T], opt Options) (*Net[T], error) {
	if net == nil {
		return nil, fmt.Errorf("network: surrogate network needs a network")
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	for _, b := range net.TonicBiases {
		if b.Amplitude != 0 {
			return nil, fmt.Errorf("network: tonic bias of %v nA on %s: the surrogate cells take synaptic input only (simulate such a network biophysically)", b.Amplitude, b.CellType)
		}
	}
	sn := &Net[T]{Net: net, Models: models, Slope: opt.SpikeSlope, Mode: opt.Params, smooth: opt.GradedSpikes, runs: map[int]*runState[T]{}}
	if sn.Slope == 0 {
		sn.Slope = nn.DefaultSpikeSlope
	}
	if !(sn.Slope > 0) || math.IsInf(sn.Slope, 0) {
		return nil, fmt.Errorf("network: spike slope %v must be positive and finite", opt.SpikeSlope)
	}
	chs, err := sn.readModels()
	if err != nil {
		return nil, err
	}
	if err := sn.setSteps(opt.TStop); err != nil {
		return nil, err
	}
	if err := sn.buildConnections(chs); err != nil {
		return nil, err
	}
	if err := sn.buildDrives(chs); err != nil {
		return nil, err
	}
	if err := sn.initParams(opt.Params); err != nil {
		return nil, err
	}
	sn.initDriveParams(opt.DriveParams)
	sn.initDriveTiming(opt.DriveTiming)
	sn.softTiming = opt.SoftEventTiming
	if opt.DriveSubsteps {
		for _, ct := range neuron.CellTypes {
			sn.subs[ct] = takesSubsteps(models[ct])
		}
	}
	return sn, nil
}

// channelIndex maps each cell type's (section, receptor) input channels to
// their index among its model's inputs.
type channelIndex [neuron.NumCellTypes]map[neuron.Channel]int

// channel returns the input index of (sec, r) on cell type ct, or an error
// naming what (a connection class or drive) needs the missing channel.
func (ci *channelIndex) channel(ct neuron.CellType, sec string, r neuron.Receptor, what string) (int, error) {
	i, ok := ci[ct][neuron.Channel{Section: sec, Receptor: r}]
	if !ok {
		return 0, fmt.Errorf("network: %s: the %s model has no input channel (%s, %s)", what, ct, sec, r)
	}
	return i, nil
}

// readModels checks the models (one per cell type, one common Dt, soma and
// dipole outputs in range, finite thresholds), records their sizes, output
// indices, thresholds and Dt in sn, and indexes their input channels.
func (sn *Net[T]) readModels() (*channelIndex, error) {
	var chIndex channelIndex
	for _, ct := range neuron.CellTypes {
		m := sn.Models[ct]
		if m == nil {
			return nil, fmt.Errorf("network: no surrogate model for %s", ct)
		}
		if ct == neuron.CellTypes[0] {
			sn.Dt = m.Dt()
		}
		if m.Dt() != sn.Dt {
			return nil, fmt.Errorf("network: surrogate models disagree on the time step: %s has %v ms, %s %v ms", ct, m.Dt(), neuron.CellTypes[0], sn.Dt)
		}
		sn.nCh[ct], sn.nOut[ct] = len(m.Inputs()), len(m.Outputs())
		sn.soma[ct], sn.dipole[ct] = m.SomaOutput(), m.DipoleOutput()
		sn.threshold[ct] = m.SpikeThreshold()
		if sn.soma[ct] < 0 || sn.soma[ct] >= sn.nOut[ct] {
			return nil, fmt.Errorf("network: %s model: soma output %d out of range [0,%d)", ct, sn.soma[ct], sn.nOut[ct])
		}
		if ct.IsPyramidal() && (sn.dipole[ct] < 0 || sn.dipole[ct] >= sn.nOut[ct]) {
			return nil, fmt.Errorf("network: %s model has no dipole output (index %d of %d)", ct, sn.dipole[ct], sn.nOut[ct])
		}
		if math.IsNaN(sn.threshold[ct]) || math.IsInf(sn.threshold[ct], 0) {
			return nil, fmt.Errorf("network: %s model: spike threshold %v is not finite", ct, sn.threshold[ct])
		}
		chIndex[ct] = map[neuron.Channel]int{}
		for i, c := range m.Inputs() {
			chIndex[ct][c] = i
		}
	}
	return &chIndex, nil
}

// setSteps checks the time step and the simulated time tStop (ms) and sets
// the number of steps per run (at least two).
func (sn *Net[T]) setSteps(tStop float64) error {
	if !(sn.Dt > 0) || math.IsInf(sn.Dt, 0) {
		return fmt.Errorf("network: surrogate time step %v ms must be positive", sn.Dt)
	}
	if !(tStop > 0) || math.IsInf(tStop, 0) {
		return fmt.Errorf("network: simulated time %v ms must be positive", tStop)
	}
	sn.Steps = int(math.Round(tStop / sn.Dt))
	if sn.Steps < 2 {
		return fmt.Errorf("network: simulated time %v ms is less than two steps of %v ms", tStop, sn.Dt)
	}
	return nil
}

// buildConnections lists the cell-to-cell connections of every class and
// their synapses grouped by source (syn, synStart), then the target order of
// the backward pass and each connection's class.
func (sn *Net[T]) buildConnections(chs *channelIndex) error {
	col := sn.Net.Column
	conn := sn.Net.Connectivity
	nc := col.NumCells()
	perSrc := make([][]synapse, nc)
	classCh := make([][]int32, len(conn.Classes))
	for ci := range conn.Classes {
		cc, err := sn.addClass(ci, chs, perSrc)
		if err != nil {
			return err
		}
		classCh[ci] = cc
	}
	sn.synStart = make([]int, nc+1)
	for s := range perSrc {
		sortSynapses(perSrc[s])
		sn.syn = append(sn.syn, perSrc[s]...)
		sn.synStart[s+1] = len(sn.syn)
	}
	if nc > math.MaxUint16 || sn.maxDelay > math.MaxUint16 {
		return fmt.Errorf("network: %d cells or a delay of %d steps is more than the surrogate router handles (65535)", nc, sn.maxDelay)
	}
	sn.buildTargetOrder(classCh)
	sn.connClass = make([]int32, len(sn.Connections))
	for k, c := range sn.Connections {
		sn.connClass[k] = int32(c.Class)
	}
	return nil
}

// addClass appends the connections of class ci (its pairs after pruning,
// network.Network.ClassPairs) to sn.Connections and their
// synapses to perSrc (indexed by source gid), and returns the class's target
// channels, one per target section. Connections that never arrive within a
// run or have zero weight are left out.
func (sn *Net[T]) addClass(ci int, chs *channelIndex, perSrc [][]synapse) ([]int32, error) {
	col := sn.Net.Column
	conn := sn.Net.Connectivity
	cc := &conn.Classes[ci]
	if !(cc.Gain > 0) {
		return nil, fmt.Errorf("network: connection class %q has gain %v; a surrogate network trains log10 gains, which needs gains > 0", cc.Name, cc.Gain)
	}
	global := conn.Gains.Of(cc.Kind())
	secs, _ := cc.Target.LocationSections(cc.Location) // validated
	var classCh []int32
	ch := make([]int, len(secs))
	for i, s := range secs {
		c, err := chs.channel(cc.Target, s, cc.Receptor, "connection "+cc.Name)
		if err != nil {
			return nil, err
		}
		ch[i] = c
		classCh = append(classCh, int32(c))
	}
	t0, _ := col.Range(cc.Target)
	for s, t := range sn.Net.ClassPairs(ci) {
		w, dl := network.GaussianWeightDelay(cc.Weight, cc.Delay, cc.Lamtha, col.InplaneDistance, col.Cells[s].Pos, col.Cells[t].Pos)
		d := delaySteps(dl, sn.Dt)
		if d >= sn.Steps || w*global == 0 {
			continue // never arrives within a run, or has no effect
		}
		k := len(sn.Connections)
		sn.Connections = append(sn.Connections, Connection{
			Class: ci, Src: s, Tgt: t, Sections: secs, BaseWeight: w * global, Delay: dl, Steps: d,
		})
		for _, c := range ch {
			perSrc[s] = append(perSrc[s], synapse{
				conn: int32(k), delay: int32(d), tct: int32(cc.Target),
				local: int32((t-t0)*sn.nCh[cc.Target] + c),
			})
		}
		sn.maxDelay = max(sn.maxDelay, d)
	}
	return classCh, nil
}

// buildDrives lists, per drive, one entry per (connection, target channel).
func (sn *Net[T]) buildDrives(chs *channelIndex) error {
	net := sn.Net
	col := net.Column
	for i := range net.Drives {
		g0, _ := net.DriveRange(i)
		var list []driveSyn
		for _, c := range net.DriveConnections(i) {
			tct := col.Cells[c.Tgt].Type
			t0, _ := col.Range(tct)
			for _, s := range c.Sections {
				ch, err := chs.channel(tct, s, c.Receptor, "drive "+net.Drives[i].Name)
				if err != nil {
					return err
				}
				list = append(list, driveSyn{driveCell: c.Src - g0, delay: c.Delay, weight: c.Weight, tct: int(tct), local: (c.Tgt-t0)*sn.nCh[tct] + ch,
					class: sn.driveClassOf(i, tct, c.Receptor)})
			}
		}
		sn.drives = append(sn.drives, list)
	}
	return nil
}

// initParams creates LogGains (log10 of the class gains) and LogWeights
// (zeros, one per connection) and marks the trainable one of mode.
func (sn *Net[T]) initParams(mode ParamMode) error {
	classes := sn.Net.Connectivity.Classes
	sn.LogGains = autograd.Zeros[T](len(classes))
	for ci := range classes {
		sn.LogGains.Data[ci] = T(math.Log10(classes[ci].Gain))
	}
	sn.LogWeights = autograd.Zeros[T](len(sn.Connections))
	switch mode {
	case ParamsPerClass:
		sn.LogGains.SetRequiresGrad(true)
	case ParamsPerConnection:
		sn.LogWeights.SetRequiresGrad(true)
	default:
		return fmt.Errorf("network: unknown parameter mode %d", mode)
	}
	return nil
}

// buildTargetOrder lists the connections by target cell, class and delay
// for the backward pass, with each class's target channels.
func (sn *Net[T]) buildTargetOrder(chs [][]int32) {
	nc := sn.Net.Column.NumCells()
	order := make([]int, len(sn.Connections))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ca, cb := &sn.Connections[a], &sn.Connections[b]
		switch {
		case ca.Tgt != cb.Tgt:
			return ca.Tgt - cb.Tgt
		case ca.Class != cb.Class:
			return ca.Class - cb.Class
		}
		return ca.Steps - cb.Steps
	})
	sn.tCon = make([]tentry, len(order))
	sn.tSegStart = make([]int32, nc+1)
	sn.tSeg = sn.tSeg[:0]
	tgt := 0
	for i, k := range order {
		c := &sn.Connections[k]
		sn.tCon[i] = tentry{conn: int32(k), src: uint16(c.Src), delay: uint16(c.Steps)}
		for tgt < c.Tgt {
			tgt++
			sn.tSegStart[tgt] = int32(len(sn.tSeg))
		}
		if n := len(sn.tSeg); n == 0 || i == 0 || sn.Connections[order[i-1]].Tgt != c.Tgt || int(sn.tSeg[n-1].class) != c.Class {
			sn.tSeg = append(sn.tSeg, tseg{class: int32(c.Class), start: int32(i)})
		}
		sn.tSeg[len(sn.tSeg)-1].end = int32(i + 1)
	}
	for tgt < nc {
		tgt++
		sn.tSegStart[tgt] = int32(len(sn.tSeg))
	}
	sn.classCh = chs
}

// delaySteps returns the delay of a connection in time steps of dt ms: a
// spike timed at the end of step n (a grid time) reaches its target in the
// input of step n+1+delaySteps(delay), the step holding the arrival time
// (eventStep).
func delaySteps(delay, dt float64) int {
	if delay > float64(math.MaxInt32)*dt || math.IsNaN(delay) {
		return math.MaxInt32
	}
	return eventStep(delay, dt)
}

// eventStep returns the time step of dt ms whose input receives an event
// taking effect at t ms, by the rule the surrogates' training data were binned
// with (surrogate.BinOfDt): the step holding the 0.025 ms grid point before
// which NEURON applies the event.
func eventStep(t, dt float64) int { return surrogate.BinOfDt(t, dt) }

// sortSynapses orders one source's synapses by delay (stable insertion sort:
// the lists are built class by class and are short).
func sortSynapses(s []synapse) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].delay < s[j-1].delay; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Clone returns a surrogate network that shares sn's structure, connections,
// drives and models but has its own parameters (copies of LogGains and
// LogWeights, with the same gradient settings) and its own run buffers, so
// that the two can be run and trained concurrently. The models are shared:
// concurrent runs need models that are safe for concurrent stepping, as
// frozen surrogate models are (Model.SetTrainable(false); the shipped, loaded
// and random cells of this package).
func (sn *Net[T]) Clone() *Net[T] {
	c := *sn
	c.LogGains = cloneParam(sn.LogGains)
	c.LogWeights = cloneParam(sn.LogWeights)
	c.DriveLogGains = cloneParam(sn.DriveLogGains)
	c.DriveTiming = cloneParam(sn.DriveTiming)
	c.runs = map[int]*runState[T]{}
	return &c
}

func cloneParam[T autograd.Float](p *autograd.Tensor[T]) *autograd.Tensor[T] {
	c := autograd.Clone(p)
	c.SetRequiresGrad(p.RequiresGrad())
	return c
}

// Params returns the trainable parameter tensor of the network's mode:
// LogGains (per class) or LogWeights (per connection).
func (sn *Net[T]) Params() *autograd.Tensor[T] {
	if sn.Mode == ParamsPerConnection {
		return sn.LogWeights
	}
	return sn.LogGains
}

// ParamName returns a readable name of element i of Params: the class name,
// or "class[src->tgt]" for a connection.
func (sn *Net[T]) ParamName(i int) string {
	classes := sn.Net.Connectivity.Classes
	if sn.Mode == ParamsPerConnection {
		c := sn.Connections[i]
		return fmt.Sprintf("%s[%d->%d]", classes[c.Class].Name, c.Src, c.Tgt)
	}
	return classes[i].Name
}

// Gains returns the current gain of every class, 10^LogGains.
func (sn *Net[T]) Gains() []float64 {
	g := make([]float64, sn.LogGains.Len())
	for i, v := range sn.LogGains.Data {
		g[i] = math.Pow(10, float64(v))
	}
	return g
}

// Weight returns the current weight (µS) of connection k.
func (sn *Net[T]) Weight(k int) float64 {
	c := &sn.Connections[k]
	return c.BaseWeight * math.Pow(10, float64(sn.LogGains.Data[c.Class])+float64(sn.LogWeights.Data[k]))
}

// Connectivity returns a copy of the network's connectivity with every class
// gain set to its current value 10^LogGains. With ParamsPerConnection the
// class gain is additionally multiplied by the geometric mean of the class's
// per-connection multipliers, the closest class-level summary; the exact
// per-connection weights are those of Weight.
func (sn *Net[T]) Connectivity() *network.Connectivity {
	c := sn.Net.Connectivity.Clone()
	sum := make([]float64, len(c.Classes))
	cnt := make([]int, len(c.Classes))
	if sn.Mode == ParamsPerConnection {
		for k, cn := range sn.Connections {
			sum[cn.Class] += float64(sn.LogWeights.Data[k])
			cnt[cn.Class]++
		}
	}
	for i := range c.Classes {
		lg := float64(sn.LogGains.Data[i])
		if cnt[i] > 0 {
			lg += sum[i] / float64(cnt[i])
		}
		c.Classes[i].Gain = math.Pow(10, lg)
	}
	return c
}

// NumSynapses returns the number of (connection, target channel) pairs the
// router carries.
func (sn *Net[T]) NumSynapses() int { return len(sn.syn) }

// MaxDelaySteps returns the longest connection delay in steps.
func (sn *Net[T]) MaxDelaySteps() int { return sn.maxDelay }
