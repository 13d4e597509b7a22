package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForCallsEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{0, 0}, {1, 0}, {7, 3}, {100, 0}, {5, 50}} {
		counts := make([]int32, tc.n)
		For(tc.n, tc.workers, func(i int) { atomic.AddInt32(&counts[i], 1) })
		for i, c := range counts {
			if c != 1 {
				t.Fatalf("n %d workers %d: index %d called %d times", tc.n, tc.workers, i, c)
			}
		}
	}
}
