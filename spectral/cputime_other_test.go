//go:build !unix

package spectral

func processCPUTime() int64 { return 0 }
