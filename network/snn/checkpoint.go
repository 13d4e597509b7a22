package snn

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// Checkpointed backpropagation through time. Run keeps the tape of every
// step for the backward pass: memory grows linearly with the simulated time
// (about 1 GB per 600 ms of HNN's column). RunCheckpointed runs the same
// simulation in segments of K steps on one segment tape, keeping only the
// network's state at each segment's start (a checkpoint: the cells' carried
// state, the last two steps' outputs, which the spike detector and the
// surrogate gradient read); Result.Backward then recomputes each segment from
// its checkpoint, last segment first, and back-propagates through it the
// gradient that reached the segment's end from the later segments. The
// routing's own backward state (the input and spike gradients of the steps
// a delay away) lives in the run's buffers and carries across segments by
// itself; the pending inputs of the ring buffer at a segment's start are
// rebuilt from the spikes, which are kept. Memory: one segment's tape plus
// one checkpoint per segment, smallest near K = √steps; time: one extra
// forward pass of every segment but the last. The gradients equal Run's
// bit for bit: every operation runs on the same values in the same order.

// CheckpointState is what RunCheckpointed needs of a cell model's state S
// (the State of CellModel): the states of surrogate.Model,
// surrogate.ExactBasket and the stand-in cells of snntest implement it.
type CheckpointState[T autograd.Float, S any] interface {
	// Snapshot returns a copy of the state in its own memory, cut from the
	// tape, remembering which of its tensors required a gradient.
	Snapshot() S
	// Restore sets the state to a snapshot's values; the tensors that
	// required a gradient become new leaf tensors requiring one, returned
	// in the order of Tensors.
	Restore(snap S) []*autograd.Tensor[T]
	// Tensors returns the state's tensors that require a gradient.
	Tensors() []*autograd.Tensor[T]
}

// checkpointStepper is a Stepper whose state can be checkpointed.
type checkpointStepper[T autograd.Float] interface {
	Stepper[T]
	save() any
	restore(snap any) []*autograd.Tensor[T]
	tensors() []*autograd.Tensor[T]
}

func (s *erasedStepper[T, S]) save() any { return any(s.st).(CheckpointState[T, S]).Snapshot() }

func (s *erasedStepper[T, S]) restore(snap any) []*autograd.Tensor[T] {
	return any(s.st).(CheckpointState[T, S]).Restore(snap.(S))
}

func (s *erasedStepper[T, S]) tensors() []*autograd.Tensor[T] {
	return any(s.st).(CheckpointState[T, S]).Tensors()
}

// canCheckpoint reports whether the stepper's state implements
// CheckpointState.
func (s *erasedStepper[T, S]) canCheckpoint() bool {
	_, ok := any(s.st).(CheckpointState[T, S])
	return ok
}

// DefaultCheckpointEvery returns the segment length (steps) RunCheckpointed
// uses by default for a run of steps steps: ⌈√steps⌉, which balances the
// segment's tape against the checkpoints.
func DefaultCheckpointEvery(steps int) int {
	return max(1, int(math.Ceil(math.Sqrt(float64(steps)))))
}

// CheckpointOptions configures RunCheckpointed.
type CheckpointOptions struct {
	// Every is the segment length in steps (K); 0 means
	// DefaultCheckpointEvery(Steps). It may be any positive number, also
	// one that does not divide the number of steps (the last segment is
	// shorter) or is larger than it (one segment: Run's memory).
	Every int
	// NoGrad runs forward only, without recording (the result has no
	// Backward): the memory of one segment, for evaluations.
	NoGrad bool
	// Keep is the number of final segments whose tapes the forward pass
	// keeps for the backward pass instead of recomputing them: more memory
	// (Keep segments' tapes), less time (Keep fewer segments recomputed).
	// 0 means 1, the last segment only; NoGrad keeps none.
	Keep int
}

// segmentCheckpoint is the network's state at a segment's start m: every
// cell type's state snapshot and the outputs of steps m−1 and m−2 (nil
// before the run).
type segmentCheckpoint[T autograd.Float] struct {
	cells [neuron.NumCellTypes]any
	outs  [2][neuron.NumCellTypes]*autograd.Tensor[T]
}

// checkpointRun is what Result.Backward needs of a RunCheckpointed run.
type checkpointRun[T autograd.Float] struct {
	rs       *runState[T]
	gen      int // rs.gen of the run: a later run on rs invalidates it
	every    int
	nseg     int // segments
	steppers [neuron.NumCellTypes]checkpointStepper[T]
	ckpt     []segmentCheckpoint[T] // per recomputed segment (entry 0 unused: the resting state)
	// The leaves of the segment on the tape: the restored cell states and
	// outputs of the two steps before it.
	leaves  [neuron.NumCellTypes][]*autograd.Tensor[T]
	outLeaf [2][neuron.NumCellTypes]*autograd.Tensor[T]
	// The segments from firstKept on are kept from the forward pass, each on
	// its own tape (rs.keptTapes), recorded one after another without a cut
	// as Run's tape would hold them: only the first starts from leaves
	// (keptLeaves, keptOutLeaf), restored from the state the segment before
	// it ended with.
	firstKept   int
	keptLeaves  [neuron.NumCellTypes][]*autograd.Tensor[T]
	keptOutLeaf [2][neuron.NumCellTypes]*autograd.Tensor[T]
	done        bool
}

// RunCheckpointed simulates the network like Run, with the same trials,
// dipole and spikes, but in segments of opt.Every steps on a tape of its own
// that holds one segment at a time (see the package's checkpointing notes
// above): the returned Dipole is a heap tensor, which requires a gradient
// unless opt.NoGrad. Differentiate a loss of it on any tape (filling
// Dipole.Grad), then call Result.Backward, which accumulates the loss's
// gradient into the parameters' Grad exactly as Run's tape would. Another
// run of the network with the same number of trials before Backward
// invalidates the result's Backward. The models' states must implement
// CheckpointState.
func (sn *Net[T]) RunCheckpointed(trials []int, opt CheckpointOptions) (*Result[T], error) {
	if len(trials) == 0 {
		return nil, fmt.Errorf("network: surrogate Run needs at least one trial")
	}
	every := opt.Every
	if every == 0 {
		every = DefaultCheckpointEvery(sn.Steps)
	}
	if every < 1 {
		return nil, fmt.Errorf("network: checkpoint segment of %d steps must be positive", every)
	}
	every = min(every, sn.Steps)
	rs := sn.runState(len(trials))
	rs.reset(!opt.NoGrad)
	rs.gen++
	if err := rs.driveEvents(trials); err != nil {
		return nil, err
	}
	if rs.segTape == nil {
		rs.segTape = autograd.NewTape[T]()
		rs.segTape.SetGradPool(&rs.gradPool) // a recomputed segment's gradients: in the kept tapes' memory
	}
	shared := rs.segTape
	shared.Reset()
	shared.SetNoGrad(opt.NoGrad)
	nseg := (sn.Steps + every - 1) / every
	keep := min(max(opt.Keep, 1), nseg)
	if opt.NoGrad {
		keep = 0 // nothing to keep for: every segment on the shared tape
	}
	ck := &checkpointRun[T]{rs: rs, gen: rs.gen, every: every, nseg: nseg, firstKept: nseg - keep}
	if !opt.NoGrad {
		ck.ckpt = make([]segmentCheckpoint[T], ck.firstKept)
	}
	for len(rs.keptTapes) < keep {
		tp := autograd.NewTape[T]()
		tp.SetGradPool(&rs.gradPool) // the kept tapes' gradients: a segment's at a time
		rs.keptTapes = append(rs.keptTapes, tp)
	}
	tapeOf := func(s int) *autograd.Tape[T] {
		if s < ck.firstKept {
			return shared
		}
		tp := rs.keptTapes[s-ck.firstKept]
		tp.Reset()
		tp.SetNoGrad(false)
		return tp
	}
	tp := tapeOf(0)
	if err := ck.begin(tp); err != nil {
		return nil, err
	}
	dip := autograd.Zeros[T](3, rs.reps, sn.Steps)
	for s := range nseg {
		a, b := s*every, min((s+1)*every, sn.Steps)
		if s > 0 && s <= ck.firstKept { // a cut: the segment starts from a checkpoint
			c := ck.snapshot(a)
			if s < len(ck.ckpt) {
				ck.ckpt[s] = c // to recompute the segment from
			}
			shared.Reset()
			tp = tapeOf(s)
			ck.restore(tp, a, &c, false) // the ring holds the pending inputs already
			if s == ck.firstKept {
				ck.keptLeaves, ck.keptOutLeaf = ck.leaves, ck.outLeaf
			}
		} else if s > 0 { // a kept segment goes on from the one before, on a tape of its own
			tp = tapeOf(s)
		}
		if err := rs.simulate(tp, ck.stepperArray(), a, b); err != nil {
			return nil, err
		}
		rs.readoutInto(dip.Data, a, b, sn.Steps, 0)
	}
	res := rs.result(dip, trials)
	res.Rates = autograd.Zeros[T](neuron.NumCellTypes)
	rs.rateValues(res.Rates.Data)
	if !opt.NoGrad {
		dip.SetRequiresGrad(true)
		res.Rates.SetRequiresGrad(true)
		res.ck = ck
	}
	return res, nil
}

// begin starts every cell type's stepper from rest on tp and checks that
// its state can be checkpointed.
func (ck *checkpointRun[T]) begin(tp *autograd.Tape[T]) error {
	sn := ck.rs.sn
	for _, ct := range neuron.CellTypes {
		st := sn.Models[ct].Begin(tp, ck.rs.rows[ct])
		cs, ok := st.(checkpointStepper[T])
		if ok {
			if e, isErased := st.(interface{ canCheckpoint() bool }); isErased && !e.canCheckpoint() {
				ok = false
			}
		}
		if !ok {
			return fmt.Errorf("network: the %s model's state cannot be checkpointed (it does not implement snn.CheckpointState): use Run", ct)
		}
		ck.steppers[ct] = cs
		ck.leaves[ct] = nil
	}
	ck.outLeaf = [2][neuron.NumCellTypes]*autograd.Tensor[T]{}
	return nil
}

// stepperArray returns the steppers as Steppers.
func (ck *checkpointRun[T]) stepperArray() *[neuron.NumCellTypes]Stepper[T] {
	var out [neuron.NumCellTypes]Stepper[T]
	for ct, s := range ck.steppers {
		out[ct] = s
	}
	return &out
}

// snapshot returns the checkpoint of the state before step a (> 0): the
// cells' states and copies of the outputs of steps a−1 and a−2, before the
// tape they live on is reset.
func (ck *checkpointRun[T]) snapshot(a int) segmentCheckpoint[T] {
	var c segmentCheckpoint[T]
	for ct, s := range ck.steppers {
		c.cells[ct] = s.save()
	}
	for j := range 2 {
		if m := a - 1 - j; m >= 0 {
			for ct, o := range ck.rs.outs[m] {
				cp := autograd.Clone(o)
				if o.RequiresGrad() {
					cp.SetRequiresGrad(true) // a marker: restore makes a leaf of it
					cp.Grad = nil
				}
				c.outs[j][ct] = cp
			}
		}
	}
	return c
}

// restore sets the steppers and the outputs of the two steps before the
// segment starting at step a (> 0) to its checkpoint c, as new leaves on which the segment is
// recorded, and with rebuild the ring buffer's pending inputs.
func (ck *checkpointRun[T]) restore(tp *autograd.Tape[T], a int, c *segmentCheckpoint[T], rebuild bool) {
	rs := ck.rs
	for ct, st := range ck.steppers {
		ck.leaves[ct] = st.restore(c.cells[ct])
	}
	for j := range 2 {
		m := a - 1 - j
		for ct := range c.outs[j] {
			ck.outLeaf[j][ct] = nil
			if m < 0 {
				continue
			}
			l := autograd.Clone(c.outs[j][ct])
			if c.outs[j][ct].RequiresGrad() {
				l.SetRequiresGrad(true)
			}
			ck.outLeaf[j][ct] = l
			rs.outs[m][ct] = l
		}
	}
	if rebuild {
		rs.rebuildRing(a)
	}
}

// Backward back-propagates the gradient in Dipole.Grad (the loss's, after
// the loss was differentiated) through a RunCheckpointed run, segment by
// segment from the last, accumulating into the parameters' Grad exactly as
// the tape of Run would. It may be called once per run.
func (r *Result[T]) Backward() error {
	ck := r.ck
	if ck == nil {
		return fmt.Errorf("network: Backward needs a result of RunCheckpointed without NoGrad")
	}
	if ck.done {
		return fmt.Errorf("network: Backward called twice on one run")
	}
	rs := ck.rs
	if rs.gen != ck.gen {
		return fmt.Errorf("network: the network ran again (with as many trials) or released its backward memory since this run: its Backward is lost")
	}
	ck.done = true
	sn := rs.sn
	nseg := ck.nseg
	rs.setRateGrad(r.Rates.Grad)
	// The gradients reaching the end of the segment on the tape from the
	// later ones: the cells' states, and the outputs of its last two steps.
	var cellSeed [neuron.NumCellTypes][][]T
	var outSeed [2][neuron.NumCellTypes][]T
	for s := nseg - 1; s >= 0; s-- {
		a, b := s*ck.every, min((s+1)*ck.every, sn.Steps)
		kept := s >= ck.firstKept
		tp := rs.segTape
		var endState [neuron.NumCellTypes][]*autograd.Tensor[T]
		if kept { // on its own tape since the forward pass, no cut after it
			tp = rs.keptTapes[s-ck.firstKept]
		} else {
			tp.Reset()
			rs.replay = true
			if s == 0 {
				if err := ck.begin(tp); err != nil {
					return err
				}
				clear(rs.ring)
			} else {
				ck.restore(tp, a, &ck.ckpt[s], true)
			}
			if err := rs.simulate(tp, ck.stepperArray(), a, b); err != nil {
				return err
			}
			rs.replay = false
			for ct, st := range ck.steppers {
				endState[ct] = st.tensors()
			}
		}
		dip := rs.readout(tp, a, b)
		if s == nseg-1 {
			rs.lastStepRateGrads(tp)
		}
		outs := []*autograd.Tensor[T]{dip}
		seeds := [][]T{segmentGrad(r.Dipole.Grad, rs.reps, sn.Steps, a, b)}
		if !kept {
			for ct := range ck.steppers {
				ts := endState[ct]
				if cellSeed[ct] != nil && len(ts) != len(cellSeed[ct]) {
					return fmt.Errorf("network: the %s state has %d tensors at step %d but %d at the restart of the next segment", neuron.CellType(ct), len(ts), b, len(cellSeed[ct]))
				}
				for i, t := range ts {
					if cellSeed[ct] != nil && cellSeed[ct][i] != nil {
						outs, seeds = append(outs, t), append(seeds, cellSeed[ct][i])
					}
				}
			}
			for j := range 2 {
				if m := b - 1 - j; m >= a || (m >= 0 && s > 0) {
					for ct := range outSeed[j] {
						if outSeed[j][ct] != nil {
							outs, seeds = append(outs, rs.outs[m][ct]), append(seeds, outSeed[j][ct])
						}
					}
				}
			}
		}
		if err := tp.BackwardFrom(outs, seeds); err != nil {
			return fmt.Errorf("network: checkpointed backward, segment %d: %w", s, err)
		}
		if kept {
			// Its tensors' gradients are spent (those of the segment before
			// it, which its nodes reached, live on that segment's tape);
			// the first kept segment's leaves, whose gradients seed the
			// segment before, are on the heap.
			tp.Reset()
		}
		if s == 0 {
			break
		}
		if s > ck.firstKept {
			continue // no cut before it: the gradients flowed on by themselves
		}
		leaves, outLeaf := &ck.leaves, &ck.outLeaf
		if kept {
			leaves, outLeaf = &ck.keptLeaves, &ck.keptOutLeaf
		}
		for ct := range ck.steppers {
			cellSeed[ct] = make([][]T, len(leaves[ct]))
			for i, l := range leaves[ct] {
				cellSeed[ct][i] = l.Grad
			}
		}
		for j := range 2 {
			for ct, l := range outLeaf[j] {
				outSeed[j][ct] = nil
				if l != nil && l.RequiresGrad() {
					outSeed[j][ct] = l.Grad
				}
			}
		}
	}
	rs.segTape.Reset()
	return nil
}

// segmentGrad returns the part of the dipole gradient g ([3, reps, steps])
// of steps a..b−1, [3, reps, b−a].
func segmentGrad[T autograd.Float](g []T, reps, steps, a, b int) []T {
	out := make([]T, 3*reps*(b-a))
	for row := range 3 * reps {
		copy(out[row*(b-a):(row+1)*(b-a)], g[row*steps+a:row*steps+b])
	}
	return out
}

// rebuildRing refills the ring buffer with the pending inputs before step a:
// the spikes of steps up to a−2 (those of a−1 are routed by step a itself)
// that arrive at step a or later, added in the order the forward pass added
// them, so the sums are the same to the bit.
func (rs *runState[T]) rebuildRing(a int) {
	sn := rs.sn
	nc := sn.Net.Column.NumCells()
	clear(rs.ring)
	for n := max(0, a-1-rs.slots); n <= a-2; n++ {
		base := (n + 1) % rs.slots
		lo, hi := rs.spikeStart[n], rs.spikeStart[n+1]
		minDelay := int32(a - n - 1) // shorter delays were delivered before the segment
		for j, u := range rs.spikeUnit[lo:hi] {
			r, gid := int(u)/nc, int(u)%nc
			sv := rs.spikeVal[lo+j]
			syn := sn.syn[sn.synStart[gid]:sn.synStart[gid+1]] // by delay
			first, _ := slices.BinarySearchFunc(syn, minDelay, func(e synapse, d int32) int { return cmp.Compare(e.delay, d) })
			for _, e := range syn[first:] {
				s := base + int(e.delay)
				if s >= rs.slots {
					s -= rs.slots
				}
				rs.ring[s*rs.lenX+rs.blockOff[e.tct]+r*rs.stride[e.tct]+int(e.local)] += sv * rs.w[e.conn]
			}
		}
	}
}

// ReleaseBackwardMemory drops what sn's runs keep for backward passes (the
// tapes of checkpointed runs with gradients, the routing's backward
// buffers), so that the collector can reclaim it once training is done;
// the next run that records allocates it again. The buffers of forward-only
// runs (evaluations) stay. A pending Result.Backward is refused afterwards,
// as after another run.
func (sn *Net[T]) ReleaseBackwardMemory() {
	for _, rs := range sn.runs {
		if rs.adj == nil {
			continue // forward only so far
		}
		rs.gen++ // invalidates a pending Backward
		rs.adj, rs.gs = nil, nil
		rs.segTape, rs.keptTapes, rs.gradPool = nil, nil, autograd.GradPool[T]{}
	}
}

// CanCheckpoint reports whether every cell model's state implements
// CheckpointState, as RunCheckpointed needs.
func (sn *Net[T]) CanCheckpoint() bool {
	for _, ct := range neuron.CellTypes {
		st := sn.Models[ct].Begin(nil, 1)
		cs, ok := st.(checkpointStepper[T])
		if !ok {
			return false
		}
		if e, isErased := cs.(interface{ canCheckpoint() bool }); isErased && !e.canCheckpoint() {
			return false
		}
	}
	return true
}

// Memory model of a run, for estimates before work (measured on the shipped
// cells in float32, forward and backward: about 1,500 tape elements per cell
// and step, a third of it without gradients; a checkpoint holds a few
// hundred elements per cell; Go's collector lets the heap grow to about
// twice what is live).
const (
	tapeElemsPerCellStep   = 1536
	noGradElemsPerCellStep = 512
	stateElemsPerCell      = 400
	bytesPerConnection     = 128 // Connection, synapses, target order, weights
	heapGrowth             = 2
	// keptElemsPerCellStep is the forward tape of a kept segment (measured
	// 869 elements per cell and step on the shipped cells), which stays
	// allocated from run to run rather than becoming garbage: no collector
	// headroom.
	keptElemsPerCellStep = 896
)

// KeptSegmentBytes returns the memory (bytes) one segment's tape kept from
// the forward pass of a RunCheckpointed run of shape m holds (its forward
// tape; the kept segments' gradients live in memory they share, one
// segment's at a time, counted by EstimateBytes).
func KeptSegmentBytes(m MemoryShape) int64 {
	every := m.Every
	if every <= 0 || every > m.Steps {
		every = m.Steps
	}
	return int64(m.Cells) * int64(max(m.Replicas, 1)) * int64(every) * keptElemsPerCellStep * int64(m.ElemSize)
}

// KeepFitting returns the number of final segments (CheckpointOptions.Keep)
// of a run of shape m whose kept tapes fit in bytes: at least 1 (the last
// segment, which is never recomputed), at most all of them.
func KeepFitting(m MemoryShape, bytes int64) int {
	every := m.Every
	if every <= 0 || every > m.Steps {
		every = m.Steps
	}
	nseg := (m.Steps + every - 1) / max(every, 1)
	per := KeptSegmentBytes(m)
	if per <= 0 || bytes <= per {
		return 1
	}
	return int(min(int64(nseg), bytes/per))
}

// MemoryShape is what the memory of a surrogate run depends on.
type MemoryShape struct {
	Cells       int // cells of the column
	Channels    int // input channels summed over the cells
	Connections int // cell-to-cell connections
	Slots       int // longest delay in steps, plus one
	Steps       int // time steps per run
	Replicas    int // trials simulated as one batch
	Every       int // checkpoint segment (steps); Steps or more for Run's whole tape
	Grad        bool
	ElemSize    int // bytes per element: 4 (float32) or 8
}

// EstimateBytes returns the peak heap (bytes) a run of the given shape
// takes, the network's structure included: the tape of one segment (the
// whole run for Every >= Steps), the checkpoints, the ring buffers of the
// routing and the connections, times the collector's headroom.
func EstimateBytes(m MemoryShape) int64 {
	every := m.Every
	if every <= 0 || every > m.Steps {
		every = m.Steps
	}
	per := int64(noGradElemsPerCellStep)
	if m.Grad {
		per = tapeElemsPerCellStep
	}
	cellRows := int64(m.Cells) * int64(max(m.Replicas, 1))
	nseg := int64((m.Steps + every - 1) / max(every, 1))
	elems := cellRows*int64(every)*per + nseg*cellRows*stateElemsPerCell +
		int64(m.Slots)*int64(m.Channels)*int64(max(m.Replicas, 1))*3 + 3*int64(max(m.Replicas, 1))*int64(m.Steps)
	return heapGrowth * (elems*int64(m.ElemSize) + int64(m.Connections)*bytesPerConnection)
}

// EstimateMemory returns EstimateBytes for a run of sn with reps trials,
// segments of every steps (0: DefaultCheckpointEvery; negative: Run's whole
// tape) and a backward pass when grad.
func (sn *Net[T]) EstimateMemory(reps, every int, grad bool) int64 {
	if every == 0 {
		every = DefaultCheckpointEvery(sn.Steps)
	}
	if every < 0 || !sn.CanCheckpoint() {
		every = sn.Steps
	}
	return EstimateBytes(sn.MemoryShape(reps, every, grad))
}

// MemoryShape returns the shape of a run of sn with reps trials in segments
// of every steps (0: DefaultCheckpointEvery; negative: Run's whole tape),
// with a backward pass when grad, for EstimateBytes, KeptSegmentBytes and
// KeepFitting.
func (sn *Net[T]) MemoryShape(reps, every int, grad bool) MemoryShape {
	if every == 0 {
		every = DefaultCheckpointEvery(sn.Steps)
	}
	if every < 0 {
		every = sn.Steps
	}
	ch := 0
	for _, ct := range neuron.CellTypes {
		ch += sn.Net.Column.Count(ct) * sn.nCh[ct]
	}
	var t T
	return MemoryShape{Cells: sn.Net.Column.NumCells(), Channels: ch, Connections: len(sn.Connections),
		Slots: sn.maxDelay + 1, Steps: sn.Steps, Replicas: reps, Every: every, Grad: grad, ElemSize: int(unsafe.Sizeof(t))}
}
