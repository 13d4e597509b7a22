package verifyout_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/neurograd/neurograd/cmd/internal/verifyout"
	"github.com/neurograd/neurograd/verify"
)

// The Markdown summary of an (empty) verification report starts with its table header.
func ExampleSummary() {
	var b bytes.Buffer
	verifyout.Summary(&b, &verify.Report{})
	fmt.Println(strings.HasPrefix(b.String(), "|"))
	// Output: true
}
