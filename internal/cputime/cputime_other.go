//go:build !unix

package cputime

import "time"

// supported reports whether Process measures anything on this platform.
const supported = false

// Process returns the user+system CPU time of the whole process so far; it is
// not measured on this platform and always returns 0, so callers that report
// the difference of two readings skip the report.
func Process() time.Duration { return 0 }
