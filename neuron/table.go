package neuron

import (
	"math"
	"sync"
)

// vtable is NEURON's TABLE for voltage-dependent rate quantities: cols columns tabulated on
// n+1 points from vmin in steps of dx = (vmax-vmin)/n (grid built by repeated addition),
// linearly interpolated with clamped ends. The row n is duplicated once so that the
// clamped upper end interpolates with theta = 0 without a branch on the index.
type vtable struct {
	vmin float64
	mfac float64 // 1/dx
	n    int
	cols int
	data []float64 // (n+2)*cols
}

func newVTable(vmin, vmax float64, n, cols int, f func(v float64, out []float64)) *vtable {
	t := &vtable{vmin: vmin, n: n, cols: cols, data: make([]float64, (n+2)*cols)}
	dx := (vmax - vmin) / float64(n)
	t.mfac = 1 / dx
	x := vmin
	for i := 0; i <= n; i++ {
		f(x, t.data[i*cols:(i+1)*cols])
		x += dx
	}
	copy(t.data[(n+1)*cols:], t.data[n*cols:(n+1)*cols])
	return t
}

// index returns the row offset (into data) and the interpolation weight for voltage v,
// following NEURON: xi = (v - vmin)*(1/dx); xi <= 0 -> row 0; xi >= n -> row n; otherwise
// floor and fraction. A NaN voltage yields a NaN weight.
func (t *vtable) index(v float64) (int, float64) {
	xi := t.mfac * (v - t.vmin)
	if xi <= 0 {
		return 0, 0
	}
	if xi >= float64(t.n) {
		return t.n * t.cols, 0
	}
	if xi != xi {
		return 0, math.NaN()
	}
	i := int(xi)
	return i * t.cols, xi - float64(i)
}

// at interpolates column c at (row offset o, weight th).
func (t *vtable) at(o int, th float64, c int) float64 {
	a := t.data[o+c]
	return a + th*(t.data[o+t.cols+c]-a)
}

// guardedExp is NEURON's exp inside mechanisms: 0 below -700, exp(700) above 700.
func guardedExp(x float64) float64 {
	if x < -700 {
		return 0
	}
	if x > 700 {
		return math.Exp(700)
	}
	return math.Exp(x)
}

// tables holds every lookup table and temperature factor for one temperature.
type tables struct {
	celsius float64
	q10HH2  float64 // hh2 temperature factor
	tadj    float64 // km, ca, kca temperature factor
	hh2     *vtable // minf, mtau, hinf, htau, ninf, ntau
	km      *vtable // ninf, ntau
	ca      *vtable // minf, mtau, hinf, htau
	cat     *vtable // minf, mtau, hinf, htau
	ar      *vtable // minf, mtau
	kmca    *vtable // km's and ca's columns side by side (nil unless on one grid)
	catar   *vtable // cat's and ar's columns side by side (nil unless on one grid)
}

var (
	tablesMu    sync.Mutex
	tablesCache = map[float64]*tables{}
)

// tablesFor returns the (shared, read-only) lookup tables for temperature celsius (°C).
func tablesFor(celsius float64) *tables {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if t, ok := tablesCache[celsius]; ok {
		return t
	}
	t := &tables{celsius: celsius}
	t.q10HH2 = math.Pow(3, (celsius-hh2Temp-hh2TShift)/10)
	t.tadj = math.Pow(2.3, (celsius-23-30.7)/10)
	t.hh2 = newVTable(-100, 100, 200, 6, func(v float64, o []float64) { hh2Rates(v, t.q10HH2, o) })
	t.km = newVTable(-120, 100, 199, 2, func(v float64, o []float64) { kmRates(v, t.tadj, o) })
	t.ca = newVTable(-120, 100, 199, 4, func(v float64, o []float64) { caRates(v, t.tadj, o) })
	t.cat = newVTable(-120, 40, 641, 4, catRates)
	t.ar = newVTable(-120, 40, 641, 2, arRates)
	t.kmca = mergeTables(t.km, t.ca)
	t.catar = mergeTables(t.cat, t.ar)
	tablesCache[celsius] = t
	return t
}

// mergeTables returns the table on a's grid whose rows are a's row followed by b's (the
// same values, so interpolating a column of either gives the same bits), or nil when a and
// b are not on one grid.
func mergeTables(a, b *vtable) *vtable {
	if a.vmin != b.vmin || a.mfac != b.mfac || a.n != b.n {
		return nil
	}
	cols := a.cols + b.cols
	m := &vtable{vmin: a.vmin, mfac: a.mfac, n: a.n, cols: cols, data: make([]float64, (a.n+2)*cols)}
	for i := 0; i < a.n+2; i++ {
		copy(m.data[i*cols:], a.data[i*a.cols:(i+1)*a.cols])
		copy(m.data[i*cols+a.cols:], b.data[i*b.cols:(i+1)*b.cols])
	}
	return m
}
