package snn

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// Drive events at their NEURON steps (Options.DriveSubsteps). A drive
// event for a cell type fed per-substep input whose substep j within its bin
// is not 0 bypasses the ring buffer: it is listed in subEv, and spread places
// it at column j of the cell's per-substep input; everything else (the
// cell-to-cell spikes and the drive events at substep 0) arrives at
// substep 0, as the bin's summed input does with Step.

// subEvent is a drive event delivered at substep j of its step.
type subEvent[T autograd.Float] struct {
	step  int32
	idx   int32 // flat index into X (the target cell's channel)
	j     int32 // substep
	class int32 // drive class
	w     T     // µS, the drive class's gain applied
}

// hardDriveEvent appends a drive event with delivery time t (ms) to ev at
// its bin, or to subEv when its target type tct takes per-substep input and
// the event falls after the bin's first substep.
func (rs *runState[T]) hardDriveEvent(ev []driveEvent, t float64, idx int32, w float64, class int32, tct int) []driveEvent {
	sn := rs.sn
	m := eventStep(t, sn.Dt)
	if m < 0 || m >= sn.Steps {
		return ev
	}
	if sn.subs[tct] {
		if b, j := surrogate.SubstepOf(t); j != 0 && b == m {
			rs.subEv = append(rs.subEv, subEvent[T]{step: int32(m), idx: idx, j: int32(j), class: class, w: T(w)})
			return ev
		}
	}
	return append(ev, driveEvent{step: int32(m), idx: idx, w: w, class: class})
}

// layoutSubsteps sorts subEv by step (stably) and indexes it (subStart).
func (rs *runState[T]) layoutSubsteps() {
	steps := rs.sn.Steps
	if len(rs.subStart) != steps+1 {
		rs.subStart = make([]int, steps+1)
	}
	clear(rs.subStart)
	for _, e := range rs.subEv {
		rs.subStart[e.step+1]++
	}
	for m := range steps {
		rs.subStart[m+1] += rs.subStart[m]
	}
	if cap(rs.subTmp) < len(rs.subEv) {
		rs.subTmp = make([]subEvent[T], len(rs.subEv))
	}
	out := rs.subTmp[:len(rs.subEv)]
	if len(rs.subFill) < steps {
		rs.subFill = make([]int, steps)
	}
	fill := rs.subFill[:steps]
	copy(fill, rs.subStart[:steps])
	for _, e := range rs.subEv {
		out[fill[e.step]] = e
		fill[e.step]++
	}
	rs.subEv, rs.subTmp = out, rs.subEv[:0]
}

// spread returns the per-substep input of the cells of type ct at step m,
// [rows, ExactSubsteps·C]: the bin's input x ([rows, C]) at substep 0 and
// the step's drive events of subEv at their substeps. Its backward pass
// hands column 0's gradient to x and adds the moved events' gradients to
// DriveLogGains.
func (rs *runState[T]) spread(tp *autograd.Tape[T], m int, ct neuron.CellType, x *autograd.Tensor[T]) *autograd.Tensor[T] {
	sn := rs.sn
	C, S := sn.nCh[ct], surrogate.ExactSubsteps
	rows := rs.rows[ct]
	y := tp.NewTensor(rows, S*C)
	for r := range rows {
		copy(y.Data[r*S*C:r*S*C+C], x.Data[r*C:(r+1)*C])
	}
	lo, hi := rs.blockOff[ct], rs.blockOff[ct]+rows*C
	for _, e := range rs.subEv[rs.subStart[m]:rs.subStart[m+1]] {
		if off := int(e.idx); off >= lo && off < hi {
			off -= lo
			y.Data[off/C*S*C+int(e.j)*C+off%C] += e.w
		}
	}
	if nd := tp.Record(rs.spreadOp, y, x, sn.DriveLogGains); nd != nil {
		nd.Args.Ints[0], nd.Args.Ints[1] = m, int(ct)
	}
	return y
}

// spreadOp is the backward pass of spread.
type spreadOp[T autograd.Float] struct{ rs *runState[T] }

func (op *spreadOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	rs := op.rs
	sn := rs.sn
	m, ct := nd.Args.Ints[0], neuron.CellType(nd.Args.Ints[1])
	C, S := sn.nCh[ct], surrogate.ExactSubsteps
	g := nd.Out.Grad
	if x := nd.In[0]; x.RequiresGrad() {
		gx := tp.GradOf(x)
		for r := range rs.rows[ct] {
			for c := range C {
				gx[r*C+c] += g[r*S*C+c]
			}
		}
	}
	if !sn.DriveLogGains.RequiresGrad() {
		return
	}
	gd := tp.GradOf(sn.DriveLogGains)
	ln10 := T(math.Ln10)
	lo, hi := rs.blockOff[ct], rs.blockOff[ct]+rs.rows[ct]*C
	for _, e := range rs.subEv[rs.subStart[m]:rs.subStart[m+1]] {
		if off := int(e.idx); off >= lo && off < hi {
			off -= lo
			if a := g[off/C*S*C+int(e.j)*C+off%C]; a != 0 {
				gd[e.class] += a * e.w * ln10
			}
		}
	}
}
