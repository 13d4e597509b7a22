// Package cputime measures the CPU time of the running process, for benchmarks
// that report CPU time beside wall time: on a shared, loaded machine the CPU
// time of a run is a steadier measure of its work than the wall time, which
// time spent descheduled inflates.
package cputime
