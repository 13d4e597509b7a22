package spectral

import "fmt"

// Detrend selects what is removed from each segment before windowing.
type Detrend int

// Detrend modes. The zero value is scipy's default, 'constant'.
const (
	DetrendConstant Detrend = iota // subtract the segment mean
	DetrendLinear                  // subtract the least-squares straight line
	DetrendNone                    // leave the segment as it is (scipy's detrend=False)
)

// String returns the mode's name as scipy spells it.
func (d Detrend) String() string {
	switch d {
	case DetrendConstant:
		return "constant"
	case DetrendLinear:
		return "linear"
	case DetrendNone:
		return "none"
	}
	return fmt.Sprintf("Detrend(%d)", int(d))
}

// Scaling selects the units of the result.
type Scaling int

// Scaling modes. The zero value is scipy's default, 'density'.
const (
	// ScalingDensity gives a power spectral density in u²/Hz: |X_k|² / (fs * Σ w²).
	ScalingDensity Scaling = iota
	// ScalingSpectrum gives a power spectrum in u²: |X_k|² / (Σ w)².
	ScalingSpectrum
)

// String returns the mode's name as scipy spells it.
func (s Scaling) String() string {
	switch s {
	case ScalingDensity:
		return "density"
	case ScalingSpectrum:
		return "spectrum"
	}
	return fmt.Sprintf("Scaling(%d)", int(s))
}

// Average selects how Welch combines the segments' periodograms.
type Average int

// Average modes. The zero value is scipy's default, 'mean'.
const (
	AverageMean Average = iota
	// AverageMedian takes the per-bin median over segments divided by scipy's
	// bias factor 1 + Σ_{i=1}^{(K-1)/2} (1/(2i+1) - 1/(2i)) for K segments.
	AverageMedian
)

// String returns the mode's name as scipy spells it.
func (a Average) String() string {
	switch a {
	case AverageMean:
		return "mean"
	case AverageMedian:
		return "median"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

// NoOverlap, given as NOverlap, requests segments that do not overlap at all
// (scipy's noverlap=0); a NOverlap of 0 selects the default instead.
const NoOverlap = -1

// DefaultNPerSeg is scipy's default segment length.
const DefaultNPerSeg = 256

// WelchOptions are scipy.signal.welch's options. The zero value means scipy's
// defaults: periodic Hann window, nperseg 256 (shortened to the signal length, which
// is reported in Params.NPerSegShortened), noverlap nperseg/2, nfft nperseg,
// constant detrend, density scaling, one-sided output, mean average.
type WelchOptions struct {
	// Window is the taper; zero value: periodic Hann. A custom window's length
	// sets NPerSeg (which must then be 0 or equal to it).
	Window Window
	// NPerSeg is the segment length in samples; 0 means 256 (or the custom
	// window's length). A value longer than the signal is shortened to the
	// signal length, as scipy does, and reported.
	NPerSeg int
	// NOverlap is the number of samples shared by consecutive segments; 0 means
	// NPerSeg/2 (integer division) and NoOverlap means none. It must be < NPerSeg.
	NOverlap int
	// NFFT is the FFT length; 0 means NPerSeg, larger values zero-pad each segment.
	NFFT int
	// Detrend is removed from each segment before windowing; zero value: constant.
	Detrend Detrend
	// Scaling selects density (u²/Hz, default) or spectrum (u²).
	Scaling Scaling
	// TwoSided returns all NFFT bins in FFT order (scipy's return_onesided=False)
	// instead of the one-sided spectrum with doubled non-DC, non-Nyquist bins.
	TwoSided bool
	// Average combines the segments' periodograms; zero value: mean.
	Average Average
}

// PeriodogramOptions are scipy.signal.periodogram's options. The zero value means
// scipy's defaults: boxcar window over the whole signal, nfft the signal length,
// constant detrend, density scaling, one-sided output. An NFFT shorter than the
// signal truncates the signal to NFFT samples, as scipy does.
type PeriodogramOptions struct {
	Window   Window
	NFFT     int
	Detrend  Detrend
	Scaling  Scaling
	TwoSided bool
}

// SpectrogramOptions are scipy.signal.spectrogram's options (mode 'psd'). The zero
// value means scipy's defaults: periodic Tukey(0.25) window, nperseg 256 (shortened
// to the signal length), noverlap nperseg/8, nfft nperseg, constant detrend,
// density scaling, one-sided output.
type SpectrogramOptions struct {
	Window   Window
	NPerSeg  int
	NOverlap int // 0 means NPerSeg/8; NoOverlap means none
	NFFT     int
	Detrend  Detrend
	Scaling  Scaling
	TwoSided bool
}

// Params are the settings a Plan resolved from its options, in scipy's terms.
type Params struct {
	N         int     // signal length in samples
	FS        float64 // sampling rate in Hz
	NPerSeg   int     // segment length in samples
	NOverlap  int     // samples shared by consecutive segments
	NFFT      int     // FFT length (>= NPerSeg)
	NSegments int     // number of segments; trailing samples that do not fill one are dropped
	// NPerSegShortened reports that the requested (or default) segment length
	// RequestedNPerSeg exceeded the signal length and NPerSeg was set to N
	// (scipy warns "nperseg = ... is greater than input length").
	NPerSegShortened bool
	RequestedNPerSeg int
	Window           Window
	Detrend          Detrend
	Scaling          Scaling
	TwoSided         bool
	Average          Average
}

// Resolution returns the bin spacing fs/NFFT in Hz.
func (p Params) Resolution() float64 { return p.FS / float64(p.NFFT) }

// NFreq returns the number of frequency bins: NFFT/2+1 one-sided, NFFT two-sided.
func (p Params) NFreq() int {
	if p.TwoSided {
		return p.NFFT
	}
	return p.NFFT/2 + 1
}
