package surrogate

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// exactRef is a biophysical basket run on binned input: the events of bin k
// delivered at k·0.5 + sub·0.025 ms.
type exactRef struct {
	vEnd, vMax []float64 // per bin
	spikes     []float64 // NEURON's spike times (ms)
}

func runExactRef(t testing.TB, ct neuron.CellType, x []float64, C, bins, sub int) exactRef {
	t.Helper()
	cell, err := neuron.NewType(ct, neuron.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := neuron.Template(ct)
	ids := make([]neuron.SynapseID, C)
	for c, ch := range desc.Channels() {
		if ids[c], err = cell.Synapse(ch.Section, ch.Receptor); err != nil {
			t.Fatal(err)
		}
	}
	for k := range bins {
		for c := range C {
			if w := x[k*C+c]; w > 0 {
				if err := cell.Deliver(ids[c], float64(k)*BinDt+float64(sub)*exactDt, w); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var r exactRef
	for range bins {
		peak := math.Inf(-1)
		for range ExactSubsteps {
			cell.Step()
			peak = math.Max(peak, cell.VSoma())
		}
		r.vEnd = append(r.vEnd, cell.VSoma())
		r.vMax = append(r.vMax, peak)
	}
	cell.CheckThreshold() // a spike at the last grid time
	r.spikes = append(r.spikes, cell.Spikes()...)
	return r
}

// binnedPoisson returns the training-style independent-Poisson input of one
// sample, binned with BinOf ([bins, C], µS), and its events.
func binnedPoisson(t testing.TB, ct neuron.CellType, bins int, rng *rand.Rand) ([]float64, []Event) {
	t.Helper()
	evs, err := PoissonEvents(ct, DefaultPoissonConfig(ct), bins, rng)
	if err != nil {
		t.Fatal(err)
	}
	return binEvents(evs, 3, bins), evs
}

func binEvents(evs []Event, C, bins int) []float64 {
	x := make([]float64, bins*C)
	for _, e := range evs {
		if k := BinOf(e.T); k < bins {
			x[k*C+e.Channel] += e.W
		}
	}
	return x
}

// sparseEvents is one hnn-core-style Poisson drive on the basket's somatic
// AMPA synapse (channel 0): w 0.5–1.5 nS, 200–1500 Hz (cmd/train -bound's
// "sparse" regime).
func sparseEvents(bins int, rng *rand.Rand) []Event {
	tstop := float64(bins) * BinDt
	w := 5e-4 + 1e-3*rng.Float64()
	rate := math.Exp(math.Log(200) + rng.Float64()*math.Log(1500.0/200))
	var evs []Event
	for t := rng.ExpFloat64() / rate * 1000; t < tstop; t += rng.ExpFloat64() / rate * 1000 {
		evs = append(evs, Event{Channel: 0, T: t, W: w})
	}
	return evs
}

// runExact steps the exact basket over binned input and returns v at the bin
// ends, the bin maxima and the spike bins (upward crossings of the maxima).
func runExact[T autograd.Float](m *ExactBasket[T], x []float64, C, bins int) (vEnd, vMax []float64, spikeBins []int) {
	tp := autograd.NewTape[T]()
	tp.SetNoGrad(true)
	st := m.NewState(tp, 1)
	xt := autograd.Zeros[T](1, C)
	prev := math.Inf(-1)
	for k := range bins {
		for c := range C {
			xt.Data[c] = T(x[k*C+c])
		}
		y, _ := m.Step(tp, xt, st)
		v, mx := float64(y.Data[0]), float64(y.Data[1])
		vEnd, vMax = append(vEnd, v), append(vMax, mx)
		if k > 0 && prev <= m.SpikeThreshold() && mx > m.SpikeThreshold() {
			spikeBins = append(spikeBins, k)
		}
		prev = mx
		tp.Reset()
	}
	return
}

// spikeBin is the bin whose end the network stamps a NEURON spike at t with:
// the bin holding the grid time t_i = t − 1e-10 in (k·0.5, (k+1)·0.5].
func spikeBin(t float64) int {
	i := math.Round(t / exactDt)
	return int(math.Ceil(i/ExactSubsteps-1e-9)) - 1
}

func TestExactBasketMatchesNeuron(t *testing.T) {
	const bins = 2000 // 1 s
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L5Basket} {
		m, err := NewExactBasket[float64](ct)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, uint64(ct)))
		inputs := map[string][]float64{}
		for i := range 3 {
			x, _ := binnedPoisson(t, ct, bins, rng)
			inputs["poisson"+string(rune('0'+i))] = x
		}
		inputs["sparse"] = binEvents(sparseEvents(bins, rng), 3, bins)
		for name, x := range inputs {
			for _, sub := range []int{0, 10} {
				if err := m.SetInputSubstep(sub); err != nil {
					t.Fatal(err)
				}
				ref := runExactRef(t, ct, x, 3, bins, sub)
				vEnd, vMax, sb := runExact(m, x, 3, bins)
				maxDv := 0.0
				for k := range bins {
					maxDv = math.Max(maxDv, math.Abs(vEnd[k]-ref.vEnd[k]))
					maxDv = math.Max(maxDv, math.Abs(vMax[k]-ref.vMax[k]))
				}
				var rb []int
				for _, ts := range ref.spikes {
					rb = append(rb, spikeBin(ts))
				}
				t.Logf("%s %s sub %d: max |Δv| %.3g mV, spikes %d / %d", ct, name, sub, maxDv, len(sb), len(rb))
				if maxDv > 1e-9 {
					t.Errorf("%s %s sub %d: max |Δv| = %g mV", ct, name, sub, maxDv)
				}
				if len(sb) != len(rb) {
					t.Errorf("%s %s sub %d: %d spikes, biophysical %d", ct, name, sub, len(sb), len(rb))
					continue
				}
				for i := range sb {
					if sb[i] != rb[i] {
						t.Errorf("%s %s sub %d: spike %d in bin %d, biophysical %d (t %v)", ct, name, sub, i, sb[i], rb[i], ref.spikes[i])
					}
				}
			}
		}
		m.SetInputSubstep(0)
	}
}

func TestExactBasketErrors(t *testing.T) {
	if _, err := NewExactBasket[float64](neuron.L5Pyramidal); err == nil {
		t.Error("NewExactBasket(L5Pyramidal): no error")
	}
	m, err := NewExactBasket[float64](neuron.L2Basket)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetInputSubstep(20); err == nil {
		t.Error("SetInputSubstep(20): no error")
	}
	if err := m.SetInputSubstep(-1); err == nil {
		t.Error("SetInputSubstep(-1): no error")
	}
	st := m.NewState(nil, 2)
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil {
				t.Errorf("%s: no panic", name)
			} else if s, _ := r.(string); !strings.Contains(s, want) {
				t.Errorf("%s: panic %v, want %q", name, r, want)
			}
		}()
		f()
	}
	mustPanic("rank 1", "input shape", func() { m.Step(nil, autograd.Zeros[float64](6), st) })
	mustPanic("wrong batch", "input shape", func() { m.Step(nil, autograd.Zeros[float64](3, 3), st) })
	mustPanic("wrong channels", "input shape", func() { m.Step(nil, autograd.Zeros[float64](2, 2), st) })
	mustPanic("batch 0", "batch 0", func() { m.NewState(nil, 0) })
	other, _ := NewExactBasket[float64](neuron.L5Basket)
	mustPanic("foreign state", "another model", func() { other.Step(nil, autograd.Zeros[float64](2, 3), st) })
}
