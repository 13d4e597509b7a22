package cli_test

import (
	"fmt"

	"github.com/neurograd/neurograd/cmd/internal/cli"
)

// Parse the -band and -mesh settings the commands share.
func Example() {
	lo, hi, _ := cli.ParseBand("band", "15-60")
	nx, ny, _ := cli.ParseMesh("mesh", "10x5")
	_, _, err := cli.ParseBand("band", "60-15")
	fmt.Println(lo, hi, nx, ny)
	fmt.Println(err)
	// Output:
	// 15 60 10 5
	// -band "60-15": want LO-HI in Hz with 0 <= LO < HI, e.g. 15-60
}
