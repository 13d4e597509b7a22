//go:build !amd64 || purego

package kernel

// simdImplementations is empty without amd64 assembly: only purego runs.
func simdImplementations() []*implementation { return nil }
