package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/kernel"
)

// BenchmarkConv1dForward compares, for one layer of the reference model (batch
// 32 x 1,000 steps, 64 -> 64 channels, kernel 5), the per-tap GEMMs that
// Conv1d.Forward uses with an im2col copy followed by one GEMM of depth K·In.
func BenchmarkConv1dForward(b *testing.B) {
	const batch, steps, in, out, kk = 32, 1000, 64, 64, 5
	rng := rand.New(rand.NewPCG(1, 1))
	cv, _ := NewConv1d[float32](Conv1dConfig{In: in, Out: out, Kernel: kk, Seed: 1})
	x := randF32(rng, batch, steps, in)
	tp := autograd.NewTape[float32]()
	b.Run("per-tap", func(b *testing.B) {
		for b.Loop() {
			tp.Reset()
			cv.Forward(tp, x)
		}
	})
	b.Run("im2col", func(b *testing.B) {
		ck := kk * in
		col := make([]float32, batch*steps*ck)
		y := make([]float32, batch*steps*out)
		for b.Loop() {
			for bb := 0; bb < batch; bb++ {
				for t := 0; t < steps; t++ {
					row := col[(bb*steps+t)*ck : (bb*steps+t+1)*ck]
					for k := 0; k < kk; k++ {
						src := t - (kk - 1 - k)
						dst := row[k*in : (k+1)*in]
						if src < 0 {
							clear(dst)
						} else {
							copy(dst, x.Data[(bb*steps+src)*in:(bb*steps+src+1)*in])
						}
					}
				}
			}
			kernel.Gemm(false, true, batch*steps, out, ck, 1, col, ck, cv.Weight.Data, ck, 0, y, out)
		}
	})
}
