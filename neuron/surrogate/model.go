package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
)

// Model is one cell type's surrogate: a fixed bank of exact synaptic filters,
// a causal convolution, a multi-layer LSTM and an MLP head mapping binned
// synaptic input (µS) to compartment voltages (mV) and the dipole (nAm).
type Model[T autograd.Float] struct {
	ct   neuron.CellType
	arch Arch
	io   *cellIO

	// Filter bank constants, each [C]: per-bin decay of the rise and decay
	// states, Exp2Syn peak normalisation, reciprocal reference weight (1/µS).
	decayA, decayB, factor, invRef *autograd.Tensor[T]
	refW                           []float64

	conv         *nn.Conv1d[T]
	lstm         *nn.LSTM[T]
	head1, head2 *nn.Linear[T]

	// Output de-normalisation, each [O]: physical = normalised·outScale + outOffset.
	outScale, outOffset *autograd.Tensor[T]
	// Spike shaping of the soma output: v = v_sub + σ(z)·(spikePeak - v_sub)
	// with z the spike logit; somaMask is the one-hot [O] of the soma output.
	somaMask  *autograd.Tensor[T]
	spikePeak float64
	threshold float64
	histDecay []float64 // per-bin decay of the spike-history traces (Arch.SpikeHistory)

	reg  *nn.Registry[T]
	meta map[string]string // provenance of loaded weights
}

// New returns a randomly initialised surrogate of cell type ct with sizes
// arch, deterministic by seed. Its output normalisation starts at rest
// (offset -65 mV, scale 10 mV; dipole offset 0, scale 1 nAm) and its spike
// threshold at DefaultSpikeThreshold until trained.
func New[T autograd.Float](ct neuron.CellType, arch Arch, seed uint64) (*Model[T], error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	m := &Model[T]{ct: ct, arch: arch, io: cio, threshold: DefaultSpikeThreshold, spikePeak: DefaultSpikePeak,
		histDecay: newHistoryDecay(arch.SpikeHistory)}
	C, O := len(cio.channels), len(cio.outputs)
	dA, dB, f, inv := make([]T, C), make([]T, C), make([]T, C), make([]T, C)
	for c, k := range cio.kin {
		a, b, fc := exp2synCoeffs(k.Tau1, k.Tau2, BinDt)
		dA[c], dB[c], f[c] = T(a), T(b), T(fc)
		r := refWeight(ct, cio.channels[c])
		m.refW = append(m.refW, r)
		inv[c] = T(1 / r)
	}
	m.decayA, m.decayB = autograd.MustNew(dA, C), autograd.MustNew(dB, C)
	m.factor, m.invRef = autograd.MustNew(f, C), autograd.MustNew(inv, C)
	sc, off := make([]T, O), make([]T, O)
	for o, name := range cio.outputs {
		sc[o], off[o] = 10, -65
		if name == DipoleName {
			sc[o], off[o] = 1, 0
		}
	}
	m.outScale, m.outOffset = autograd.MustNew(sc, O), autograd.MustNew(off, O)
	mask := make([]T, O)
	mask[0] = 1
	m.somaMask = autograd.MustNew(mask, O)

	if m.conv, err = nn.NewConv1d[T](nn.Conv1dConfig{In: C + arch.SpikeHistory, Out: arch.ConvChannels, Kernel: arch.ConvKernel,
		Init: nn.GlorotUniform, Seed: seed}); err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	if m.lstm, err = nn.NewLSTM[T](nn.LSTMConfig{In: arch.ConvChannels, Hidden: arch.Hidden, Layers: arch.Layers,
		ForgetBias: 1, Seed: seed + 1}); err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	if m.head1, err = nn.NewLinear[T](nn.LinearConfig{In: arch.Hidden, Out: arch.HeadHidden, Init: nn.GlorotUniform, Seed: seed + 2}); err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	if m.head2, err = nn.NewLinear[T](nn.LinearConfig{In: arch.HeadHidden, Out: O + 1, Init: nn.GlorotUniform, Seed: seed + 3}); err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	m.reg = nn.NewRegistry[T]()
	for _, mod := range []struct {
		p string
		m nn.Module[T]
	}{{"conv", m.conv}, {"lstm", m.lstm}, {"head.0", m.head1}, {"head.1", m.head2}} {
		if err := m.reg.Add(mod.p, mod.m); err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
	}
	return m, nil
}

// SetTrainable turns the gradients of all the model's parameters on (as
// after New and Load) or off. Off, a network built from the model still
// back-propagates through it to its inputs, but skips the weight-gradient
// products: what the connectivity optimization of package network needs.
func (m *Model[T]) SetTrainable(on bool) {
	for _, p := range append(m.conv.Params(), append(m.head1.Params(), m.head2.Params()...)...) {
		p.Tensor.SetRequiresGrad(on)
	}
	m.lstm.SetTrainable(on)
}

// DefaultSpikeThreshold is the threshold (mV) of an untrained model; trained
// models store the threshold chosen on validation data.
const DefaultSpikeThreshold = -20.0

// DefaultSpikePeak is the somatic spike peak (mV) of an untrained model;
// trained models store the mean peak of the training spikes.
const DefaultSpikePeak = 30.0

// SomaClip is the level (mV) at which the somatic voltage target of the
// subthreshold branch is clipped; spikes are carried by the spike logit.
const SomaClip = -45.0

// SpikePeak returns the somatic voltage (mV) the soma output reaches when the
// spike logit saturates.
func (m *Model[T]) SpikePeak() float64 { return m.spikePeak }

// SetSpikePeak sets the spike peak (mV); it must be finite.
func (m *Model[T]) SetSpikePeak(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("surrogate: spike peak %v must be finite", v)
	}
	m.spikePeak = v
	return nil
}

// CellType returns the cell type the model stands in for.
func (m *Model[T]) CellType() neuron.CellType { return m.ct }

// Arch returns the model's sizes.
func (m *Model[T]) Arch() Arch { return m.arch }

// Inputs returns the input channels in order: one per (section, receptor)
// synapse of the cell type's template (neuron.CellDesc.Channels).
func (m *Model[T]) Inputs() []neuron.Channel { return append([]neuron.Channel(nil), m.io.channels...) }

// Outputs returns the output names in order: "v_<section>" (mV at x = 0.5)
// for every section, the soma first, then "dipole_nAm" for pyramidal cells.
func (m *Model[T]) Outputs() []string { return append([]string(nil), m.io.outputs...) }

// SomaOutput returns the index of the somatic voltage (mV) in Outputs.
func (m *Model[T]) SomaOutput() int { return 0 }

// DipoleOutput returns the index of the dipole (nAm) in Outputs, or -1 for
// cells without a dipole (baskets).
func (m *Model[T]) DipoleOutput() int {
	if m.io.dipole {
		return len(m.io.outputs) - 1
	}
	return -1
}

// Dt returns the surrogate's time step (ms).
func (m *Model[T]) Dt() float64 { return BinDt }

// SpikeThreshold returns the threshold (mV) on the predicted somatic voltage:
// a spike is an upward crossing, v[k-1] <= θ < v[k], timed at the end of bin k
// (or linearly interpolated between the bins).
func (m *Model[T]) SpikeThreshold() float64 { return m.threshold }

// SetSpikeThreshold sets the spike threshold (mV); it must be finite.
func (m *Model[T]) SetSpikeThreshold(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("surrogate: spike threshold %v must be finite", v)
	}
	m.threshold = v
	return nil
}

// Params returns the trainable parameters under their weight-file names
// ("conv.weight", "lstm.0.w_ih", "head.1.bias", ...).
func (m *Model[T]) Params() []nn.Param[T] { return m.reg.Params() }

// Registry returns the model's parameter registry.
func (m *Model[T]) Registry() *nn.Registry[T] { return m.reg }

// NumParams returns the number of trainable scalars.
func (m *Model[T]) NumParams() int { return m.reg.NumElements() }

// Metadata returns the provenance metadata of loaded weights (nil for a new
// model). The map is the model's own; do not modify it.
func (m *Model[T]) Metadata() map[string]string { return m.meta }

// OutputNorm returns the per-output de-normalisation: physical value =
// normalised·scale + offset.
func (m *Model[T]) OutputNorm() (scale, offset []float64) {
	for o := range m.outScale.Data {
		scale = append(scale, float64(m.outScale.Data[o]))
		offset = append(offset, float64(m.outOffset.Data[o]))
	}
	return scale, offset
}

// SetOutputNorm sets the per-output de-normalisation (scales positive and
// finite, offsets finite).
func (m *Model[T]) SetOutputNorm(scale, offset []float64) error {
	O := len(m.io.outputs)
	if len(scale) != O || len(offset) != O {
		return fmt.Errorf("surrogate: output normalisation needs %d scales and offsets, got %d and %d", O, len(scale), len(offset))
	}
	for o := range scale {
		if !(scale[o] > 0) || math.IsInf(scale[o], 0) || math.IsNaN(offset[o]) || math.IsInf(offset[o], 0) {
			return fmt.Errorf("surrogate: output %s: scale %v must be positive and offset %v finite", m.io.outputs[o], scale[o], offset[o])
		}
		m.outScale.Data[o], m.outOffset.Data[o] = T(scale[o]), T(offset[o])
	}
	return nil
}
