//go:build linux

package biophys

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/neurograd/neurograd/internal/cputime"
	"github.com/neurograd/neurograd/network"
)

// threadCPUNanos returns the CPU time of the calling OS thread (ns).
func threadCPUNanos() int64 {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// BenchmarkERPMesh10Balance measures, with per-thread CPU clocks (which
// other processes' load does not inflate), the CPU time of every chunk in
// every exchange interval of the 10×10 ERP run on one worker, and replays
// the dynamic schedule of Simulate on w dedicated cores: the reported
// speedup-Nw is total CPU / (serial CPU + Σ interval makespans). It
// isolates the algorithm's load balance and serial fraction from the
// contention of a shared machine; it does not model memory-bandwidth
// effects between cores.
func BenchmarkERPMesh10Balance(b *testing.B) {
	benchBalance(b, network.ERPDrives, 170)
}

// BenchmarkPoissonMesh10Balance is BenchmarkERPMesh10Balance for the
// 1000 ms Poisson run.
func BenchmarkPoissonMesh10Balance(b *testing.B) {
	benchBalance(b, poissonReference, 1000)
}

func benchBalance(b *testing.B, drives func() []network.Drive, tstop float64) {
	var chunkCPU [][]int64 // [interval][chunk]
	var start int64
	hook := func(interval, chunk int, done bool) {
		if !done {
			runtime.LockOSThread()
			start = threadCPUNanos()
			return
		}
		d := threadCPUNanos() - start
		runtime.UnlockOSThread()
		for len(chunkCPU) <= interval {
			chunkCPU = append(chunkCPU, nil)
		}
		for len(chunkCPU[interval]) <= chunk {
			chunkCPU[interval] = append(chunkCPU[interval], 0)
		}
		chunkCPU[interval][chunk] = d
	}
	var total, chunks float64
	for b.Loop() {
		chunkCPU = chunkCPU[:0]
		cpu0 := cputime.Process().Seconds()
		col, _ := network.NewColumn(10, 10)
		n, err := network.NewNetwork(col, nil, drives())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Simulate(n, SimOptions{TStop: tstop, Workers: 1, chunkHook: hook}); err != nil {
			b.Fatal(err)
		}
		total = cputime.Process().Seconds() - cpu0
		chunks = 0
		for _, iv := range chunkCPU {
			for _, c := range iv {
				chunks += float64(c) * 1e-9
			}
		}
	}
	serial := total - chunks
	for _, w := range []int{2, 4} {
		var makespan float64
		for _, iv := range chunkCPU {
			free := make([]int64, w) // when each worker becomes free
			var end int64
			for _, c := range iv {
				k := 0
				for j := 1; j < w; j++ {
					if free[j] < free[k] {
						k = j
					}
				}
				free[k] += c
				end = max(end, free[k])
			}
			makespan += float64(end) * 1e-9
		}
		b.ReportMetric(total/(serial+makespan), "speedup-"+string(rune('0'+w))+"w")
	}
	b.ReportMetric(total, "cpu-s/op")
	b.ReportMetric(serial/total, "serial-frac")
}
