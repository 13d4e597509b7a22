package surrogate

import (
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/neuron"
)

// benchStep measures one Step of a batch forward and backward (the network's
// per-bin cost), averaged over a 100-step BPTT sequence on a reused tape.
func benchStep(b *testing.B, ct neuron.CellType, batch int) {
	m, err := New[float32](ct, DefaultArch(ct), 1)
	if err != nil {
		b.Fatal(err)
	}
	tp := autograd.NewTape[float32]()
	const T = 100
	xs := make([]*autograd.Tensor[float32], T)
	for k := range xs {
		xs[k] = autograd.NewParam[float32](batch, len(m.Inputs()))
		for i := range xs[k].Data {
			if (i+k)%17 == 0 {
				xs[k].Data[i] = 1e-3
			}
		}
	}
	st := m.NewState(tp, batch)
	b.ResetTimer()
	cpu0 := cputime.Process()
	for it := 0; it < b.N; it++ {
		tp.Reset()
		st.Zero()
		var sum *autograd.Tensor[float32]
		for k := 0; k < T; k++ {
			y, _ := m.Step(tp, xs[k], st)
			s := tp.Sum(y)
			if sum == nil {
				sum = s
			} else {
				sum = tp.Add(sum, s)
			}
		}
		if err := tp.Backward(sum); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*T), "wall-µs/step")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*T), "cpu-µs/step")
	}
}

func BenchmarkStepL5Batch50(b *testing.B)     { benchStep(b, neuron.L5Pyramidal, 50) }
func BenchmarkStepL2Batch50(b *testing.B)     { benchStep(b, neuron.L2Pyramidal, 50) }
func BenchmarkStepBasketBatch16(b *testing.B) { benchStep(b, neuron.L5Basket, 16) }
