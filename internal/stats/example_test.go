package stats_test

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/stats"
)

// Compare a predicted spike train with the reference one: matches within
// ±2 ms, precision and recall, and Kistler's coincidence factor over 100 ms.
func Example() {
	ref := []float64{10, 30, 50, 70}
	pred := []float64{10.5, 29, 52.5, 70.2, 90}
	m := stats.MatchSpikes(pred, ref, 2)
	fmt.Printf("matched %d of %d predicted, %d reference: precision %.2f, recall %.2f\n",
		m.Matched, m.Predicted, m.Reference, m.Precision(), m.Recall())
	fmt.Printf("Γ = %.3f\n", stats.Coincidence(pred, ref, 100, 2))
	fmt.Printf("r = %.3f\n", stats.Pearson([]float64{1, 2, 3, 4}, []float64{2, 4, 5, 9}))
	// Output:
	// matched 3 of 5 predicted, 4 reference: precision 0.60, recall 0.75
	// Γ = 0.611
	// r = 0.965
}
