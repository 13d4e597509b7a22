package layers

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestImportsPointDown lists every package's imports (test files excluded:
// external tests may import upward) and fails on each import that breaks
// the floors, naming it, and on a package that has no floor.
func TestImportsPointDown(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		pkg := f[0]
		n++
		if _, ok := Floor(pkg); !ok {
			t.Errorf("package %s has no floor in internal/layers: add it", pkg)
			continue
		}
		for _, imp := range f[1:] {
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
	if n < 15 {
		t.Fatalf("go list found only %d packages", n)
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
