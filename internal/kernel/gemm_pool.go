package kernel

import "sync"

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemmBuf holds one goroutine's packing buffers.
type gemmBuf[T Float] struct{ a, b []T }

// bufPool keeps packing buffers for reuse. Unlike sync.Pool it never drops
// them at garbage collection, so steady-state GEMM calls allocate nothing; it
// holds at most one buffer per concurrently running GEMM (per goroutine of a
// parallel one).
type bufPool[T Float] = freeList[gemmBuf[T]]

// freeList is a free list of *X that survives garbage collection.
type freeList[X any] struct {
	mu   sync.Mutex
	free []*X
}

func (p *freeList[X]) get() *X {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return new(X)
}

func (p *freeList[X]) put(b *X) {
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}
