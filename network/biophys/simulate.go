package biophys

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// SimOptions configures a biophysical simulation of a Network.
type SimOptions struct {
	TStop float64 // simulated time (ms), > 0
	Dt    float64 // time step (ms); 0 means 0.025
	Trial int     // trial index (0-based): selects the drive seeds as hnn-core does

	// Workers is the number of goroutines that advance the cells; 0 means
	// GOMAXPROCS. Results do not depend on it.
	Workers int

	// RecordVSoma lists the gids whose soma potential is recorded.
	RecordVSoma []int
	// TonicBias adds current clamps to the somata of whole populations.
	TonicBias []TonicBias
	// Progress, when non-nil, is called from the simulating goroutine after
	// each exchange interval with the simulated time reached (ms).
	Progress func(t float64)

	// maxInterval, when positive, caps the exchange interval (steps); tests
	// use it to check that the interval does not change results.
	maxInterval int
	// chunkHook, when non-nil, is called on the worker goroutine before
	// (done false) and after (done true) it advances a chunk through an
	// interval; benchmarks use it to measure the load balance.
	chunkHook func(interval, chunk int, done bool)
}

// TonicBias is hnn-core's add_tonic_bias for one cell type (see
// network.TonicBias). A network's own TonicBiases apply as well.
type TonicBias = network.TonicBias

// SimResult holds the outputs of a biophysical simulation.
type SimResult struct {
	Times []float64 // sample times (ms), NEURON's accumulated values; len = steps+1
	// Raw summed dipoles (fAm) of all L2 and all L5 pyramidal cells and
	// their sum, one sample per time; 0 at t = 0 as in hnn-core.
	L2, L5, Agg []float64
	// Spikes of cells and drive cells, sorted by time then gid.
	Spikes []network.Spike
	// VSoma maps each recorded gid to its soma potential (mV) per time.
	VSoma map[int][]float64
	// NumPyramidalPerLayer is the N_pyr of hnn-core's renormalisation.
	NumPyramidalPerLayer int
	// Dt is the time step (ms).
	Dt float64
}

// link is one connection's effect on one target cell, stored with the
// source: a spike at time ts reaches synapses syn of cell tgt at ts+delay.
type link struct {
	tgt    int32
	syn    []neuron.SynapseID
	weight float64
	delay  float64
}

// simChunk is a group of cells advanced together by one goroutine during
// an exchange interval. Chunks are handed to workers dynamically, so a
// worker slowed down by other load does not hold the others back; which
// worker runs a chunk does not affect the results.
type simChunk struct {
	cells  []int       // gids, ascending
	paired []bool      // paired[j]: cells j and j+1 advance together (neuron.AdvancePair)
	spikes []stepSpike // spikes detected in the current interval
	out    [][]link    // out[src gid]: links to this chunk's cells
	// dip holds the dipoles of the interval's steps, [step][cell of the chunk]: each
	// chunk writes only its own buffer, so no cache line is written by two cores.
	dip []float64
	_   [64]byte // keeps neighbouring chunks' headers (spikes is appended to) apart
}

// maxChunks is the number of cell groups the column is split into (fewer
// for small columns); it is independent of the number of workers.
const maxChunks = 64

// dipSlot locates a cell's dipole in its chunk's per-interval buffer.
type dipSlot struct{ chunk, idx int32 }

type stepSpike struct {
	step int
	gid  int
	t    float64
}

// Simulate runs the biophysical column with NEURON's fixed-step method:
// every cell is a neuron.Cell advanced in lock-step; spikes travel through
// per-connection delays and take effect at the step NEURON applies them.
// Cells are partitioned into groups advanced by a pool of goroutines that
// exchange spikes once per minimum-delay interval; the results are
// identical for any worker count.
func Simulate(net *network.Network, opts SimOptions) (*SimResult, error) {
	sim, err := newSimulation(net, opts)
	if err != nil {
		return nil, err
	}
	if err := sim.buildCells(); err != nil {
		return nil, err
	}
	if err := sim.connect(); err != nil {
		return nil, err
	}
	if err := sim.drive(); err != nil {
		return nil, err
	}
	sim.plan()
	sim.run()
	return sim.collect(), nil
}

// simulation is one run of Simulate: the validated settings, the cells and
// their chunks, and the outputs being recorded.
type simulation struct {
	net     *network.Network
	opts    SimOptions
	col     *network.Column
	nCells  int
	dt      float64
	tstop   float64
	nSteps  int
	horizon float64 // events later than this are never delivered
	workers int

	cells    []*neuron.Cell
	chunks   []simChunk
	minDelay float64 // shortest cell-to-cell delay delivered (ms); +Inf if none

	interval int  // steps between spike exchanges
	zeroLag  bool // spikes may take effect within the step they occur

	driveSyns   synapseCache // the synapse cache connect filled, shared with drive
	res         *SimResult
	vsoma       [][]float64 // by gid; nil when not recorded
	dipAt       []dipSlot   // by gid: where its dipoles are in its chunk's dip
	driveSpikes []network.Spike
	cellSpikes  []network.Spike
	routed      []stepSpike // spikes of the last interval, routed at the next
}

// newSimulation validates the options and the network.
func newSimulation(net *network.Network, opts SimOptions) (*simulation, error) {
	dt := opts.Dt
	if dt == 0 {
		dt = neuron.DefaultConfig().Dt
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return nil, fmt.Errorf("network: dt %v ms must be positive", dt)
	}
	if !(opts.TStop > 0) || math.IsInf(opts.TStop, 0) {
		return nil, fmt.Errorf("network: tstop %v ms must be positive and finite", opts.TStop)
	}
	if opts.Trial < 0 {
		return nil, fmt.Errorf("network: trial %d must be non-negative", opts.Trial)
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	col := net.Column
	nCells := col.NumCells()
	for _, g := range opts.RecordVSoma {
		if g < 0 || g >= nCells {
			return nil, fmt.Errorf("network: cannot record v_soma of gid %d: the column has gids 0..%d", g, nCells-1)
		}
	}
	nSteps := neuron.Steps(opts.TStop, dt)
	if nSteps < 1 {
		return nil, fmt.Errorf("network: tstop %v ms is shorter than one step of %v ms", opts.TStop, dt)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The last step delivers the events up to t_N − dt/2.
	return &simulation{net: net, opts: opts, col: col, nCells: nCells, dt: dt, tstop: opts.TStop,
		nSteps: nSteps, horizon: float64(nSteps) * dt, workers: workers, minDelay: math.Inf(1)}, nil
}

// buildCells creates the cells (with the network's tonic biases and the
// options' own) and splits them into chunks.
func (sim *simulation) buildCells() error {
	cfg := neuron.DefaultConfig()
	cfg.Dt = sim.dt
	opts := sim.opts
	opts.TonicBias = append(slices.Clone(sim.net.TonicBiases), opts.TonicBias...)
	cells, err := buildCells(sim.col, cfg, opts, sim.tstop)
	if err != nil {
		return err
	}
	sim.cells = cells
	sim.chunks = partitionCells(sim.col, maxChunks)
	for i := range sim.chunks {
		ch := &sim.chunks[i]
		ch.paired = make([]bool, len(ch.cells))
		for j := 0; j+1 < len(ch.cells); j++ {
			if neuron.Pairable(sim.cells[ch.cells[j]], sim.cells[ch.cells[j+1]]) {
				ch.paired[j] = true
				j++
			}
		}
	}
	return nil
}

// connect stores the cell-to-cell links, grouped by source and by the
// chunk holding the target. Links whose delay exceeds the run never
// deliver and are dropped.
func (sim *simulation) connect() error {
	owner := make([]int32, sim.nCells)
	for i, ch := range sim.chunks {
		for _, g := range ch.cells {
			owner[g] = int32(i)
		}
	}
	for i := range sim.chunks {
		sim.chunks[i].out = make([][]link, sim.nCells)
	}
	syns := synapseCache{}
	for c := range sim.net.EachCellConnection() {
		if c.Delay > sim.horizon {
			continue
		}
		syn, err := syns.ids(sim.cells, c)
		if err != nil {
			return err
		}
		ch := &sim.chunks[owner[c.Tgt]]
		ch.out[c.Src] = append(ch.out[c.Src], link{tgt: int32(c.Tgt), syn: syn, weight: c.Weight, delay: c.Delay})
		sim.minDelay = min(sim.minDelay, c.Delay)
	}
	sim.driveSyns = syns // the drives' connections share it
	return nil
}

// drive queues all drive events (they are known in advance) and records
// the drive cells' spikes.
func (sim *simulation) drive() error {
	net := sim.net
	for i := range net.Drives {
		events, err := net.DriveEventTimes(i, sim.opts.Trial, sim.tstop)
		if err != nil {
			return err
		}
		g0, _ := net.DriveRange(i)
		for k, ev := range events {
			for _, t := range ev {
				sim.driveSpikes = append(sim.driveSpikes, network.Spike{Time: t, GID: g0 + k})
			}
		}
		for _, c := range net.DriveConnections(i) {
			if c.Delay > sim.horizon {
				continue
			}
			syn, err := sim.driveSyns.ids(sim.cells, c)
			if err != nil {
				return err
			}
			for _, t := range events[c.Src-g0] {
				if T := t + c.Delay; T <= sim.horizon {
					for _, s := range syn {
						if err := sim.cells[c.Tgt].Deliver(s, T, c.Weight); err != nil {
							return fmt.Errorf("network: drive %q: %w", net.Drives[i].Name, err)
						}
					}
				}
			}
		}
	}
	return nil
}

// plan sets the exchange interval and allocates the outputs.
//
// A spike detected at step n (time t_n + 1e-10) reaches its target at the
// first step m with t_n + 1e-10 + d ≤ t_m + dt/2, so m − n ≥ lag =
// ceil((d − dt/2)/dt) (less a rounding margin). Spikes of an interval of
// `lag` steps are therefore routed in time.
func (sim *simulation) plan() {
	dt, nSteps := sim.dt, sim.nSteps
	lag := 1 << 30
	if !math.IsInf(sim.minDelay, 1) {
		lag = int(math.Ceil((sim.minDelay-0.5*dt)/dt - 1e-6))
	}
	sim.interval = max(1, min(lag, nSteps))
	if sim.opts.maxInterval > 0 {
		sim.interval = min(sim.interval, sim.opts.maxInterval)
	}
	sim.zeroLag = lag < 1

	res := &SimResult{
		Times:                make([]float64, nSteps+1),
		L2:                   make([]float64, nSteps+1),
		L5:                   make([]float64, nSteps+1),
		Agg:                  make([]float64, nSteps+1),
		NumPyramidalPerLayer: sim.col.NumPyramidalPerLayer(),
		Dt:                   dt,
	}
	// NEURON's time grid: t accumulates two half steps per step.
	for n := 1; n <= nSteps; n++ {
		t := res.Times[n-1] + 0.5*dt
		res.Times[n] = t + 0.5*dt
	}
	sim.vsoma = make([][]float64, sim.nCells)
	if len(sim.opts.RecordVSoma) > 0 {
		res.VSoma = map[int][]float64{}
		for _, g := range sim.opts.RecordVSoma {
			if sim.vsoma[g] == nil {
				sim.vsoma[g] = make([]float64, nSteps+1)
				sim.vsoma[g][0] = sim.cells[g].VSoma()
				res.VSoma[g] = sim.vsoma[g]
			}
		}
	}
	// Per-interval buffer of pyramidal dipoles, summed in gid order after
	// each interval so the sums do not depend on the partition.
	sim.dipAt = make([]dipSlot, sim.nCells)
	for i := range sim.chunks {
		ch := &sim.chunks[i]
		ch.dip = make([]float64, sim.interval*len(ch.cells))
		for j, g := range ch.cells {
			sim.dipAt[g] = dipSlot{chunk: int32(i), idx: int32(j)}
		}
	}
	sim.res = res
}

// run is the step loop: one exchange interval at a time.
func (sim *simulation) run() {
	for s := 0; s < sim.nSteps; s += sim.interval {
		e := min(s+sim.interval, sim.nSteps)
		sim.advance(s, e)
		sim.route()
		if sim.zeroLag {
			sim.advanceZeroLag(s)
		}
		sim.sumDipoles(s, e)
		if sim.opts.Progress != nil {
			sim.opts.Progress(sim.res.Times[e])
		}
	}
}

// advance moves every chunk through steps s … e−1 in parallel, after
// delivering the spikes routed from the previous interval.
func (sim *simulation) advance(s, e int) {
	cells := sim.cells
	parallel.For(len(sim.chunks), sim.workers, func(i int) {
		if sim.opts.chunkHook != nil {
			sim.opts.chunkHook(s/sim.interval, i, false)
			defer sim.opts.chunkHook(s/sim.interval, i, true)
		}
		ch := &sim.chunks[i]
		ch.deliver(cells, sim.routed)
		ch.spikes = ch.spikes[:0]
		nc := len(ch.cells)
		for n := s; n < e; n++ {
			for _, g := range ch.cells {
				if sp, ts := cells[g].CheckThreshold(); sp {
					ch.spikes = append(ch.spikes, stepSpike{step: n, gid: g, t: ts})
				}
			}
			if sim.zeroLag {
				continue
			}
			dip := ch.dip[(n-s)*nc : (n-s+1)*nc]
			for j := 0; j < nc; j++ {
				g := ch.cells[j]
				c := cells[g]
				if ch.paired[j] {
					// j and j+1: the same results as advancing them one by one
					g2 := ch.cells[j+1]
					c2 := cells[g2]
					neuron.AdvancePair(c, c2)
					dip[j], dip[j+1] = c.Dipole(), c2.Dipole()
					sim.recordVSoma(g, n, c)
					sim.recordVSoma(g2, n, c2)
					j++
					continue
				}
				c.Advance()
				dip[j] = c.Dipole()
				sim.recordVSoma(g, n, c)
			}
		}
	})
}

// recordVSoma stores the soma potential of cell g after step n when it is recorded.
func (sim *simulation) recordVSoma(g, n int, c *neuron.Cell) {
	if v := sim.vsoma[g]; v != nil {
		v[n+1] = c.VSoma()
	}
}

// route gathers the interval's spikes in (step, gid) order, to be
// delivered at the next interval, and records them.
func (sim *simulation) route() {
	routed := sim.routed[:0]
	for i := range sim.chunks {
		routed = append(routed, sim.chunks[i].spikes...)
	}
	sort.Slice(routed, func(i, j int) bool {
		if routed[i].step != routed[j].step {
			return routed[i].step < routed[j].step
		}
		return routed[i].gid < routed[j].gid
	})
	for _, sp := range routed {
		sim.cellSpikes = append(sim.cellSpikes, network.Spike{Time: sp.t, GID: sp.gid})
	}
	sim.routed = routed
}

// advanceZeroLag is the second half of step s when spikes may take effect
// within the same step: route them first, then advance the cells.
func (sim *simulation) advanceZeroLag(s int) {
	cells := sim.cells
	parallel.For(len(sim.chunks), sim.workers, func(i int) {
		ch := &sim.chunks[i]
		ch.deliver(cells, sim.routed)
		for j, g := range ch.cells {
			c := cells[g]
			c.Advance()
			ch.dip[j] = c.Dipole()
			if v := sim.vsoma[g]; v != nil {
				v[s+1] = c.VSoma()
			}
		}
	})
	sim.routed = sim.routed[:0]
}

// sumDipoles adds up the L2 and L5 pyramidal dipoles of steps s … e−1 in
// gid order.
func (sim *simulation) sumDipoles(s, e int) {
	l2s, l2e := sim.col.Range(neuron.L2Pyramidal)
	l5s, l5e := sim.col.Range(neuron.L5Pyramidal)
	res, at, chunks := sim.res, sim.dipAt, sim.chunks
	dip := func(n, g int) float64 {
		ch := &chunks[at[g].chunk]
		return ch.dip[n*len(ch.cells)+int(at[g].idx)]
	}
	for n := s; n < e; n++ {
		var l2, l5 float64
		for g := l2s; g < l2e; g++ {
			l2 += dip(n-s, g)
		}
		for g := l5s; g < l5e; g++ {
			l5 += dip(n-s, g)
		}
		res.L2[n+1], res.L5[n+1], res.Agg[n+1] = l2, l5, l2+l5
	}
}

// collect returns the result with the drive and cell spikes merged in
// (time, gid) order.
func (sim *simulation) collect() *SimResult {
	res := sim.res
	res.Spikes = append(sim.driveSpikes, sim.cellSpikes...)
	slices.SortStableFunc(res.Spikes, func(a, b network.Spike) int {
		switch {
		case a.Time < b.Time:
			return -1
		case a.Time > b.Time:
			return 1
		}
		return a.GID - b.GID
	})
	return res
}

// deliver queues the events of spikes on this chunk's cells.
func (ch *simChunk) deliver(cells []*neuron.Cell, spikes []stepSpike) {
	for _, sp := range spikes {
		for _, l := range ch.out[sp.gid] {
			T := sp.t + l.delay
			c := cells[l.tgt]
			if T <= c.T()-0.5*c.Dt() {
				panic("network: internal error: spike routed after its delivery step")
			}
			for _, s := range l.syn {
				// Weights and delays were validated: Deliver cannot fail.
				if err := c.Deliver(s, T, l.weight); err != nil {
					panic(err)
				}
			}
		}
	}
}

// buildCells creates and initialises one neuron.Cell per gid, with tonic
// bias clamps attached.
func buildCells(col *network.Column, cfg neuron.Config, opts SimOptions, tstop float64) ([]*neuron.Cell, error) {
	var descs [neuron.NumCellTypes]*neuron.CellDesc
	for _, ct := range neuron.CellTypes {
		d, err := neuron.Template(ct)
		if err != nil {
			return nil, fmt.Errorf("network: %w", err)
		}
		descs[ct] = d
	}
	// Cells are independent: build them in parallel (part of the run's serial fraction
	// otherwise); each gid writes its own slot, so the result does not depend on it.
	cells := make([]*neuron.Cell, col.NumCells())
	errs := make([]error, len(cells))
	parallel.For(len(cells), opts.Workers, func(g int) {
		cell := col.Cells[g]
		c, err := neuron.New(descs[cell.Type], cfg)
		if err != nil {
			errs[g] = fmt.Errorf("network: gid %d: %w", g, err)
			return
		}
		c.SetPosition(neuron.Point3{X: cell.Pos.X, Y: cell.Pos.Y, Z: cell.Pos.Z})
		cells[g] = c
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, b := range opts.TonicBias {
		if !b.CellType.Valid() {
			return nil, fmt.Errorf("network: tonic bias: invalid cell type %d", int(b.CellType))
		}
		end := b.TStop
		if end <= 0 {
			end = tstop
		}
		if !(b.T0 >= 0) || !(end >= b.T0) || math.IsInf(end, 0) {
			return nil, fmt.Errorf("network: tonic bias on %s: window [%v, %v) ms is invalid", b.CellType, b.T0, end)
		}
		s, e := col.Range(b.CellType)
		for g := s; g < e; g++ {
			if err := cells[g].AddIClamp(neuron.SecSoma, 0.5, b.Amplitude, b.T0, end-b.T0); err != nil {
				return nil, fmt.Errorf("network: tonic bias on %s: %w", b.CellType, err)
			}
		}
	}
	return cells, nil
}

// synapseCache maps a target cell, location and receptor to the cell's
// shared synapses, so connections onto the same synapses share one slice.
type synapseCache map[synapseKey][]neuron.SynapseID

type synapseKey struct {
	tgt   int
	first string // first section of the location; with n it identifies it
	n     int
	r     neuron.Receptor
}

// ids returns the synapses a connection delivers to.
func (sc synapseCache) ids(cells []*neuron.Cell, c network.Connection) ([]neuron.SynapseID, error) {
	key := synapseKey{tgt: c.Tgt, first: c.Sections[0], n: len(c.Sections), r: c.Receptor}
	if ids, ok := sc[key]; ok {
		return ids, nil
	}
	ids := make([]neuron.SynapseID, len(c.Sections))
	for i, s := range c.Sections {
		id, err := cells[c.Tgt].Synapse(s, c.Receptor)
		if err != nil {
			return nil, fmt.Errorf("network: gid %d: %w", c.Tgt, err)
		}
		ids[i] = id
	}
	sc[key] = ids
	return ids, nil
}

// cellCost estimates the relative cost of one step of a cell of type ct
// (its number of segments plus fixed overhead).
func cellCost(ct neuron.CellType) int {
	switch ct {
	case neuron.L5Pyramidal:
		return 120 // 55 segments, 7 mechanisms
	case neuron.L2Pyramidal:
		return 40 // 31 segments, 2 mechanisms
	default:
		return 3
	}
}

// partitionCells splits the cells into at most n groups of similar
// estimated cost (longest-processing-time rule); each group's cells are in
// gid order. Consecutive pyramidal cells of one type are placed as pairs, so
// that they can be advanced together (neuron.AdvancePair).
func partitionCells(col *network.Column, n int) []simChunk {
	n = max(1, min(n, col.NumCells()))
	type unit struct{ g, size, cost int } // gids g … g+size-1
	var units []unit
	for g := 0; g < col.NumCells(); {
		ct := col.Cells[g].Type
		size := 1
		if ct.IsPyramidal() && g+1 < col.NumCells() && col.Cells[g+1].Type == ct {
			size = 2
		}
		units = append(units, unit{g: g, size: size, cost: size * cellCost(ct)})
		g += size
	}
	sort.SliceStable(units, func(a, b int) bool { return units[a].cost > units[b].cost })
	load := make([]int, n)
	chunks := make([]simChunk, n)
	for _, u := range units {
		w := 0
		for i := 1; i < n; i++ {
			if load[i] < load[w] {
				w = i
			}
		}
		load[w] += u.cost
		for g := u.g; g < u.g+u.size; g++ {
			chunks[w].cells = append(chunks[w].cells, g)
		}
	}
	for i := range chunks {
		slices.Sort(chunks[i].cells)
	}
	return chunks
}

// SpikeTrains returns the spike times (ms, ascending) of every gid in
// [0, n), indexed by gid; use Network.NumGIDs() for cells and drive cells.
func (r *SimResult) SpikeTrains(n int) [][]float64 {
	out := make([][]float64, n)
	for _, s := range r.Spikes {
		if s.GID >= 0 && s.GID < n {
			out[s.GID] = append(out[s.GID], s.Time)
		}
	}
	return out
}
