//go:build unix

package spectral

import "syscall"

// processCPUTime returns the user+system CPU time of this process in ns, all
// threads together (0 when unavailable).
func processCPUTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
