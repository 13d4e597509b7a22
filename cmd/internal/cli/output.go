package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MarkerFile is the file every output directory a command replaces carries
// (it holds the command's name). A command replaces an existing -out
// directory only when it is empty or carries this marker, so that a typo
// such as -out . or -out $HOME never deletes anything but an earlier run's
// results.
const MarkerFile = ".neurograd-output"

// Output is a command's output being written. Files go into Dir(), a fresh
// temporary directory beside (or, for Files outputs, inside) the target,
// created and so proven writable before any work starts; Commit moves them
// into place at the end and Abort (deferred) removes them after a failure,
// so that a failed run leaves nothing half-written and a rerun leaves no
// stale files of an earlier run beside the new ones.
type Output struct {
	flag, target, tmp string
	replace           bool
	created           bool // NewFiles created target: Abort removes it when empty
	done              bool
}

// NewDir stages the output directory target (-flag names it in errors):
// Commit replaces target as a whole, atomically as seen by readers of its
// files (the old directory is moved aside, the new one renamed into place,
// then the old one removed). An existing target must be a directory that is
// empty or carries MarkerFile (an earlier run's results); anything else is
// refused before work starts. command is written into the marker.
func NewDir(flag, target, command string) (*Output, error) {
	if err := checkTarget(flag, target); err != nil {
		return nil, err
	}
	target = filepath.Clean(target)
	if abs, err := filepath.Abs(target); err == nil {
		if wd, err := os.Getwd(); err == nil && (abs == wd || strings.HasPrefix(wd, abs+string(filepath.Separator)) || abs == filepath.Dir(abs)) {
			return nil, fmt.Errorf("-%s %s: is the working directory or contains it; it would be replaced as a whole: choose a new directory", flag, target)
		}
	}
	if st, err := os.Stat(target); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("-%s %s: exists and is not a directory", flag, target)
		}
		if err := replaceable(target); err != nil {
			return nil, fmt.Errorf("-%s %s: %w", flag, target, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("-%s %s: %w", flag, target, err)
	}
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("-%s %s: cannot create its parent directory: %w", flag, target, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("-%s %s: not writable: %w", flag, target, err)
	}
	o := &Output{flag: flag, target: target, tmp: tmp, replace: true}
	if err := os.WriteFile(filepath.Join(tmp, MarkerFile), []byte(command+"\n"), 0o644); err != nil {
		o.Abort()
		return nil, fmt.Errorf("-%s %s: not writable: %w", flag, target, err)
	}
	return o, nil
}

// NewFiles stages files to be added to the directory target (created when
// missing; -flag names it in errors): Commit renames each staged file into
// target, replacing a file of the same name and leaving the others alone.
// Use it where a run adds to a directory it does not own (cmd/verify into
// the optimization's results, cmd/train's weight files). The staging
// directory is a hidden one inside target, created now.
func NewFiles(flag, target string) (*Output, error) {
	if err := checkTarget(flag, target); err != nil {
		return nil, err
	}
	target = filepath.Clean(target)
	st, err := os.Stat(target)
	if err == nil && !st.IsDir() {
		return nil, fmt.Errorf("-%s %s: exists and is not a directory", flag, target)
	}
	created := err != nil
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, fmt.Errorf("-%s %s: cannot create the directory: %w", flag, target, err)
	}
	tmp, err := os.MkdirTemp(target, ".tmp-")
	if err != nil {
		return nil, fmt.Errorf("-%s %s: not writable: %w", flag, target, err)
	}
	return &Output{flag: flag, target: target, tmp: tmp, created: created}, nil
}

func checkTarget(flag, target string) error {
	if strings.TrimSpace(target) == "" {
		return fmt.Errorf("-%s: an output directory is required", flag)
	}
	return nil
}

// replaceable reports whether the existing directory dir may be replaced:
// it is empty or carries MarkerFile.
func replaceable(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err == nil {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("exists, is not empty and was not written by a neurograd command (no %s in it); it would be replaced as a whole: choose a new directory or remove it", MarkerFile)
}

// Dir is the directory to write the files into until Commit.
func (o *Output) Dir() string { return o.tmp }

// Path returns the path to write the output file name to until Commit.
func (o *Output) Path(name string) string { return filepath.Join(o.tmp, name) }

// Target is the directory the files will be in after Commit.
func (o *Output) Target() string { return o.target }

// Commit moves the staged files into place (see NewDir and NewFiles).
// It is an error to call it twice.
func (o *Output) Commit() error {
	if o.done {
		return fmt.Errorf("-%s %s: output already committed or aborted", o.flag, o.target)
	}
	o.done = true
	if !o.replace {
		err := moveFiles(o.tmp, o.target)
		os.RemoveAll(o.tmp)
		if err != nil {
			return fmt.Errorf("-%s %s: %w", o.flag, o.target, err)
		}
		return nil
	}
	parent := filepath.Dir(o.target)
	old := ""
	if _, err := os.Lstat(o.target); err == nil {
		if old, err = os.MkdirTemp(parent, "."+filepath.Base(o.target)+".old-"); err != nil {
			os.RemoveAll(o.tmp)
			return fmt.Errorf("-%s %s: %w", o.flag, o.target, err)
		}
		if err := os.Rename(o.target, filepath.Join(old, "d")); err != nil {
			os.RemoveAll(o.tmp)
			os.Remove(old)
			return fmt.Errorf("-%s %s: moving the earlier results aside: %w", o.flag, o.target, err)
		}
	}
	if err := os.Rename(o.tmp, o.target); err != nil {
		if old != "" {
			os.Rename(filepath.Join(old, "d"), o.target) // put the earlier results back
			os.Remove(old)
		}
		os.RemoveAll(o.tmp)
		return fmt.Errorf("-%s %s: %w", o.flag, o.target, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// moveFiles renames every file of src into dst (sub-directories as a
// whole, replacing one of the same name).
func moveFiles(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		to := filepath.Join(dst, e.Name())
		if e.IsDir() {
			if err := os.RemoveAll(to); err != nil {
				return err
			}
		}
		if err := os.Rename(filepath.Join(src, e.Name()), to); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes the staged files unless Commit has run; it is meant to be
// deferred right after NewDir or NewFiles.
func (o *Output) Abort() {
	if o == nil || o.done {
		return
	}
	o.done = true
	os.RemoveAll(o.tmp)
	if o.created {
		os.Remove(o.target) // only when empty
	}
}

// File is one output file being written: into a temporary file beside
// path, renamed to path by Commit and removed by Abort, so that a failed run
// never leaves a truncated file. The path "-" writes to the given stdout
// instead.
type File struct {
	io.Writer
	f         *os.File
	path, tmp string
	done      bool
}

// CreateFile creates the temporary file of the output file path (-flag
// names it in errors), proving now that path can be written. For "-" the
// File writes to stdout and Commit and Abort do nothing to it.
func CreateFile(flag, path string, stdout io.Writer) (*File, error) {
	if path == "-" {
		return &File{Writer: stdout, path: path}, nil
	}
	if strings.TrimSpace(path) == "" {
		return nil, fmt.Errorf("-%s: a file name is required", flag)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("-%s %s: is a directory", flag, path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-%s %s: %w", flag, path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("-%s %s: not writable: %w", flag, path, err)
	}
	return &File{Writer: f, f: f, path: path, tmp: f.Name()}, nil
}

// Commit closes the file and renames it into place.
func (f *File) Commit() error {
	if f.f == nil || f.done {
		return nil
	}
	f.done = true
	if err := f.f.Close(); err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	if err := os.Chmod(f.tmp, 0o644); err != nil {
		os.Remove(f.tmp)
		return err
	}
	if err := os.Rename(f.tmp, f.path); err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	return nil
}

// Abort removes the temporary file unless Commit has run; it is meant to
// be deferred right after CreateFile.
func (f *File) Abort() {
	if f == nil || f.f == nil || f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.tmp)
}

// WriteFileAtomic writes b to path through a temporary file beside it
// (-flag names path in errors).
func WriteFileAtomic(flag, path string, b []byte) error {
	f, err := CreateFile(flag, path, nil)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(b); err != nil {
		return err
	}
	return f.Commit()
}

// CheckWritable creates the directory dir (-flag names it in errors) when
// missing and proves it writable with a temporary file, for commands whose
// outputs are written by a library as they come (cmd/batch: a sweep
// resumes from what its directory holds, so it is never replaced).
func CheckWritable(flag, dir string) error {
	if err := checkTarget(flag, dir); err != nil {
		return err
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("-%s %s: exists and is not a directory", flag, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-%s %s: cannot create the directory: %w", flag, dir, err)
	}
	f, err := os.CreateTemp(dir, ".probe-")
	if err != nil {
		return fmt.Errorf("-%s %s: not writable: %w", flag, dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
