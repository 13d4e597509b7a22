package surrogate

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// The stages of the model a training loop drives (package train trains
// surrogates with them). They are not needed to run a trained model.

// CellIO returns the input channels (one per shared (section, receptor)
// synapse, in Inputs order) and the output names (Outputs order) of the
// surrogate of cell type ct, without building a model.
func CellIO(ct neuron.CellType) ([]neuron.Channel, []string, error) {
	cio, err := ioFor(ct)
	if err != nil {
		return nil, nil, err
	}
	return cio.channels, cio.outputs, nil
}

// FeatureWidth returns the number of feature channels the convolution reads:
// the inputs plus the spike-history traces (Arch.SpikeHistory).
func (m *Model[T]) FeatureWidth() int { return m.featWidth() }

// LabelTraces writes the spike-history traces of the onsets in label (one
// value per bin, 1 in spike bins) into columns off … off+K−1 of dst (rows of
// width values, one per bin), K = Arch.SpikeHistory: the traces teacher
// forcing feeds the model.
func (m *Model[T]) LabelTraces(dst []float32, width, off int, label []float32) {
	labelTraces(dst, width, off, label, m.histDecay)
}

// ForwardFeatures runs the trainable stages over a feature sequence f of
// shape [batch, K-1+T, FeatureWidth()] (conductance features as Features
// gives them, then any spike-history traces) whose first K-1 steps
// (K = Arch.ConvKernel) are convolution history, from state s (nil: zeros;
// otherwise continued and updated), and returns the head's raw output
// [batch, T, O+1]: the normalised outputs and the spike logit.
func (m *Model[T]) ForwardFeatures(tp *autograd.Tape[T], f *autograd.Tensor[T], s *State[T]) *autograd.Tensor[T] {
	return m.forwardFeatures(tp, f, s)
}

// ForwardFreeFrom runs the trainable stages step by step over the steps
// from … T−1 of the conductance features f [batch, T, len(Inputs())] from
// state st (updated in place), feeding back the model's own spike onsets as
// spike history, and returns the head's raw output [batch, T−from, O+1].
func (m *Model[T]) ForwardFreeFrom(tp *autograd.Tape[T], f *autograd.Tensor[T], from int, st *State[T]) *autograd.Tensor[T] {
	return m.forwardFreeFrom(tp, f, from, st)
}

// Physical maps the head's raw output y [batch, T, O+1] (ForwardFeatures,
// ForwardFreeFrom) to the outputs in physical units [batch, T, O], as
// Forward returns them.
func (m *Model[T]) Physical(tp *autograd.Tape[T], y *autograd.Tensor[T]) *autograd.Tensor[T] {
	return m.physical(tp, y)
}

// SetTraining switches the LSTM's inter-layer dropout (SetDropout) on or off.
func (m *Model[T]) SetTraining(on bool) { m.lstm.SetTraining(on) }

// SetDropout sets the LSTM's inter-layer dropout probability, applied while
// training is on (SetTraining); 0, the value after New and Load, is none.
func (m *Model[T]) SetDropout(p float64) { m.lstm.Dropout = p }

// DropoutRNGState returns the state of the model's dropout mask generator
// (training checkpoints: train.Trainer saves and restores it).
func (m *Model[T]) DropoutRNGState() ([]byte, error) { return m.lstm.DropoutRNGState() }

// SetDropoutRNGState restores a state DropoutRNGState returned.
func (m *Model[T]) SetDropoutRNGState(b []byte) error { return m.lstm.SetDropoutRNGState(b) }

// ScorePredictions is Score on given free-running predictions (bins·O per
// sample, as Predict returns them).
func (m *Model[T]) ScorePredictions(samples []*Sample, pred [][]float32) (float64, float64, Metrics) {
	return m.scoreOf(samples, pred)
}
