package spectral

import (
	"fmt"
	"math"
	"sync"
)

// Plan holds everything resolved from the options for one signal length and
// sampling rate: segment layout, window, scaling and FFT tables. It computes the
// averaged PSD of a batch of signals (Welch or periodogram) and the
// vector-Jacobian product of that map. A Plan is safe for concurrent use; its
// scratch space is pooled and reused, so steady-state calls allocate nothing.
type Plan struct {
	p      Params
	span   int       // leading samples of each row that are segmented (N, or NFFT for a truncating periodogram)
	step   int       // NPerSeg - NOverlap
	win    []float64 // window values, length NPerSeg
	coef   []float64 // one-sided bin k: scale, doubled for bins that pair with a negative frequency
	freqs  []float64 // frequencies in Hz, length NFreq
	bias   float64   // median bias (1 for mean)
	nHalf  int       // NFFT/2 + 1
	dft    *realDFT
	pool   sync.Pool
	kernel string // "Welch", "periodogram" or "spectrogram": for error messages
}

// workspace is one goroutine's scratch for a Plan.
type workspace struct {
	dft   *rdftWork
	seg   []float64    // NPerSeg
	spec  []complex128 // median only, NSegments * nHalf: every segment's spectrum
	power []float64    // median only, NSegments * nHalf: every segment's scaled power
	col   []float64    // median only, NSegments: a column
	idx   []int        // median only, NSegments
	gh    []float64    // nHalf: folded upstream gradient
	z     []complex128 // nHalf
	out   []float64    // NFreq: one PSD row
}

// NewWelch resolves scipy.signal.welch's options for signals of n samples at fs Hz.
func NewWelch(n int, fs float64, opt WelchOptions) (*Plan, error) {
	return newPlan("Welch", n, fs, n, segOptions{
		window: opt.Window.orDefault(Hann()), nperseg: opt.NPerSeg, noverlap: opt.NOverlap,
		defaultOverlapDiv: 2, nfft: opt.NFFT, detrend: opt.Detrend, scaling: opt.Scaling,
		twoSided: opt.TwoSided, average: opt.Average,
	})
}

// NewPeriodogram resolves scipy.signal.periodogram's options for signals of n
// samples at fs Hz: one segment spanning the signal (or its first NFFT samples when
// NFFT < n), no overlap, mean over that single segment.
func NewPeriodogram(n int, fs float64, opt PeriodogramOptions) (*Plan, error) {
	if n < 1 {
		return nil, fmt.Errorf("spectral: periodogram of an empty signal (n = %d)", n)
	}
	if opt.NFFT < 0 {
		return nil, fmt.Errorf("spectral: periodogram nfft %d < 1", opt.NFFT)
	}
	span, nperseg, nfft := n, n, opt.NFFT
	switch {
	case nfft == 0:
	case nfft < n: // scipy truncates the signal to nfft samples
		span, nperseg, nfft = nfft, nfft, 0
	}
	w := opt.Window.orDefault(Boxcar())
	if w.Kind == WindowCustom && len(w.Values) != nperseg {
		return nil, fmt.Errorf("spectral: periodogram window has %d values, want the signal length %d", len(w.Values), nperseg)
	}
	return newPlan("periodogram", n, fs, span, segOptions{
		window: w, nperseg: nperseg, noverlap: NoOverlap, nfft: nfft,
		detrend: opt.Detrend, scaling: opt.Scaling, twoSided: opt.TwoSided,
	})
}

// segOptions are the segmenting options of a Welch or periodogram plan, as
// given: zero values mean scipy's defaults.
type segOptions struct {
	window            Window
	nperseg           int
	noverlap          int
	defaultOverlapDiv int
	nfft              int
	detrend           Detrend
	scaling           Scaling
	twoSided          bool
	average           Average
}

// newPlan resolves o for signals of n samples at fs Hz, of which the first
// span are segmented, and builds the plan's window, scaling, frequencies and
// FFT tables. kernel names the estimator in error messages.
func newPlan(kernel string, n int, fs float64, span int, o segOptions) (*Plan, error) {
	if err := o.validate(kernel, n, fs); err != nil {
		return nil, err
	}
	p, err := o.resolve(n, fs, span)
	if err != nil {
		return nil, err
	}
	pl := &Plan{p: p, span: span, step: p.NPerSeg - p.NOverlap, nHalf: p.NFFT/2 + 1, kernel: kernel}
	p.NSegments = (span - p.NOverlap) / pl.step
	pl.p = p
	if err := pl.setWindow(o); err != nil {
		return nil, err
	}
	pl.setFreqs(o.twoSided)
	pl.bias = 1
	if o.average == AverageMedian {
		pl.bias = MedianBias(p.NSegments)
	}
	pl.dft = newRealDFT(p.NFFT, p.NPerSeg)
	pl.pool.New = func() any { return pl.newWorkspace() }
	return pl, nil
}

// validate checks the signal length n, the sampling rate fs and the options
// that need no segment layout: window, detrend, scaling, average, nperseg.
func (o *segOptions) validate(kernel string, n int, fs float64) error {
	if n < 1 {
		return fmt.Errorf("spectral: %s of an empty signal (n = %d)", kernel, n)
	}
	if !(fs > 0) || math.IsInf(fs, 0) {
		return fmt.Errorf("spectral: sampling rate fs = %v Hz, want a finite fs > 0", fs)
	}
	if err := o.window.validate(); err != nil {
		return err
	}
	switch o.detrend {
	case DetrendConstant, DetrendLinear, DetrendNone:
	default:
		return fmt.Errorf("spectral: unknown detrend %v", o.detrend)
	}
	switch o.scaling {
	case ScalingDensity, ScalingSpectrum:
	default:
		return fmt.Errorf("spectral: unknown scaling %v", o.scaling)
	}
	switch o.average {
	case AverageMean, AverageMedian:
	default:
		return fmt.Errorf("spectral: unknown average %v", o.average)
	}
	if o.nperseg < 0 {
		return fmt.Errorf("spectral: nperseg %d < 1", o.nperseg)
	}
	return nil
}

// resolve returns the settings of o for n samples at fs Hz with span of them
// segmented: segment length (scipy's _triage_segments), NFFT and overlap.
// NSegments is left to the caller.
func (o *segOptions) resolve(n int, fs float64, span int) (Params, error) {
	p := Params{N: n, FS: fs, Window: o.window, Detrend: o.detrend, Scaling: o.scaling,
		TwoSided: o.twoSided, Average: o.average}
	if err := o.triageSegments(&p, span); err != nil {
		return p, err
	}
	switch {
	case o.nfft == 0:
		p.NFFT = p.NPerSeg
	case o.nfft < p.NPerSeg:
		return p, fmt.Errorf("spectral: nfft %d < nperseg %d", o.nfft, p.NPerSeg)
	default:
		p.NFFT = o.nfft
	}
	switch {
	case o.noverlap == NoOverlap:
		p.NOverlap = 0
	case o.noverlap == 0:
		div := o.defaultOverlapDiv
		if div == 0 {
			div = 2
		}
		p.NOverlap = p.NPerSeg / div
	case o.noverlap < 0:
		return p, fmt.Errorf("spectral: noverlap %d < 0 (use NoOverlap for none)", o.noverlap)
	default:
		p.NOverlap = o.noverlap
	}
	if p.NOverlap >= p.NPerSeg {
		return p, fmt.Errorf("spectral: noverlap %d must be less than nperseg %d", p.NOverlap, p.NPerSeg)
	}
	return p, nil
}

// triageSegments sets p's segment length as scipy's _triage_segments does: a
// custom window's length, or nperseg (DefaultNPerSeg when 0) shortened to
// span.
func (o *segOptions) triageSegments(p *Params, span int) error {
	if o.window.Kind == WindowCustom {
		m := len(o.window.Values)
		if m > span {
			return fmt.Errorf("spectral: window of %d values is longer than the signal (%d samples)", m, span)
		}
		if o.nperseg != 0 && o.nperseg != m {
			return fmt.Errorf("spectral: nperseg %d differs from the custom window's length %d", o.nperseg, m)
		}
		p.NPerSeg, p.RequestedNPerSeg = m, m
		return nil
	}
	p.NPerSeg = o.nperseg
	if p.NPerSeg == 0 {
		p.NPerSeg = DefaultNPerSeg
	}
	p.RequestedNPerSeg = p.NPerSeg
	if p.NPerSeg > span {
		p.NPerSeg = span
		p.NPerSegShortened = true
	}
	return nil
}

// setWindow computes the window values and the per-bin scale coefficients
// (density or spectrum scaling, doubled one-sided for bins that pair with a
// negative frequency).
func (pl *Plan) setWindow(o segOptions) error {
	p := &pl.p
	win, err := WindowValues(nil, o.window, p.NPerSeg, true)
	if err != nil {
		return err
	}
	pl.win = win
	var sw, sw2 float64
	for _, v := range win {
		sw += v
		sw2 += v * v
	}
	var scale float64
	if o.scaling == ScalingDensity {
		scale = 1 / (p.FS * sw2)
	} else {
		scale = 1 / (sw * sw)
	}
	if math.IsInf(scale, 0) || math.IsNaN(scale) {
		return fmt.Errorf("spectral: window %v sums to zero; the %s scaling is undefined", o.window, o.scaling)
	}
	pl.coef = make([]float64, pl.nHalf)
	for k := range pl.coef {
		pl.coef[k] = scale
		if !o.twoSided && k > 0 && 2*k != p.NFFT {
			pl.coef[k] = 2 * scale
		}
	}
	return nil
}

// setFreqs computes the bin frequencies in Hz (numpy.fft.fftfreq order when
// two-sided).
func (pl *Plan) setFreqs(twoSided bool) {
	p := &pl.p
	pl.freqs = make([]float64, p.NFreq())
	for k := range pl.freqs {
		kk := k
		if twoSided && k > (p.NFFT-1)/2 {
			kk = k - p.NFFT // numpy.fft.fftfreq order
		}
		pl.freqs[k] = float64(kk) / (float64(p.NFFT) / p.FS)
	}
}

func (pl *Plan) newWorkspace() *workspace {
	ws := &workspace{
		dft: pl.dft.newWork(),
		seg: make([]float64, pl.p.NPerSeg),
		gh:  make([]float64, pl.nHalf),
		z:   make([]complex128, pl.nHalf),
		out: make([]float64, len(pl.freqs)),
	}
	if ns := pl.p.NSegments; pl.p.Average == AverageMedian && ns > 1 {
		// The median needs every segment at once; the mean streams.
		ws.spec = make([]complex128, ns*pl.nHalf)
		ws.power = make([]float64, ns*pl.nHalf)
		ws.col = make([]float64, ns)
		ws.idx = make([]int, ns)
	}
	return ws
}

// Params returns the resolved settings.
func (pl *Plan) Params() Params { return pl.p }

// NFreq returns the number of frequency bins of each PSD row.
func (pl *Plan) NFreq() int { return len(pl.freqs) }

// Freqs writes the bin frequencies in Hz into dst (allocated when nil or too
// short) and returns it: k*fs/NFFT for k = 0..NFFT/2 one-sided, numpy.fft.fftfreq
// order two-sided.
func (pl *Plan) Freqs(dst []float64) []float64 {
	if cap(dst) < len(pl.freqs) {
		dst = make([]float64, len(pl.freqs))
	}
	dst = dst[:len(pl.freqs)]
	copy(dst, pl.freqs)
	return dst
}

// Window returns a copy of the window values applied to each segment.
func (pl *Plan) Window() []float64 { return append([]float64(nil), pl.win...) }

// MedianBias returns scipy's bias of the median of k periodograms relative to their
// mean, 1 + Σ_{i=1}^{(k-1)/2} (1/(2i+1) - 1/(2i)); Welch's median average is
// divided by it.
func MedianBias(k int) float64 {
	var s float64
	for i := 1; i <= (k-1)/2; i++ {
		s += 1/float64(2*i+1) - 1/float64(2*i)
	}
	return 1 + s
}
