package network

import "math"

// mtState is the number of 32-bit words in the MT19937 state.
const mtState = 624

// RandomState reproduces numpy's legacy numpy.random.RandomState (Mersenne
// Twister MT19937) for the draws hnn-core uses to generate drive event times:
// uniform doubles, Gaussian draws by the cached polar Box–Muller method and
// exponential draws. Streams are bit-identical to numpy for the same seed.
//
// A RandomState is not safe for concurrent use.
type RandomState struct {
	mt        [mtState]uint32
	index     int
	hasGauss  bool
	gaussNext float64
}

// NewRandomState returns a generator seeded like numpy.random.RandomState(seed)
// for an integer seed 0 <= seed < 2^32.
func NewRandomState(seed uint32) *RandomState {
	r := &RandomState{}
	r.Seed(seed)
	return r
}

// Seed resets the generator to the state numpy.random.RandomState(seed) has
// after construction, clearing the cached Gaussian value.
func (r *RandomState) Seed(seed uint32) {
	r.mt[0] = seed
	for i := 1; i < mtState; i++ {
		prev := r.mt[i-1]
		r.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	r.index = mtState
	r.hasGauss = false
	r.gaussNext = 0
}

// twist regenerates the whole MT19937 state block.
func (r *RandomState) twist() {
	const (
		m         = 397
		matrixA   = 0x9908b0df
		upperMask = 0x80000000
		lowerMask = 0x7fffffff
	)
	mt := &r.mt
	for i := 0; i < mtState; i++ {
		y := (mt[i] & upperMask) | (mt[(i+1)%mtState] & lowerMask)
		v := mt[(i+m)%mtState] ^ (y >> 1)
		if y&1 != 0 {
			v ^= matrixA
		}
		mt[i] = v
	}
	r.index = 0
}

// Uint32 returns the next tempered 32-bit MT19937 output.
func (r *RandomState) Uint32() uint32 {
	if r.index >= mtState {
		r.twist()
	}
	y := r.mt[r.index]
	r.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Float64 returns a uniform double in [0, 1) with 53 random bits, as
// numpy's random_sample (two 32-bit outputs per draw).
func (r *RandomState) Float64() float64 {
	a := r.Uint32() >> 5
	b := r.Uint32() >> 6
	return (float64(a)*67108864.0 + float64(b)) / 9007199254740992.0
}

// StandardNormal returns a standard normal draw by numpy's legacy polar
// Box–Muller method, which produces two values per accepted pair and caches
// the second one for the next call.
func (r *RandomState) StandardNormal() float64 {
	if r.hasGauss {
		r.hasGauss = false
		v := r.gaussNext
		r.gaussNext = 0
		return v
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*r.Float64() - 1
		x2 = 2*r.Float64() - 1
		r2 = x1*x1 + x2*x2
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * logCorrectlyRounded(r2) / r2)
	r.gaussNext = f * x1
	r.hasGauss = true
	return f * x2
}

// Normal returns loc + scale·N(0,1), as numpy's RandomState.normal(loc, scale).
func (r *RandomState) Normal(loc, scale float64) float64 {
	return loc + scale*r.StandardNormal()
}

// StandardExponential returns −ln(1 − U) for a uniform U, as numpy's legacy
// standard_exponential. It does not touch the cached Gaussian value.
func (r *RandomState) StandardExponential() float64 {
	return -logCorrectlyRounded(1 - r.Float64())
}

// Exponential returns scale·StandardExponential(), as numpy's
// RandomState.exponential(scale).
func (r *RandomState) Exponential(scale float64) float64 {
	return scale * r.StandardExponential()
}
