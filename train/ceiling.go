package train

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// CeilingReport is what -ceiling measures for one cell type on n
// independent-Poisson samples.
type CeilingReport struct {
	Samples int      `json:"samples"`
	Outputs []string `json:"outputs"`
	// R is the Pearson r per output of the biophysical traces against the
	// same cell's traces with every input event moved to a uniformly random
	// time inside its own 0.5 ms bin: the binned inputs a surrogate sees are
	// identical, so no surrogate can be expected to follow the cell better.
	R []float64 `json:"r_rebinned_inputs"`
	// Spikes of the re-timed runs matched to the originals within ±2 ms.
	SpikePrecision float64 `json:"spike_precision"`
	SpikeRecall    float64 `json:"spike_recall"`
	// SomaRShifted is the soma's r against itself with every excursion above
	// SomaClip (a spike with its flanks) moved later by 1, 2 and 4 bins
	// (0.5, 1 and 2 ms): how much of the soma's r a spike timing error costs.
	SomaRShifted map[string]float64 `json:"soma_r_spikes_shifted"`
}

// Ceiling measures, for each cell type, how closely the biophysical cell
// can be followed by anything that sees its inputs binned at
// surrogate.BinDt, and how strongly the soma's Pearson r depends on spike
// timing (docs/surrogate.md, round 7).
func Ceiling(types []neuron.CellType, n, bins int, seed uint64, log io.Writer) (map[string]CeilingReport, error) {
	if n < 1 {
		return nil, fmt.Errorf("train: ceiling on %d samples: want at least one", n)
	}
	out := map[string]CeilingReport{}
	for ti, ct := range types {
		start := time.Now()
		orig := make([]*surrogate.Sample, n)
		moved := make([]*surrogate.Sample, n)
		errs := make([]error, n)
		parallel.For(n, 0, func(i int) {
			rng := rand.New(rand.NewPCG(seed, splitStream("ceiling")+uint64(ti)<<20+uint64(i)))
			evs, err := PoissonEvents(ct, DefaultPoissonConfig(ct), bins, rng)
			if err != nil {
				errs[i] = err
				return
			}
			re := make([]Event, len(evs))
			for j, e := range evs {
				k := surrogate.BinOf(e.T)
				re[j] = e
				// A time whose bin (NEURON's grid rounding included) is k.
				for try := 0; try < 100; try++ {
					t := (float64(k) + rng.Float64()) * surrogate.BinDt
					if surrogate.BinOf(t) == k {
						re[j].T = t
						break
					}
				}
			}
			if orig[i], errs[i] = Simulate(ct, evs, bins); errs[i] != nil {
				return
			}
			moved[i], errs[i] = Simulate(ct, re, bins)
		})
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("train: ceiling %s: %w", ct, err)
			}
		}
		ds, err := NewDataset(ct, bins, "")
		if err != nil {
			return nil, err
		}
		outputs := ds.Outputs
		O := len(outputs)
		rep := CeilingReport{Samples: n, Outputs: outputs, SomaRShifted: map[string]float64{}}
		for o := 0; o < O; o++ {
			var a, b []float32
			for i := range orig {
				for k := 0; k < bins; k++ {
					a = append(a, orig[i].Y[k*O+o])
					b = append(b, moved[i].Y[k*O+o])
				}
			}
			rep.R = append(rep.R, surrogate.Pearson(a, b))
		}
		var nt, np, nm int
		for i := range orig {
			nt += len(orig[i].Spikes)
			np += len(moved[i].Spikes)
			nm += surrogate.MatchSpikes(moved[i].Spikes, orig[i].Spikes, surrogate.SpikeTolerance)
		}
		rep.SpikePrecision, rep.SpikeRecall = ratio(nm, np), ratio(nm, nt)
		for _, sh := range []int{1, 2, 4} {
			var a, b []float32
			for _, s := range orig {
				v := make([]float32, bins)
				for k := range v {
					v[k] = s.Y[k*O]
				}
				a = append(a, v...)
				b = append(b, shiftExcursions(v, surrogate.SomaClip, sh)...)
			}
			rep.SomaRShifted[fmt.Sprintf("%g_ms", float64(sh)*surrogate.BinDt)] = surrogate.Pearson(b, a)
		}
		out[ct.String()] = rep
		logf(log, "ceiling %s: %d samples in %.0f s: r %s, spikes P %.3f R %.3f\n",
			ct, n, time.Since(start).Seconds(), fmtFloats(rep.R, 3), rep.SpikePrecision, rep.SpikeRecall)
	}
	return out, nil
}

// ratio returns a/b, or 1 when b is 0 (nothing to miss).
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// shiftExcursions returns a copy of v in which every run of values above
// level is moved later by sh samples; the samples it leaves hold the value
// just before the run, and a run moved past the end is cut.
func shiftExcursions(v []float32, level float64, sh int) []float32 {
	w := append([]float32(nil), v...)
	for k := 0; k < len(v); k++ {
		if float64(v[k]) <= level {
			continue
		}
		e := k
		for e < len(v) && float64(v[e]) > level {
			e++
		}
		before := v[max(k-1, 0)]
		for j := k; j < e; j++ {
			w[j] = before
		}
		for j := k; j < e && j+sh < len(v); j++ {
			w[j+sh] = v[j]
		}
		k = e
	}
	return w
}
