//go:build !unix

package kernel

import "time"

// processCPUTime is unavailable here; benchmarks then omit GFLOP/cpu-s.
func processCPUTime() time.Duration { return 0 }
