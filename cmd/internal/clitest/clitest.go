// Package clitest runs the commands' table-driven bad-input batteries: each
// case runs a command's main logic in-process and checks its exit status,
// that its error names the flag, field or file, and that it left no output
// behind.
package clitest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Main is a command's main logic: it runs args and returns the exit status.
type Main func(args []string, stdout, stderr *bytes.Buffer) int

// Case is one command line and what it must do.
type Case struct {
	Name string
	Args []string
	// Code is the exit status wanted: 0, 1 (runtime failure) or 2 (bad input).
	Code int
	// Want are strings the output (stderr, then stdout) must contain, such
	// as the flag or field the error names.
	Want []string
	// Absent are paths that must not exist afterwards (an output directory
	// or file a failed run must not leave behind, a staging directory).
	Absent []string
	// Check, when set, runs after the command with its outputs.
	Check func(t *testing.T, stdout, stderr string)
}

// Run runs every case as a subtest.
func Run(t *testing.T, main Main, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := main(c.Args, &stdout, &stderr)
			out := stderr.String() + stdout.String()
			if code != c.Code {
				t.Errorf("%q: exit status %d, want %d\n%s", c.Args, code, c.Code, tail(out))
			}
			for _, w := range c.Want {
				if !strings.Contains(out, w) {
					t.Errorf("%q: output lacks %q:\n%s", c.Args, w, tail(out))
				}
			}
			for _, p := range c.Absent {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%q: %s was left behind", c.Args, p)
				}
			}
			if c.Check != nil {
				c.Check(t, stdout.String(), stderr.String())
			}
		})
	}
}

// NoStaging fails t when dir holds a command's staging or old-results
// directory or temporary file (names starting with "." and containing
// ".tmp-" or ".old-", or ".tmp-" itself).
func NoStaging(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") && (strings.Contains(n, ".tmp-") || strings.Contains(n, ".old-") || strings.HasPrefix(n, ".tmp-") || strings.HasPrefix(n, ".probe-")) {
			t.Errorf("%s left behind in %s", n, dir)
		}
	}
}

// Unwritable returns a directory path that cannot be created (under a
// regular file), so that an output there must fail before any work.
func Unwritable(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(f, "out")
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
