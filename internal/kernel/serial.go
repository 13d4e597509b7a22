package kernel

import "sync/atomic"

// serialHolds counts the HoldSerial calls not yet released.
var serialHolds atomic.Int32

// HoldSerial makes every product run on its caller's goroutine alone, never
// split over the crew, until a matching ReleaseSerial. It is for callers that
// already keep every core busy with goroutines of their own (restarts run at
// once, a GEMM batch run beside the caller's): for them a split product only
// adds the crew's polling and a competitor on each core. Holds nest and may
// overlap across goroutines (a count); neither call allocates. Results are the
// same bit for bit with or without a hold: a split never changes the
// operations on any element.
func HoldSerial() { serialHolds.Add(1) }

// ReleaseSerial ends one HoldSerial.
func ReleaseSerial() {
	if serialHolds.Add(-1) < 0 {
		serialHolds.Add(1)
		panic("kernel: ReleaseSerial without HoldSerial")
	}
}

// serialHeld reports whether some caller holds products serial.
func serialHeld() bool { return serialHolds.Load() > 0 }
