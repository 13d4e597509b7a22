//go:build !unix

package neuron

import "time"

// processCPUTime is unavailable here; benchmarks then report 0 CPU seconds.
func processCPUTime() time.Duration { return 0 }
