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
// holds at most one buffer per concurrently running GEMM.
type bufPool[T Float] struct {
	mu   sync.Mutex
	free []*gemmBuf[T]
}

func (p *bufPool[T]) get() *gemmBuf[T] {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return new(gemmBuf[T])
}

func (p *bufPool[T]) put(b *gemmBuf[T]) {
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}
