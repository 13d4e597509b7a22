package parallel_test

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/parallel"
)

// Square 5 numbers on 2 goroutines; each index writes its own slot.
func ExampleFor() {
	out := make([]int, 5)
	parallel.For(len(out), 2, func(i int) { out[i] = i * i })
	fmt.Println(out)
	// Output: [0 1 4 9 16]
}
