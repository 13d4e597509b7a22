package cputime_test

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/cputime"
)

// Measure the CPU time of a piece of work (0 where the platform cannot tell).
func Example() {
	start := cputime.Process()
	s := 0.0
	for i := range 1_000_000 {
		s += float64(i)
	}
	used := cputime.Process() - start
	fmt.Println(s > 0, used >= 0)
	// Output: true true
}
