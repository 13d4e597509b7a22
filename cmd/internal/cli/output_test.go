package cli

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestNewDirReplacesAtCommit(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "a", "results")
	o, err := NewDir("out", target, "test")
	if err != nil {
		t.Fatal(err)
	}
	write(t, o.Path("x.csv"), "one")
	if _, err := os.Stat(target); err == nil {
		t.Fatal("the target exists before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if read(filepath.Join(target, "x.csv")) != "one" || read(filepath.Join(target, MarkerFile)) != "test\n" {
		t.Fatal("Commit did not move the files into place")
	}
	// A second run replaces the directory: x.csv (not rewritten) is gone.
	o, err = NewDir("out", target, "test")
	if err != nil {
		t.Fatal(err)
	}
	write(t, o.Path("y.csv"), "two")
	if read(filepath.Join(target, "x.csv")) != "one" {
		t.Fatal("the earlier results changed before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(target, "x.csv")); err == nil {
		t.Error("a stale file survived the replacement")
	}
	if read(filepath.Join(target, "y.csv")) != "two" {
		t.Error("the new file is missing")
	}
	// Abort leaves the earlier results and removes the staging directory.
	o, err = NewDir("out", target, "test")
	if err != nil {
		t.Fatal(err)
	}
	write(t, o.Path("z.csv"), "three")
	o.Abort()
	if read(filepath.Join(target, "y.csv")) != "two" {
		t.Error("Abort changed the earlier results")
	}
	ents, _ := os.ReadDir(filepath.Dir(target))
	if len(ents) != 1 {
		t.Errorf("%d entries beside the target after Abort, want 1 (the target)", len(ents))
	}
	if err := o.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

func TestNewDirRefusals(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "home")
	os.Mkdir(foreign, 0o755)
	write(t, filepath.Join(foreign, "thesis.tex"), "x")
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	file := filepath.Join(dir, "file")
	write(t, file, "x")
	for _, c := range []struct {
		target, want string
	}{
		{foreign, "not written by a neurograd command"},
		{file, "not a directory"},
		{filepath.Join(file, "sub"), "-out " + filepath.Join(file, "sub")},
		{"", "-out: an output directory is required"},
		{".", "is the working directory or contains it"},
		{"..", "is the working directory or contains it"},
		{"/", "is the working directory or contains it"},
	} {
		if _, err := NewDir("out", c.target, "test"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewDir(%q): %v, want an error with %q", c.target, err, c.want)
		}
	}
	if read(filepath.Join(foreign, "thesis.tex")) != "x" {
		t.Error("a refused directory was touched")
	}
	o, err := NewDir("out", empty, "test")
	if err != nil {
		t.Fatalf("an empty directory is refused: %v", err)
	}
	o.Abort()
}

func TestNewFilesAddsAndReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "w")
	os.Mkdir(dir, 0o755)
	write(t, filepath.Join(dir, "keep.safetensors"), "keep")
	write(t, filepath.Join(dir, "new.safetensors"), "old")
	o, err := NewFiles("out", dir)
	if err != nil {
		t.Fatal(err)
	}
	write(t, o.Path("new.safetensors"), "new")
	if read(filepath.Join(dir, "new.safetensors")) != "old" {
		t.Fatal("replaced before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if read(filepath.Join(dir, "keep.safetensors")) != "keep" || read(filepath.Join(dir, "new.safetensors")) != "new" {
		t.Error("Commit did not add the file and keep the other")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("%d entries, want 2 (no staging directory left)", len(ents))
	}
	// A directory NewFiles created is removed again by Abort.
	created := filepath.Join(t.TempDir(), "new")
	o, err = NewFiles("out", created)
	if err != nil {
		t.Fatal(err)
	}
	o.Abort()
	if _, err := os.Stat(created); err == nil {
		t.Error("Abort left the directory NewFiles created")
	}
}

func TestCreateFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "trace.csv")
	write(t, p, "earlier")
	f, err := CreateFile("out", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	f.Abort()
	if read(p) != "earlier" {
		t.Error("Abort changed the earlier file")
	}
	f, err = CreateFile("out", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if read(p) != "new" {
		t.Error("Commit did not replace the file")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries, want 1 (no temporary file left)", len(ents))
	}
	var stdout bytes.Buffer
	f, err = CreateFile("out", "-", &stdout)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("to stdout"))
	if err := f.Commit(); err != nil || stdout.String() != "to stdout" {
		t.Errorf("- wrote %q, %v", stdout.String(), err)
	}
	if _, err := CreateFile("spikes", filepath.Join(p, "x"), nil); err == nil || !strings.Contains(err.Error(), "-spikes") {
		t.Errorf("a path under a file: %v", err)
	}
}

func TestCheckDt(t *testing.T) {
	for _, dt := range []float64{0, -0.025, math.NaN(), math.Inf(1), 0.2, 1} {
		err := CheckDt("dt", dt, nil)
		if err == nil || !IsInput(err) || !strings.Contains(err.Error(), "-dt ") {
			t.Errorf("dt %v: %v, want an input error naming -dt", dt, err)
		}
	}
	var warn bytes.Buffer
	if err := CheckDt("dt", 0.05, &warn); err != nil || !strings.Contains(warn.String(), "coarser than the 0.025 ms") {
		t.Errorf("dt 0.05: %v, warning %q", err, warn.String())
	}
	warn.Reset()
	if err := CheckDt("dt", 0.025, &warn); err != nil || warn.Len() != 0 {
		t.Errorf("dt 0.025: %v, warning %q", err, warn.String())
	}
}
