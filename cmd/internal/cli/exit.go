package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit statuses of every command.
const (
	ExitOK      = 0 // success, or -h
	ExitFailure = 1 // a runtime failure (I/O, a simulation that diverged)
	ExitInput   = 2 // bad input: a flag, a file or a value in it
)

// InputError marks a failure caused by the user's input (exit status 2).
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

// Input wraps err as an input error (nil stays nil).
func Input(err error) error {
	if err == nil {
		return nil
	}
	var ie InputError
	if errors.As(err, &ie) {
		return err
	}
	return InputError{err}
}

// Inputf returns an input error formatted as fmt.Errorf does.
func Inputf(format string, args ...any) error { return InputError{fmt.Errorf(format, args...)} }

// IsInput reports whether err is (or wraps) an input error.
func IsInput(err error) bool {
	var ie InputError
	return errors.As(err, &ie)
}

// ExitCode returns the exit status of a command that ended with err,
// printing err on stderr prefixed with name: 0 for nil and for -h
// (flag.ErrHelp), 2 for input errors, 1 for anything else.
func ExitCode(name string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	if IsInput(err) {
		return ExitInput
	}
	return ExitFailure
}

// ParseFlags parses args with fs, returning input errors for bad flags and
// stray arguments and flag.ErrHelp for -h.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return InputError{err}
	}
	if fs.NArg() > 0 {
		return Inputf("unexpected arguments %q", fs.Args())
	}
	return nil
}
