package spectral

// SpectrogramResult is a batch of spectrograms: PSDs of consecutive segments.
type SpectrogramResult struct {
	Freqs []float64 // bin frequencies in Hz, as in Spectrum
	Times []float64 // segment centres in s: (NPerSeg/2 + i*(NPerSeg-NOverlap)) / fs
	// Power is row-major [Batch][len(Freqs)][len(Times)] (scipy's layout, frequency
	// before time): u²/Hz for density scaling, u² for spectrum scaling.
	Power  []float64
	Batch  int
	Params Params
}

// Spectrogram computes the spectrogram of one signal x sampled at fs Hz, as
// scipy.signal.spectrogram(x, fs, ..., mode='psd') does: the same segments,
// detrending, windowing, scaling and one-sided doubling as Welch, without the
// average over segments.
func Spectrogram(x []float64, fs float64, opt SpectrogramOptions) (*SpectrogramResult, error) {
	return SpectrogramBatch(x, 1, fs, opt)
}

// SpectrogramBatch is Spectrogram over a row-major batch of equal-length signals.
func SpectrogramBatch(x []float64, batch int, fs float64, opt SpectrogramOptions) (*SpectrogramResult, error) {
	n, err := rowLength(x, batch)
	if err != nil {
		return nil, err
	}
	pl, err := newPlan("spectrogram", n, fs, n, segOptions{
		window: opt.Window.orDefault(Tukey(0.25)), nperseg: opt.NPerSeg, noverlap: opt.NOverlap,
		defaultOverlapDiv: 8, nfft: opt.NFFT, detrend: opt.Detrend, scaling: opt.Scaling,
		twoSided: opt.TwoSided,
	})
	if err != nil {
		return nil, err
	}
	if _, err := checkBatch(pl, x); err != nil {
		return nil, err
	}
	p := pl.p
	nf, ns, nh := pl.NFreq(), p.NSegments, pl.nHalf
	res := &SpectrogramResult{Freqs: pl.Freqs(nil), Times: make([]float64, ns),
		Power: make([]float64, batch*nf*ns), Batch: batch, Params: p}
	for s := range res.Times {
		res.Times[s] = (float64(p.NPerSeg)/2 + float64(s*pl.step)) / p.FS
	}
	pl.parallelRows(batch, func(ws *workspace, r int) {
		row := x[r*n : (r+1)*n]
		out := res.Power[r*nf*ns : (r+1)*nf*ns]
		for s := 0; s < ns; s++ {
			segmentSpectrum(pl, ws, row, s, ws.z)
			for k := 0; k < nf; k++ {
				kk := k
				if kk >= nh {
					kk = p.NFFT - k
				}
				re, im := real(ws.z[kk]), imag(ws.z[kk])
				out[k*ns+s] = pl.coef[kk] * (re*re + im*im)
			}
		}
	})
	return res, nil
}
