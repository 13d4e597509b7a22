package nn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// LSTM is a stack of long short-term memory layers with PyTorch's equations and
// gate order [i f g o]:
//
//	[zi zf zg zo] = [x_t, h_{t-1}]·W + b
//	i, f, o = σ(zi), σ(zf), σ(zo);  g = tanh(zg)
//	c_t = f⊙c_{t-1} + i⊙g;  h_t = o⊙tanh(c_t)
//
// Layer l keeps its input weights (PyTorch's weight_ih_l{l}ᵀ, [in, 4H]) and
// recurrent weights (weight_hh_l{l}ᵀ, [H, 4H]) stacked in one [in+H, 4H] matrix,
// so a step costs one GEMM per layer; b is PyTorch's bias_ih + bias_hh. Inputs
// to layers above the first pass through dropout with probability Dropout while
// Training.
//
// Step advances one time step of a batch with the state carried in an
// LSTMState, with one GEMM per layer. Forward runs a whole [batch, time, in]
// sequence (time-major inside), hoisting the input projection of all steps into
// one large GEMM (as cuDNN does) and keeping one recurrent GEMM per layer per
// step. Both have hand-written fused backward passes, gradient-checked against
// finite differences, and give the same outputs as a scalar-loop implementation
// of PyTorch's equations.
//
// PyTorch mapping: weight_ih_l{l} = w_ihᵀ, weight_hh_l{l} = w_hhᵀ, and any split
// of bias into bias_ih_l{l} + bias_hh_l{l}; TorchTensors and LoadTorch convert.
type LSTM[T autograd.Float] struct {
	In, Hidden, NumLayers int
	Dropout               float64 // inter-layer dropout probability
	Training              bool    // dropout is applied only while Training
	Layers                []LSTMLayer[T]
	drop                  *Dropout[T]
	scratchState          *LSTMState[T]
}

// LSTMLayer holds one layer's parameters. W is the stacked weight matrix; WIH and
// WHH are views of its two blocks (sharing data and gradient) under which the
// parameters are registered.
type LSTMLayer[T autograd.Float] struct {
	In  int
	W   *autograd.Tensor[T] // [In+H, 4H]: rows 0..In-1 input weights, then recurrent weights
	WIH *autograd.Tensor[T] // [In, 4H], view of W's first rows
	WHH *autograd.Tensor[T] // [H, 4H], view of W's last rows
	B   *autograd.Tensor[T] // [4H]
}

// LSTMConfig configures NewLSTM.
type LSTMConfig struct {
	In, Hidden, Layers int
	Dropout            float64 // inter-layer dropout probability in [0, 1)
	// ForgetBias is added to the forget gate's bias after initialization (0 is
	// PyTorch's choice; 1 is a common one for long memories).
	ForgetBias float64
	Seed       uint64 // seed of the initialization and of the dropout masks
}

// NewLSTM returns an LSTM with weights and biases drawn as PyTorch does,
// U(-1/√H, 1/√H) (the bias as the sum of two such draws, like bias_ih + bias_hh).
func NewLSTM[T autograd.Float](cfg LSTMConfig) (*LSTM[T], error) {
	if cfg.In <= 0 || cfg.Hidden <= 0 || cfg.Layers <= 0 {
		return nil, fmt.Errorf("nn: LSTM sizes must be positive, got in %d hidden %d layers %d", cfg.In, cfg.Hidden, cfg.Layers)
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 || math.IsNaN(cfg.Dropout) {
		return nil, fmt.Errorf("nn: LSTM dropout %v outside [0, 1)", cfg.Dropout)
	}
	h := cfg.Hidden
	l := &LSTM[T]{In: cfg.In, Hidden: h, NumLayers: cfg.Layers, Dropout: cfg.Dropout, Training: true,
		drop: newDropout[T](cfg.Dropout, cfg.Seed)}
	rng := newRNG(cfg.Seed)
	a := 1 / math.Sqrt(float64(h))
	for k := 0; k < cfg.Layers; k++ {
		in := cfg.In
		if k > 0 {
			in = h
		}
		w := autograd.NewParam[T](in+h, 4*h)
		FillUniform(rng, w.Data, a)
		b := autograd.NewParam[T](4 * h)
		FillUniform(rng, b.Data, a)
		for j := range b.Data {
			b.Data[j] += T(a * (2*rng.Float64() - 1))
		}
		for j := h; j < 2*h; j++ {
			b.Data[j] += T(cfg.ForgetBias)
		}
		l.Layers = append(l.Layers, LSTMLayer[T]{In: in, W: w, B: b,
			WIH: paramView(w, 0, in, 4*h), WHH: paramView(w, in*4*h, h, 4*h)})
	}
	return l, nil
}

// paramView returns a parameter tensor of shape [rows, cols] sharing data and
// gradient with p from element off on.
func paramView[T autograd.Float](p *autograd.Tensor[T], off, rows, cols int) *autograd.Tensor[T] {
	n := rows * cols
	v := autograd.MustNew(p.Data[off:off+n:off+n], rows, cols)
	v.Grad = p.Grad[off : off+n : off+n]
	v.SetRequiresGrad(true)
	return v
}

// SetTrainable turns the gradients of every weight and bias on or off: with
// off, backward passes skip the weight-gradient products (inputs and states
// still receive gradients). Params lists views of the stacked W, whose flag
// this sets too.
func (l *LSTM[T]) SetTrainable(on bool) {
	for _, ly := range l.Layers {
		for _, t := range []*autograd.Tensor[T]{ly.W, ly.B, ly.WIH, ly.WHH} {
			t.SetRequiresGrad(on)
		}
	}
}

// Params lists, for every layer l, "l.w_ih" ([in, 4H], PyTorch's weight_ih_l{l}
// transposed), "l.w_hh" ([H, 4H], weight_hh_l{l} transposed) and "l.bias" ([4H],
// bias_ih_l{l} + bias_hh_l{l}).
func (l *LSTM[T]) Params() []Param[T] {
	var ps []Param[T]
	for k, ly := range l.Layers {
		p := itoa(k) + "."
		ps = append(ps, Param[T]{p + "w_ih", ly.WIH}, Param[T]{p + "w_hh", ly.WHH}, Param[T]{p + "bias", ly.B})
	}
	return ps
}

// DropoutRNGState returns the state of the inter-layer dropout's mask
// generator (for training checkpoints).
func (l *LSTM[T]) DropoutRNGState() ([]byte, error) { return l.drop.RNGState() }

// SetDropoutRNGState restores a state DropoutRNGState returned.
func (l *LSTM[T]) SetDropoutRNGState(b []byte) error { return l.drop.SetRNGState(b) }

// SetTraining switches inter-layer dropout on (true) or off.
func (l *LSTM[T]) SetTraining(on bool) { l.Training = on; l.drop.Training = on }

// between applies inter-layer dropout to the output of a layer below the top.
func (l *LSTM[T]) between(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	if !l.Training || l.Dropout == 0 {
		return x
	}
	l.drop.P, l.drop.Training = l.Dropout, true
	return l.drop.Forward(tp, x)
}

// LSTMState is the carried state of an LSTM for a batch: per layer the hidden
// state H[l] and cell state C[l], each [batch, hidden]. After a Step or Forward
// they are the tensors of the last step, on the tape. Before that tape is Reset,
// call Detach (to keep the state) or Zero (to drop it): Reset recycles the tape's
// memory, which the state would otherwise still refer to.
type LSTMState[T autograd.Float] struct {
	H, C       []*autograd.Tensor[T]
	ownH, ownC []*autograd.Tensor[T]
}

// NewState returns a zero state for a batch of the given size.
func (l *LSTM[T]) NewState(batch int) *LSTMState[T] {
	s := &LSTMState[T]{}
	for range l.Layers {
		s.ownH = append(s.ownH, autograd.Zeros[T](batch, l.Hidden))
		s.ownC = append(s.ownC, autograd.Zeros[T](batch, l.Hidden))
	}
	s.H = append([]*autograd.Tensor[T](nil), s.ownH...)
	s.C = append([]*autograd.Tensor[T](nil), s.ownC...)
	return s
}

// Batch returns the batch size of the state.
func (s *LSTMState[T]) Batch() int { return s.ownH[0].Dim(0) }

// Zero resets the state to zeros in the state's own memory (a new sequence).
func (s *LSTMState[T]) Zero() {
	for k := range s.ownH {
		clear(s.ownH[k].Data)
		clear(s.ownC[k].Data)
		s.H[k], s.C[k] = s.ownH[k], s.ownC[k]
	}
}

// Detach copies the current state into the state's own memory and cuts it from
// the tape: no gradient flows back through it any more, and the tape may be Reset.
func (s *LSTMState[T]) Detach() {
	for k := range s.ownH {
		if s.H[k] != s.ownH[k] {
			copy(s.ownH[k].Data, s.H[k].Data)
			s.H[k] = s.ownH[k]
		}
		if s.C[k] != s.ownC[k] {
			copy(s.ownC[k].Data, s.C[k].Data)
			s.C[k] = s.ownC[k]
		}
	}
}

func (l *LSTM[T]) checkState(s *LSTMState[T], batch int) {
	if len(s.H) != len(l.Layers) || len(s.C) != len(l.Layers) {
		panic(fmt.Sprintf("nn: LSTM state has %d layers, the LSTM %d", len(s.H), len(l.Layers)))
	}
	for k := range s.H {
		if s.H[k].Rank() != 2 || s.H[k].Dim(0) != batch || s.H[k].Dim(1) != l.Hidden ||
			s.C[k].Rank() != 2 || s.C[k].Dim(0) != batch || s.C[k].Dim(1) != l.Hidden {
			panic(fmt.Sprintf("nn: LSTM state of layer %d has shapes %v, %v; want [%d %d]", k, s.H[k].Shape(), s.C[k].Shape(), batch, l.Hidden))
		}
	}
}

// Step advances the LSTM by one time step: x is [batch, In]; the state s (from
// NewState) supplies h_{t-1}, c_{t-1} of every layer and receives h_t, c_t. It
// returns the top layer's h_t, [batch, Hidden]. Gradients flow through x, the
// parameters and the incoming state.
func (l *LSTM[T]) Step(tp *autograd.Tape[T], x *autograd.Tensor[T], s *LSTMState[T]) *autograd.Tensor[T] {
	if x.Rank() != 2 || x.Dim(1) != l.In {
		panic(fmt.Sprintf("nn: LSTM.Step input %v, want [batch %d]", x.Shape(), l.In))
	}
	l.checkState(s, x.Dim(0))
	for k := range l.Layers {
		if k > 0 {
			x = l.between(tp, x)
		}
		h, c := lstmCellStep(tp, &l.Layers[k], x, s.H[k], s.C[k])
		s.H[k], s.C[k] = h, c
		x = h
	}
	return x
}

// Forward runs the LSTM over a sequence x of shape [batch, time, In] and returns
// the top layer's hidden states, [batch, time, Hidden]. With a nil state it
// starts from zeros; otherwise it starts from s and leaves the final state in s.
// Gradients flow through x, the parameters and the incoming state.
func (l *LSTM[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T], s *LSTMState[T]) *autograd.Tensor[T] {
	if x.Rank() != 3 || x.Dim(2) != l.In || x.Dim(1) < 1 {
		panic(fmt.Sprintf("nn: LSTM.Forward input %v, want [batch time>=1 %d]", x.Shape(), l.In))
	}
	batch := x.Dim(0)
	if s == nil {
		s = l.zeroState(batch)
	}
	l.checkState(s, batch)
	x = swapBatchTime(tp, x) // [time, batch, in]
	for k := range l.Layers {
		if k > 0 {
			x = l.between(tp, x)
		}
		var hT, cT *autograd.Tensor[T]
		x, hT, cT = lstmLayerSeq(tp, &l.Layers[k], x, s.H[k], s.C[k])
		s.H[k], s.C[k] = hT, cT
	}
	return swapBatchTime(tp, x)
}

// zeroState returns a zero state for Forward without one; it is kept between
// calls of the same batch size so Forward does not allocate.
func (l *LSTM[T]) zeroState(batch int) *LSTMState[T] {
	if l.scratchState == nil || l.scratchState.Batch() != batch {
		l.scratchState = l.NewState(batch)
	}
	l.scratchState.Zero()
	return l.scratchState
}
