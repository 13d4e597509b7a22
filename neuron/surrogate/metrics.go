package surrogate

import (
	"math"

	"github.com/neurograd/neurograd/internal/stats"
)

// Pearson returns the Pearson correlation of a and b (0 when either is
// constant): stats.Pearson, the one implementation neurograd scores with.
func Pearson(a, b []float32) float64 {
	return stats.Pearson(a, b)
}

// RMSE returns the root-mean-square difference of a and b.
func RMSE(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// SpikeTimes returns the upward crossings of threshold θ (mV) in a somatic
// voltage trace sampled at the ends of 0.5 ms bins (v[k] at (k+1)·BinDt ms),
// linearly interpolated between samples: a crossing is v[k-1] <= θ < v[k].
func SpikeTimes(v []float32, theta float64) []float64 {
	var ts []float64
	for k := 1; k < len(v); k++ {
		a, b := float64(v[k-1]), float64(v[k])
		if a <= theta && b > theta {
			ts = append(ts, BinDt*(float64(k)+(theta-a)/(b-a)))
		}
	}
	return ts
}

// MatchSpikes counts the predicted spikes that match a distinct true spike
// within ±tol ms (greedy in time order, each true spike used once):
// stats.MatchSpikes(pred, truth, tol).Matched.
func MatchSpikes(pred, truth []float64, tol float64) int {
	return stats.MatchSpikes(pred, truth, tol).Matched
}
