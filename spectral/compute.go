package spectral

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/neurograd/neurograd/autograd"
)

// checkBatch validates a row-major batch of signals of the plan's length and
// returns the number of rows.
func checkBatch[T autograd.Float](pl *Plan, x []T) (int, error) {
	n := pl.p.N
	if len(x) == 0 {
		return 0, fmt.Errorf("spectral: %s of an empty signal", pl.kernel)
	}
	if len(x)%n != 0 {
		return 0, fmt.Errorf("spectral: %s input has %d samples, not a multiple of the plan's signal length %d", pl.kernel, len(x), n)
	}
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return 0, fmt.Errorf("spectral: %s input signal %d has %v at sample %d", pl.kernel, i/n, float64(v), i%n)
		}
	}
	return len(x) / n, nil
}

// prepare returns dst with length want, allocating it when nil.
func prepare(dst []float64, want int, what string) ([]float64, error) {
	if dst == nil {
		return make([]float64, want), nil
	}
	if len(dst) != want {
		return nil, fmt.Errorf("spectral: %s has length %d, want %d", what, len(dst), want)
	}
	return dst, nil
}

// PSD computes the averaged power spectral density of each row of the row-major
// batch x (length batch*N) into dst (length batch*NFreq, allocated when nil) and
// returns it. Units: u²/Hz for density scaling, u² for spectrum scaling.
func (pl *Plan) PSD(dst, x []float64) ([]float64, error) {
	return pl.PSDSave(dst, x, nil)
}

// SavedLen returns the length of the buffer PSDSave fills for a batch of signals:
// batch * NSegments * (NFFT/2+1) complex spectra as (re, im) pairs.
func (pl *Plan) SavedLen(batch int) int { return 2 * batch * pl.p.NSegments * pl.nHalf }

// PSDSave is PSD that also stores every segment's one-sided spectrum in saved
// (length SavedLen(batch); nil stores nothing), so that VJPSaved can run the
// backward pass without repeating the forward transforms.
func (pl *Plan) PSDSave(dst, x, saved []float64) ([]float64, error) {
	batch, err := checkBatch(pl, x)
	if err != nil {
		return nil, err
	}
	dst, err = prepare(dst, batch*pl.NFreq(), "PSD destination")
	if err != nil {
		return nil, err
	}
	if saved != nil && len(saved) != pl.SavedLen(batch) {
		return nil, fmt.Errorf("spectral: saved-spectra buffer has length %d, want %d", len(saved), pl.SavedLen(batch))
	}
	computePSD(pl, dst, x, saved)
	return dst, nil
}

// computePSD is PSDSave without validation, for any element type. The mean
// streams over segments in O(NFFT) memory; the median keeps every segment's power.
func computePSD[T autograd.Float](pl *Plan, dst, x, saved []T) {
	n, nf, nh, sl := pl.p.N, pl.NFreq(), pl.nHalf, pl.SavedLen(1)
	ns := pl.p.NSegments
	pl.parallelRows(len(x)/n, func(ws *workspace, r int) {
		row := x[r*n : (r+1)*n]
		out := ws.out
		if pl.p.Average == AverageMedian && ns > 1 {
			segmentPowers(pl, ws, row)
			if saved != nil {
				storeSpectra(saved[r*sl:(r+1)*sl], ws.spec)
			}
			for k := 0; k < nh; k++ {
				out[k] = pl.medianBin(ws, k) / pl.bias
			}
		} else {
			acc := out[:nh]
			clear(acc)
			for s := 0; s < ns; s++ {
				spec := ws.z
				segmentSpectrum(pl, ws, row, s, spec)
				if saved != nil {
					storeSpectra(saved[r*sl+2*s*nh:r*sl+2*(s+1)*nh], spec)
				}
				for k, c := range spec {
					re, im := real(c), imag(c)
					acc[k] += pl.coef[k] * (re*re + im*im)
				}
			}
			if ns > 1 {
				fns := float64(ns)
				for k := range acc {
					acc[k] /= fns
				}
			}
		}
		pl.mirror(out)
		for k, v := range out {
			dst[r*nf+k] = T(v)
		}
	})
}

// parallelRows runs f over rows 0..batch-1 on up to GOMAXPROCS goroutines, each
// with its own pooled workspace.
func (pl *Plan) parallelRows(batch int, f func(ws *workspace, r int)) {
	workers := runtime.GOMAXPROCS(0)
	// Below about 64k segment-samples of work the goroutine start-up is not worth it.
	if work := batch * pl.p.NSegments * pl.p.NFFT; work < 1<<16 {
		workers = 1
	}
	workers = min(workers, batch)
	if workers <= 1 {
		ws := pl.pool.Get().(*workspace)
		for r := 0; r < batch; r++ {
			f(ws, r)
		}
		pl.pool.Put(ws)
		return
	}
	var wg sync.WaitGroup
	per := (batch + workers - 1) / workers
	for lo := 0; lo < batch; lo += per {
		hi := min(lo+per, batch)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := pl.pool.Get().(*workspace)
			for r := lo; r < hi; r++ {
				f(ws, r)
			}
			pl.pool.Put(ws)
		}()
	}
	wg.Wait()
}

// segmentSpectrum writes the one-sided spectrum of segment s of row into dst:
// the segment detrended, windowed and transformed.
func segmentSpectrum[T autograd.Float](pl *Plan, ws *workspace, row []T, s int, dst []complex128) {
	seg := ws.seg
	for j, v := range row[s*pl.step : s*pl.step+pl.p.NPerSeg] {
		seg[j] = float64(v)
	}
	detrend(seg, pl.p.Detrend)
	for j, w := range pl.win {
		seg[j] *= w
	}
	pl.dft.forward(ws.dft, dst, seg)
}

// segmentPowers fills ws.spec and ws.power with every segment's one-sided
// spectrum X_k and scaled power coef_k*|X_k|² for one signal row (median only).
func segmentPowers[T autograd.Float](pl *Plan, ws *workspace, row []T) {
	nh := pl.nHalf
	for s := 0; s < pl.p.NSegments; s++ {
		segmentSpectrum(pl, ws, row, s, ws.spec[s*nh:(s+1)*nh])
	}
	pl.powers(ws)
}

// powers fills ws.power from ws.spec.
func (pl *Plan) powers(ws *workspace) {
	nh := pl.nHalf
	for s := 0; s < pl.p.NSegments; s++ {
		pw := ws.power[s*nh : (s+1)*nh]
		for k, c := range ws.spec[s*nh : (s+1)*nh] {
			re, im := real(c), imag(c)
			pw[k] = pl.coef[k] * (re*re + im*im)
		}
	}
}

func storeSpectra[T autograd.Float](dst []T, spec []complex128) {
	for i, c := range spec {
		dst[2*i], dst[2*i+1] = T(real(c)), T(imag(c))
	}
}

func loadSpectra[T autograd.Float](spec []complex128, src []T) {
	for i := range spec {
		spec[i] = complex(float64(src[2*i]), float64(src[2*i+1]))
	}
}

// mirror fills the negative-frequency bins of a two-sided row from its first
// NFFT/2+1 bins (the PSD of a real signal is even).
func (pl *Plan) mirror(out []float64) {
	if !pl.p.TwoSided {
		return
	}
	n := pl.p.NFFT
	for k := pl.nHalf; k < n; k++ {
		out[k] = out[n-k]
	}
}

// medianBin returns the median over segments of bin k's power and leaves in
// ws.idx[:ns] the segment indices sorted by that power (stable, so ties resolve
// by segment order).
func (pl *Plan) medianBin(ws *workspace, k int) float64 {
	ns, nh := pl.p.NSegments, pl.nHalf
	idx := ws.idx[:ns]
	for s := range idx {
		idx[s] = s
		ws.col[s] = ws.power[s*nh+k]
	}
	col := ws.col
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(col[a], col[b]) })
	if ns%2 == 1 {
		return col[idx[ns/2]]
	}
	return (col[idx[ns/2-1]] + col[idx[ns/2]]) / 2
}
