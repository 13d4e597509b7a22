package surrogate

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

func randomInput(rng *rand.Rand, B, T, C int) []float64 {
	x := make([]float64, B*T*C)
	for i := range x {
		if rng.Float64() < 0.05 {
			x[i] = 1e-3 * math.Exp(3*rng.NormFloat64())
		}
	}
	return x
}

// TestStepEqualsForward checks that streaming Step reproduces sequence mode.
func TestStepEqualsForward(t *testing.T) {
	withHistory := DefaultArch(neuron.L5Pyramidal)
	withHistory.SpikeHistory = 3
	for _, tc := range []struct {
		ct   neuron.CellType
		arch Arch
	}{{neuron.L5Pyramidal, DefaultArch(neuron.L5Pyramidal)}, {neuron.L2Basket, DefaultArch(neuron.L2Basket)}, {neuron.L5Pyramidal, withHistory}} {
		ct := tc.ct
		m, err := New[float64](ct, tc.arch, 7)
		if err != nil {
			t.Fatal(err)
		}
		B, T, C, O := 3, 40, len(m.Inputs()), len(m.Outputs())
		x := randomInput(rand.New(rand.NewPCG(1, 2)), B, T, C)
		tp := autograd.NewTape[float64]()
		tp.SetNoGrad(true)
		seq := m.Forward(tp, autograd.MustNew(append([]float64(nil), x...), B, T, C))
		st := m.NewState(tp, B)
		xs := autograd.Zeros[float64](B, C)
		for k := 0; k < T; k++ {
			for b := 0; b < B; b++ {
				copy(xs.Data[b*C:(b+1)*C], x[(b*T+k)*C:(b*T+k+1)*C])
			}
			y, _ := m.Step(tp, xs, st)
			for b := 0; b < B; b++ {
				for o := 0; o < O; o++ {
					if d := math.Abs(y.Data[b*O+o] - seq.Data[(b*T+k)*O+o]); d > 1e-9 {
						t.Fatalf("%s: step %d cell %d output %d: Step %v, Forward %v", ct, k, b, o, y.Data[b*O+o], seq.Data[(b*T+k)*O+o])
					}
				}
			}
		}
	}
}

// TestStepGradient checks the gradient of Step w.r.t. the input and the
// parameters over a few steps against finite differences.
func TestStepGradient(t *testing.T) {
	arch := Arch{ConvChannels: 3, ConvKernel: 2, Hidden: 4, Layers: 2, HeadHidden: 3}
	m, err := New[float64](neuron.L2Basket, arch, 3)
	if err != nil {
		t.Fatal(err)
	}
	B, T, C := 2, 4, len(m.Inputs())
	rng := rand.New(rand.NewPCG(5, 6))
	var ins []*autograd.Tensor[float64]
	for k := 0; k < T; k++ {
		x := autograd.NewParam[float64](B, C)
		for i := range x.Data {
			x.Data[i] = 0.05 + 0.05*rng.Float64()
		}
		ins = append(ins, x)
	}
	// The LSTM's w_ih and w_hh parameters are views of one stacked matrix W;
	// CheckGradient replaces its inputs' gradient buffers, so check W itself.
	for _, p := range append(m.conv.Params(), append(m.head1.Params(), m.head2.Params()...)...) {
		ins = append(ins, p.Tensor)
	}
	for _, ly := range m.lstm.Layers {
		ins = append(ins, ly.W, ly.B)
	}
	f := func(tp *autograd.Tape[float64], in []*autograd.Tensor[float64]) *autograd.Tensor[float64] {
		st := m.NewState(tp, B)
		var sum *autograd.Tensor[float64]
		for k := 0; k < T; k++ {
			y, _ := m.Step(tp, in[k], st)
			s := tp.Sum(tp.Mul(y, y))
			if sum == nil {
				sum = s
			} else {
				sum = tp.Add(sum, s)
			}
		}
		return tp.Scale(sum, 1e-4)
	}
	if err := autograd.CheckGradient(f, ins, autograd.GradCheckOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestStepNoAllocs checks that a reused tape makes Step allocation-free.
func TestStepNoAllocs(t *testing.T) {
	m, err := New[float32](neuron.L5Pyramidal, DefaultArch(neuron.L5Pyramidal), 1)
	if err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape[float32]()
	x := autograd.Zeros[float32](8, len(m.Inputs()))
	st := m.NewState(tp, 8)
	run := func() {
		tp.Reset()
		st.Zero()
		for k := 0; k < 5; k++ {
			y, _ := m.Step(tp, x, st)
			_ = y
		}
	}
	run()
	run()
	if a := testing.AllocsPerRun(5, run); a > 0 {
		t.Errorf("Step allocates %v times per 5 steps on a reused tape", a)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m, err := New[float32](neuron.L2Pyramidal, DefaultArch(neuron.L2Pyramidal), 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetSpikeThreshold(-12.5); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Load[float64](bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if m2.CellType() != neuron.L2Pyramidal || m2.SpikeThreshold() != -12.5 || m2.Arch() != m.Arch() {
		t.Fatalf("round trip changed the model: %v %v %v", m2.CellType(), m2.SpikeThreshold(), m2.Arch())
	}
	p1, p2 := m.Params(), m2.Params()
	for i := range p1 {
		for j := range p1[i].Tensor.Data {
			if float64(p1[i].Tensor.Data[j]) != p2[i].Tensor.Data[j] {
				t.Fatalf("%s[%d] changed", p1[i].Name, j)
			}
		}
	}
}

func TestLoadCorrupt(t *testing.T) {
	m, err := New[float32](neuron.L5Basket, DefaultArch(neuron.L5Basket), 2)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"garbage":   []byte("not a safetensors file at all"),
	}
	// Header byte flipped (JSON broken).
	bad := append([]byte(nil), good...)
	bad[10] = '}'
	cases["header"] = bad
	// Wrong cell type in the metadata: the shapes no longer match.
	swapped := bytes.Replace(append([]byte(nil), good...), []byte(`"L5_basket"`), []byte(`"L5_pyramid"`), 1)
	cases["cell type"] = swapped
	// NaN in a parameter.
	nan := append([]byte(nil), good...)
	copy(nan[len(nan)-4:], []byte{0, 0, 0xc0, 0x7f})
	cases["nan"] = nan
	for name, b := range cases {
		if _, err := Load[float32](bytes.NewReader(b)); err == nil {
			t.Errorf("%s: corrupt weights loaded without error", name)
		} else if !strings.Contains(err.Error(), "surrogate") {
			t.Errorf("%s: error %q does not name the package", name, err)
		}
	}
}

// TestSpikeHistoryTraces checks that the traces fed back at run time (from
// the model's own spike logits) equal those of teacher forcing (from the
// labels) for the same spike pattern, and the closed form of one onset.
func TestSpikeHistoryTraces(t *testing.T) {
	decay := newHistoryDecay(3)
	label := []float32{0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0}
	const width, off = 5, 2
	want := make([]float32, len(label)*width)
	labelTraces(want, width, off, label, decay)
	st := &State[float64]{batch: 1, trace: make([]float64, 3), prevPos: make([]bool, 1)}
	for k, l := range label {
		for j := 0; j < 3; j++ {
			if d := math.Abs(st.trace[j] - float64(want[k*width+off+j])); d > 1e-6 {
				t.Fatalf("bin %d trace %d: fed back %v, teacher %v", k, j, st.trace[j], want[k*width+off+j])
			}
		}
		z := -1.0 // the spike logit: positive in spike bins
		if l > 0 {
			z = 1
		}
		st.feedBack([]float64{0, z}, 2, decay)
	}
	// One onset at bin 1: at bin 4 the trace of τ = 4 ms is exp(-2·0.5/4).
	if got, w := float64(want[4*width+off+1]), math.Exp(-2*BinDt/HistoryTau(1)); math.Abs(got-w) > 1e-6 {
		t.Errorf("trace 1 at bin 4: %v, want %v", got, w)
	}
	if (Arch{ConvChannels: 1, ConvKernel: 1, Hidden: 1, Layers: 1, HeadHidden: 1, SpikeHistory: 9}).Validate() == nil {
		t.Error("spike_history 9 accepted")
	}
}

// TestSetTrainable checks that a frozen model still passes gradients to its
// inputs but leaves every parameter's gradient untouched, and that turning
// it back on restores them.
func TestSetTrainable(t *testing.T) {
	m, err := New[float64](neuron.L5Pyramidal, DefaultArch(neuron.L5Pyramidal), 4)
	if err != nil {
		t.Fatal(err)
	}
	B, C := 2, len(m.Inputs())
	run := func() (*autograd.Tensor[float64], float64) {
		for _, p := range m.Params() {
			p.Tensor.ZeroGrad()
		}
		tp := autograd.NewTape[float64]()
		x := autograd.NewParam[float64](B, C)
		for i := range x.Data {
			x.Data[i] = 0.002
		}
		st := m.NewState(tp, B)
		var y *autograd.Tensor[float64]
		for k := 0; k < 3; k++ {
			y, _ = m.Step(tp, x, st)
		}
		if err := tp.Backward(tp.Sum(y)); err != nil {
			t.Fatal(err)
		}
		var g float64
		for _, p := range m.Params() {
			for _, v := range p.Tensor.Grad {
				g += math.Abs(v)
			}
		}
		for _, ly := range m.lstm.Layers {
			for _, v := range ly.W.Grad {
				g += math.Abs(v)
			}
		}
		return x, g
	}
	m.SetTrainable(false)
	x, g := run()
	if g != 0 {
		t.Errorf("frozen model: parameter gradients sum to %v, want 0", g)
	}
	var gx float64
	for _, v := range x.Grad {
		gx += math.Abs(v)
	}
	if gx == 0 {
		t.Error("frozen model: no gradient reached the input")
	}
	m.SetTrainable(true)
	if _, g := run(); g == 0 {
		t.Error("trainable again: no parameter gradient")
	}
}
