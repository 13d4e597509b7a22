package kernel

import "github.com/klauspost/cpuid/v2"

// Cache sizes in bytes from cpuid, with common defaults where unknown.
func cacheSizes() (l1d, l2 int) {
	l1d, l2 = cpuid.CPU.Cache.L1D, cpuid.CPU.Cache.L2
	if l1d <= 0 {
		l1d = 32 << 10
	}
	if l2 <= 0 {
		l2 = 512 << 10
	}
	return l1d, l2
}

// setBlocking sizes the cache blocks of g for element size es bytes: a kc x nr
// panel of B fills about two thirds of L1D, an mc x kc block of A about half of
// L2; nc bounds the packed B block.
func (g *gemmImpl[T]) setBlocking(es int) {
	l1d, l2 := cacheSizes()
	nr := g.nr()
	kc := l1d * 2 / 3 / (nr * es)
	g.kc = min(max(kc/8*8, 64), 1024)
	mc := l2 / 2 / (g.kc * es)
	g.mc = min(max(mc/g.mr*g.mr, g.mr), 4096/g.mr*g.mr)
	g.nc = 4096 / nr * nr
	g.pool = new(bufPool[T])
}
