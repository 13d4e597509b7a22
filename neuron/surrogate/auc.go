package surrogate

import (
	"math"
	"sort"
)

// aucCounter collects, over samples, one score per 1 ms bin (the predicted
// soma's maximum over the bin's two 0.5 ms bins, mV) and whether the
// biophysical cell spiked in that bin, for the area under the ROC curve.
type aucCounter struct {
	score []float64
	spike []bool
}

// addSample adds the 1 ms bins of one sample: v the predicted soma per 0.5 ms
// bin, spikes the biophysical spike times (ms).
func (a *aucCounter) addSample(v []float32, spikes []float64, bins int) {
	const per = 2 // 0.5 ms bins per 1 ms bin
	n := bins / per
	hit := make([]bool, n)
	for _, t := range spikes {
		if k := int(math.Floor(t)); k >= 0 && k < n {
			hit[k] = true
		}
	}
	for k := 0; k < n; k++ {
		m := math.Inf(-1)
		for j := k * per; j < (k+1)*per; j++ {
			m = math.Max(m, float64(v[j]))
		}
		a.score = append(a.score, m)
		a.spike = append(a.spike, hit[k])
	}
}

// value returns the AUC (the probability that a bin with a spike scores
// higher than one without, ties counting half), -1 when either class is empty
// or a score is NaN.
func (a *aucCounter) value() float64 {
	idx := make([]int, len(a.score))
	for i := range idx {
		idx[i] = i
		if math.IsNaN(a.score[i]) {
			return -1
		}
	}
	sort.Slice(idx, func(i, j int) bool { return a.score[idx[i]] < a.score[idx[j]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && a.score[idx[j]] == a.score[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean rank (1-based) of the tie group
		for _, k := range idx[i:j] {
			if a.spike[k] {
				pos++
				rankSum += mid
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return -1
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
