package spectral

import "fmt"

// Spectrum is a batch of PSDs on a common frequency grid.
type Spectrum struct {
	// Freqs are the bin frequencies in Hz (one-sided: k*fs/NFFT, k = 0..NFFT/2;
	// two-sided: numpy.fft.fftfreq order).
	Freqs []float64
	// Power is row-major [Batch][len(Freqs)]: u²/Hz for density scaling, u² for
	// spectrum scaling, where u is the signal's unit.
	Power []float64
	Batch int
	// Params are the resolved settings, including whether nperseg was shortened.
	Params Params
}

// Row returns signal i's PSD (a view into Power).
func (s *Spectrum) Row(i int) []float64 {
	nf := len(s.Freqs)
	return s.Power[i*nf : (i+1)*nf]
}

// Welch estimates the power spectral density of one signal x sampled at fs Hz by
// Welch's method, exactly as scipy.signal.welch(x, fs, ...) with the matching
// options does. See WelchOptions for the defaults.
func Welch(x []float64, fs float64, opt WelchOptions) (*Spectrum, error) {
	return WelchBatch(x, 1, fs, opt)
}

// WelchBatch is Welch over a row-major batch of equal-length signals (len(x) =
// batch*n); rows are computed in parallel.
func WelchBatch(x []float64, batch int, fs float64, opt WelchOptions) (*Spectrum, error) {
	n, err := rowLength(x, batch)
	if err != nil {
		return nil, err
	}
	pl, err := NewWelch(n, fs, opt)
	if err != nil {
		return nil, err
	}
	return pl.Spectrum(x)
}

// Periodogram estimates the power spectral density of one signal x sampled at fs
// Hz from a single segment, as scipy.signal.periodogram does.
func Periodogram(x []float64, fs float64, opt PeriodogramOptions) (*Spectrum, error) {
	return PeriodogramBatch(x, 1, fs, opt)
}

// PeriodogramBatch is Periodogram over a row-major batch of equal-length signals.
func PeriodogramBatch(x []float64, batch int, fs float64, opt PeriodogramOptions) (*Spectrum, error) {
	n, err := rowLength(x, batch)
	if err != nil {
		return nil, err
	}
	pl, err := NewPeriodogram(n, fs, opt)
	if err != nil {
		return nil, err
	}
	return pl.Spectrum(x)
}

// Spectrum computes the PSD of the row-major batch x into a new Spectrum.
func (pl *Plan) Spectrum(x []float64) (*Spectrum, error) {
	pw, err := pl.PSD(nil, x)
	if err != nil {
		return nil, err
	}
	return &Spectrum{Freqs: pl.Freqs(nil), Power: pw, Batch: len(x) / pl.p.N, Params: pl.p}, nil
}

func rowLength(x []float64, batch int) (int, error) {
	if batch < 1 {
		return 0, fmt.Errorf("spectral: batch %d < 1", batch)
	}
	if len(x) == 0 {
		return 0, fmt.Errorf("spectral: empty signal")
	}
	if len(x)%batch != 0 {
		return 0, fmt.Errorf("spectral: %d samples do not split into %d equal signals", len(x), batch)
	}
	return len(x) / batch, nil
}
