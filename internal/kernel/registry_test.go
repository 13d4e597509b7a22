package kernel

import (
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// forEachImpl runs f once per implementation available on this machine, as a
// subtest named after it, and restores the default afterwards.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := Implementation()
	defer func() {
		if err := SetImplementation(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range Implementations() {
		if err := SetImplementation(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

func TestImplementations(t *testing.T) {
	names := Implementations()
	t.Logf("GOARCH=%s, implementations available: %v, default: %s", runtime.GOARCH, names, Implementation())
	if names[len(names)-1] != "purego" {
		t.Errorf("purego must always be available, got %v", names)
	}
	if names[0] != Implementation() {
		t.Errorf("default %q is not the best available %q", Implementation(), names[0])
	}
	want := "purego"
	if runtime.GOARCH == "amd64" && !pureGoBuild && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		want = "avx2"
		if cpu.X86.HasAVX512F {
			want = "avx512"
		}
	}
	if Implementation() != want {
		t.Errorf("CPU flags (after GODEBUG) call for %q, dispatch chose %q", want, Implementation())
	}
	if err := SetImplementation("no-such-path"); err == nil {
		t.Error("SetImplementation accepted an unknown name")
	}
}
