package reference_test

import (
	"fmt"
	"path/filepath"

	"github.com/neurograd/neurograd/internal/reference"
)

// The folders searched for the network reference files: the repository's
// testdata, then the shared spec's reference folder.
func Example() {
	for _, d := range reference.Dirs("network") {
		fmt.Println(filepath.Base(filepath.Dir(d)) + "/" + filepath.Base(d))
	}
	// Output:
	// testdata/network
	// spec/reference
}
