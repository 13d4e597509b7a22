package optimize

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network/snn"
)

// Objective is what an optimization minimises: a loss of a surrogate run —
// its dipoles (run.Dipole, nAm), spikes and rates — recorded on the tape
// the run used, so that Run can back-propagate it into the parameters.
// Library users implement it for their own losses; Spectral (band power
// and PSD), ERPObjective (a measured dipole's RMSE or correlation) and Sum
// (weighted sums of objectives) are the built-in ones.
//
// Loss must return a scalar (rank 0 or one element) built from run's
// tensors by autograd ops, and an error rather than NaN or Inf for a run it
// cannot score.
type Objective[T autograd.Float] interface {
	Loss(tp *autograd.Tape[T], run *snn.Result[T]) (*autograd.Tensor[T], error)
}

// SpectrumReporter is implemented by objectives with a spectral read-out:
// Run and Evaluate report band power and the PSD of its Spectrum; other
// objectives report NaN band power.
type SpectrumReporter[T autograd.Float] interface {
	Spectrum() *Spectral[T]
}

// Spectrum returns o itself: its band power and PSD are the read-out.
func (o *Spectral[T]) Spectrum() *Spectral[T] { return o }

// Sum is a weighted sum of objectives, Σ Weights[i]·Terms[i].Loss.
type Sum[T autograd.Float] struct {
	Terms   []Objective[T]
	Weights []float64
	// Names label the terms in errors; optional.
	Names []string
}

// NewSum returns the weighted sum of terms; weights must be finite and not
// all zero, one per term.
func NewSum[T autograd.Float](terms []Objective[T], weights []float64, names []string) (*Sum[T], error) {
	if len(terms) == 0 || len(weights) != len(terms) || (names != nil && len(names) != len(terms)) {
		return nil, fmt.Errorf("optimize: a sum of %d objectives with %d weights and %d names", len(terms), len(weights), len(names))
	}
	nonzero := false
	for i, w := range weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("optimize: objective %s: weight %v must be finite", sumName(names, i), w)
		}
		if terms[i] == nil {
			return nil, fmt.Errorf("optimize: objective %s is nil", sumName(names, i))
		}
		nonzero = nonzero || w != 0
	}
	if !nonzero {
		return nil, fmt.Errorf("optimize: every objective's weight is zero")
	}
	return &Sum[T]{Terms: terms, Weights: weights, Names: names}, nil
}

func sumName(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprint(i)
}

// Loss records Σ Weights[i]·Terms[i].Loss(run) on tp (zero-weight terms
// are skipped).
func (s *Sum[T]) Loss(tp *autograd.Tape[T], run *snn.Result[T]) (*autograd.Tensor[T], error) {
	var total *autograd.Tensor[T]
	for i, t := range s.Terms {
		if s.Weights[i] == 0 {
			continue
		}
		l, err := t.Loss(tp, run)
		if err != nil {
			return nil, fmt.Errorf("objective %s: %w", sumName(s.Names, i), err)
		}
		if l.Len() != 1 {
			return nil, fmt.Errorf("objective %s: the loss has %d elements, want a scalar", sumName(s.Names, i), l.Len())
		}
		l = tp.Scale(tp.Reshape(l), s.Weights[i])
		if total == nil {
			total = l
		} else {
			total = tp.Add(total, l)
		}
	}
	return total, nil
}

// Spectrum returns the first term's spectral read-out, or nil.
func (s *Sum[T]) Spectrum() *Spectral[T] {
	for _, t := range s.Terms {
		if r, ok := t.(SpectrumReporter[T]); ok {
			if sp := r.Spectrum(); sp != nil {
				return sp
			}
		}
	}
	return nil
}

// spectrumOf returns obj's spectral read-out, or nil.
func spectrumOf[T autograd.Float](obj Objective[T]) *Spectral[T] {
	if r, ok := obj.(SpectrumReporter[T]); ok {
		return r.Spectrum()
	}
	return nil
}

// Loss records the ERP loss of the run's dipole series (ERPConfig.Signal)
// over its replicas; see LossOfDipole.
func (e *ERPObjective[T]) Loss(tp *autograd.Tape[T], run *snn.Result[T]) (*autograd.Tensor[T], error) {
	if run.Steps != e.steps {
		return nil, fmt.Errorf("optimize: ERP loss of a run of %d steps, built for %d", run.Steps, e.steps)
	}
	d := tp.Narrow(run.Dipole, 0, int(e.Config.Signal), 1)
	return e.LossOfDipole(tp, tp.Reshape(d, run.Replicas, run.Steps))
}
