package kernel

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestHoldSerial checks that a hold keeps products serial, that holds nest,
// that an unmatched release panics, and that a held product equals the split
// one.
func TestHoldSerial(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const m, n, k = 256, 256, 256
	if workers(m, n, k) < 2 {
		t.Fatalf("256³ at GOMAXPROCS 2: %d pieces, want a split", workers(m, n, k))
	}
	a, lda, b, ldb, c0, ldc := gemmOperands[float32](rand.New(rand.NewPCG(31, 32)), false, false, m, n, k)
	split := append([]float32(nil), c0...)
	Gemm(false, false, m, n, k, 1, a, lda, b, ldb, 0.5, split, ldc)

	HoldSerial()
	HoldSerial()
	if w := workers(m, n, k); w != 1 {
		t.Fatalf("held: %d pieces, want 1", w)
	}
	held := append([]float32(nil), c0...)
	Gemm(false, false, m, n, k, 1, a, lda, b, ldb, 0.5, held, ldc)
	if i := sameBits(held, split); i >= 0 {
		t.Fatalf("held product differs at C[%d]: %v, split %v", i, held[i], split[i])
	}
	ReleaseSerial()
	if w := workers(m, n, k); w != 1 {
		t.Fatalf("one hold left: %d pieces, want 1", w)
	}
	ReleaseSerial()
	if w := workers(m, n, k); w < 2 {
		t.Fatalf("released: %d pieces, want a split", w)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("ReleaseSerial without a hold did not panic")
			}
		}()
		ReleaseSerial()
	}()
	if w := workers(m, n, k); w < 2 {
		t.Fatalf("after the unmatched release: %d pieces, want a split", w)
	}
	if n := testing.AllocsPerRun(100, func() { HoldSerial(); ReleaseSerial() }); n != 0 {
		t.Errorf("HoldSerial + ReleaseSerial: %v allocations", n)
	}
}
