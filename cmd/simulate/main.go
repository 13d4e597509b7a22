// Command simulate runs HNN models: single biophysical cells ("cell") and HNN's column
// ("network").
//
// Usage:
//
//	simulate cell -type L5_pyramidal -inputs drive.json -tstop 1000 -dt 0.025 -out trace.csv
//	simulate network ...
//
// Run "simulate <command> -h" for the flags of a command. Bad input (unknown cell type,
// section or receptor, unknown keys in a drive file, negative or NaN times, weights or dt,
// dt above 0.1 ms, tstop <= 0, malformed files) exits with status 2 and a message on
// stderr; other failures (I/O, a simulation that produced NaN) exit with status 1.
// Outputs are written into temporary files beside the targets, created before the
// simulation, and renamed into place at the end: a failed run leaves nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/neurograd/neurograd/cmd/internal/cli"
)

// command is a subcommand: it parses its own flags from args and runs.
type command struct {
	run     func(args []string, stdout, stderr io.Writer) error
	summary string
}

var commands = map[string]command{
	"cell":    {runCell, "simulate one biophysical HNN cell with synaptic inputs and clamps"},
	"network": {runNetwork, "simulate HNN's cortical column with its drives"},
}

// runtimeError marks a failure that is not the user's input (I/O, a
// simulation that diverged); it exits with status 1.
type runtimeError struct{ err error }

func (e runtimeError) Error() string { return e.err.Error() }
func (e runtimeError) Unwrap() error { return e.err }

// failure wraps err as a non-input failure (exit status 1).
func failure(err error) error {
	if err == nil {
		return nil
	}
	return runtimeError{err}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: simulate <command> [flags]\n\nSimulates HNN's cells and column biophysically (or one cell with its surrogate).\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"simulate <command> -h\" for the flags of a command.")
}

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

// runMain runs the command line args and returns the exit status: 0, 1 for
// a runtime failure, 2 for bad input (the error is printed on stderr).
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		usage(stderr)
		return cli.ExitInput
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		usage(stdout)
		return cli.ExitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "simulate: unknown command %q\n", name)
		usage(stderr)
		return cli.ExitInput
	}
	err := cmd.run(args[1:], stdout, stderr)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return cli.ExitOK
	}
	fmt.Fprintf(stderr, "simulate %s: %v\n", name, err)
	var rt runtimeError
	if errors.As(err, &rt) {
		return cli.ExitFailure
	}
	return cli.ExitInput
}
