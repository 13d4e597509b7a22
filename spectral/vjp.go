package spectral

import (
	"fmt"

	"github.com/neurograd/neurograd/autograd"
)

// VJP computes the vector-Jacobian product of PSD: given the row-major batch x
// (batch*N) and an upstream gradient g = ∂L/∂PSD (batch*NFreq), it writes
// dx = ∂L/∂x (batch*N, allocated when nil) and returns it.
//
// For one segment with detrended, windowed samples y and one-sided spectrum X,
// PSD_k = c_k |X_k|² (c_k the scale, doubled where scipy doubles), so
// ∂L/∂y_j = Re Σ_k 2 g_k c_k X_k exp(+2πi k j/NFFT): an inverse real transform of
// 2 g_k c_k X_k in which DC and the Nyquist bin (even NFFT) count once. That is
// multiplied by the window, passed through the detrend (an orthogonal projection,
// hence self-adjoint) and added into the segment's place in dx, so overlapping
// segments sum and trailing samples that no segment covers get zero. The mean
// divides g by the segment count; the median routes each bin's gradient to the
// segment(s) whose power is the median (half to each of the two middle ones for
// an even count), divided by the bias. Two-sided rows first fold the gradients of
// bins k and NFFT-k together, since the two are equal.
func (pl *Plan) VJP(dx, x, g []float64) ([]float64, error) {
	batch, err := checkBatch(pl, x)
	if err != nil {
		return nil, err
	}
	return pl.vjp(dx, x, nil, g, batch)
}

// VJPSaved is VJP from the spectra that PSDSave stored for a batch of batch
// signals, without the signal and without repeating the forward transforms.
func (pl *Plan) VJPSaved(dx, saved, g []float64, batch int) ([]float64, error) {
	if batch < 1 || len(saved) != pl.SavedLen(batch) {
		return nil, fmt.Errorf("spectral: saved-spectra buffer has length %d, want %d for batch %d", len(saved), pl.SavedLen(max(batch, 1)), batch)
	}
	return pl.vjp(dx, nil, saved, g, batch)
}

func (pl *Plan) vjp(dx, x, saved, g []float64, batch int) ([]float64, error) {
	nf, n := pl.NFreq(), pl.p.N
	if len(g) != batch*nf {
		return nil, fmt.Errorf("spectral: %s VJP gradient has length %d, want batch %d x %d bins", pl.kernel, len(g), batch, nf)
	}
	dx, err := prepare(dx, batch*n, "VJP destination")
	if err != nil {
		return nil, err
	}
	clear(dx)
	computeVJP(pl, dx, x, saved, g, batch)
	return dx, nil
}

// computeVJP adds J^T g into dx for a batch, reading either the signals x or the
// saved spectra (the other nil), for any element type.
func computeVJP[T autograd.Float](pl *Plan, dx, x, saved, g []T, batch int) {
	n, nf, sl := pl.p.N, pl.NFreq(), pl.SavedLen(1)
	pl.parallelRows(batch, func(ws *workspace, r int) {
		var row, sv []T
		if saved != nil {
			sv = saved[r*sl : (r+1)*sl]
		} else {
			row = x[r*n : (r+1)*n]
		}
		rowVJP(pl, ws, dx[r*n:(r+1)*n], row, sv, g[r*nf:(r+1)*nf])
	})
}

// rowVJP adds one row's J^T g into dx, from the row's samples or, when saved is
// not nil, its saved spectra.
func rowVJP[T autograd.Float](pl *Plan, ws *workspace, dx, row, saved, g []T) {
	nh, ns := pl.nHalf, pl.p.NSegments
	// Fold the two-sided gradient onto the one-sided bins.
	gh := ws.gh
	for k := range gh {
		gh[k] = float64(g[k])
	}
	if pl.p.TwoSided {
		n := pl.p.NFFT
		for k := 1; k < nh; k++ {
			if n-k != k {
				gh[k] += float64(g[n-k])
			}
		}
	}
	if pl.p.Average != AverageMedian || ns == 1 {
		// Every segment gets weight 1/ns on every bin; stream over segments.
		inv := 1.0
		if ns > 1 {
			inv = 1 / float64(ns)
		}
		for k := range gh {
			gh[k] *= 2 * inv * pl.coef[k]
		}
		for s := 0; s < ns; s++ {
			spec := ws.z
			if saved != nil {
				loadSpectra(spec, saved[2*s*nh:2*(s+1)*nh])
			} else {
				segmentSpectrum(pl, ws, row, s, spec)
			}
			for k := range spec {
				spec[k] *= complex(gh[k], 0)
			}
			segmentAdjoint(pl, ws, dx, s, spec)
		}
		return
	}
	// Median: each bin's gradient goes to the median segment(s); the weights
	// ∂PSD_k/∂power_{s,k} overwrite ws.power column by column after the column's
	// median has been found.
	if saved != nil {
		loadSpectra(ws.spec, saved)
		pl.powers(ws)
	} else {
		segmentPowers(pl, ws, row)
	}
	for k := 0; k < nh; k++ {
		pl.medianBin(ws, k)
		for s := 0; s < ns; s++ {
			ws.power[s*nh+k] = 0
		}
		if ns%2 == 1 {
			ws.power[ws.idx[ns/2]*nh+k] = gh[k] / pl.bias
		} else {
			ws.power[ws.idx[ns/2-1]*nh+k] = gh[k] / (2 * pl.bias)
			ws.power[ws.idx[ns/2]*nh+k] = gh[k] / (2 * pl.bias)
		}
	}
	for s := 0; s < ns; s++ {
		spec := ws.spec[s*nh : (s+1)*nh]
		wt := ws.power[s*nh : (s+1)*nh]
		z := ws.z
		for k, c := range spec {
			z[k] = complex(2*wt[k]*pl.coef[k], 0) * c
		}
		segmentAdjoint(pl, ws, dx, s, z)
	}
}

// segmentAdjoint adds into dx the gradient of segment s whose one-sided spectrum
// gradient is z (∂L/∂Re X_k + i ∂L/∂Im X_k): inverse transform, window, detrend.
// z is overwritten.
func segmentAdjoint[T autograd.Float](pl *Plan, ws *workspace, dx []T, s int, z []complex128) {
	seg := ws.seg
	pl.dft.adjoint(ws.dft, seg, z)
	for j, w := range pl.win {
		seg[j] *= w
	}
	detrend(seg, pl.p.Detrend)
	d := dx[s*pl.step : s*pl.step+pl.p.NPerSeg]
	for j, v := range seg {
		d[j] += T(v)
	}
}
