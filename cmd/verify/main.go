// Command verify checks connectivity found by the surrogate network in
// the biophysical column: it simulates HNN's column with the initial and the
// optimized connection gains over held-out Poisson noise seeds, biophysically
// and with the surrogate network on the same noise, and reports 15-60 Hz band
// power of the aggregate dipole, PSD peak and firing rates per cell type for
// both models, with figures.
//
//	go run ./cmd/verify -connectivity results/connectivity.json
//	go run ./cmd/verify -connectivity results/connectivity.json -network net.json
//
// (-network: the column, drives and initial connectivity of an hnn-core
// network configuration, as cmd/optimize -network read it.)
// writes results/verify/verify.json, CSVs and PNG figures, and prints a
// summary on stdout; progress goes to stderr.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}
