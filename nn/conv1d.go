package nn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// Conv1d is a causal one-dimensional convolution over time: the output at step t
// sees only the inputs at t, t-d, ..., t-(K-1)d (d the dilation):
//
//	y[b,t,o] = bias[o] + Σ_k Σ_c W[o,k,c] · x[b, t-(K-1-k)d, c]
//
// with x taken as 0 before the first step. This is PyTorch's Conv1d with left
// padding (K-1)d, except for two layouts: sequences are [batch, time, channels]
// rather than [batch, channels, time], and the weight is [out, K, in] rather than
// [out, in, K] (PyTorch's weight is W.permute(0, 2, 1)), so that each tap is a
// block of rows usable by GEMM directly and a step's receptive field is a
// concatenation of whole input rows.
// Forward processes whole sequences; Step processes one step of a batch with the
// last (K-1)d+1 inputs kept in a ConvState ring buffer, and gives the same
// outputs up to float rounding.
type Conv1d[T autograd.Float] struct {
	In, Out, Kernel, Dilation int
	// ReLU applies max(·, 0) to the output inside the op (saving a tensor and a
	// pass over memory in both directions compared with a separate Relu). The
	// backward pass then zeroes the output's gradient in place where the output
	// is 0, so after Backward the output's Grad holds the pre-ReLU gradient.
	ReLU   bool
	Weight *autograd.Tensor[T] // [Out, Kernel, In]
	Bias   *autograd.Tensor[T] // [Out], or nil without bias
}

// Conv1dConfig configures NewConv1d.
type Conv1dConfig struct {
	In, Out, Kernel int
	Dilation        int // 0 means 1
	NoBias          bool
	ReLU            bool   // fuse a ReLU after the bias
	Init            Init   // weight initialization, fan-in In*Kernel and fan-out Out*Kernel
	Seed            uint64 // seed of the initialization
}

// NewConv1d returns a causal Conv1d initialized from cfg. It returns an error
// when a size is not positive.
func NewConv1d[T autograd.Float](cfg Conv1dConfig) (*Conv1d[T], error) {
	if cfg.Dilation == 0 {
		cfg.Dilation = 1
	}
	if cfg.In <= 0 || cfg.Out <= 0 || cfg.Kernel <= 0 || cfg.Dilation < 0 {
		return nil, fmt.Errorf("nn: Conv1d sizes must be positive, got in %d out %d kernel %d dilation %d", cfg.In, cfg.Out, cfg.Kernel, cfg.Dilation)
	}
	if cfg.Kernel > 62 {
		return nil, fmt.Errorf("nn: Conv1d kernel size %d exceeds 62", cfg.Kernel)
	}
	c := &Conv1d[T]{In: cfg.In, Out: cfg.Out, Kernel: cfg.Kernel, Dilation: cfg.Dilation, ReLU: cfg.ReLU,
		Weight: autograd.NewParam[T](cfg.Out, cfg.Kernel, cfg.In)}
	rng := newRNG(cfg.Seed)
	fanIn, fanOut := cfg.In*cfg.Kernel, cfg.Out*cfg.Kernel
	InitWeights(rng, c.Weight, cfg.Init, fanIn, fanOut)
	if !cfg.NoBias {
		c.Bias = autograd.NewParam[T](cfg.Out)
		if cfg.Init == PyTorchUniform {
			FillUniform(rng, c.Bias.Data, PyTorchUniform.bound(fanIn, fanOut))
		}
	}
	return c, nil
}

// Params lists "weight" ([Out, Kernel, In]) and, with a bias, "bias".
func (c *Conv1d[T]) Params() []Param[T] {
	ps := []Param[T]{{"weight", c.Weight}}
	if c.Bias != nil {
		ps = append(ps, Param[T]{"bias", c.Bias})
	}
	return ps
}

// ReceptiveField returns (K-1)·d + 1, the number of steps an output depends on.
func (c *Conv1d[T]) ReceptiveField() int { return (c.Kernel-1)*c.Dilation + 1 }

// Forward convolves a sequence x of shape [batch, time, In] causally (zero
// history) and returns [batch, time, Out] (after the ReLU when fused). Each tap
// is one GEMM per sequence against the tap's [Out, In] block of the weight.
func (c *Conv1d[T]) Forward(tp *autograd.Tape[T], x *autograd.Tensor[T]) *autograd.Tensor[T] {
	return c.forward(tp, x, nil)
}

// ForwardFrom is Forward continuing from the history in s (as left by Step or an
// earlier ForwardFrom on the previous window of the same sequences) instead of
// zeros, and leaves the last inputs of x in s, so that consecutive windows give
// the outputs of one long sequence. The history is taken as a constant: no
// gradient flows into earlier windows (as after Detach).
func (c *Conv1d[T]) ForwardFrom(tp *autograd.Tape[T], x *autograd.Tensor[T], s *ConvState[T]) *autograd.Tensor[T] {
	if x.Rank() == 3 && (s.batch != x.Dim(0) || s.in != c.In || len(s.ring) != c.ReceptiveField()) {
		panic(fmt.Sprintf("nn: Conv1d.ForwardFrom input %v with state for batch %d, in %d, history %d", x.Shape(), s.batch, s.in, len(s.ring)))
	}
	return c.forward(tp, x, s)
}

func (c *Conv1d[T]) forward(tp *autograd.Tape[T], x *autograd.Tensor[T], st *ConvState[T]) *autograd.Tensor[T] {
	if x.Rank() != 3 || x.Dim(2) != c.In {
		panic(fmt.Sprintf("nn: Conv1d.Forward input %v, want [batch time %d]", x.Shape(), c.In))
	}
	batch, steps := x.Dim(0), x.Dim(1)
	in, out, kk, d := c.In, c.Out, c.Kernel, c.Dilation
	var y *autograd.Tensor[T]
	if c.Bias != nil {
		y = tp.NewUninit(batch, steps, out)
	} else {
		y = tp.NewTensor(batch, steps, out)
	}
	w, ck := c.Weight.Data, kk*in
	if c.Bias != nil {
		for r := 0; r < batch*steps; r++ {
			copy(y.Data[r*out:(r+1)*out], c.Bias.Data)
		}
	}
	for b := 0; b < batch; b++ {
		xb, yb := x.Data[b*steps*in:(b+1)*steps*in], y.Data[b*steps*out:(b+1)*steps*out]
		for k := 0; k < kk; k++ {
			s := (kk - 1 - k) * d
			if s >= steps {
				continue
			}
			kernel.Gemm(false, true, steps-s, out, in, 1, xb, in, w[k*in:], ck, 1, yb[s*out:], out)
		}
	}
	var hist []T // history inputs u = -(R-1) .. -1, each [batch, in]
	if st != nil {
		hist = st.history(tp)
		for k := 0; k < kk; k++ {
			s := (kk - 1 - k) * d
			for t := 0; t < min(s, steps); t++ {
				hu := historyBlock(hist, t-s, batch*in)
				kernel.Gemm(false, true, batch, out, in, 1, hu, in, w[k*in:], ck, 1, y.Data[t*out:], steps*out)
			}
		}
		st.push(x)
	}
	if c.ReLU {
		reluInPlace(y.Data)
	}
	var nd *autograd.Node[T]
	if c.Bias != nil {
		nd = tp.Record(conv1dSeqOp[T]{}, y, x, c.Weight, c.Bias)
	} else {
		nd = tp.Record(conv1dSeqOp[T]{}, y, x, c.Weight)
	}
	if nd != nil {
		conv1dSeqArgs{batch: batch, steps: steps, in: in, out: out, kernel: kk, dilation: d, relu: c.ReLU}.pack(&nd.Args)
		nd.Saved = hist
	}
	return y
}

// historyBlock returns the [batch, in] block of input u < 0 (u = -1 the newest).
func historyBlock[T autograd.Float](hist []T, u, n int) []T {
	i := len(hist)/n + u
	return hist[i*n : (i+1)*n]
}

type conv1dSeqOp[T autograd.Float] struct{}

// conv1dSeqArgs are the parameters of a conv1dSeqOp node: the sizes, the
// dilation and whether the layer applies a ReLU.
type conv1dSeqArgs struct {
	batch, steps, in, out, kernel, dilation int
	relu                                    bool
}

func (a conv1dSeqArgs) pack(s *autograd.Args) {
	s.Ints[0], s.Ints[1], s.Ints[2], s.Ints[3], s.Ints[4], s.Ints[5] = a.batch, a.steps, a.in, a.out, a.kernel, a.dilation
	s.Bools[0] = a.relu
}

func unpackConv1dSeqArgs(s *autograd.Args) conv1dSeqArgs {
	return conv1dSeqArgs{batch: s.Ints[0], steps: s.Ints[1], in: s.Ints[2], out: s.Ints[3], kernel: s.Ints[4], dilation: s.Ints[5], relu: s.Bools[0]}
}

func (conv1dSeqOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	x, w, g := nd.In[0], nd.In[1], nd.Out.Grad
	p := unpackConv1dSeqArgs(&nd.Args)
	batch, steps, in, out, kk, d := p.batch, p.steps, p.in, p.out, p.kernel, p.dilation
	if p.relu {
		reluMaskGrad(g, nd.Out.Data)
	}
	ck := kk * in
	var gx, gw []T
	if x.RequiresGrad() {
		gx = tp.GradOf(x)
	}
	if w.RequiresGrad() {
		gw = tp.GradOf(w)
	}
	for b := 0; b < batch; b++ {
		xb, gb := x.Data[b*steps*in:(b+1)*steps*in], g[b*steps*out:(b+1)*steps*out]
		for k := 0; k < kk; k++ {
			s := (kk - 1 - k) * d
			if s >= steps {
				continue
			}
			if gx != nil {
				kernel.Gemm(false, false, steps-s, in, out, 1, gb[s*out:], out, w.Data[k*in:], ck, 1, gx[b*steps*in:], in)
			}
			if gw != nil {
				kernel.Gemm(true, false, out, in, steps-s, 1, gb[s*out:], out, xb, in, 1, gw[k*in:], ck)
			}
		}
	}
	if gw != nil && nd.Saved != nil { // the history's share of the weight gradient
		hist := nd.Saved
		for k := 0; k < kk; k++ {
			s := (kk - 1 - k) * d
			for t := 0; t < min(s, steps); t++ {
				hu := historyBlock(hist, t-s, batch*in)
				kernel.Gemm(true, false, out, in, batch, 1, g[t*out:], steps*out, hu, in, 1, gw[k*in:], ck)
			}
		}
	}
	if len(nd.In) > 2 && nd.In[2].RequiresGrad() {
		addColumnSums(tp.GradOf(nd.In[2]), g)
	}
}

// reluInPlace sets y = max(y, 0).
func reluInPlace[T autograd.Float](y []T) {
	for i, v := range y {
		y[i] = max(v, 0)
	}
}

// reluMaskGrad zeroes the output gradient g where the ReLU output y is 0, turning
// it into the gradient before the ReLU. The node's output gradient is complete
// and read by no one else, so it is rewritten in place.
func reluMaskGrad[T autograd.Float](g, y []T) {
	switch g := any(g).(type) {
	case []float32:
		maskZero32(g, any(y).([]float32))
	case []float64:
		maskZero64(g, any(y).([]float64))
	}
}

// maskZero32 sets g[i] = 0 where y[i] == +0, without branches (ReLU outputs are
// +0 or positive, so y's bit pattern is 0 exactly where the gradient stops; the
// signs of the data are random, so a branch would be mispredicted half the time).
func maskZero32(g, y []float32) {
	y = y[:len(g)]
	for i, v := range y {
		u := int32(math.Float32bits(v))
		m := uint32((u | -u) >> 31) // all ones unless u == 0
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
	}
}

// maskZero64 is maskZero32 for float64.
func maskZero64(g, y []float64) {
	y = y[:len(g)]
	for i, v := range y {
		u := int64(math.Float64bits(v))
		m := uint64((u | -u) >> 63)
		g[i] = math.Float64frombits(math.Float64bits(g[i]) & m)
	}
}

// addMasked adds g into dst where the ReLU output y is positive, without branches.
func addMasked[T autograd.Float](dst, g, y []T) {
	switch d := any(dst).(type) {
	case []float32:
		g, y := any(g).([]float32), any(y).([]float32)
		g, y = g[:len(d)], y[:len(d)]
		for i, v := range y {
			u := int32(math.Float32bits(v))
			d[i] += math.Float32frombits(math.Float32bits(g[i]) & uint32((u|-u)>>31))
		}
	case []float64:
		g, y := any(g).([]float64), any(y).([]float64)
		g, y = g[:len(d)], y[:len(d)]
		for i, v := range y {
			u := int64(math.Float64bits(v))
			d[i] += math.Float64frombits(math.Float64bits(g[i]) & uint64((u|-u)>>63))
		}
	}
}
