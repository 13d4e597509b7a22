package spectral

// detrend removes the selected trend from seg in place. Both trends are orthogonal
// projections (seg - P seg with P symmetric), so detrend is also its own adjoint.
func detrend(seg []float64, d Detrend) {
	switch d {
	case DetrendConstant:
		var s float64
		for _, v := range seg {
			s += v
		}
		mean := s / float64(len(seg))
		for i := range seg {
			seg[i] -= mean
		}
	case DetrendLinear:
		detrendLinear(seg)
	}
}

// detrendLinear subtracts the least-squares line a + b*j (j = 0..m-1) from seg, as
// scipy.signal.detrend(type='linear') does, using centred abscissae.
func detrendLinear(seg []float64) {
	m := len(seg)
	if m < 3 {
		// One or two points lie exactly on the fitted line.
		clear(seg)
		return
	}
	var s float64
	for _, v := range seg {
		s += v
	}
	mean := s / float64(m)
	c := float64(m-1) / 2
	var num float64
	for j, v := range seg {
		num += (float64(j) - c) * (v - mean)
	}
	fm := float64(m)
	slope := num / (fm * (fm*fm - 1) / 12) // Σ (j-c)² = m(m²-1)/12
	for j := range seg {
		seg[j] -= mean + slope*(float64(j)-c)
	}
}
