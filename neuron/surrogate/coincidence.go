package surrogate

import (
	"math"
	"sort"
)

// MatchPairs pairs predicted spikes with distinct true spikes within ±tol ms
// by the greedy rule of MatchSpikes (predicted spikes in time order, each
// taking the nearest unused true spike) and returns the pairs as
// (predicted, true) times.
func MatchPairs(pred, truth []float64, tol float64) [][2]float64 {
	p := append([]float64(nil), pred...)
	sort.Float64s(p)
	truth = append([]float64(nil), truth...)
	sort.Float64s(truth)
	used := make([]bool, len(truth))
	var out [][2]float64
	for _, x := range p {
		best, bd := -1, tol
		for i, t := range truth {
			if d := math.Abs(x - t); !used[i] && d <= bd {
				best, bd = i, d
			}
		}
		if best >= 0 {
			used[best] = true
			out = append(out, [2]float64{x, truth[best]})
		}
	}
	return out
}

// Coincidence returns Kistler's coincidence factor Γ of a predicted spike
// train against the true one over a trace of tMS ms with precision delta ms
// (Kistler et al. 1997; Jolivet et al. 2004, 2008):
//
//	Γ = (N_coinc − 2νΔ·N_true) / (½(N_true + N_pred)) · 1/(1 − 2νΔ)
//
// with ν = N_pred/tMS the predicted rate and N_coinc the number of predicted
// spikes matched one-to-one to true spikes within ±Δ (MatchPairs). Γ is 1 for
// identical trains and about 0 for a Poisson train of the right rate. It
// returns NaN when both trains are empty.
func Coincidence(pred, truth []float64, tMS, delta float64) float64 {
	nd, nm := float64(len(truth)), float64(len(pred))
	if nd+nm == 0 {
		return math.NaN()
	}
	nu := nm / tMS
	nc := float64(len(MatchPairs(pred, truth, delta)))
	return (nc - 2*nu*delta*nd) / (0.5 * (nd + nm)) / (1 - 2*nu*delta)
}
