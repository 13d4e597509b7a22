package spectral

import (
	"fmt"
	"math"
)

// WindowKind names a window family.
type WindowKind int

// Window families. WindowDefault selects the scipy default of the function it is
// passed to: Hann for Welch, boxcar for the periodogram, Tukey(0.25) for the
// spectrogram.
const (
	WindowDefault WindowKind = iota
	WindowHann
	WindowHamming
	WindowBlackman
	WindowBoxcar
	WindowTukey
	WindowCustom
)

// String returns scipy's name of the window family.
func (k WindowKind) String() string {
	switch k {
	case WindowDefault:
		return "default"
	case WindowHann:
		return "hann"
	case WindowHamming:
		return "hamming"
	case WindowBlackman:
		return "blackman"
	case WindowBoxcar:
		return "boxcar"
	case WindowTukey:
		return "tukey"
	case WindowCustom:
		return "custom"
	}
	return fmt.Sprintf("WindowKind(%d)", int(k))
}

// Window describes the taper applied to each segment. The zero value selects the
// calling function's scipy default. Named windows are generated periodic
// ("DFT-even", scipy's get_window with fftbins=True) at the segment length.
type Window struct {
	Kind WindowKind
	// Alpha is the Tukey shape parameter: the fraction of the window inside the
	// cosine tapers (0 gives boxcar, 1 gives Hann). Used only by WindowTukey.
	Alpha float64
	// Values is a caller-supplied window (WindowCustom). Its length sets the
	// segment length, as an array window does in scipy.
	Values []float64
}

// Hann returns the periodic Hann window description.
func Hann() Window { return Window{Kind: WindowHann} }

// Hamming returns the periodic Hamming window description.
func Hamming() Window { return Window{Kind: WindowHamming} }

// Blackman returns the periodic Blackman window description.
func Blackman() Window { return Window{Kind: WindowBlackman} }

// Boxcar returns the rectangular window description.
func Boxcar() Window { return Window{Kind: WindowBoxcar} }

// Tukey returns the periodic Tukey (tapered cosine) window description with shape
// parameter alpha in [0, 1].
func Tukey(alpha float64) Window { return Window{Kind: WindowTukey, Alpha: alpha} }

// Custom returns a caller-supplied window; the values are used as given.
func Custom(values []float64) Window { return Window{Kind: WindowCustom, Values: values} }

// String describes the window, e.g. "hann" or "tukey(0.25)".
func (w Window) String() string {
	switch w.Kind {
	case WindowTukey:
		return fmt.Sprintf("tukey(%g)", w.Alpha)
	case WindowCustom:
		return fmt.Sprintf("custom(%d)", len(w.Values))
	}
	return w.Kind.String()
}

// orDefault replaces WindowDefault by def.
func (w Window) orDefault(def Window) Window {
	if w.Kind == WindowDefault {
		return def
	}
	return w
}

func (w Window) validate() error {
	switch w.Kind {
	case WindowHann, WindowHamming, WindowBlackman, WindowBoxcar:
	case WindowTukey:
		if !(w.Alpha >= 0 && w.Alpha <= 1) {
			return fmt.Errorf("spectral: Tukey window alpha %v outside [0, 1]", w.Alpha)
		}
	case WindowCustom:
		if len(w.Values) == 0 {
			return fmt.Errorf("spectral: custom window has no values")
		}
		for i, v := range w.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("spectral: custom window value %d is %v", i, v)
			}
		}
	default:
		return fmt.Errorf("spectral: unknown window kind %v", w.Kind)
	}
	return nil
}

// WindowValues writes the n-point window of the given description into dst
// (allocated when nil or too short) and returns it. periodic selects the DFT-even
// form used for spectral analysis (scipy's fftbins=True); otherwise the window is
// symmetric. The formulas are scipy.signal.windows': Hann is the general cosine
// [0.5, 0.5] over phase -pi..pi, Hamming [0.54, 0.46], Blackman [0.42, 0.5, 0.08]. A custom window
// must have exactly n values and is copied.
func WindowValues(dst []float64, w Window, n int, periodic bool) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("spectral: window length %d < 1", n)
	}
	if w.Kind == WindowDefault {
		w = Hann()
	}
	if err := w.validate(); err != nil {
		return nil, err
	}
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	if w.Kind == WindowCustom {
		if len(w.Values) != n {
			return nil, fmt.Errorf("spectral: custom window has %d values, want %d", len(w.Values), n)
		}
		copy(dst, w.Values)
		return dst, nil
	}
	if n == 1 {
		dst[0] = 1
		return dst, nil
	}
	m := n
	if periodic {
		m = n + 1 // compute the symmetric window one longer and drop its last point
	}
	switch w.Kind {
	case WindowHann:
		generalCosine(dst, m, []float64{0.5, 0.5})
	case WindowHamming:
		generalCosine(dst, m, []float64{0.54, 0.46})
	case WindowBlackman:
		generalCosine(dst, m, []float64{0.42, 0.50, 0.08})
	case WindowBoxcar:
		for i := range dst {
			dst[i] = 1
		}
	case WindowTukey:
		tukey(dst, m, w.Alpha)
	}
	return dst, nil
}

// generalCosine fills dst[:len(dst)] with the first len(dst) points of the
// symmetric m-point window sum_k a_k cos(k*phi), phi = linspace(-pi, pi, m),
// as scipy.signal.windows.general_cosine computes it.
func generalCosine(dst []float64, m int, a []float64) {
	step := 2 * math.Pi / float64(m-1)
	for i := range dst {
		phi := -math.Pi + float64(i)*step
		if i == m-1 {
			phi = math.Pi
		}
		var s float64
		for k, ak := range a {
			s += ak * math.Cos(float64(k)*phi)
		}
		dst[i] = s
	}
}

// tukey fills dst with the first len(dst) points of scipy's symmetric m-point Tukey
// window with shape alpha.
func tukey(dst []float64, m int, alpha float64) {
	if alpha <= 0 {
		for i := range dst {
			dst[i] = 1
		}
		return
	}
	if alpha >= 1 {
		generalCosine(dst, m, []float64{0.5, 0.5})
		return
	}
	width := int(math.Floor(alpha * float64(m-1) / 2))
	for i := range dst {
		n := float64(i)
		switch {
		case i <= width:
			dst[i] = 0.5 * (1 + math.Cos(math.Pi*(-1+2*n/alpha/float64(m-1))))
		case i < m-width-1:
			dst[i] = 1
		default:
			dst[i] = 0.5 * (1 + math.Cos(math.Pi*(-2/alpha+1+2*n/alpha/float64(m-1))))
		}
	}
}
