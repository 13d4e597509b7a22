package snn

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// CellModel is what the surrogate network needs of a learned cell model: the
// contract of surrogate.Model[T] (package neuron/surrogate), whose state type S
// is *surrogate.State[T]. Any model with these methods can stand in for a cell
// type (pass it through CellOf to erase S).
//
// Step advances a batch of cells by one time bin of Dt() ms: x is [batch,
// len(Inputs())], the summed synaptic weights (µS) of the events taking effect
// in the bin on each (section, receptor) input channel, raw (the model applies
// its own normalisation); it returns [batch, len(Outputs())] in mV (voltages)
// and nAm (dipole), differentiable with respect to x.
type CellModel[T autograd.Float, S any] interface {
	Inputs() []neuron.Channel // input channels, in the column order of x
	Outputs() []string        // output names, in the column order of the result
	SomaOutput() int          // index of the somatic voltage (mV) among the outputs
	DipoleOutput() int        // index of the dipole (nAm) among the outputs, -1 if none
	Dt() float64              // time bin (ms)
	SpikeThreshold() float64  // somatic voltage (mV) whose upward crossing is a spike
	NewState(tp *autograd.Tape[T], batch int) S
	Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st S) (*autograd.Tensor[T], S)
}

// Cell is a cell model for the surrogate network with its state type
// erased (see CellOf).
type Cell[T autograd.Float] interface {
	Inputs() []neuron.Channel
	Outputs() []string
	SomaOutput() int
	DipoleOutput() int
	Dt() float64
	SpikeThreshold() float64
	// Begin starts a simulation of batch cells on tp and returns its stepper.
	Begin(tp *autograd.Tape[T], batch int) Stepper[T]
}

// Stepper advances one simulation of a batch of cells (see CellModel.Step).
type Stepper[T autograd.Float] interface {
	Step(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T]
}

// CellOf erases the state type of a CellModel so that models with different state
// types can drive the four populations of one surrogate network. Call it with
// explicit type arguments when they cannot be inferred, for example
// snn.CellOf[float32, *surrogate.State[float32]](m).
func CellOf[T autograd.Float, S any](m CellModel[T, S]) Cell[T] {
	return erasedCell[T, S]{m}
}

type erasedCell[T autograd.Float, S any] struct{ CellModel[T, S] }

func (c erasedCell[T, S]) Begin(tp *autograd.Tape[T], batch int) Stepper[T] {
	return &erasedStepper[T, S]{m: c.CellModel, st: c.NewState(tp, batch)}
}

type erasedStepper[T autograd.Float, S any] struct {
	m  CellModel[T, S]
	st S
}

func (s *erasedStepper[T, S]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	var y *autograd.Tensor[T]
	y, s.st = s.m.Step(tp, x, s.st)
	return y
}

// substepModel is a CellModel that also takes its inputs per NEURON step
// (surrogate.ExactBasket.StepSubsteps): x is [batch,
// surrogate.ExactSubsteps·len(Inputs())], column j·C + c the weights on
// channel c applied before the bin's substep j.
type substepModel[T autograd.Float, S any] interface {
	StepSubsteps(tp *autograd.Tape[T], x *autograd.Tensor[T], st S) (*autograd.Tensor[T], S)
}

// substepStepper is a Stepper whose model takes per-substep input.
type substepStepper[T autograd.Float] interface {
	StepSubsteps(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T]
}

// substepCell is a Cell whose model takes per-substep input.
type substepCell interface{ substeps() bool }

func (c erasedCell[T, S]) substeps() bool {
	_, ok := any(c.CellModel).(substepModel[T, S])
	return ok && c.Dt() == surrogate.BinDt
}

// takesSubsteps reports whether model m takes per-substep input.
func takesSubsteps[T autograd.Float](m Cell[T]) bool {
	c, ok := m.(substepCell)
	return ok && c.substeps()
}

func (s *erasedStepper[T, S]) StepSubsteps(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	var y *autograd.Tensor[T]
	y, s.st = any(s.m).(substepModel[T, S]).StepSubsteps(tp, x, s.st)
	return y
}
