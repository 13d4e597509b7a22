package surrogate

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// ExactBasket is HNN's basket cell itself standing in for its surrogate: the
// single-compartment soma with hh2 and its three Exp2Syn synapses (AMPA,
// GABA-A, NMDA), integrated inside each 0.5 ms Step by ExactSubsteps steps of
// NEURON's fixed 0.025 ms scheme exactly as package neuron advances the cell
// (events, currents at the start-of-step state, implicit voltage update, hh2
// rates from the same interpolated table at the new voltage, cnexp gate
// updates with the same exponential, synaptic decay). Fed the same events it
// reproduces the biophysical cell to rounding (about 1e-12 mV in float64).
//
// Inputs are the template's channels in the learned basket's order
// (neuron.CellDesc.Channels: soma AMPA, GABA-A, NMDA). A bin's input takes
// effect at substep InputSubstep (0 by default: the bin's start time), as a
// NEURON event with delivery time binStart + InputSubstep·0.025 ms would.
//
// Outputs are "v_soma", the somatic voltage at the end of the bin (the trace,
// as the learned basket's output 0), and "v_soma_max", the largest somatic
// voltage at the bin's 20 substep ends (t_{20k+1} … t_{20k+20}). SomaOutput is
// the latter: NEURON's detector fires at the first grid time t_i with
// v(t_i) > 0 mV, so an upward crossing of the bin maxima through the
// threshold (0 mV, SpikeThreshold) between bins k−1 and k marks exactly the
// biophysical spikes with t_i in (k·0.5, (k+1)·0.5] ms, the bin whose end
// the network stamps them with (two threshold crossings within one bin and
// its predecessor would be needed to miss one; a basket spike stays above
// 0 mV for longer than that). The maximum is differentiable almost everywhere
// (its gradient flows to the substep that attains it).
//
// Step is one fused autograd op with a hand-written backward: only the
// bin-start state is kept (the input state tensor, already on the tape); the
// backward pass recomputes the 20 substeps and reverse-differentiates them
// analytically. The integration runs in float64 whatever T is (a float32
// model rounds the state to float32 at bin boundaries only).
//
// The rates come from hh2's tabulated, linearly interpolated rate functions
// exactly as in the simulator (neuron.HH2Table), so their derivatives are
// the segment slopes: piecewise constant in v with 1 mV segments, and the
// gradient is exact almost everywhere.
type ExactBasket[T autograd.Float] struct {
	ct       neuron.CellType
	channels []neuron.Channel
	k        exactConsts
}

// ExactSubsteps is the number of NEURON steps (0.025 ms) in one 0.5 ms bin.
const ExactSubsteps = 20

// maxExactChannels bounds the number of synaptic channels (the backward
// pass keeps per-cell channel values in fixed arrays).
const maxExactChannels = 8

// exactDt is NEURON's fixed step (ms).
const exactDt = 0.025

// exactConsts are the constants of one basket cell type.
type exactConsts struct {
	tab            neuron.HH2Table
	gnabar, gkbar  float64 // S/cm²
	gl, el         float64 // S/cm², mV
	aScale         float64 // area·1e-2: mA/cm² -> nA
	capDt          float64 // C/dt (µS)
	v0, m0, h0, n0 float64 // resting state
	nch            int
	e              []float64 // reversal per channel (mV)
	factor         []float64 // Exp2Syn normalisation per channel
	decayA, decayB []float64 // exp(-dt/tau1), exp(-dt/tau2) per channel
	inSub          int       // substep at which the bin's input is applied
	thr            float64   // spike threshold (mV)
}

// spikeTimeOffset is the offset NEURON adds to a threshold crossing detected
// at a grid time (ms; neuron.Cell.CheckThreshold).
const spikeTimeOffset = 1e-10

var nan = math.NaN()

// NewExactBasket returns the exact basket of cell type ct (L2Basket or
// L5Basket) from HNN's template at 37 °C.
func NewExactBasket[T autograd.Float](ct neuron.CellType) (*ExactBasket[T], error) {
	if ct != neuron.L2Basket && ct != neuron.L5Basket {
		return nil, fmt.Errorf("surrogate: exact basket of %s: not a basket cell type", ct)
	}
	d, err := neuron.Template(ct)
	if err != nil {
		return nil, fmt.Errorf("surrogate: %w", err)
	}
	if len(d.Sections) != 1 || d.Sections[0].Nseg != 1 || d.Sections[0].Mech.HH2 == nil {
		return nil, fmt.Errorf("surrogate: exact basket of %s: template is not a single hh2 compartment", ct)
	}
	s := d.Sections[0]
	mech := s.Mech
	if mech.Km != nil || mech.Ca != nil || mech.Cad != nil || mech.Kca != nil || mech.Cat != nil || mech.Ar != nil ||
		mech.HH2.SegGNaBar != nil || mech.HH2.SegGKBar != nil {
		return nil, fmt.Errorf("surrogate: exact basket of %s: template has mechanisms other than uniform hh2", ct)
	}
	cfg := neuron.DefaultConfig()
	area := math.Pi * s.Diam * s.L / float64(s.Nseg)
	k := exactConsts{
		tab:    neuron.NewHH2Table(cfg.Celsius),
		gnabar: mech.HH2.GNaBar, gkbar: mech.HH2.GKBar, gl: mech.HH2.GL, el: mech.HH2.EL,
		aScale: area * 1e-2, capDt: s.Cm * area * 1e-5 / cfg.Dt, v0: s.V0, thr: cfg.Threshold,
	}
	var q, dq [6]float64
	k.tab.Lookup(s.V0, &q, &dq)
	k.m0, k.h0, k.n0 = q[0], q[2], q[4]
	chans := d.Channels()
	for _, ch := range chans {
		sd, err := d.SynapseDesc(ch.Section, ch.Receptor)
		if err != nil {
			return nil, fmt.Errorf("surrogate: %w", err)
		}
		dA, dB, f := exp2synCoeffs(sd.Tau1, sd.Tau2, cfg.Dt)
		k.e = append(k.e, sd.E)
		k.factor = append(k.factor, f)
		k.decayA = append(k.decayA, dA)
		k.decayB = append(k.decayB, dB)
	}
	k.nch = len(chans)
	if k.nch > maxExactChannels {
		return nil, fmt.Errorf("surrogate: exact basket of %s: %d input channels, at most %d", ct, k.nch, maxExactChannels)
	}
	return &ExactBasket[T]{ct: ct, channels: chans, k: k}, nil
}

// SetInputSubstep sets the substep (0 ≤ j < ExactSubsteps) at which a bin's
// input takes effect: the events of bin k act as NEURON events delivered at
// k·0.5 + j·0.025 ms. The default is 0.
func (m *ExactBasket[T]) SetInputSubstep(j int) error {
	if j < 0 || j >= ExactSubsteps {
		return fmt.Errorf("surrogate: input substep %d out of range [0, %d)", j, ExactSubsteps)
	}
	m.k.inSub = j
	return nil
}

// InputSubstep returns the substep at which a bin's input takes effect.
func (m *ExactBasket[T]) InputSubstep() int { return m.k.inSub }

// CellType returns the basket cell type.
func (m *ExactBasket[T]) CellType() neuron.CellType { return m.ct }

// Inputs returns the input channels (soma AMPA, GABA-A, NMDA; the template's
// order, as the learned basket's).
func (m *ExactBasket[T]) Inputs() []neuron.Channel {
	return append([]neuron.Channel(nil), m.channels...)
}

// Outputs returns "v_soma" (end of bin) and "v_soma_max" (bin maximum), mV.
func (m *ExactBasket[T]) Outputs() []string { return []string{"v_soma", "v_soma_max"} }

// SomaOutput returns the index of the bin-maximum somatic voltage, on which
// the network detects spikes (see ExactBasket).
func (m *ExactBasket[T]) SomaOutput() int { return 1 }

// TraceOutput returns the index of the end-of-bin somatic voltage.
func (m *ExactBasket[T]) TraceOutput() int { return 0 }

// DipoleOutput returns -1: baskets carry no dipole.
func (m *ExactBasket[T]) DipoleOutput() int { return -1 }

// Dt returns the step (ms).
func (m *ExactBasket[T]) Dt() float64 { return BinDt }

// SpikeThreshold returns HNN's detector threshold, 0 mV.
func (m *ExactBasket[T]) SpikeThreshold() float64 { return neuron.DefaultConfig().Threshold }

// ExactState is the state of a batch of exact baskets at a bin boundary: a
// [batch, ExactStateWidth(C)] tensor with, per cell, v (mV), the hh2 gates m,
// h, n, each synapse's A and B (µS, channel by channel), and the previous
// bin's maximum voltage (an output, not read by Step). After a Step the
// tensor lives on the tape.
type ExactState[T autograd.Float] struct {
	batch int
	S     *autograd.Tensor[T]
	own   *autograd.Tensor[T]
	op    *exactOp[T]
}

// exactStateWidth is the number of columns of the state tensor for nch
// channels.
func exactStateWidth(nch int) int { return 4 + 2*nch + 1 }

// Batch returns the number of cells.
func (s *ExactState[T]) Batch() int { return s.batch }

// Detach copies the state into its own memory and cuts it from the tape.
func (s *ExactState[T]) Detach() {
	if s.S != s.own {
		copy(s.own.Data, s.S.Data)
		s.S = s.own
	}
}

// NewState returns the resting state of batch cells (NEURON's finitialize:
// v0, gates at their steady state, synapses empty). The tape may be nil; the
// state's memory is on the heap.
func (m *ExactBasket[T]) NewState(tp *autograd.Tape[T], batch int) *ExactState[T] {
	if batch < 1 {
		panic(fmt.Sprintf("surrogate: NewState batch %d < 1", batch))
	}
	W := exactStateWidth(m.k.nch)
	s := autograd.Zeros[T](batch, W)
	for b := range batch {
		r := s.Data[b*W : (b+1)*W]
		r[0], r[1], r[2], r[3] = T(m.k.v0), T(m.k.m0), T(m.k.h0), T(m.k.n0)
		r[W-1] = T(m.k.v0)
	}
	op := &exactOp[T]{k: &m.k}
	op.ensure(batch, false, false)
	for b := range batch {
		op.spk[b] = nan
	}
	return &ExactState[T]{batch: batch, S: s, own: s, op: op}
}

// Step advances a batch of cells by one 0.5 ms bin: x is [batch, C], the
// summed weights (µS) of the events taking effect in the bin, applied before
// substep InputSubstep. It returns [batch, 2]: v at the bin end and the bin's
// maximum v (mV), and st updated in place. Differentiable with respect to x
// and the incoming state.
func (m *ExactBasket[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *ExactState[T]) (*autograd.Tensor[T], *ExactState[T]) {
	return m.step(tp, x, st, false)
}

// StepSubsteps is Step with every input at its own NEURON step: x is
// [batch, ExactSubsteps·C], column j·C + c the summed weights (µS) of the
// events on channel c that NEURON applies before the bin's substep j (those
// with SubstepOf(t) = (bin, j)), so that the cell sees its events at their
// true times, as the biophysical cell does (InputSubstep is not used). The
// sum over j of a row's columns is Step's input. Differentiable with respect
// to x (every substep's weights) and the incoming state.
func (m *ExactBasket[T]) StepSubsteps(tp *autograd.Tape[T], x *autograd.Tensor[T], st *ExactState[T]) (*autograd.Tensor[T], *ExactState[T]) {
	return m.step(tp, x, st, true)
}

func (m *ExactBasket[T]) step(tp *autograd.Tape[T], x *autograd.Tensor[T], st *ExactState[T], perSub bool) (*autograd.Tensor[T], *ExactState[T]) {
	C, B := m.k.nch, st.batch
	nw := st.op.inputWidth(perSub)
	if x.Rank() != 2 || x.Dim(0) != B || x.Dim(1) != nw {
		panic(fmt.Sprintf("surrogate: exact basket Step input shape %v, want [%d %d]", x.Shape(), B, nw))
	}
	if st.op.k != &m.k {
		panic("surrogate: exact basket Step with a state of another model")
	}
	W := exactStateWidth(C)
	s1 := tp.NewUninit(B, W)
	st.op.forward(B, st.S.Data, x.Data, s1.Data, false, perSub)
	if nd := tp.Record(st.op, s1, x, st.S); nd != nil {
		exactArgs{batch: B, perSub: perSub}.pack(&nd.Args)
	}
	y := tp.NewUninit(B, 2)
	for b := range B {
		y.Data[2*b] = s1.Data[b*W]
		y.Data[2*b+1] = s1.Data[b*W+W-1]
	}
	tp.Record(exactPick[T]{}, y, s1)
	st.S = s1
	return y, st
}

// SpikeOffsets returns, per cell, when NEURON's spike detector records the
// cell's spike in the bin of the last Step or StepSubsteps of this state: the
// first of the bin's grid times (its 20 substep ends) at which the somatic
// voltage exceeds the threshold (0 mV) after a grid time at which it did not
// (the bin-start one included), as ms after the bin's start, plus NEURON's
// 1e-10 ms (so the spike time is binStart + offset, as neuron.Cell.Spikes
// reports it); NaN when the cell did not spike in the bin. NEURON does not
// interpolate the crossing; neither does this. The slice is the state's
// scratch, valid until its next Step (its length is the batch; before the
// first Step it holds NaN).
func (s *ExactState[T]) SpikeOffsets() []float64 { return s.op.spk[:s.batch] }

// exactArgs are the parameters of an exactOp node.
type exactArgs struct {
	batch  int
	perSub bool // per-substep input (StepSubsteps)
}

func (a exactArgs) pack(s *autograd.Args) {
	s.Ints[0] = a.batch
	s.Ints[1] = 0
	if a.perSub {
		s.Ints[1] = 1
	}
}

func unpackExactArgs(s *autograd.Args) exactArgs {
	return exactArgs{batch: s.Ints[0], perSub: s.Ints[1] != 0}
}

// exactPick is the node of the outputs: columns 0 (v) and W−1 (bin maximum)
// of the new state.
type exactPick[T autograd.Float] struct{}

func (exactPick[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	s := nd.In[0]
	W := s.Dim(1)
	g, gy := tp.GradOf(s), nd.Out.Grad
	for b := range s.Dim(0) {
		g[b*W] += gy[2*b]
		g[b*W+W-1] += gy[2*b+1]
	}
}

// Snapshot returns a copy of the state in its own heap memory, cut from the
// tape (a checkpoint of backpropagation through time in segments).
func (s *ExactState[T]) Snapshot() *ExactState[T] {
	c := snapshotOf(s.S)
	return &ExactState[T]{batch: s.batch, S: c, own: c, op: s.op}
}

// Restore sets the state to the values of snap (a Snapshot of a state of the
// same model and batch); when the state required a gradient it becomes a new
// leaf tensor that requires one, which Restore returns (the order of
// Tensors).
func (s *ExactState[T]) Restore(snap *ExactState[T]) []*autograd.Tensor[T] {
	return restoreRow(&s.S, s.own, snap.S)
}

// Tensors returns the state tensor when it requires a gradient (the order
// of Restore's leaves).
func (s *ExactState[T]) Tensors() []*autograd.Tensor[T] { return rowTensors(s.S) }
