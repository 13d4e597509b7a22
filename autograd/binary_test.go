package autograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// binaryRef computes a op b with broadcasting and, given the output gradient
// g, both operands' gradients by walking the output element by element in
// row-major order (each element's terms added to a's gradient, then b's).
func binaryRef(kind binaryKind, a, b *Tensor[float32], g []float32) (out, ga, gb []float32) {
	bc := newBcast("ref", a, b)
	out = make([]float32, bc.rows*bc.rowLen)
	ga, gb = make([]float32, len(a.Data)), make([]float32, len(b.Data))
	bc.forRows(func(oo, oa, ob int) {
		for j := range bc.rowLen {
			k, ia, ib := oo+j, oa+j*bc.stepA, ob+j*bc.stepB
			x, y, gv := a.Data[ia], b.Data[ib], g[k]
			switch kind {
			case binAdd:
				out[k] = x + y
				ga[ia] += gv
				gb[ib] += gv
			case binSub:
				out[k] = x - y
				ga[ia] += gv
				gb[ib] -= gv
			case binMul:
				out[k] = x * y
				ga[ia] += gv * y
				gb[ib] += gv * x
			case binDiv:
				out[k] = x / y
				ga[ia] += gv / y
				gb[ib] -= gv * x / (y * y)
			}
		}
	})
	return
}

// TestBinaryBroadcastBitIdentical checks the broadcasting binary ops (the
// chunked row-vector path and the per-row walk) and their backward against
// the element-by-element reference, bit for bit.
func TestBinaryBroadcastBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][2][]int{
		{{200, 30}, {30}}, {{30}, {200, 30}}, {{7, 1000}, {1000}}, {{3, 5, 17}, {17}}, {{1, 17}, {40, 17}},
		{{200, 1}, {200, 9}}, {{200, 9}, {200, 1}}, {{2, 1, 6}, {3, 6}}, {{64, 1}, {1}}, {{1}, {5, 3}},
	}
	for _, sh := range shapes {
		for i := range 4 * 3 {
			kind, grads := binaryKind(i/3), i%3 // grads: both operands, a only, b only
			mk := func(shape []int, grad bool) *Tensor[float32] {
				x := Zeros[float32](shape...)
				for i := range x.Data {
					x.Data[i] = float32(rng.NormFloat64()) + 3
				}
				x.SetRequiresGrad(grad)
				return x
			}
			a, b := mk(sh[0], grads != 2), mk(sh[1], grads != 1)
			tp := NewTape[float32]()
			out := tp.binary(kind, a, b)
			g := make([]float32, len(out.Data))
			for i := range g {
				g[i] = float32(rng.NormFloat64())
			}
			if err := tp.BackwardFrom([]*Tensor[float32]{out}, [][]float32{g}); err != nil {
				t.Fatal(err)
			}
			wo, wa, wb := binaryRef(kind, a, b, g)
			checks := []struct {
				name      string
				got, want []float32
			}{{"out", out.Data, wo}, {"grad a", a.Grad, wa}, {"grad b", b.Grad, wb}}
			switch grads {
			case 1:
				checks = checks[:2]
			case 2:
				checks = append(checks[:1], checks[2])
			}
			for _, c := range checks {
				for i := range c.want {
					if math.Float32bits(c.got[i]) != math.Float32bits(c.want[i]) {
						t.Fatalf("%s %v %v (grads %d): %s[%d] = %v, want %v", binaryNames[kind], sh[0], sh[1], grads, c.name, i, c.got[i], c.want[i])
					}
				}
			}
		}
	}
}
