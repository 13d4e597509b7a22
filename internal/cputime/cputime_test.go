package cputime

import (
	"testing"
	"time"
)

// TestProcess checks that readings never decrease and that, where CPU time is
// measured, busy work advances them.
func TestProcess(t *testing.T) {
	t0 := Process()
	deadline := time.Now().Add(2 * time.Second)
	x := 1.0
	for Process() == t0 && time.Now().Before(deadline) {
		for i := 0; i < 100000; i++ {
			x = x*1.0000001 + 1e-9
		}
	}
	t1 := Process()
	switch {
	case t1 < t0:
		t.Fatalf("Process went back: %v then %v", t0, t1)
	case supported && t1 <= t0:
		t.Fatalf("Process did not advance in 2 s of busy work: %v then %v (x=%g)", t0, t1, x)
	case !supported && (t0 != 0 || t1 != 0):
		t.Fatalf("Process = %v, %v on a platform without it, want 0", t0, t1)
	}
}
