package spectral

import (
	"fmt"
	"math"
)

// NPerSegForResolution returns the smallest segment length (in samples) whose bin
// spacing fs/nperseg is at most df Hz at sampling rate fs Hz: ceil(fs/df). Use it
// instead of the default 256, which gives 7.8 Hz bins at 2 kHz and 156 Hz bins at
// 40 kHz (no bin inside 15-60 Hz). Pass the result through NextFastLength for a
// quicker FFT (finer bins, same variance per segment).
func NPerSegForResolution(fs, df float64) (int, error) {
	if !(fs > 0) || math.IsInf(fs, 0) {
		return 0, fmt.Errorf("spectral: sampling rate fs = %v Hz, want a finite fs > 0", fs)
	}
	if !(df > 0) || math.IsInf(df, 0) {
		return 0, fmt.Errorf("spectral: frequency resolution %v Hz, want a finite value > 0", df)
	}
	n := math.Ceil(fs/df - 1e-9) // a ratio that is an integer up to rounding stays that integer
	if n > math.MaxInt32 {
		return 0, fmt.Errorf("spectral: resolution %v Hz at fs %v Hz needs %g samples per segment", df, fs, n)
	}
	return max(int(n), 1), nil
}

// NextFastLength returns the smallest n' >= n whose only prime factors are 2, 3
// and 5, the lengths gonum's FFT handles fastest (scipy.fft.next_fast_len for real
// transforms also allows 7 and 11 in pocketfft; gonum's FFTPACK does not).
func NextFastLength(n int) int {
	if n <= 1 {
		return 1
	}
	for m := n; ; m++ {
		r := m
		for _, p := range []int{2, 3, 5} {
			for r%p == 0 {
				r /= p
			}
		}
		if r == 1 {
			return m
		}
	}
}
