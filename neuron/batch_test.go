package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// gateViews returns every mechanism's gate views of c (no padding), in layout order.
func gateViews(c *Cell) [][]float64 {
	var g [][]float64
	if m := c.hh2; m != nil {
		g = append(g, m.m, m.h, m.n)
	}
	if m := c.km; m != nil {
		g = append(g, m.n)
	}
	if m := c.ca; m != nil {
		g = append(g, m.m, m.h)
	}
	if m := c.kca; m != nil {
		g = append(g, m.n)
	}
	if m := c.cat; m != nil {
		g = append(g, m.m, m.h)
	}
	if m := c.ar; m != nil {
		g = append(g, m.m)
	}
	return g
}

// TestBatchedGatesMatchPerMechanism runs every built-in cell type twice, with the batched
// gate update and with the per-mechanism passes, under Poisson input and a soma clamp
// strong enough to spike, and requires every node voltage, gate, cai and cad state to
// agree bit for bit at every step.
func TestBatchedGatesMatchPerMechanism(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2: the batched update is not used")
	}
	for _, ct := range CellTypes {
		d, _ := Template(ct)
		spec := RunSpec{Desc: d, TStop: 150, Inputs: ampaPoissonInputs(d, 7, 40, 0.004, 150)}
		cells := clampedTwins(t, spec, 0.6, 20, 100)
		if cells[0].batch == nil {
			t.Fatalf("%s: no batched gate update", ct)
		}
		cells[1].batch = nil
		n := len(cells[0].segNode)
		diff := func(a, b []float64) int {
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					return i
				}
			}
			return -1
		}
		spikes := 0
		for k := 0; k < Steps(spec.TStop, cells[0].Dt()); k++ {
			if s, _ := cells[0].Step(); s {
				spikes++
			}
			cells[1].Step()
			a, b := cells[0], cells[1]
			if i := diff(a.v, b.v); i >= 0 {
				t.Fatalf("%s step %d: v[%d] batched %v, per mechanism %v", ct, k, i, a.v[i], b.v[i])
			}
			ga, gb := gateViews(a), gateViews(b)
			for j := range ga {
				if i := diff(ga[j], gb[j]); i >= 0 {
					t.Fatalf("%s step %d: gate view %d [%d] batched %v, per mechanism %v", ct, k, j, i, ga[j][i], gb[j][i])
				}
			}
			if i := diff(a.cai[:n], b.cai[:n]); i >= 0 {
				t.Fatalf("%s step %d: cai[%d] differs", ct, k, i)
			}
			if a.cad != nil {
				if i := diff(a.cad.ca, b.cad.ca); i >= 0 {
					t.Fatalf("%s step %d: cad ca[%d] differs", ct, k, i)
				}
			}
		}
		if spikes == 0 {
			t.Fatalf("%s: no spike: the comparison covers no spiking", ct)
		}
	}
}

// TestTableRatesBatchMatchesRates checks tableRatesBatchAVX2 on the three shared-grid
// tables bit for bit against one tableRatesAVX2 pass per gate on the original tables, at
// voltages on and between grid points, beyond both ends, ±Inf and NaN.
func TestTableRatesBatchMatchesRates(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	if s := unsafe.Sizeof(gateArgs{}); s != 48 {
		t.Fatalf("gateArgs is %d bytes; tableRatesBatchAVX2 steps by 48", s)
	}
	tb := tablesFor(37)
	type src struct {
		t   *vtable
		col int
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for name, k := range map[string]struct {
		merged *vtable
		gates  [3]src
	}{
		"hh2":   {tb.hh2, [3]src{{tb.hh2, 0}, {tb.hh2, 2}, {tb.hh2, 4}}},
		"kmca":  {tb.kmca, [3]src{{tb.km, 0}, {tb.ca, 0}, {tb.ca, 2}}},
		"catar": {tb.catar, [3]src{{tb.cat, 0}, {tb.cat, 2}, {tb.ar, 0}}},
	} {
		if k.merged == nil {
			t.Fatalf("%s: no merged table", name)
		}
		tab := k.merged
		for _, n := range []int{4, 8, 56, 204} {
			v := make([]float64, n)
			for i := range v {
				dx := 1 / tab.mfac
				switch rng.IntN(12) {
				case 0:
					v[i] = tab.vmin + float64(rng.IntN(tab.n+1))*dx
				case 1:
					v[i] = tab.vmin - rng.Float64()*50
				case 2:
					v[i] = tab.vmin + float64(tab.n)*dx + rng.Float64()*50
				case 3:
					v[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), tab.vmin, 1e300, -1e300}[rng.IntN(6)]
				default:
					v[i] = tab.vmin + rng.Float64()*float64(tab.n)*dx
				}
			}
			dt := []float64{0.025, 0.05, 3}[rng.IntN(3)]
			var as [3]gateArgs
			for j := range as {
				as[j] = newGateArgs(tab, 2*j, dt)
			}
			inf, x := make([]float64, 3*n), make([]float64, 3*n)
			tableRatesBatchAVX2(v, make([]float64, n), make([]int64, n), inf, x, &as, 3)
			// one gate at a time gives the same
			for j := range 3 {
				a1 := [3]gateArgs{as[j]}
				i1, x1 := make([]float64, n), make([]float64, n)
				tableRatesBatchAVX2(v, make([]float64, n), make([]int64, n), i1, x1, &a1, 1)
				for i := range v {
					if !sameBits(i1[i], inf[j*n+i]) || !sameBits(x1[i], x[j*n+i]) {
						t.Fatalf("%s gate %d alone differs at v %v", name, j, v[i])
					}
				}
			}
			for j, g := range k.gates {
				aj := newGateArgs(g.t, g.col, dt)
				wi, wx := make([]float64, n), make([]float64, n)
				tableRatesAVX2(v, wi, wx, &aj)
				for i := range v {
					if !sameBits(inf[j*n+i], wi[i]) || !sameBits(x[j*n+i], wx[i]) {
						t.Fatalf("%s gate %d v %v: (%v, %v), single pass (%v, %v)", name, j, v[i], inf[j*n+i], x[j*n+i], wi[i], wx[i])
					}
				}
			}
		}
	}
}

// sameBits reports whether a and b have the same bits or are both NaN.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// TestCadKcaMatchesGo checks cadKcaAVX2 bit for bit against cadMech.state and kca's rate
// loop on ica of both signs, ±0, tiny, huge and NaN.
func TestCadKcaMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for _, ct := range []CellType{L5Pyramidal} {
		c, err := NewType(ct, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		b, n := c.batch, len(c.segNode)
		for trial := 0; trial < 50; trial++ {
			for s := 0; s < n; s++ {
				c.ica[s] = []float64{rng.NormFloat64() * 1e-3, -rng.Float64() * 1e-2, 0, math.Copysign(0, -1),
					1e-300, -1e300, math.NaN(), rng.Float64() * 1e-4}[rng.IntN(8)]
				c.cad.ca[s] = rng.Float64() * 1e-3
			}
			ca0 := append([]float64(nil), c.cad.ca...)
			cadKcaAVX2(b.stride, &b.ck)
			gotCa, gotInf, gotX := append([]float64(nil), c.cad.ca...), append([]float64(nil), c.kca.nInf...), append([]float64(nil), c.kca.nX...)
			copy(c.cad.ca, ca0)
			c.cad.state(c)
			mdt := -c.dt
			for s := 0; s < n; s++ {
				a := kcaRa * c.cai[s]
				tau := 1 / c.kca.tadj / (a + kcaRb)
				inf, x := a/(a+kcaRb), mdt/tau
				if !sameBits(gotCa[s], c.cad.ca[s]) || !sameBits(gotInf[s], inf) || !sameBits(gotX[s], x) {
					t.Fatalf("ica %v: (%v, %v, %v), Go (%v, %v, %v)", c.ica[s], gotCa[s], gotInf[s], gotX[s], c.cad.ca[s], inf, x)
				}
			}
		}
	}
}

// TestCnexpPassesMatch checks expReduceAVX2, expPolyAVX2 and cnexpFinishAVX2 bit for bit
// against cnexpUpdateAVX2 on exponents across and beyond the clamp range, ±0, ±Inf and NaN.
func TestCnexpPassesMatch(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{4, 8, 64, 560} {
		x, inf, g := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			switch rng.IntN(8) {
			case 0:
				x[i] = []float64{0, math.Copysign(0, -1), -40, 700, -41, 701, math.NaN(), math.Inf(-1), math.Inf(1), -1e300}[rng.IntN(10)]
			case 1:
				x[i] = -rng.Float64() * 60
			default:
				x[i] = -rng.ExpFloat64() * 0.1
			}
			inf[i], g[i] = rng.Float64(), rng.Float64()
		}
		want := append([]float64(nil), g...)
		cnexpUpdateAVX2(want, inf, append([]float64(nil), x...), &expConsts, &expTable)
		kd := make([]float64, n)
		expReduceAVX2(x, kd, &expConsts)
		expPolyAVX2(x, &expConsts)
		cnexpFinishAVX2(g, inf, kd, x, &expConsts, &expTable)
		for i := range g {
			if !sameBits(g[i], want[i]) {
				t.Fatalf("n %d [%d]: two passes %v, cnexpUpdateAVX2 %v", n, i, g[i], want[i])
			}
		}
	}
}

// clampedTwins prepares two identical cells of spec, each with a somatic
// current clamp of amp nA from delay for dur ms, for comparisons of two code
// paths step by step.
func clampedTwins(t *testing.T, spec RunSpec, amp, delay, dur float64) [2]*Cell {
	t.Helper()
	var cells [2]*Cell
	for i := range cells {
		c, err := spec.Prepare()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddIClamp(SecSoma, 0.5, amp, delay, dur); err != nil {
			t.Fatal(err)
		}
		cells[i] = c
	}
	return cells
}
