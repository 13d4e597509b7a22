package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// moduleImports parses the imports of every non-test Go file of the module
// (this process reads the files itself, so the test cache sees every change)
// and returns, per package import path, the imports inside the module and
// those of NATS.
func moduleImports(t *testing.T) map[string][]string {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := Module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			if strings.HasPrefix(ip, Module) || strings.HasPrefix(ip, NATSPrefix) {
				out[pkg] = append(out[pkg], ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportsPointDown checks every package's imports (test files excluded:
// external tests may import upward) and fails on each import that breaks the
// floors, naming it, and on a package that has no floor.
func TestImportsPointDown(t *testing.T) {
	imps := moduleImports(t)
	pkgs := make([]string, 0, len(imps))
	for p := range imps {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		if pkg == Module {
			continue // the module root holds no package
		}
		if _, ok := Floor(pkg); !ok {
			t.Errorf("package %s has no floor in internal/layers: add it", pkg)
			continue
		}
		for _, imp := range imps[pkg] {
			if strings.HasPrefix(imp, NATSPrefix) && !MayImportNATS(pkg) {
				t.Errorf("%s imports %s: only batch and cmd/batch may import NATS", pkg, imp)
			}
			if !Allowed(pkg, imp) {
				fp, _ := Floor(pkg)
				fi, _ := Floor(imp)
				t.Errorf("%s (floor %d) imports %s (floor %d): imports must point down", pkg, fp, imp, fi)
			}
		}
	}
	if len(pkgs) < 20 {
		t.Fatalf("found only %d packages", len(pkgs))
	}
}

// TestMayImportNATS checks the NATS rule on known cases.
func TestMayImportNATS(t *testing.T) {
	for pkg, want := range map[string]bool{
		Module + "/batch": true, Module + "/cmd/batch": true, Module + "/optimize": false,
		Module + "/network": false, Module + "/cmd/optimize": false, Module + "/batch/sub": false,
	} {
		if got := MayImportNATS(pkg); got != want {
			t.Errorf("MayImportNATS(%s) = %v, want %v", pkg, got, want)
		}
	}
}

// TestAllowed checks the rule itself on known cases, so that a broken rule
// cannot pass the tree.
func TestAllowed(t *testing.T) {
	m := Module + "/"
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{m + "nn", m + "autograd", true},
		{m + "autograd", m + "nn", false},
		{m + "network/snn", m + "network", true},
		{m + "network", m + "network/snn", false},
		{m + "network/snn", m + "network/biophys", false},
		{m + "optimize", m + "verify", false},
		{m + "verify", m + "optimize", true},
		{m + "cmd/optimize", m + "cmd/internal/verifyout", true},
		{m + "cmd/internal/verifyout", m + "cmd/optimize", false},
		{m + "cmd/internal/verifyout", m + "cmd/internal/plots", true},
		{m + "cmd/internal/plots", m + "cmd/internal/cli", false},
		{m + "neuron", m + "internal/kernel", true},
		{m + "cmd/optimize", "fmt", true},
		{m + "unknown", m + "autograd", false},
		{m + "batch", m + "verify", true},
		{m + "verify", m + "batch", false},
		{m + "batch", m + "cmd/internal/cli", false},
		{m + "cmd/batch", m + "batch", true},
	} {
		if got := Allowed(tc.from, tc.to); got != tc.want {
			t.Errorf("Allowed(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
