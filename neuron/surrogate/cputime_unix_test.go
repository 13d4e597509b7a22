//go:build unix

package surrogate

import (
	"syscall"
	"time"
)

// processCPUTime returns the user+system CPU time of the process so far (all
// threads), which is far steadier than wall time on a shared machine.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
