// Package numpyrand reproduces, bit for bit, the parts of numpy's random
// Generator (numpy.random.default_rng, numpy ≥ 1.17) that hnn-core uses to
// prune connections: the PCG64 bit generator seeded through SeedSequence,
// Generator.random (float64 in [0, 1)), Generator.integers' bounded draws
// (Lemire's method on the buffered 32-bit output) and Generator.choice
// without replacement (Floyd's algorithm, or a tail shuffle for large
// populations), followed by its shuffle. Golden values from Debian's numpy
// 1.24 are in testdata/, with the script that made them.
package numpyrand

import (
	"fmt"
	"math"
	"math/bits"
)

// SeedSequence constants (numpy/random/bit_generator.pyx).
const (
	poolSize = 4
	initA    = 0x43b0d7e5
	multA    = 0x931e8875
	initB    = 0x8b51f9dd
	multB    = 0x58f38ded
	mixMultL = 0xca01f9dd
	mixMultR = 0x4973f715
	xshift   = 16
)

// seedPool returns the SeedSequence entropy pool for a non-negative
// integer seed (numpy splits it into 32-bit words, least significant
// first; 0 is one zero word).
func seedPool(seed uint64) [poolSize]uint32 {
	entropy := []uint32{uint32(seed)}
	if seed>>32 != 0 {
		entropy = append(entropy, uint32(seed>>32))
	}
	hashConst := uint32(initA)
	hashmix := func(v uint32) uint32 {
		v ^= hashConst
		hashConst *= multA
		v *= hashConst
		v ^= v >> xshift
		return v
	}
	mix := func(x, y uint32) uint32 {
		r := mixMultL*x - mixMultR*y
		return r ^ r>>xshift
	}
	var pool [poolSize]uint32
	for i := range pool {
		if i < len(entropy) {
			pool[i] = hashmix(entropy[i])
		} else {
			pool[i] = hashmix(0)
		}
	}
	for src := range pool {
		for dst := range pool {
			if src != dst {
				pool[dst] = mix(pool[dst], hashmix(pool[src]))
			}
		}
	}
	for src := poolSize; src < len(entropy); src++ {
		for dst := range pool {
			pool[dst] = mix(pool[dst], hashmix(entropy[src]))
		}
	}
	return pool
}

// generateState is SeedSequence.generate_state(n, np.uint64).
func generateState(pool [poolSize]uint32, n int) []uint64 {
	hashConst := uint32(initB)
	words := make([]uint32, 2*n)
	for i := range words {
		v := pool[i%poolSize]
		v ^= hashConst
		hashConst *= multB
		v *= hashConst
		v ^= v >> xshift
		words[i] = v
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32
	}
	return out
}

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	hi += a.hi*b.lo + a.lo*b.hi
	return u128{hi, lo}
}

// pcgMult is PCG's default 128-bit multiplier.
var pcgMult = u128{0x2360ED051FC65DA4, 0x4385DF649FCCF645}

// Generator is numpy's Generator(PCG64(SeedSequence(seed))), the object
// np.random.default_rng(seed) returns.
type Generator struct {
	state, inc u128
	hasUint32  bool
	uinteger   uint32
}

// New returns the generator of np.random.default_rng(seed) for a
// non-negative integer seed below 2^64.
func New(seed uint64) *Generator {
	st := generateState(seedPool(seed), 4)
	g := &Generator{}
	initstate, initseq := u128{st[0], st[1]}, u128{st[2], st[3]}
	// pcg_setseq_128_srandom_r
	g.inc = u128{initseq.hi<<1 | initseq.lo>>63, initseq.lo<<1 | 1}
	g.step()
	g.state = g.state.add(initstate)
	g.step()
	return g
}

func (g *Generator) step() { g.state = g.state.mul(pcgMult).add(g.inc) }

// Uint64 returns the next 64-bit output of PCG64 (XSL-RR).
func (g *Generator) Uint64() uint64 {
	g.step()
	return bits.RotateLeft64(g.state.hi^g.state.lo, -int(g.state.hi>>58))
}

// Uint32 returns the next 32-bit output: the low then the high half of one
// 64-bit output, as numpy's PCG64 buffers them.
func (g *Generator) Uint32() uint32 {
	if g.hasUint32 {
		g.hasUint32 = false
		return g.uinteger
	}
	v := g.Uint64()
	g.hasUint32, g.uinteger = true, uint32(v>>32)
	return uint32(v)
}

// Float64 is Generator.random(): a double in [0, 1) from the top 53 bits
// of one 64-bit output.
func (g *Generator) Float64() float64 {
	return float64(g.Uint64()>>11) * (1.0 / 9007199254740992.0)
}

// bounded returns a uniform integer in [0, rng] (inclusive), as numpy's
// random_bounded_uint64 without masking.
func (g *Generator) bounded(rng uint64) uint64 {
	switch {
	case rng == 0:
		return 0
	case rng < math.MaxUint32:
		excl := uint32(rng) + 1
		m := uint64(g.Uint32()) * uint64(excl)
		if left := uint32(m); left < excl {
			threshold := (math.MaxUint32 - uint32(rng)) % excl
			for left < threshold {
				m = uint64(g.Uint32()) * uint64(excl)
				left = uint32(m)
			}
		}
		return m >> 32
	case rng == math.MaxUint32:
		return uint64(g.Uint32())
	case rng == math.MaxUint64:
		return g.Uint64()
	default:
		excl := rng + 1
		hi, lo := bits.Mul64(g.Uint64(), excl)
		if lo < excl {
			threshold := -excl % excl
			for lo < threshold {
				hi, lo = bits.Mul64(g.Uint64(), excl)
			}
		}
		return hi
	}
}

// Integers is Generator.integers(0, n) for one value: uniform in [0, n).
func (g *Generator) Integers(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(g.bounded(uint64(n - 1)))
}

// shuffleInt is numpy's _shuffle_int: Fisher-Yates over data[first:] from
// the end.
func (g *Generator) shuffleInt(data []int64, first int) {
	for i := len(data) - 1; i >= first; i-- {
		j := g.bounded(uint64(i))
		data[i], data[j] = data[j], data[i]
	}
}

// genMask is the smallest all-ones mask ≥ v.
func genMask(v uint64) uint64 {
	v |= v >> 1
	v |= v >> 2
	v |= v >> 4
	v |= v >> 8
	v |= v >> 16
	v |= v >> 32
	return v
}

// ChoiceWithoutReplacement is Generator.choice(popSize, size,
// replace=False) (shuffle=True, p=None): size distinct integers of
// [0, popSize), in numpy's order.
func (g *Generator) ChoiceWithoutReplacement(popSize, size int) ([]int64, error) {
	if popSize < 0 || size < 0 || size > popSize {
		return nil, fmt.Errorf("numpyrand: cannot take %d of %d without replacement", size, popSize)
	}
	if size == 0 {
		return []int64{}, nil
	}
	const cutoff = 50 // with shuffle
	if popSize > 10000 && size > popSize/cutoff {
		idx := make([]int64, popSize)
		for i := range idx {
			idx[i] = int64(i)
		}
		g.shuffleInt(idx, max(popSize-size, 1))
		return idx[popSize-size:], nil
	}
	// Floyd's algorithm with an open-addressing hash set.
	idx := make([]int64, size)
	mask := genMask(uint64(1.2 * float64(size)))
	set := make([]uint64, mask+1)
	const empty = math.MaxUint64
	for i := range set {
		set[i] = empty
	}
	for j := popSize - size; j < popSize; j++ {
		val := g.bounded(uint64(j))
		loc := val & mask
		for set[loc] != empty && set[loc] != val {
			loc = (loc + 1) & mask
		}
		if set[loc] == empty {
			set[loc] = val
			idx[j-popSize+size] = int64(val)
		} else {
			loc = uint64(j) & mask
			for set[loc] != empty {
				loc = (loc + 1) & mask
			}
			set[loc] = uint64(j)
			idx[j-popSize+size] = int64(j)
		}
	}
	g.shuffleInt(idx, 1)
	return idx, nil
}
