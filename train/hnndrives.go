package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// HNNRegimes are the drive regimes of the "hnn" test split, in the order
// their samples are stored (contiguous thirds, HNNRegimeOf): hnn-core's
// drives as its users run them, one cell of the column at a time.
var HNNRegimes = []string{"evoked", "poisson", "bursty"}

// HNNRegimeOf returns the regime (an index into HNNRegimes) of sample i of n
// in an "hnn" split: the samples are split into contiguous thirds.
func HNNRegimeOf(i, n int) int { return min(i*len(HNNRegimes)/max(n, 1), len(HNNRegimes)-1) }

// hnnERP is one of the evoked drives of hnn-core's ERP example
// (add_erp_drives_to_jones_model; spec section 13.7): location, mean and
// spread of the event time (ms), and per target type the AMPA and NMDA
// weights (µS) and the delay (ms) at the drive's origin.
type hnnERP struct {
	loc       string
	mu, sigma float64
	w         map[neuron.CellType][3]float64 // AMPA, NMDA, delay
}

var hnnERPDrives = []hnnERP{
	{neuron.Distal, 63.53, 3.85, map[neuron.CellType][3]float64{
		neuron.L2Basket: {0.006562, 0.019482, 0.1}, neuron.L2Pyramidal: {0.000007, 0.004317, 0.1}, neuron.L5Pyramidal: {0.142300, 0.080074, 0.1}}},
	{neuron.Proximal, 26.61, 2.47, map[neuron.CellType][3]float64{
		neuron.L2Basket: {0.08831, 0, 0.1}, neuron.L2Pyramidal: {0.01525, 0, 0.1}, neuron.L5Basket: {0.19934, 0, 1.0}, neuron.L5Pyramidal: {0.00865, 0, 1.0}}},
	{neuron.Proximal, 137.12, 8.33, map[neuron.CellType][3]float64{
		neuron.L2Basket: {0.000003, 0, 0.1}, neuron.L2Pyramidal: {1.438840, 0, 0.1}, neuron.L5Basket: {0.008958, 0, 1.0}, neuron.L5Pyramidal: {0.684013, 0, 1.0}}},
}

// hnnERPPeriod is the spacing (ms) of the ERP repetitions in one sample.
const hnnERPPeriod = 200.0

// HNNDriveEvents draws the events of one sample of regime HNNRegimes[regime]
// for cell type ct (channels of its template's Channels()):
//
//   - "evoked": hnn-core's ERP drives (evprox1, evdist1, evprox2 at the
//     default weights and delays, one event per drive as with its
//     cell-specific drive cells), repeated every 200 ms, for a cell at a
//     random position of the 10 × 10 grid (weight × exp(−d²/3²), delay ×
//     exp(d²/3²), d the distance from the drives' origin (4, 4)): from strong
//     input near the origin to a few hundredths of it at the corners;
//   - "poisson": one cell-specific Poisson drive on one receptor (AMPA, or
//     NMDA one time in four) at one location group, 10-200 Hz, 0.5-10 nS
//     (log-uniform), as in hnn-core's gamma example (0.8 nS at 140 Hz onto
//     L2/3, 7.5 nS at 40 Hz onto L5);
//   - "bursty": a rhythmic drive of 10 drive cells connected to the cell
//     (hnn-core's alpha example), doublets 10 ms apart, 5-20 Hz bursts with
//     a 10-20 ms spread, AMPA at one location group, 5.4e-5 µS (the
//     example's weight) to 100 times it per drive cell (log-uniform).
//
// A location group the type lacks (distal for the L5 basket) is replaced by
// the proximal one, as hnn-core refuses a distal drive onto it.
func HNNDriveEvents(ct neuron.CellType, regime, bins int, rng *rand.Rand) ([]Event, error) {
	if regime < 0 || regime >= len(HNNRegimes) {
		return nil, fmt.Errorf("train: HNN drive regime %d out of range", regime)
	}
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, err
	}
	group := func(loc string, r neuron.Receptor) []int {
		if secs, _ := desc.GroupSections(loc); len(secs) == 0 && loc == neuron.Distal {
			loc = neuron.Proximal
		}
		return groupChannels(desc, loc, r)
	}
	tstop := float64(bins) * surrogate.BinDt
	var evs []Event
	add := func(cs []int, t, w float64) {
		if w <= 0 || t <= 0 || t >= tstop {
			return
		}
		for _, c := range cs {
			evs = append(evs, Event{Channel: c, T: t, W: w})
		}
	}
	logU := func(lo, hi float64) float64 { return math.Exp(math.Log(lo) + rng.Float64()*math.Log(hi/lo)) }
	loc := []string{neuron.Proximal, neuron.Distal}[rng.IntN(2)]
	switch HNNRegimes[regime] {
	case "evoked":
		x, y := float64(rng.IntN(10)), float64(rng.IntN(10))
		f := math.Exp(-((x-4)*(x-4) + (y-4)*(y-4)) / 9)
		for t0 := 0.0; t0 < tstop; t0 += hnnERPPeriod {
			for _, d := range hnnERPDrives {
				w, ok := d.w[ct]
				if !ok {
					continue
				}
				t := t0 + d.mu + d.sigma*rng.NormFloat64() + w[2]/f
				add(group(d.loc, neuron.AMPA), t, w[0]*f)
				add(group(d.loc, neuron.NMDA), t, w[1]*f)
			}
		}
	case "poisson":
		r := neuron.AMPA
		if rng.IntN(4) == 0 {
			r = neuron.NMDA
		}
		rate, w := logU(10, 200), logU(5e-4, 1e-2)
		cs := group(loc, r)
		for t := 1000 * rng.ExpFloat64() / rate; t < tstop; t += 1000 * rng.ExpFloat64() / rate {
			add(cs, t, w)
		}
	case "bursty":
		rate, std, w := 5+15*rng.Float64(), 10+10*rng.Float64(), logU(5.4e-5, 5.4e-3)
		t0 := 50 * rng.Float64()
		cs := group(loc, neuron.AMPA)
		for cell := 0; cell < 10; cell++ {
			for c := t0; c < tstop; c += 1000 / rate {
				b := c + std*rng.NormFloat64()
				add(cs, b-5, w)
				add(cs, b+5, w)
			}
		}
	}
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].T < evs[b].T })
	return evs, nil
}

// groupChannels returns the indices (in desc.Channels() order) of the
// channels of receptor r on the sections of location group loc.
func groupChannels(desc *neuron.CellDesc, loc string, r neuron.Receptor) []int {
	secs, _ := desc.GroupSections(loc)
	var out []int
	for c, ch := range desc.Channels() {
		for _, s := range secs {
			if ch.Section == s && ch.Receptor == r {
				out = append(out, c)
			}
		}
	}
	return out
}
