package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/internal/kernel"
)

// refModel is the reference surrogate: three causal conv layers
// (in -> ch -> ch -> ch, kernel 5, fused ReLU), a 3-layer LSTM with hidden ch, and a
// linear head to 5 outputs, in float32.
type refModel struct {
	convs []*Conv1d[float32]
	lstm  *LSTM[float32]
	head  *Linear[float32]
	reg   *Registry[float32]
	opt   *Adam[float32]
}

func newRefModel(in, ch, hidden int) *refModel {
	m := &refModel{reg: NewRegistry[float32]()}
	c := in
	for i := 0; i < 3; i++ {
		cv, err := NewConv1d[float32](Conv1dConfig{In: c, Out: ch, Kernel: 5, ReLU: true, Init: HeUniform, Seed: uint64(i + 1)})
		if err != nil {
			panic(err)
		}
		m.convs = append(m.convs, cv)
		_ = m.reg.Add("conv."+itoa(i), cv)
		c = ch
	}
	m.lstm, _ = NewLSTM[float32](LSTMConfig{In: ch, Hidden: hidden, Layers: 3, Seed: 7})
	m.head, _ = NewLinear[float32](LinearConfig{In: hidden, Out: 5, Seed: 8})
	_ = m.reg.Add("lstm", m.lstm)
	_ = m.reg.Add("head", m.head)
	return m
}

func randF32(rng *rand.Rand, shape ...int) *autograd.Tensor[float32] {
	t := autograd.Zeros[float32](shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

// seqTask is benchmark (a): sequence mode on [batch, steps, in] windows.
type seqTask struct {
	m      *refModel
	x, y   *autograd.Tensor[float32]
	tp     *autograd.Tape[float32]
	lastLo float32
}

func newSeqTask(batch, steps, in, ch int) *seqTask {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &seqTask{m: newRefModel(in, ch, ch), x: randF32(rng, batch, steps, in), y: randF32(rng, batch, steps, 5), tp: autograd.NewTape[float32]()}
	s.m.opt = NewAdam(s.m.reg.Params(), AdamConfig{LR: 1e-3})
	return s
}

// iterate runs forward, backward and one Adam step.
func (s *seqTask) iterate() error {
	tp, m := s.tp, s.m
	tp.Reset()
	m.reg.ZeroGrad()
	h := s.x
	for _, cv := range m.convs {
		h = cv.Forward(tp, h)
	}
	h = m.lstm.Forward(tp, h, nil)
	loss := MSELoss(tp, m.head.Forward(tp, h), s.y)
	if err := tp.Backward(loss); err != nil {
		return err
	}
	m.opt.Step()
	s.lastLo = loss.Item()
	return nil
}

// stepTask is benchmark (b): step mode on a batch of cells coupled through
// s_{t-1}·W, s = σ(output 0 of every cell), with full BPTT over all steps.
type stepTask struct {
	m         *refModel
	ext       []*autograd.Tensor[float32] // external input per step, [batch, in]
	w         *autograd.Tensor[float32]   // coupling [batch, batch*in]
	target    *autograd.Tensor[float32]   // [batch, steps, 5]
	tp        *autograd.Tape[float32]
	cs        []*ConvState[float32]
	ls        *LSTMState[float32]
	ys        []*autograd.Tensor[float32]
	zeroS     *autograd.Tensor[float32]
	batch, in int
	lastLo    float32
	// Reshape targets kept in slices: a variadic Reshape with literal sizes
	// allocates (autograd's Reshape lets its shape argument escape).
	shapeX, shapeS []int
}

func newStepTask(batch, steps, in, ch int) *stepTask {
	rng := rand.New(rand.NewPCG(3, 4))
	s := &stepTask{m: newRefModel(in, ch, ch), target: randF32(rng, batch, steps, 5), tp: autograd.NewTape[float32](),
		ys: make([]*autograd.Tensor[float32], steps), zeroS: autograd.Zeros[float32](1, batch), batch: batch, in: in,
		shapeX: []int{batch, in}, shapeS: []int{1, batch}}
	for range steps {
		s.ext = append(s.ext, randF32(rng, batch, in))
	}
	s.w = randF32(rng, batch, batch*in)
	kernel.Scal(0.05, s.w.Data)
	s.w.SetRequiresGrad(true)
	_ = s.m.reg.AddTensor("coupling", s.w)
	for _, cv := range s.m.convs {
		s.cs = append(s.cs, cv.NewState(batch))
	}
	s.ls = s.m.lstm.NewState(batch)
	s.m.opt = NewAdam(s.m.reg.Params(), AdamConfig{LR: 1e-3})
	return s
}

func (s *stepTask) iterate() error {
	tp, m := s.tp, s.m
	tp.Reset()
	m.reg.ZeroGrad()
	for _, c := range s.cs {
		c.Zero()
	}
	s.ls.Zero()
	sPrev := s.zeroS
	for t, ext := range s.ext {
		x := tp.Add(ext, tp.Reshape(tp.MatMul(sPrev, s.w), s.shapeX...))
		for i, cv := range m.convs {
			x = cv.Step(tp, x, s.cs[i])
		}
		y := m.head.Forward(tp, m.lstm.Step(tp, x, s.ls))
		s.ys[t] = y
		sPrev = tp.Reshape(tp.Sigmoid(tp.Narrow(y, 1, 0, 1)), s.shapeS...)
	}
	loss := MSELoss(tp, tp.Stack(1, s.ys...), s.target)
	if err := tp.Backward(loss); err != nil {
		return err
	}
	m.opt.Step()
	s.lastLo = loss.Item()
	return nil
}

// modelFlops returns the floating-point operations of forward + backward (3x
// the forward multiply-adds, 2 flops each) per sample and step of the
// reference model with in inputs and ch channels and hidden units.
func modelFlops(in, ch int) float64 {
	conv := 5*in*ch + 2*5*ch*ch
	lstm := 3 * (ch + ch) * 4 * ch
	head := ch * 5
	return 3 * 2 * float64(conv+lstm+head)
}

// BenchmarkSequence is benchmark (a): batch 32 x 1,000 steps, 16 inputs,
// forward + backward + Adam with MSE on all outputs.
func BenchmarkSequence(b *testing.B) {
	s := newSeqTask(32, 1000, 16, 64)
	if err := s.iterate(); err != nil { // warm the tape
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		if err := s.iterate(); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	flops := modelFlops(16, 64) * 32 * 1000
	b.ReportMetric(flops/1e9, "GFLOP/op")
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkStep is benchmark (b): step mode, batch 132 x 1,000 steps with the
// s_{t-1}·W coupling and full BPTT, forward + backward + Adam.
func BenchmarkStep(b *testing.B) {
	s := newStepTask(132, 1000, 16, 64)
	if err := s.iterate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		if err := s.iterate(); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	// The coupling s_{t-1}·W adds 2·132·(132·16) flops per step forward.
	flops := (modelFlops(16, 64) + 3*2*132*16) * 132 * 1000
	b.ReportMetric(flops/1e9, "GFLOP/op")
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestZeroAllocations checks that a training iteration on a reused tape
// allocates nothing in both modes (small sizes, same code paths).
func TestZeroAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	seq := newSeqTask(3, 20, 4, 6)
	step := newStepTask(40, 12, 4, 6) // batch 40: rows split across cores with -cpu 2
	for name, f := range map[string]func() error{"sequence": seq.iterate, "step": step.iterate} {
		for range 2 {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		if n := testing.AllocsPerRun(5, func() { _ = f() }); n != 0 {
			t.Errorf("%s mode: %v allocations per iteration", name, n)
		}
	}
}
