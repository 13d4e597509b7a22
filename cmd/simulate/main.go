// Command simulate runs HNN models: single biophysical cells ("cell") and HNN's column
// ("network").
//
// Usage:
//
//	simulate cell -type L5_pyramidal -inputs drive.json -tstop 1000 -dt 0.025 -out trace.csv
//	simulate network ...
//
// Run "simulate <command> -h" for the flags of a command. Bad input (unknown cell type,
// section or receptor, negative or NaN times, weights or dt, tstop <= 0, malformed files)
// exits with status 2 and a message on stderr; other failures (I/O) exit with status 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

// command is a subcommand: it parses its own flags from args and runs.
type command struct {
	run     func(args []string) error
	summary string
}

var commands = map[string]command{
	"cell":    {runCell, "simulate one biophysical HNN cell with synaptic inputs and clamps"},
	"network": {runNetwork, "simulate HNN's cortical column with its drives"},
}

// runtimeError marks a failure that is not the user's input (I/O); it exits with status 1.
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

func usage() {
	fmt.Fprintln(os.Stderr, "usage: simulate <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		usage()
		return
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "simulate: unknown command %q\n", name)
		usage()
		os.Exit(2)
	}
	err := cmd.run(os.Args[2:])
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	fmt.Fprintf(os.Stderr, "simulate %s: %v\n", name, err)
	var rt runtimeError
	if errors.As(err, &rt) {
		os.Exit(1)
	}
	os.Exit(2)
}
