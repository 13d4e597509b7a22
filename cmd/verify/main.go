// Command verify checks connectivity found by the surrogate network in
// the biophysical column: it simulates HNN's column with the initial and the
// optimized connection gains over held-out Poisson noise seeds, biophysically
// and with the surrogate network on the same noise, and reports 15-60 Hz band
// power of the aggregate dipole, PSD peak and firing rates per cell type for
// both models, with figures.
//
//	go run ./cmd/verify -connectivity results/connectivity.json
//
// adds verify.json, CSVs and PNG figures to results/ (the directory of
// -connectivity, or -out), replacing those of an earlier verification and
// nothing else, and prints a summary on stdout; progress goes to stderr.
// The files are written into a staging directory created before any
// simulation and moved into place at the end: a failed run adds nothing.
// Bad input exits with status 2, other failures with status 1.
package main

import (
	"io"
	"os"

	"github.com/neurograd/neurograd/cmd/internal/cli"
)

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

// runMain runs the command and returns its exit status: 0, 1 for a runtime
// failure, 2 for bad input (the error is printed on stderr).
func runMain(args []string, stdout, stderr io.Writer) int {
	return cli.ExitCode("verify", run(args, stdout, stderr), stderr)
}
