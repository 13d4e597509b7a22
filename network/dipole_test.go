package network

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/spectral"
)

func TestRenormaliseHNN(t *testing.T) {
	raw := Dipole{Times: []float64{0, 37, 100, 800}, Agg: make([]float64, 4), L2: make([]float64, 4), L5: make([]float64, 4)}
	d := RenormaliseHNN(raw, 100)
	// Spec 11.3: at t = 0 a zero raw dipole becomes L2 = −4.43e-6,
	// L5 = 4.90502e-3, agg = 4.90059e-3 nAm for the 10×10 network.
	for _, c := range []struct{ got, want float64 }{
		{d.L2[0], -4.43e-6}, {d.L5[0], 4.90502e-3}, {d.Agg[0], 4.90059e-3},
		{d.L5[1], 4.90502e-3},
		{d.L5[2], -100 * (3.4770508e-3*100 - 51.231085) * 1e-6},
		{d.L5[3], -100 * (1.01e-4*800 - 48.412078) * 1e-6},
	} {
		if math.Abs(c.got-c.want) > 1e-15 {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	if raw.L2[0] != 0 {
		t.Error("RenormaliseHNN modified its input")
	}
}

func TestSmoothHamming(t *testing.T) {
	const n = 400
	d := Dipole{Times: make([]float64, n), Agg: make([]float64, n), L2: make([]float64, n), L5: make([]float64, n)}
	for k := range n {
		d.Times[k] = 0.025 * float64(k)
		d.Agg[k] = math.Sin(float64(k)*0.3) + float64(k%7)
		d.L2[k] = 1 // a constant stays constant away from the edges
		d.L5[k] = 0
	}
	d.L5[200] = 1 // an impulse gives the window back
	orig := append([]float64(nil), d.Agg...)
	// 1 ms at 40 kHz: M = 40, c = 19.
	sm, err := spectral.NewSmoother(n, 1, 40000)
	if err != nil || len(sm.Window) != 40 {
		t.Fatalf("window: %v", err)
	}
	w := sm.Window
	if len(w) != 40 {
		t.Fatalf("window: %d samples, %v", len(w), err)
	}
	if _, err := d.Smooth(1); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for j, wj := range w {
		sum += wj
		if want := (0.54 - 0.46*math.Cos(2*math.Pi*float64(j)/39)); math.Abs(wj/w[0]*0.08-want) > 1e-12 {
			t.Fatalf("window[%d] shape wrong", j)
		}
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("window sums to %v", sum)
	}
	for k := 20; k <= n-20; k++ {
		if math.Abs(d.L2[k]-1) > 1e-12 {
			t.Fatalf("constant smoothed to %v at %d", d.L2[k], k)
		}
	}
	for j := range w {
		if k := 200 - 19 + j; math.Abs(d.L5[k]-w[j]) > 1e-15 {
			t.Fatalf("impulse response at %d: %v, want %v", k, d.L5[k], w[j])
		}
	}
	// Direct evaluation of the 'same' convolution at one point.
	k := 5
	var want float64
	for j := range w {
		if i := k + 19 - j; i >= 0 && i < n {
			want += orig[i] * w[j]
		}
	}
	if math.Abs(d.Agg[k]-want) > 1e-12 {
		t.Errorf("smoothed[5] = %v, want %v", d.Agg[k], want)
	}
	d.Scale(3000)
	if math.Abs(d.L2[100]-3000) > 1e-9 {
		t.Errorf("scaled constant %v, want 3000", d.L2[100])
	}
	for _, bad := range []float64{0.5, -1, 1000} {
		if _, err := d.Smooth(bad); err == nil {
			t.Errorf("window %v ms accepted", bad)
		}
	}
}
