package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

var codeVersion = sync.OnceValue(func() string {
	rev, dirty := "", true
	main := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		main = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev != "" && !dirty {
		return rev
	}
	// No revision, or a modified tree: the executable's own hash tells one
	// build from another (go run caches its binaries, so an unchanged tree
	// keeps its version).
	v := main
	if rev != "" {
		v = rev + "-dirty"
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err == nil {
				v += "+" + hex.EncodeToString(h.Sum(nil))[:12]
			}
		}
	}
	return v
})

// CodeVersion returns the version of the code that is running, part of every
// job's key: the VCS revision stamped by go build, or, for a modified tree
// or a build without one, that plus a hash of the executable.
func CodeVersion() string { return codeVersion() }
