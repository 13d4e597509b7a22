package verifyout

import (
	"fmt"
	"io"
	"strings"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/verify"
)

// Summary prints the verification's figures as a markdown table: one row
// per condition, seed and model, the means, and the verdict.
func Summary(w io.Writer, rep *verify.Report) {
	sp := rep.Config.Spectrum
	fmt.Fprintf(w, "| connectivity | seed | model | %g-%g Hz power (nAm²) | peak (Hz) | band peak (Hz) |", sp.LoHz, sp.HiHz)
	for _, ct := range neuron.CellTypes {
		fmt.Fprintf(w, " %s (Hz) |", ct.ShortName())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "|"+strings.Repeat("---|", 6+neuron.NumCellTypes))
	row := func(cond, seed, model string, bp, peak, bandPeak float64, rates map[string]float64) {
		fmt.Fprintf(w, "| %s | %s | %s | %.4g | %.1f | %.1f |", cond, seed, model, bp, peak, bandPeak)
		for _, ct := range neuron.CellTypes {
			fmt.Fprintf(w, " %.2f |", rates[ct.String()])
		}
		fmt.Fprintln(w)
	}
	for ci := range rep.Conditions {
		cr := &rep.Conditions[ci]
		for i := range cr.Seeds {
			for _, mm := range models(&cr.Seeds[i]) {
				m := mm.m
				row(cr.Name, fmt.Sprint(cr.Seeds[i].Seed), mm.name, m.BandPower, m.PeakHz, m.BandPeakHz, m.RatesHz)
			}
		}
		for _, mm := range means(cr) {
			m := mm.m
			row(cr.Name, "**mean**", mm.name, m.BandPower, m.PeakHz, m.BandPeakHz, m.RatesHz)
		}
	}
	fmt.Fprintln(w)
	verdict := func(name string, c *verify.Comparison) {
		ok := "below"
		if c.MeetsTarget {
			ok = "meets"
		}
		fmt.Fprintf(w, "%s: optimized/initial band power %.3gx (mean over %d seeds; geometric mean of per-seed ratios %.3gx; %d/%d seeds improved): %s the %gx target\n",
			name, c.BandPowerRatio, c.Seeds, c.GeoMeanSeedRatio, c.SeedsImproved, c.Seeds, ok, c.TargetRatio)
	}
	verdict(verify.ModelBiophysical, &rep.Biophysical)
	if rep.Surrogate != nil {
		verdict(verify.ModelSurrogate, rep.Surrogate)
	}
	for ci := range rep.Conditions {
		cr := &rep.Conditions[ci]
		if r := cr.Mean.SurrogateDipoleR; r != nil {
			fmt.Fprintf(w, "%s: correlation of the analysed dipole with the biophysical one (same noise): surrogate network r = %.3f", cr.Name, *r)
			if ro := cr.Mean.OpenLoopDipoleR; ro != nil {
				fmt.Fprintf(w, ", open loop r = %.3f", *ro)
			}
			fmt.Fprintln(w)
		}
		if cr.Seeds[0].OpenLoopSpikes != nil {
			fmt.Fprintf(w, "%s: open-loop spikes vs biophysical (±2 ms, all seeds):", cr.Name)
			for _, ct := range neuron.CellTypes {
				var ref, pred, match int
				for _, sr := range cr.Seeds {
					m := sr.OpenLoopSpikes[ct.String()]
					ref, pred, match = ref+m.Reference, pred+m.Predicted, match+m.Matched
				}
				fmt.Fprintf(w, " %s %d/%d predicted/biophysical, %d matched;", ct.ShortName(), pred, ref, match)
			}
			fmt.Fprintln(w)
		}
	}
	for _, a := range rep.SurrogateVsBiophysical {
		fmt.Fprintf(w, "%s: surrogate/biophysical band power %.3gx, peak difference %+.1f Hz, rate differences", a.Condition, a.BandPowerRatio, a.PeakHzDiff)
		for _, ct := range neuron.CellTypes {
			fmt.Fprintf(w, " %s %+.2f", ct.ShortName(), a.RateDiffHz[ct.String()])
		}
		fmt.Fprintln(w, " Hz")
	}
}
