package stats

import "math"

// Moments accumulates the sums needed for the error of predictions y of
// reference values x: the RMSE and the fraction of the reference's variance
// explained, pooled over everything added. The zero value is empty.
type Moments struct {
	n, sx, sxx, see float64
}

// Add records one reference value x and its prediction y.
func (m *Moments) Add(x, y float64) {
	m.n++
	m.sx += x
	m.sxx += x * x
	m.see += (y - x) * (y - x)
}

// N returns the number of pairs added.
func (m *Moments) N() int { return int(m.n) }

// RMSE returns the root mean squared error of the predictions (NaN when empty).
func (m *Moments) RMSE() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return math.Sqrt(m.see / m.n)
}

// EV returns the fraction of the reference's variance the predictions
// explain, 1 − Σ(y−x)² / Σ(x−x̄)² (NaN when empty or when the reference is
// constant); negative when the predictions are worse than the mean.
func (m *Moments) EV() float64 {
	ss := m.sxx - m.sx*m.sx/m.n
	if m.n == 0 || !(ss > 0) {
		return math.NaN()
	}
	return 1 - m.see/ss
}
