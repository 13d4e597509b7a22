package network

import (
	"math"
	"testing"
)

// Values printed by numpy 1.x/2.x for numpy.random.RandomState.
func TestRandomStateMatchesNumpy(t *testing.T) {
	if got := NewRandomState(5489).Uint32(); got != 3499211612 {
		t.Errorf("MT19937(5489) first output %d, want 3499211612", got)
	}
	if got := NewRandomState(0).Uint32(); got != 2357136044 {
		t.Errorf("MT19937(0) first output %d, want 2357136044", got)
	}
	if got := NewRandomState(0).Float64(); got != 0.5488135039273248 {
		t.Errorf("RandomState(0).random_sample() = %v, want 0.5488135039273248", got)
	}
	r := NewRandomState(0)
	if got := r.StandardNormal(); got != 1.764052345967664 {
		t.Errorf("RandomState(0).standard_normal() = %v, want 1.764052345967664", got)
	}
	if got := r.StandardNormal(); got != 0.4001572083672233 {
		t.Errorf("second standard_normal() = %v, want 0.4001572083672233 (cached value)", got)
	}
}

func TestRandomStateGaussianCacheSurvivesExponential(t *testing.T) {
	a, b := NewRandomState(7), NewRandomState(7)
	a.StandardNormal()
	b.StandardNormal()
	cached := a.StandardNormal()
	b.Exponential(2) // consumes uniforms, must keep the cached Gaussian
	if got := b.StandardNormal(); got != cached {
		t.Errorf("cached Gaussian lost after an exponential draw: %v vs %v", got, cached)
	}
}

func TestRandomStateReseed(t *testing.T) {
	r := NewRandomState(123)
	first := []float64{r.Float64(), r.Normal(1, 2), r.Exponential(3)}
	r.Seed(123)
	second := []float64{r.Float64(), r.Normal(1, 2), r.Exponential(3)}
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("draw %d differs after reseeding: %v vs %v", i, first[i], second[i])
		}
	}
}

func TestArangeMatchesNumpy(t *testing.T) {
	got := arange(50, 310, 100)
	want := []float64{50, 150, 250}
	if len(got) != len(want) {
		t.Fatalf("arange(50, 310, 100) = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arange(50, 310, 100) = %v", got)
		}
	}
	// numpy's well-known quirk: (0.4−0.1)/0.1 = 3.0000000000000004, so
	// arange(0.1, 0.4, 0.1) has four elements, the last 0.4.
	if got := arange(0.1, 0.4, 0.1); len(got) != 4 || got[3] != 0.1+3*(0.2-0.1) {
		t.Errorf("arange(0.1, 0.4, 0.1) = %v, want 4 elements ending 0.4", got)
	}
	if got := arange(5, 5, 1); len(got) != 0 {
		t.Errorf("arange(5, 5, 1) = %v, want empty", got)
	}
}

// logCorrectlyRounded agrees with math.Log to within one ulp everywhere
// and is exact at powers of two and e.
func TestLogCorrectlyRounded(t *testing.T) {
	r := NewRandomState(11)
	for i := 0; i < 200000; i++ {
		x := r.Float64()
		if x == 0 {
			continue
		}
		if i%2 == 1 {
			x = math.Ldexp(x, int(r.Uint32()%2000)-1000)
		}
		got, ref := logCorrectlyRounded(x), math.Log(x)
		if got != ref && math.Abs(got-ref) > math.Abs(math.Nextafter(ref, 0)-ref) {
			t.Fatalf("log(%v) = %v, math.Log %v: differ by more than one ulp", x, got, ref)
		}
	}
	for k := -1000; k <= 1000; k += 37 {
		want := float64(k) * math.Ln2
		if got := logCorrectlyRounded(math.Ldexp(1, k)); math.Abs(got-want) > 1e-15*math.Abs(want) {
			t.Errorf("log(2^%d) = %v, want %v", k, got, want)
		}
	}
	if got := logCorrectlyRounded(math.E); got != 1 {
		t.Errorf("log(e) = %v, want 1", got)
	}
}
