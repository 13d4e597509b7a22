package snn

import (
	"math"
	"slices"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
)

// runState holds the buffers of one simulation of a Net with a given
// number of replicas (independent noise realisations simulated as one batch).
// It is reused from run to run, so a run on a reused tape allocates nothing in
// the routing.
//
// Layout: the input of every cell type is a [replicas·cells, channels] matrix;
// the flat input vector X of a step is the concatenation of the four matrices
// (blockOff). The ring buffer holds slots = maxDelay+1 future input vectors;
// the input of step m lives in slot m mod slots until step m consumes it.
type runState[T autograd.Float] struct {
	peak     [neuron.NumCellTypes][]peakInput // per cell, its largest input so far (checkFinite)
	sn       *Net[T]
	reps     int
	slots    int
	rows     [neuron.NumCellTypes]int // replicas × cells
	stride   [neuron.NumCellTypes]int // cells × channels: one replica's block
	blockOff [neuron.NumCellTypes]int
	lenX     int

	ring []T // forward: pending inputs, slots × lenX

	// Backward: adj holds ∂L/∂X of the steps processed so far (a ring like
	// ring); gs[u·slots + n mod slots] accumulates ∂L/∂s of unit u's spike
	// at step n from all the later inputs it reaches.
	units int
	adj   []T // slots × lenX
	gs    []T // units × slots

	w  []T // effective weight of each connection in this run (µS)
	wt []T // the same in target order (Net.tCon)
	// The connections in source order (by source, then delay; target order
	// among equal ones) for scatterSpikeGrads, in runs of one source and
	// delay: srcRun[srcStart[s]:srcStart[s+1]] are source s's; a run's
	// connections are srcSeg[run.start:run.end] (their target segments) with
	// weights ws, srcCon their indices in target order.
	srcStart []int
	srcRun   []srcRun
	srcSeg   []int32
	srcCon   []int32
	ws       []T
	scatterA []T // per target segment (Net.tSeg) and replica: the gradient sum of its class's channels

	driveStart []int   // per step: start of its drive events
	driveIdx   []int32 // flat index into X
	driveW     []T     // µS, the drive class's gain applied
	driveClass []int32 // drive class of each event
	evTmp      []driveEvent
	driveGain  []float64 // per drive class: 10^DriveLogGains, this run's
	trials     []int     // this run's trials (for error messages)
	// rateGrad is ∂L/∂s of every spike of a type from Result.Rates.
	rateGrad    [neuron.NumCellTypes]T
	hasRateGrad bool
	timed       bool // the evoked drives' timing is trained or softened
	timedEv     []timedEvent
	timedStart  []int // per step: start of the timed events whose lower bin it is
	driveFill   []int
	// drive events at their substeps (drive_substeps.go)
	subEv    []subEvent[T]
	subTmp   []subEvent[T]
	subStart []int
	subFill  []int
	spreadOp *spreadOp[T]

	xs   [][neuron.NumCellTypes]*autograd.Tensor[T] // inputs per step
	outs [][neuron.NumCellTypes]*autograd.Tensor[T] // model outputs per step

	spikeStart []int                // per step: start of its spikes in spikeUnit
	spikeUnit  []int32              // replica·cells + gid
	spikeVal   []T                  // spike value: 1, or the smooth spike function in smooth mode
	replay     bool                 // recomputing a segment of a checkpointed run: the spikes are known
	gen        int                  // counts the checkpointed runs on these buffers
	segTape    *autograd.Tape[T]    // the segment being run or recomputed
	keptTapes  []*autograd.Tape[T]  // the segments kept for the backward pass
	gradPool   autograd.GradPool[T] // the gradient memory of segTape and keptTapes

	params []*autograd.Tensor[T]
	inBuf  []*autograd.Tensor[T]
	op     *deliverOp[T]
	pass   passOp[T]
	read   *readoutOp[T]
}

type driveEvent struct {
	step  int32
	idx   int32
	w     float64 // µS, the class gain applied
	class int32
}

func (sn *Net[T]) runState(reps int) *runState[T] {
	if rs, ok := sn.runs[reps]; ok {
		return rs
	}
	rs := &runState[T]{sn: sn, reps: reps, slots: sn.maxDelay + 1}
	rs.timed = len(sn.TimingDrives) > 0 && (sn.DriveTiming.RequiresGrad() || sn.softTiming)
	if rs.timed {
		rs.slots = max(rs.slots, 2) // the time gradient reads the input gradients of two steps
	}
	col := sn.Net.Column
	off := 0
	for _, ct := range neuron.CellTypes {
		rs.rows[ct] = reps * col.Count(ct)
		rs.stride[ct] = col.Count(ct) * sn.nCh[ct]
		rs.blockOff[ct] = off
		off += reps * rs.stride[ct]
	}
	rs.lenX = off
	rs.ring = make([]T, rs.slots*rs.lenX)
	rs.units = reps * col.NumCells()
	rs.w = make([]T, len(sn.Connections))
	rs.wt = make([]T, len(sn.Connections))
	rs.buildSourceOrder()
	rs.driveStart = make([]int, sn.Steps+1)
	rs.xs = make([][neuron.NumCellTypes]*autograd.Tensor[T], sn.Steps)
	rs.outs = make([][neuron.NumCellTypes]*autograd.Tensor[T], sn.Steps)
	rs.spikeStart = make([]int, sn.Steps+1)
	rs.op = &deliverOp[T]{rs}
	rs.spreadOp = &spreadOp[T]{rs}
	rs.read = &readoutOp[T]{rs}
	sn.runs[reps] = rs
	return rs
}

// reset prepares the buffers for a new run with the current parameters,
// those of the backward pass (adj, gs: allocated at the first run that
// records, so that the runs of evaluations, forward only, need none) when
// grad.
func (rs *runState[T]) reset(grad bool) {
	clear(rs.ring)
	if grad && rs.adj == nil {
		rs.adj = make([]T, rs.slots*rs.lenX)
		rs.gs = make([]T, rs.slots*rs.units)
	}
	clear(rs.gs)
	clear(rs.adj)
	clear(rs.xs)
	clear(rs.outs)
	rs.replay = false
	rs.setRateGrad(nil)
	rs.spikeUnit = rs.spikeUnit[:0]
	rs.spikeVal = rs.spikeVal[:0]
	clear(rs.spikeStart)
	sn := rs.sn
	rs.params = append(rs.params[:0], sn.LogGains, sn.LogWeights, sn.DriveLogGains, sn.DriveTiming)
	for k := range sn.Connections {
		c := &sn.Connections[k]
		rs.w[k] = T(c.BaseWeight * math.Pow(10, float64(sn.LogGains.Data[c.Class])+float64(sn.LogWeights.Data[k])))
	}
	for i, e := range sn.tCon {
		rs.wt[i] = rs.w[e.conn]
	}
	for k, i := range rs.srcCon {
		rs.ws[k] = rs.wt[i]
	}
}

// srcRun is a run of connections of one source and delay
// (runState.srcRun): their place in gs relative to step n's column,
// source·slots − delay (before the wrap), the delay and their range in
// runState.srcSeg.
type srcRun struct {
	off        int
	delay      int32
	start, end int32
}

// buildSourceOrder lists the connections of Net.tCon by source and delay,
// keeping target order among those of one source and delay (so that the
// spike gradient of every unit and step receives its terms in target order),
// in runs of one source and delay.
func (rs *runState[T]) buildSourceOrder() {
	sn := rs.sn
	nc := sn.Net.Column.NumCells()
	seg := make([]int32, len(sn.tCon))
	for i, sg := range sn.tSeg {
		for k := sg.start; k < sg.end; k++ {
			seg[k] = int32(i)
		}
	}
	order := make([]int, len(sn.tCon))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ea, eb := sn.tCon[a], sn.tCon[b]
		if ea.src != eb.src {
			return int(ea.src) - int(eb.src)
		}
		return int(ea.delay) - int(eb.delay)
	})
	rs.srcStart = make([]int, nc+1)
	rs.srcRun = rs.srcRun[:0]
	rs.srcSeg = make([]int32, len(order))
	rs.srcCon = make([]int32, len(order))
	rs.ws = make([]T, len(order))
	for k, i := range order {
		e := sn.tCon[i]
		rs.srcSeg[k], rs.srcCon[k] = seg[i], int32(i)
		if p := sn.tCon[order[max(k-1, 0)]]; k == 0 || p.src != e.src || p.delay != e.delay {
			rs.srcRun = append(rs.srcRun, srcRun{off: int(e.src)*rs.slots - int(e.delay), delay: int32(e.delay), start: int32(k)})
		}
		rs.srcRun[len(rs.srcRun)-1].end = int32(k + 1)
		rs.srcStart[int(e.src)+1] = len(rs.srcRun)
	}
	for s := 1; s <= nc; s++ {
		rs.srcStart[s] = max(rs.srcStart[s], rs.srcStart[s-1])
	}
}

// slot returns the ring offset of step m's input vector.
func (rs *runState[T]) slot(m int) int { return (m % rs.slots) * rs.lenX }

// deliver routes the spikes of step m−1 into the ring buffer and returns the
// inputs of step m, one [replicas·cells, channels] tensor per cell type (drive
// events included). The first tensor's node carries the backward pass of the
// routing; the others hand their gradients to it.
func (rs *runState[T]) deliver(tp *autograd.Tape[T], m int) [neuron.NumCellTypes]*autograd.Tensor[T] {
	sn := rs.sn
	nc := sn.Net.Column.NumCells()
	if m >= 1 {
		base := m % rs.slots
		lo, hi := rs.spikeStart[m-1], rs.spikeStart[m]
		for j, u := range rs.spikeUnit[lo:hi] {
			r, gid := int(u)/nc, int(u)%nc
			sv := rs.spikeVal[lo+j]
			for _, e := range sn.syn[sn.synStart[gid]:sn.synStart[gid+1]] {
				s := base + int(e.delay)
				if s >= rs.slots {
					s -= rs.slots
				}
				rs.ring[s*rs.lenX+rs.blockOff[e.tct]+r*rs.stride[e.tct]+int(e.local)] += sv * rs.w[e.conn]
			}
		}
	}
	cur := rs.ring[rs.slot(m):][:rs.lenX]
	for i, idx := range rs.driveIdx[rs.driveStart[m]:rs.driveStart[m+1]] {
		cur[idx] += rs.driveW[rs.driveStart[m]+i]
	}
	var xs [neuron.NumCellTypes]*autograd.Tensor[T]
	for _, ct := range neuron.CellTypes {
		x := tp.NewUninit(rs.rows[ct], sn.nCh[ct]) // overwritten whole by the copy
		copy(x.Data, cur[rs.blockOff[ct]:])
		xs[ct] = x
	}
	clear(cur)
	// The main node (recorded first, so its backward runs after the hand-off
	// nodes') reads all four inputs' gradients.
	in := rs.inBuf[:0]
	in = append(in, rs.params...)
	for _, back := range []int{m - 1, m - 2} {
		if back >= 0 {
			for _, ct := range neuron.CellTypes {
				in = append(in, rs.outs[back][ct])
			}
		}
	}
	rs.inBuf = in
	if nd := tp.Record(rs.op, xs[0], in...); nd != nil {
		nd.Args.Ints[0] = m // the step, read back by deliverOp.Backward
	}
	for _, ct := range neuron.CellTypes[1:] {
		tp.Record(rs.pass, xs[ct], rs.params...)
	}
	rs.xs[m] = xs
	return xs
}

// detect appends the spikes of step m: upward crossings of the somatic voltage
// through threshold between the outputs of steps m−1 and m.
func (rs *runState[T]) detect(m int) {
	sn := rs.sn
	col := sn.Net.Column
	nc := col.NumCells()
	if m >= 1 {
		for _, ct := range neuron.CellTypes {
			n := col.Count(ct)
			g0, _ := col.Range(ct)
			so, no := sn.soma[ct], sn.nOut[ct]
			thr := T(sn.threshold[ct])
			v0, v1 := rs.outs[m-1][ct].Data, rs.outs[m][ct].Data
			for row := range rs.rows[ct] {
				a, b := v1[row*no+so]-thr, v0[row*no+so]-thr
				var sv T
				if sn.smooth {
					sv = sn.smoothStep(a) * (1 - sn.smoothStep(b))
				} else if b <= 0 && a > 0 {
					sv = 1
				}
				if sv != 0 {
					u := row/n*nc + g0 + row%n
					rs.spikeUnit = append(rs.spikeUnit, int32(u))
					rs.spikeVal = append(rs.spikeVal, sv)
				}
			}
		}
	}
	rs.spikeStart[m+1] = len(rs.spikeUnit)
}

// passOp is the node of the inputs of cell types other than the first: the
// routing node of the same step reads their gradients.
type passOp[T autograd.Float] struct{}

func (passOp[T]) Backward(*autograd.Tape[T], *autograd.Node[T]) {}

// deliverOp is the backward pass of the routing into step m's inputs. A
// spike s of unit i at step n reaches input channel j of step n+1+D with
// weight w, so with g_m = ∂L/∂X of step m
//
//	∂L/∂w += s·g_{n+1+D}[j]      (∂L/∂log10 w = ∂L/∂w · w · ln 10)
//	∂L/∂s += w·g_{n+1+D}[j]
//
// The node of step m keeps g_m in the ring adj, adds the weight gradients of
// the spikes of step m−1 (gathering g of steps m..m+maxDelay over their
// synapses; spikes are few), and scatters w·g_m over every synapse in target
// order into gs, the spike gradients of the earlier steps (g_m is read
// sequentially and gs, a small ring indexed by step and unit, stays in
// cache). After that gs of step n = m−1 is complete, and the spike
// s = H(v_n−θ)·(1−H(v_{n−1}−θ)) passes it to the somatic voltages through the
// fast-sigmoid surrogate σ'(x) = 1/(1+k|x|)²:
// ∂s/∂v_n = σ'(v_n−θ)·(1−H(v_{n−1}−θ)), ∂s/∂v_{n−1} = −H(v_n−θ)·σ'(v_{n−1}−θ).
type deliverOp[T autograd.Float] struct{ rs *runState[T] }

// Backward runs the routing's backward pass for the step stored in nd (see
// deliverOp): it keeps the step's input gradient in adj, adds the weight
// gradients of the previous step's spikes, scatters the spike gradients into
// gs and passes the completed ones to the somatic voltages.
func (op *deliverOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	rs := op.rs
	sn := rs.sn
	m := nd.Args.Ints[0] // the step, stored by the forward pass
	driveGrad := sn.DriveLogGains.RequiresGrad()
	timeGrad := rs.timed && sn.DriveTiming.RequiresGrad()
	if m < 2 && !driveGrad && !timeGrad {
		return // spikes exist from step 1 on and reach step 2 at the earliest
	}
	adjM := rs.storeAdj(m)
	if driveGrad {
		rs.driveGrads(m, adjM, tp.GradOf(sn.DriveLogGains))
	}
	if timeGrad {
		var adjNext []T
		if m+1 < sn.Steps {
			adjNext = rs.adj[rs.slot(m+1):][:rs.lenX]
		}
		rs.timingGrads(m, adjM, adjNext, tp.GradOf(sn.DriveTiming))
	}
	if m < 2 {
		return
	}
	var gGain, gConn []T
	if sn.LogGains.RequiresGrad() {
		gGain = tp.GradOf(sn.LogGains)
	}
	if sn.LogWeights.RequiresGrad() {
		gConn = tp.GradOf(sn.LogWeights)
	}
	if gGain != nil || gConn != nil {
		rs.weightGrads(m, gGain, gConn)
	}
	rs.scatterSpikeGrads(m-1, adjM)
	rs.addRateGrads(m - 1)
	rs.surrogateGrads(tp, m-1)
}

// storeAdj copies the input gradient of step m (zeros where none reached it)
// into its slot of adj and returns that slot.
func (rs *runState[T]) storeAdj(m int) []T {
	sn := rs.sn
	adjM := rs.adj[rs.slot(m):][:rs.lenX]
	for _, ct := range neuron.CellTypes {
		dst := adjM[rs.blockOff[ct]:][:rs.rows[ct]*sn.nCh[ct]]
		if g := rs.xs[m][ct].Grad; g != nil {
			copy(dst, g)
		} else {
			clear(dst)
		}
	}
	return adjM
}

// weightGrads adds the weight gradients of the spikes of step m−1, gathering
// the input gradients of steps m..m+maxDelay in adj over their synapses, to
// gGain (per class) and gConn (per connection), either of which may be nil.
func (rs *runState[T]) weightGrads(m int, gGain, gConn []T) {
	sn := rs.sn
	slots, steps := rs.slots, sn.Steps
	nc := sn.Net.Column.NumCells()
	n := m - 1
	ln10 := T(math.Ln10)
	base := m % slots
	lo, hi := rs.spikeStart[n], rs.spikeStart[n+1]
	for j, u := range rs.spikeUnit[lo:hi] {
		r, gid := int(u)/nc, int(u)%nc
		sv := rs.spikeVal[lo+j] * ln10
		for _, e := range sn.syn[sn.synStart[gid]:sn.synStart[gid+1]] {
			if m+int(e.delay) >= steps {
				break
			}
			sl := base + int(e.delay)
			if sl >= slots {
				sl -= slots
			}
			a := rs.adj[sl*rs.lenX+rs.blockOff[e.tct]+r*rs.stride[e.tct]+int(e.local)]
			if a == 0 {
				continue
			}
			g := a * rs.w[e.conn] * sv
			if gGain != nil {
				gGain[sn.connClass[e.conn]] += g
			}
			if gConn != nil {
				gConn[e.conn] += g
			}
		}
	}
}

// scatterSpikeGrads scatters w·Σ_sections g_m (adjM, the input gradient of
// step m = n+1) to the sources, into gs of step n−D: first the sums a of
// every target segment's class channels (per replica), then the connections
// in source order (runState.srcRun), a run of one source and delay at a
// time, so that each source's terms go to one row of gs, at the columns of
// its delays. Every element of gs receives its terms in the same order as
// scattering connection by connection in target order would add them.
func (rs *runState[T]) scatterSpikeGrads(n int, adjM []T) {
	sn := rs.sn
	col := sn.Net.Column
	nc := col.NumCells()
	reps, slots := rs.reps, rs.slots
	q := n % slots // gs column of step n; step n−D is at q−D (mod slots)
	if len(rs.scatterA) != len(sn.tSeg)*reps {
		rs.scatterA = make([]T, len(sn.tSeg)*reps)
	}
	A := rs.scatterA
	for _, ct := range neuron.CellTypes {
		g0, g1 := col.Range(ct)
		nch := sn.nCh[ct]
		stride := rs.stride[ct]
		rowBase := rs.blockOff[ct] - g0*nch
		for tgt := g0; tgt < g1; tgt++ {
			row := adjM[rowBase+tgt*nch:]
			for si := sn.tSegStart[tgt]; si < sn.tSegStart[tgt+1]; si++ {
				chs := sn.classCh[sn.tSeg[si].class]
				as := A[int(si)*reps:][:reps]
				for r := range as {
					var s T
					rr := row[r*stride:][:nch]
					for _, c := range chs {
						s += rr[c]
					}
					as[r] = s
				}
			}
		}
	}
	repStride := nc * slots // gs offset of the next replica's rows
	gs := rs.gs
	for src := range nc {
		for _, run := range rs.srcRun[rs.srcStart[src]:rs.srcStart[src+1]] {
			if int(run.delay) >= n { // step n−d < 1 has no spikes; later runs have longer delays
				break
			}
			at := run.off + q
			if q < int(run.delay) {
				at += slots
			}
			segs, ws := rs.srcSeg[run.start:run.end], rs.ws[run.start:run.end]
			// One element of gs per replica takes the run's terms in order,
			// summed in a register (the same roundings as adding them in
			// place), four replicas at a time.
			r := 0
			for ; r+4 <= reps; r += 4 {
				g := gs[at+r*repStride:]
				acc0, acc1, acc2, acc3 := g[0], g[repStride], g[2*repStride], g[3*repStride]
				for k, sg := range segs {
					w, as := ws[k], A[int(sg)*reps+r:][:4]
					if as[0] != 0 {
						acc0 += w * as[0]
					}
					if as[1] != 0 {
						acc1 += w * as[1]
					}
					if as[2] != 0 {
						acc2 += w * as[2]
					}
					if as[3] != 0 {
						acc3 += w * as[3]
					}
				}
				g[0], g[repStride], g[2*repStride], g[3*repStride] = acc0, acc1, acc2, acc3
			}
			for ; r < reps; r++ {
				acc := gs[at+r*repStride]
				for k, sg := range segs {
					if a := A[int(sg)*reps+r]; a != 0 {
						acc += ws[k] * a
					}
				}
				gs[at+r*repStride] = acc
			}
		}
	}
}

// surrogateGrads passes the completed spike gradients of step n (gs, cleared
// as they are read) to the somatic voltages of steps n and n−1, cell type by
// cell type.
func (rs *runState[T]) surrogateGrads(tp *autograd.Tape[T], n int) {
	for _, ct := range neuron.CellTypes {
		rs.surrogateGradsOf(tp, ct, n)
	}
}

// surrogateGradsOf is surrogateGrads for the cells of type ct.
func (rs *runState[T]) surrogateGradsOf(tp *autograd.Tape[T], ct neuron.CellType, n int) {
	gsn, slots := rs.gs[n%rs.slots:], rs.slots // unit u's at gsn[u·slots]
	sn := rs.sn
	col := sn.Net.Column
	nc := col.NumCells()
	k := T(sn.Slope)
	cnt := col.Count(ct)
	g0, _ := col.Range(ct)
	so, no := sn.soma[ct], sn.nOut[ct]
	thr := T(sn.threshold[ct])
	o1, o0 := rs.outs[n][ct], rs.outs[n-1][ct]
	var g1, g2 []T
	for row := range rs.rows[ct] {
		u := (row/cnt*nc + g0 + row%cnt) * slots
		gs := gsn[u]
		if gs == 0 {
			continue
		}
		gsn[u] = 0
		a := o1.Data[row*no+so] - thr
		b := o0.Data[row*no+so] - thr
		var f1, f2 T
		if sn.smooth {
			f1 = nn.FastSigmoidGrad(k, a) * (1 - sn.smoothStep(b))
			f2 = -sn.smoothStep(a) * nn.FastSigmoidGrad(k, b)
		} else {
			if b <= 0 {
				f1 = nn.FastSigmoidGrad(k, a)
			}
			if a > 0 {
				f2 = -nn.FastSigmoidGrad(k, b)
			}
		}
		if f1 != 0 {
			if g1 == nil {
				g1 = tp.GradOf(o1)
			}
			g1[row*no+so] += gs * f1
		}
		if f2 != 0 {
			if g2 == nil {
				g2 = tp.GradOf(o0)
			}
			g2[row*no+so] += gs * f2
		}
	}
}

// readout records the network dipole of steps a..b−1, [3, replicas, b−a]:
// the sums of the L2/3 and L5 pyramidal cells' predicted dipoles (nAm) in
// rows 1 and 2 and their sum in row 0.
func (rs *runState[T]) readout(tp *autograd.Tape[T], a, b int) *autograd.Tensor[T] {
	out := tp.NewTensor(3, rs.reps, b-a)
	rs.readoutInto(out.Data, a, b, b-a, a)
	in := rs.inBuf[:0]
	for m := a; m < b; m++ {
		for _, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
			in = append(in, rs.outs[m][ct])
		}
		for _, ct := range neuron.CellTypes {
			in = append(in, rs.xs[m][ct])
		}
	}
	rs.inBuf = in
	if nd := tp.Record(rs.read, out, in...); nd != nil {
		nd.Args.Ints[0], nd.Args.Ints[1] = a, b
	}
	return out
}

// readoutInto writes the dipoles of steps a..b−1 into dst, a zeroed
// [3, replicas, steps] array in which step m is at column m−off.
func (rs *runState[T]) readoutInto(dst []T, a, b, steps, off int) {
	sn := rs.sn
	col := sn.Net.Column
	for m := a; m < b; m++ {
		for li, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
			o := rs.outs[m][ct]
			n := col.Count(ct)
			d, no := sn.dipole[ct], sn.nOut[ct]
			for r := range rs.reps {
				var s T
				for i := range n {
					s += o.Data[(r*n+i)*no+d]
				}
				dst[((li+1)*rs.reps+r)*steps+m-off] = s
				dst[r*steps+m-off] += s
			}
		}
	}
}

// readoutOp is the backward of readout over the steps a..b−1 stored in the
// node. It also gives every step's inputs a gradient buffer so that each
// step's routing node runs even where no gradient reached that step's
// inputs.
type readoutOp[T autograd.Float] struct{ rs *runState[T] }

func (op *readoutOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	rs := op.rs
	sn := rs.sn
	col := sn.Net.Column
	a, b := nd.Args.Ints[0], nd.Args.Ints[1]
	steps := b - a
	g := nd.Out.Grad
	for m := a; m < b; m++ {
		j := m - a
		for li, ct := range []neuron.CellType{neuron.L2Pyramidal, neuron.L5Pyramidal} {
			o := rs.outs[m][ct]
			n := col.Count(ct)
			d, no := sn.dipole[ct], sn.nOut[ct]
			var go_ []T
			for r := range rs.reps {
				gr := g[r*steps+j] + g[((li+1)*rs.reps+r)*steps+j]
				if gr == 0 {
					continue
				}
				if go_ == nil {
					go_ = tp.GradOf(o)
				}
				for i := range n {
					go_[(r*n+i)*no+d] += gr
				}
			}
		}
		for _, ct := range neuron.CellTypes {
			if rs.xs[m][ct].RequiresGrad() {
				tp.GradOf(rs.xs[m][ct])
			}
		}
	}
}

// smoothStep is the antiderivative of nn.FastSigmoidGrad, 1/k + x/(1+k|x|), rising
// from 0 to 2/k: the spike function of smooth mode, a test mode in which
// spikes are graded so that the whole network is differentiable and its
// gradient can be checked against finite differences with the very code
// paths of the spiking network.
func (sn *Net[T]) smoothStep(x T) T {
	k := T(sn.Slope)
	ax := x
	if ax < 0 {
		ax = -ax
	}
	return 1/k + x/(1+k*ax)
}
