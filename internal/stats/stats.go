// Package stats holds the agreement measures neurograd's packages share
// when they score a model against its reference: the Pearson correlation of
// two series (Pearson, PearsonMean) and the matching of predicted spike
// times with reference spike times within a tolerance (MatchSpikes, Match).
//
// neuron/surrogate scores a cell surrogate against its biophysical cell
// with them; verify scores the surrogate network and the open-loop surrogate
// cells against the biophysical column.
package stats

import (
	"math"
	"sort"
)

// Float is the element type of the series Pearson correlates.
type Float interface{ ~float32 | ~float64 }

// Mean selects how PearsonMean accumulates the means of its series. The two
// are the same number up to rounding; each caller keeps the one its
// published results were computed with, so that they stay bit-identical.
type Mean int

const (
	// SumThenDivide sums the samples in float64 and divides by n once:
	// mean = (Σ x_i) / n. Pearson uses it.
	SumThenDivide Mean = iota
	// DivideEach sums the samples divided by n: mean = Σ (x_i / n).
	DivideEach
)

// Pearson returns the Pearson correlation coefficient of a and b, computed
// in float64 with the means summed then divided (SumThenDivide).
//
// It is 0 when either series is constant or a and b are empty, and NaN when
// a sample is NaN or infinite. a and b must have the same length; Pearson
// panics otherwise.
func Pearson[F Float](a, b []F) float64 {
	return PearsonMean(a, b, SumThenDivide)
}

// PearsonMean is Pearson with the means accumulated as mean says.
func PearsonMean[F Float](a, b []F, mean Mean) float64 {
	if len(a) != len(b) {
		panic("stats: Pearson of series of different lengths")
	}
	n := float64(len(a))
	var ma, mb float64
	switch mean {
	case SumThenDivide:
		for i := range a {
			ma += float64(a[i])
			mb += float64(b[i])
		}
		if len(a) > 0 {
			ma /= n
			mb /= n
		}
	case DivideEach:
		for i := range a {
			ma += float64(a[i]) / n
			mb += float64(b[i]) / n
		}
	default:
		panic("stats: unknown Mean")
	}
	var sab, saa, sbb float64
	for i := range a {
		da, db := float64(a[i])-ma, float64(b[i])-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// Match is the outcome of matching predicted against reference spikes:
// how many there were of each and how many predicted spikes found a
// reference spike. Matches of several cells or samples add up (Add).
type Match struct {
	Predicted, Reference, Matched int
}

// MatchSpikes matches the predicted spike times pred (ms) against the
// reference times ref within ±tol ms, greedily: each predicted spike, in the
// order given, takes the nearest reference spike that no earlier predicted
// spike took, if one lies within tol (|t_pred − t_ref| <= tol); between
// two equally near ones it takes the later. ref is matched in time order (a
// sorted copy; ref itself is not modified), so the result does not depend on
// ref's order, but it does depend on pred's.
//
// A NaN time matches nothing; a negative tol matches nothing.
func MatchSpikes(pred, ref []float64, tol float64) Match {
	r := append([]float64(nil), ref...)
	sort.Float64s(r)
	return Match{Predicted: len(pred), Reference: len(r), Matched: matchGreedy(pred, r, tol, nil)}
}

// MatchPairs pairs predicted spikes with distinct reference spikes within
// ±tol ms by MatchSpikes' rule, with the predicted spikes taken in time order
// (a sorted copy), and returns the pairs as (predicted, reference) times.
func MatchPairs(pred, ref []float64, tol float64) [][2]float64 {
	p := append([]float64(nil), pred...)
	sort.Float64s(p)
	r := append([]float64(nil), ref...)
	sort.Float64s(r)
	var out [][2]float64
	matchGreedy(p, r, tol, &out)
	return out
}

// matchGreedy matches each spike of pred, in the given order, to the nearest
// unused spike of the sorted ref within ±tol (the later of two equally near
// ones), appends the pairs to pairs when it is not nil, and returns how many
// matched.
func matchGreedy(pred, ref []float64, tol float64, pairs *[][2]float64) int {
	used := make([]bool, len(ref))
	n := 0
	for _, p := range pred {
		best, bd := -1, tol
		for i, t := range ref {
			if d := math.Abs(p - t); !used[i] && d <= bd {
				best, bd = i, d
			}
		}
		if best >= 0 {
			used[best] = true
			n++
			if pairs != nil {
				*pairs = append(*pairs, [2]float64{p, ref[best]})
			}
		}
	}
	return n
}

// Coincidence returns Kistler's coincidence factor Γ of a predicted spike
// train against the reference over a trace of tMS ms with precision delta ms
// (Kistler et al. 1997; Jolivet et al. 2004, 2008):
//
//	Γ = (N_coinc − 2νΔ·N_ref) / (½(N_ref + N_pred)) · 1/(1 − 2νΔ)
//
// with ν = N_pred/tMS the predicted rate and N_coinc the number of predicted
// spikes matched one-to-one to reference spikes within ±Δ (MatchPairs). Γ is
// 1 for identical trains and about 0 for a Poisson train of the right rate. It
// returns NaN when both trains are empty.
func Coincidence(pred, ref []float64, tMS, delta float64) float64 {
	nd, nm := float64(len(ref)), float64(len(pred))
	if nd+nm == 0 {
		return math.NaN()
	}
	nu := nm / tMS
	nc := float64(len(MatchPairs(pred, ref, delta)))
	return (nc - 2*nu*delta*nd) / (0.5 * (nd + nm)) / (1 - 2*nu*delta)
}

// Add returns the sum of two matches (of different cells or samples).
func (m Match) Add(o Match) Match {
	return Match{Predicted: m.Predicted + o.Predicted, Reference: m.Reference + o.Reference, Matched: m.Matched + o.Matched}
}

// Precision returns Matched / Predicted: the fraction of predicted spikes
// that match a reference spike, 1 when none was predicted.
func (m Match) Precision() float64 {
	if m.Predicted == 0 {
		return 1
	}
	return float64(m.Matched) / float64(m.Predicted)
}

// Recall returns Matched / Reference: the fraction of reference spikes
// that a predicted spike matches, 1 when there were none.
func (m Match) Recall() float64 {
	if m.Reference == 0 {
		return 1
	}
	return float64(m.Matched) / float64(m.Reference)
}

// F1 returns the F1 score 2·Matched / (Predicted + Reference), the harmonic
// mean of precision and recall, 1 when there are no spikes at all.
func (m Match) F1() float64 {
	if m.Predicted+m.Reference == 0 {
		return 1
	}
	return 2 * float64(m.Matched) / float64(m.Predicted+m.Reference)
}
