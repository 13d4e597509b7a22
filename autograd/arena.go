package autograd

// slabSize is the minimum number of elements in one arena slab.
const slabSize = 1 << 16

// arena is a bump allocator over slabs of T. reset rewinds it without freeing, so a
// workload that requests the same sizes in the same order every iteration allocates
// only during the first one.
type arena[T any] struct {
	slabs [][]T
	cur   int // index of the slab being filled
	off   int // elements used in slabs[cur]
}

// take returns n elements; they are zeroed when zero is true.
func (a *arena[T]) take(n int, zero bool) []T {
	for a.cur < len(a.slabs) {
		s := a.slabs[a.cur]
		if a.off+n <= len(s) {
			out := s[a.off : a.off+n : a.off+n]
			a.off += n
			if zero {
				clear(out)
			}
			return out
		}
		if a.off == 0 && n > len(s) {
			// Too small even when empty: replace it by a larger slab.
			a.slabs[a.cur] = make([]T, n)
			continue
		}
		a.cur++
		a.off = 0
	}
	size := max(slabSize, n)
	a.slabs = append(a.slabs, make([]T, size))
	a.cur = len(a.slabs) - 1
	a.off = n
	return a.slabs[a.cur][:n:n] // fresh from make: already zero
}

func (a *arena[T]) reset() { a.cur, a.off = 0, 0 }

// bytes returns the number of elements held.
func (a *arena[T]) size() int {
	n := 0
	for _, s := range a.slabs {
		n += len(s)
	}
	return n
}

// chunkPool hands out pointers to zeroed T values from fixed-size chunks so the
// pointers stay valid while the pool grows; reset makes them reusable.
type chunkPool[T any] struct {
	chunks [][]T
	n      int
}

const chunkLen = 1024

func (p *chunkPool[T]) get() *T {
	c, i := p.n/chunkLen, p.n%chunkLen
	if c == len(p.chunks) {
		p.chunks = append(p.chunks, make([]T, chunkLen))
	}
	p.n++
	v := &p.chunks[c][i]
	var zero T
	*v = zero
	return v
}

func (p *chunkPool[T]) reset() { p.n = 0 }
