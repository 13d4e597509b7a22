// Package layers states which of neurograd's packages may import which: the
// floors of the building, from the SIMD kernels at the bottom to the commands
// at the top. Imports point down: a package may import packages on lower
// floors only (and, on its own floor, none). Its test lists every package's
// imports with `go list` and fails on one that points up or sideways.
package layers

import "strings"

// Module is the module path of neurograd.
const Module = "github.com/neurograd/neurograd"

// floors maps each package (relative to the module) or a "dir/..." pattern to
// its floor; a longer entry wins over a pattern.
var floors = map[string]int{
	"internal/kernel":    0,
	"internal/cputime":   0,
	"internal/parallel":  0,
	"internal/layers":    0,
	"nn/safetensors":     0,
	"internal/reference": 0,
	"internal/stats":     0,
	"internal/numpyrand": 0,

	"autograd": 1,

	"nn":       2,
	"spectral": 2,
	"neuron":   2,

	"network":          3,
	"neuron/surrogate": 3,

	"network/biophys": 4,
	"network/snn":     4,

	"network/snn/snntest": 5,
	"optimize":            5,
	"train":               5,

	// verify checks the optimizer's answer with the objective's own spectral
	// settings, so it sits one floor above optimize.
	"verify": 6,
	// recovery fits with optimize and checks in network/biophys.
	"recovery": 6,

	// batch runs optimize, verify, simulation and training jobs on NATS
	// JetStream; it alone (with cmd/batch) may import NATS (NATSImporters).
	"batch": 7,

	"cmd/internal/...": 8,
	// verifyout writes the verification's files with the shared plots.
	"cmd/internal/verifyout": 9,
	"cmd/...":                10,
}

// NATSPrefix starts the import paths of the NATS client and server.
const NATSPrefix = "github.com/nats-io/"

// NATSImporters are the only packages that may import NATS: the core
// packages stay free of the queue and its dependencies.
var NATSImporters = map[string]bool{"batch": true, "cmd/batch": true}

// MayImportNATS reports whether package pkg may import the NATS packages.
func MayImportNATS(pkg string) bool {
	return NATSImporters[strings.TrimPrefix(strings.TrimPrefix(pkg, Module), "/")]
}

// Floor returns the floor of package pkg (an import path inside the module or
// relative to it) and whether the package is known.
func Floor(pkg string) (int, bool) {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, Module), "/")
	if f, ok := floors[rel]; ok {
		return f, true
	}
	best, found, bestLen := 0, false, -1
	for pat, f := range floors {
		dir, ok := strings.CutSuffix(pat, "/...")
		if !ok {
			continue
		}
		if (rel == dir || strings.HasPrefix(rel, dir+"/")) && len(dir) > bestLen {
			best, found, bestLen = f, true, len(dir)
		}
	}
	return best, found
}

// Allowed reports whether package from may import package to (both import
// paths); imports outside the module are not judged here.
func Allowed(from, to string) bool {
	if !strings.HasPrefix(to, Module) {
		return true
	}
	ff, ok1 := Floor(from)
	ft, ok2 := Floor(to)
	if !ok1 || !ok2 {
		return false
	}
	return ff > ft
}
