package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTableGatesMatchesThreePass checks the fused gate update (AVX2 where available, and
// the Go loop) bit for bit against the three passes it replaces (rates into x∞ and -dt/τ,
// oneMinusExpInPlace, the update loop) on every table's gates, on odd lengths, at voltages
// on and between grid points, beyond both ends, ±Inf and NaN.
func TestTableGatesMatchesThreePass(t *testing.T) {
	tb := tablesFor(37)
	rng := rand.New(rand.NewPCG(11, 12))
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	for name, tab := range map[string]*vtable{"hh2": tb.hh2, "km": tb.km, "ca": tb.ca, "cat": tb.cat, "ar": tb.ar} {
		for col := 0; col < tab.cols; col += 2 {
			for _, n := range []int{1, 3, 4, 5, 8, 13, 64, 203} {
				v := make([]float64, n)
				g0 := make([]float64, n)
				for i := range v {
					dx := 1 / tab.mfac
					switch rng.IntN(12) {
					case 0:
						v[i] = tab.vmin + float64(rng.IntN(tab.n+1))*dx // on the grid
					case 1:
						v[i] = tab.vmin - rng.Float64()*50
					case 2:
						v[i] = tab.vmin + float64(tab.n)*dx + rng.Float64()*50
					case 3:
						v[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), tab.vmin, 1e300, -1e300}[rng.IntN(6)]
					default:
						v[i] = tab.vmin + rng.Float64()*float64(tab.n)*dx
					}
					g0[i] = rng.Float64()
				}
				dt := []float64{0.025, 0.05, 3}[rng.IntN(3)]
				// the three passes of the former updateStates
				want := append([]float64(nil), g0...)
				inf, x := make([]float64, n), make([]float64, n)
				for k := range v {
					o, th := tab.index(v[k])
					inf[k], x[k] = tab.at(o, th, col), -dt/tab.at(o, th, col+1)
				}
				oneMinusExpInPlace(x)
				for k := range want {
					want[k] += x[k] * (inf[k] - want[k])
				}
				a := newGateArgs(tab, col, dt)
				got := append([]float64(nil), g0...)
				tableGates(v, got, make([]float64, n), make([]float64, n), tab, col, &a)
				goLoop := append([]float64(nil), g0...)
				tableGatesGo(v, goLoop, tab, col, a.mdt)
				for k := range v {
					if !same(got[k], want[k]) || !same(goLoop[k], want[k]) {
						t.Fatalf("%s col %d n %d k %d v %v: fused %v, Go loop %v, three passes %v", name, col, n, k, v[k], got[k], goLoop[k], want[k])
					}
				}
			}
		}
	}
}

// TestEcaAVX2MatchesGo checks the batched Nernst potential (AVX2 where available) bit
// for bit against the Go loop (ktfHalf·fastLog(cao/cai)) on lengths with and without
// padding, at concentrations spanning the table's 128 subintervals and the exponent
// range, and that out-of-range concentrations take the Go loop.
func TestEcaAVX2MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 3, 4, 5, 8, 55, 203} {
		d, _ := Template(L5Pyramidal)
		c, err := New(d, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		// a cell-like state of n calcium segments, every segment
		c.caSegs = c.caSegs[:0]
		c.cai, c.eca, c.ecaR = ownLines(n, pad4(n)), ownLines(n, pad4(n)), ownLines(pad4(n), pad4(n))
		for s := n; s < pad4(n); s++ {
			c.cai[:pad4(n)][s] = caiDefault // as buildTree pads
		}
		for s := range n {
			c.caSegs = append(c.caSegs, int32(s))
		}
		c.segNode = make([]int32, n)
		c.caAll = true
		for trial := range 20 {
			for s := range c.cai {
				c.cai[s] = math.Exp(rng.Float64()*60 - 40) // 4e-18 .. 1e9 mM
				if trial == 0 && s == 0 {
					c.cai[s] = 5e-5
				}
			}
			switch trial { // out of range: the Go loop for all
			case 19:
				c.cai[n-1] = 0
			case 18:
				c.cai[0] = math.NaN()
			case 17:
				c.cai[n/2] = 0x1p-1021
			case 16:
				c.cai[n/2] = math.Inf(1)
			}
			if useAVX2 {
				ok := ecaAVX2(c.cai[:pad4(n)], make([]float64, pad4(n)), make([]float64, pad4(n)), c.ktfHalf, &logConsts, &logTable)
				if want := ecaInRange(c.cai[:pad4(n)]); ok != want || ok != (trial < 16) {
					t.Fatalf("n %d trial %d: ecaAVX2 reports in range %v, ecaInRange %v", n, trial, ok, want)
				}
			}
			c.updateEca()
			got := append([]float64(nil), c.eca...)
			c.updateEcaGo()
			for s := range got {
				if math.Float64bits(got[s]) != math.Float64bits(c.eca[s]) {
					t.Fatalf("n %d cai %v: eca %v, Go loop %v", n, c.cai[s], got[s], c.eca[s])
				}
			}
		}
	}
}
