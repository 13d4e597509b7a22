package surrogate

import "github.com/neurograd/neurograd/internal/stats"

// MatchPairs pairs predicted spikes with distinct true spikes within ±tol ms
// (stats.MatchPairs: predicted spikes in time order, each taking the nearest
// unused true spike) and returns the pairs as (predicted, true) times.
func MatchPairs(pred, truth []float64, tol float64) [][2]float64 {
	return stats.MatchPairs(pred, truth, tol)
}

// Coincidence returns Kistler's coincidence factor Γ of a predicted spike
// train against the true one over tMS ms with precision delta ms
// (stats.Coincidence).
func Coincidence(pred, truth []float64, tMS, delta float64) float64 {
	return stats.Coincidence(pred, truth, tMS, delta)
}
