package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lstmRef is LSTMCell in float64 scalar arithmetic.
func lstmRef(pre, cPrev []float64, batch, hidden int) (act, c, h, tc []float64) {
	act = append([]float64(nil), pre...)
	c, h, tc = make([]float64, batch*hidden), make([]float64, batch*hidden), make([]float64, batch*hidden)
	for s := 0; s < batch; s++ {
		g := act[s*4*hidden:]
		for j := 0; j < hidden; j++ {
			i, f, gg, o := sigmoidGo(g[j]), sigmoidGo(g[hidden+j]), math.Tanh(g[2*hidden+j]), sigmoidGo(g[3*hidden+j])
			g[j], g[hidden+j], g[2*hidden+j], g[3*hidden+j] = i, f, gg, o
			cp := 0.0
			if cPrev != nil {
				cp = cPrev[s*hidden+j]
			}
			c[s*hidden+j] = f*cp + i*gg
			tc[s*hidden+j] = math.Tanh(c[s*hidden+j])
			h[s*hidden+j] = o * tc[s*hidden+j]
		}
	}
	return
}

func testLSTMForward[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tol := 1e-14
	if is32[T]() {
		tol = 2e-6
	}
	for _, dims := range [][2]int{{1, 1}, {3, 5}, {2, 16}, {32, 64}, {7, 33}} {
		batch, hidden := dims[0], dims[1]
		for _, zeroState := range []bool{false, true} {
			pre := make([]float64, batch*4*hidden)
			for i := range pre {
				pre[i] = rng.NormFloat64() * 3
			}
			var cPrev []float64
			if !zeroState {
				cPrev = make([]float64, batch*hidden)
				for i := range cPrev {
					cPrev[i] = rng.NormFloat64()
				}
			}
			conv := func(x []float64) []T {
				if x == nil {
					return nil
				}
				y := make([]T, len(x))
				for i, v := range x {
					y[i] = T(v)
				}
				return y
			}
			// Recompute the reference from the rounded inputs.
			pr, cr := conv(pre), conv(cPrev)
			for i := range pre {
				pre[i] = float64(pr[i])
			}
			for i := range cPrev {
				cPrev[i] = float64(cr[i])
			}
			act, c, h, tc := lstmRef(pre, cPrev, batch, hidden)
			gates := pr
			cg, hg, tg := make([]T, batch*hidden), make([]T, batch*hidden), make([]T, batch*hidden)
			LSTMCell(gates, cr, cg, hg, tg, batch, hidden)
			for _, chk := range []struct {
				name string
				got  []T
				want []float64
			}{{"gates", gates, act}, {"c", cg, c}, {"h", hg, h}, {"tanhC", tg, tc}} {
				for i := range chk.want {
					if !closeTo(float64(chk.got[i]), chk.want[i], tol) {
						t.Fatalf("%dx%d %s[%d] = %v, want %v", batch, hidden, chk.name, i, chk.got[i], chk.want[i])
					}
				}
			}
		}
	}
}

func TestLSTMCell(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", testLSTMForward[float32])
		t.Run("float64", testLSTMForward[float64])
	})
}

// TestLSTMCellBackwardGradCheck compares LSTMCellBackward with central finite
// differences of L = sum(wh*h) + sum(wc*c) with respect to the gate
// pre-activations and cPrev, in float64.
func TestLSTMCellBackwardGradCheck(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		const batch, hidden = 3, 5
		n := batch * hidden
		pre, cPrev, wh, wc := make([]float64, 4*n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range pre {
			pre[i] = rng.NormFloat64()
		}
		for i := range cPrev {
			cPrev[i], wh[i], wc[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		}
		loss := func(pre, cPrev []float64) float64 {
			g := append([]float64(nil), pre...)
			c, h, tc := make([]float64, n), make([]float64, n), make([]float64, n)
			LSTMCell(g, cPrev, c, h, tc, batch, hidden)
			return Dot(wh, h) + Dot(wc, c)
		}
		gates := append([]float64(nil), pre...)
		c, h, tc := make([]float64, n), make([]float64, n), make([]float64, n)
		LSTMCell(gates, cPrev, c, h, tc, batch, hidden)
		dGates, dcPrev := make([]float64, 4*n), make([]float64, n)
		LSTMCellBackward(gates, cPrev, tc, wh, wc, dGates, dcPrev, batch, hidden)

		const eps = 1e-6
		num := func(x []float64, i int) float64 {
			old := x[i]
			x[i] = old + eps
			lp := loss(pre, cPrev)
			x[i] = old - eps
			lm := loss(pre, cPrev)
			x[i] = old
			return (lp - lm) / (2 * eps)
		}
		for i := range pre {
			if want := num(pre, i); !closeTo(dGates[i], want, 1e-7) {
				t.Errorf("dGates[%d] = %v, finite difference %v", i, dGates[i], want)
			}
		}
		for i := range cPrev {
			if want := num(cPrev, i); !closeTo(dcPrev[i], want, 1e-7) {
				t.Errorf("dcPrev[%d] = %v, finite difference %v", i, dcPrev[i], want)
			}
		}
		// Without a future gradient and with a zero initial state.
		LSTMCell(append([]float64(nil), pre...), nil, c, h, tc, batch, hidden)
		copy(gates, pre)
		LSTMCell(gates, nil, c, h, tc, batch, hidden)
		LSTMCellBackward(gates, nil, tc, wh, nil, dGates, nil, batch, hidden)
		lossH := func() float64 {
			g := append([]float64(nil), pre...)
			LSTMCell(g, nil, c, h, tc, batch, hidden)
			return Dot(wh, h)
		}
		for i := range pre {
			old := pre[i]
			pre[i] = old + eps
			lp := lossH()
			pre[i] = old - eps
			lm := lossH()
			pre[i] = old
			if want := (lp - lm) / (2 * eps); !closeTo(dGates[i], want, 1e-7) {
				t.Errorf("zero state: dGates[%d] = %v, finite difference %v", i, dGates[i], want)
			}
		}
	})
}

// testLSTMBackwardVsGo compares each implementation's LSTMCellBackward with
// the pure-Go one on ragged hidden sizes.
func testLSTMBackwardVsGo[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tol := 1e-13
	if is32[T]() {
		tol = 2e-6
	}
	impl := Implementation()
	for _, hidden := range []int{1, 4, 7, 16, 37, 64} {
		const batch = 3
		n := batch * hidden
		pre, cPrev, dh, dc := randVec[T](rng, 4*n), randVec[T](rng, n), randVec[T](rng, n), randVec[T](rng, n)
		c, h, tc := make([]T, n), make([]T, n), make([]T, n)
		LSTMCell(pre, cPrev, c, h, tc, batch, hidden)
		for _, nils := range []bool{false, true} {
			cp, dcIn := cPrev, dc
			if nils {
				cp, dcIn = nil, nil
			}
			run := func(name string) ([]T, []T) {
				if err := SetImplementation(name); err != nil {
					t.Fatal(err)
				}
				dg, dcp := make([]T, 4*n), make([]T, n)
				LSTMCellBackward(pre, cp, tc, dh, dcIn, dg, dcp, batch, hidden)
				return dg, dcp
			}
			wantG, wantC := run("purego")
			gotG, gotC := run(impl)
			for i := range wantG {
				if !closeTo(float64(gotG[i]), float64(wantG[i]), tol) {
					t.Fatalf("hidden %d nils %v: dGates[%d] = %v, purego %v", hidden, nils, i, gotG[i], wantG[i])
				}
			}
			for i := range wantC {
				if !closeTo(float64(gotC[i]), float64(wantC[i]), tol) {
					t.Fatalf("hidden %d nils %v: dcPrev[%d] = %v, purego %v", hidden, nils, i, gotC[i], wantC[i])
				}
			}
		}
	}
}

func TestLSTMCellBackwardImplementations(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", testLSTMBackwardVsGo[float32])
		t.Run("float64", testLSTMBackwardVsGo[float64])
	})
}

// TestLSTMCellBackwardAliasing checks the documented aliasing: dGates over
// gates, dcPrev over dc, and dcPrev over cPrev.
func TestLSTMCellBackwardAliasing(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		const batch, hidden = 2, 37
		n := batch * hidden
		gates, cPrev, dh, dc := randVec[float32](rng, 4*n), randVec[float32](rng, n), randVec[float32](rng, n), randVec[float32](rng, n)
		c, h, tc := make([]float32, n), make([]float32, n), make([]float32, n)
		LSTMCell(gates, cPrev, c, h, tc, batch, hidden)
		wantG, wantC := make([]float32, 4*n), make([]float32, n)
		LSTMCellBackward(gates, cPrev, tc, dh, dc, wantG, wantC, batch, hidden)

		g2, dc2 := append([]float32(nil), gates...), append([]float32(nil), dc...)
		LSTMCellBackward(g2, cPrev, tc, dh, dc2, g2, dc2, batch, hidden)
		cp3 := append([]float32(nil), cPrev...)
		g3 := make([]float32, 4*n)
		LSTMCellBackward(gates, cp3, tc, dh, dc, g3, cp3, batch, hidden)
		for i := range wantG {
			if g2[i] != wantG[i] || g3[i] != wantG[i] {
				t.Fatalf("dGates[%d]: aliased %v, %v; separate %v", i, g2[i], g3[i], wantG[i])
			}
		}
		for i := range wantC {
			if dc2[i] != wantC[i] || cp3[i] != wantC[i] {
				t.Fatalf("dcPrev[%d]: aliased %v, %v; separate %v", i, dc2[i], cp3[i], wantC[i])
			}
		}
	})
}

// TestLSTMCellAliasing checks that c may overwrite cPrev.
func TestLSTMCellAliasing(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		const batch, hidden = 3, 21
		n := batch * hidden
		pre, cPrev := randVec[float64](rng, 4*n), randVec[float64](rng, n)
		g1, c1, h1, t1 := append([]float64(nil), pre...), make([]float64, n), make([]float64, n), make([]float64, n)
		LSTMCell(g1, cPrev, c1, h1, t1, batch, hidden)
		g2, c2, h2, t2 := append([]float64(nil), pre...), append([]float64(nil), cPrev...), make([]float64, n), make([]float64, n)
		LSTMCell(g2, c2, c2, h2, t2, batch, hidden)
		for i := range c1 {
			if c1[i] != c2[i] || h1[i] != h2[i] || t1[i] != t2[i] {
				t.Fatalf("unit %d: aliased c=%v h=%v, separate c=%v h=%v", i, c2[i], h2[i], c1[i], h1[i])
			}
		}
	})
}

// testLSTMTailsBitIdentical checks that LSTMCell, which runs the units past
// the fused kernel's whole vectors of all rows together (lstmTails), gives
// the row-by-row path's values bit for bit, across chunk boundaries and
// aliased c = cPrev; and that LSTMCellBias (fused and row by row) equals
// adding the bias to the gates first.
func testLSTMTailsBitIdentical[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dims := range [][2]int{{1, 40}, {200, 40}, {33, 17}, {70, 9}, {5, 3}, {300, 31}, {4, 32}} {
		batch, hidden := dims[0], dims[1]
		bias := make([]T, 4*hidden)
		for i := range bias {
			bias[i] = T(rng.NormFloat64())
		}
		for _, alias := range []bool{false, true} {
			pre := make([]T, batch*4*hidden)
			for i := range pre {
				pre[i] = T(rng.NormFloat64() * 3)
			}
			cPrev := make([]T, batch*hidden)
			for i := range cPrev {
				cPrev[i] = T(rng.NormFloat64())
			}
			run := func(b []T, batched, addFirst bool) (g, c, h, tc []T) {
				g = append([]T(nil), pre...)
				if addFirst {
					for i := range g {
						g[i] += b[i%(4*hidden)]
					}
					b = nil
				}
				cp := append([]T(nil), cPrev...)
				c, h, tc = make([]T, batch*hidden), make([]T, batch*hidden), make([]T, batch*hidden)
				if alias {
					c = cp
				}
				if is32[T]() {
					lstmForwardTails(&active.f32, as32(g), as32(b), as32(cp), as32(c), as32(h), as32(tc), batch, hidden, batched)
				} else {
					lstmForwardTails(&active.f64, as64(g), as64(b), as64(cp), as64(c), as64(h), as64(tc), batch, hidden, batched)
				}
				return
			}
			for _, v := range []struct {
				name            string
				b               []T
				batched, refAdd bool
			}{{"tails", nil, true, false}, {"bias", bias, true, true}, {"bias row by row", bias, false, true}} {
				g0, c0, h0, t0 := run(bias, false, v.refAdd)
				if !v.refAdd {
					g0, c0, h0, t0 = run(nil, false, false)
				}
				g1, c1, h1, t1 := run(v.b, v.batched, false)
				for _, chk := range []struct {
					name      string
					got, want []T
				}{{"gates", g1, g0}, {"c", c1, c0}, {"h", h1, h0}, {"tanhC", t1, t0}} {
					for i := range chk.want {
						if math.Float64bits(float64(chk.got[i])) != math.Float64bits(float64(chk.want[i])) {
							t.Fatalf("%s %dx%d alias %v %s[%d] = %v, reference %v", v.name, batch, hidden, alias, chk.name, i, chk.got[i], chk.want[i])
						}
					}
				}
			}
		}
	}
}

func TestLSTMCellTailsBitIdentical(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("f32", testLSTMTailsBitIdentical[float32])
		t.Run("f64", testLSTMTailsBitIdentical[float64])
	})
}
