package layers_test

import (
	"fmt"

	"github.com/neurograd/neurograd/internal/layers"
)

// Imports point down: nn may import autograd, not the reverse.
func Example() {
	m := layers.Module + "/"
	fmt.Println(layers.Allowed(m+"nn", m+"autograd"), layers.Allowed(m+"autograd", m+"nn"))
	f, _ := layers.Floor(m + "cmd/optimize")
	fmt.Println("cmd/optimize is on floor", f)
	// Output:
	// true false
	// cmd/optimize is on floor 10
}
