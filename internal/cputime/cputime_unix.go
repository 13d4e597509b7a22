//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// supported reports whether Process measures anything on this platform.
const supported = true

// Process returns the user+system CPU time of the whole process so far, all
// threads together, or 0 when it is unavailable (always on platforms without
// getrusage, see the !unix variant). Callers that report CPU time skip the
// report when the difference of two readings is not positive.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
