package autograd

import (
	"math"
	"testing"
)

// TestLogMatchesMathLog: Log (with its shortcut for 1) gives bit for bit
// math.Log's value rounded to T, around 1 and elsewhere.
func TestLogMatchesMathLog(t *testing.T) {
	xs := []float32{1, math.Nextafter32(1, 2), math.Nextafter32(1, 0), 1 + 1e-7, 0.5, 2, 1e-30, 3e38, 0, -1, float32(math.Inf(1)), float32(math.NaN())}
	x := MustNew(append([]float32(nil), xs...), len(xs))
	y := (*Tape[float32])(nil).Log(x)
	for i, v := range xs {
		want := float32(math.Log(float64(v)))
		if math.Float32bits(y.Data[i]) != math.Float32bits(want) {
			t.Errorf("Log(%v) = %v (bits %x), math.Log gives %v (bits %x)", v, y.Data[i], math.Float32bits(y.Data[i]), want, math.Float32bits(want))
		}
	}
}
