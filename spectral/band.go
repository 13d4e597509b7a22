package spectral

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
)

// BandRule selects how a band's PSD bins are combined.
type BandRule int

const (
	// Trapezoid integrates the PSD over frequency by the trapezoid rule between
	// consecutive bins inside the band (u² for a density PSD). It needs at least
	// two bins in the band.
	Trapezoid BandRule = iota
	// BinSum adds the PSD values of the bins inside the band, without the bin
	// width: the "summed periodogram" of hnn-core's maximize_psd objective and of
	// the published surrogate loss. Ratios of bin sums equal ratios of
	// rectangle-rule integrals.
	BinSum
)

// String returns the rule's name.
func (r BandRule) String() string {
	switch r {
	case Trapezoid:
		return "trapezoid"
	case BinSum:
		return "bin sum"
	}
	return fmt.Sprintf("BandRule(%d)", int(r))
}

// Band is a frequency band [Lo, Hi] Hz on a fixed one-sided frequency grid,
// reduced to weights a_k so that the band power of a PSD row P is Σ_k a_k P_k.
//
// The bins inside the band are those whose frequency f_k satisfies
// Lo - ε <= f_k <= Hi + ε with ε = 1e-9 times the bin spacing (so that a band edge
// that falls on a bin, such as 15 Hz with 0.5 Hz bins, includes that bin despite
// rounding in k*fs/NFFT). Nothing is interpolated at the edges: the trapezoid
// integral runs from the first to the last bin inside the band,
// Σ_{k=first}^{last-1} (f_{k+1} - f_k) (P_k + P_{k+1}) / 2, so it covers
// [f_first, f_last] ⊆ [Lo, Hi]. The total power used by the relative form is the
// same rule applied to every bin of the grid (0 to the highest bin).
type Band struct {
	Lo, Hi      float64 // requested edges in Hz
	Rule        BandRule
	First, Last int       // indices of the first and last bin inside the band
	weights     []float64 // a_k, length of the grid
	total       []float64 // weights of the whole grid
}

// NewBand builds the weights of the band [lo, hi] Hz over the one-sided grid freqs
// (ascending, non-negative, as Plan.Freqs returns). It returns an error when the
// band is empty or inverted, lies outside [0, freqs[len-1]], or holds too few bins
// (fewer than two for Trapezoid, none for BinSum). Use Plan.Band to allow hi up to
// fs/2 on an odd-NFFT grid, whose highest bin lies below fs/2.
func NewBand(freqs []float64, lo, hi float64, rule BandRule) (*Band, error) {
	if len(freqs) < 2 {
		return nil, fmt.Errorf("spectral: band power needs at least 2 frequency bins, got %d", len(freqs))
	}
	for i, f := range freqs {
		if math.IsNaN(f) || f < 0 || (i > 0 && f <= freqs[i-1]) {
			return nil, fmt.Errorf("spectral: band power needs a one-sided grid of ascending non-negative frequencies (bin %d is %v Hz)", i, f)
		}
	}
	top := freqs[len(freqs)-1]
	return newBand(freqs, lo, hi, top, rule)
}

// Band builds the band [lo, hi] Hz on the plan's frequency grid; the band must lie
// in [0, fs/2]. Two-sided plans have no band power.
func (pl *Plan) Band(lo, hi float64, rule BandRule) (*Band, error) {
	if pl.p.TwoSided {
		return nil, fmt.Errorf("spectral: band power needs a one-sided spectrum")
	}
	return newBand(pl.freqs, lo, hi, pl.p.FS/2, rule)
}

func newBand(freqs []float64, lo, hi, top float64, rule BandRule) (*Band, error) {
	if math.IsNaN(lo) || math.IsNaN(hi) || lo < 0 || hi > top*(1+1e-12) || !(lo < hi) {
		return nil, fmt.Errorf("spectral: band [%v, %v] Hz is not a non-empty interval inside [0, %v] Hz", lo, hi, top)
	}
	if rule != Trapezoid && rule != BinSum {
		return nil, fmt.Errorf("spectral: unknown band rule %v", rule)
	}
	eps := 1e-9 * (freqs[1] - freqs[0])
	b := &Band{Lo: lo, Hi: hi, Rule: rule, First: -1, Last: -1}
	for k, f := range freqs {
		if f >= lo-eps && f <= hi+eps {
			if b.First < 0 {
				b.First = k
			}
			b.Last = k
		}
	}
	need := 2
	if rule == BinSum {
		need = 1
	}
	if nb := b.Last - b.First + 1; b.First < 0 || nb < need {
		if b.First < 0 {
			nb = 0
		}
		return nil, fmt.Errorf("spectral: band [%v, %v] Hz holds %d bins of the grid (spacing %.4g Hz), need %d: lengthen nperseg or nfft, or widen the band",
			lo, hi, nb, freqs[1]-freqs[0], need)
	}
	b.weights = ruleWeights(make([]float64, len(freqs)), freqs, b.First, b.Last, rule)
	b.total = ruleWeights(make([]float64, len(freqs)), freqs, 0, len(freqs)-1, rule)
	return b, nil
}

// ruleWeights writes the weights of bins first..last under rule into dst (zero
// elsewhere).
func ruleWeights(dst, freqs []float64, first, last int, rule BandRule) []float64 {
	clear(dst)
	if rule == BinSum {
		for k := first; k <= last; k++ {
			dst[k] = 1
		}
		return dst
	}
	for k := first; k < last; k++ {
		h := (freqs[k+1] - freqs[k]) / 2
		dst[k] += h
		dst[k+1] += h
	}
	return dst
}

// Weights returns a copy of the band's weights a_k (Hz for Trapezoid, 1 for BinSum).
func (b *Band) Weights() []float64 { return append([]float64(nil), b.weights...) }

// NBins returns the number of frequency bins of the grid the band was built on.
func (b *Band) NBins() int { return len(b.weights) }

func (b *Band) rows(psd []float64) (int, error) {
	nf := len(b.weights)
	if len(psd) == 0 || len(psd)%nf != 0 {
		return 0, fmt.Errorf("spectral: PSD has %d values, not a positive multiple of the band's %d bins", len(psd), nf)
	}
	return len(psd) / nf, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// wdot returns Σ w_k p_k in float64 for a row of any element type.
func wdot[T autograd.Float](w []float64, p []T) float64 {
	var s float64
	for i, v := range p {
		s += w[i] * float64(v)
	}
	return s
}

// bandKind selects the reduction of a band.
type bandKind int

const (
	bandPower bandKind = iota
	bandLogPower
	bandRelative
)

// Power writes the band power Σ_k a_k P_k of each PSD row (psd is row-major
// [batch][NBins]) into dst (length batch, allocated when nil) and returns it.
// For a density PSD in u²/Hz the Trapezoid band power is in u².
func (b *Band) Power(dst, psd []float64) ([]float64, error) { return b.apply(dst, psd, bandPower) }

// LogPower writes the natural logarithm of each row's band power into dst. A band
// power of zero gives -Inf.
func (b *Band) LogPower(dst, psd []float64) ([]float64, error) {
	return b.apply(dst, psd, bandLogPower)
}

// Relative writes each row's band power divided by its total power over the whole
// grid (same rule) into dst: the fraction of power in the band, in [0, 1] for a
// non-negative PSD.
func (b *Band) Relative(dst, psd []float64) ([]float64, error) {
	return b.apply(dst, psd, bandRelative)
}

func (b *Band) apply(dst, psd []float64, kind bandKind) ([]float64, error) {
	batch, err := b.rows(psd)
	if err != nil {
		return nil, err
	}
	dst, err = prepare(dst, batch, "band power destination")
	if err != nil {
		return nil, err
	}
	bandForward(b, kind, dst, psd)
	return dst, nil
}

// bandForward writes the band reduction of each row of psd into dst.
func bandForward[T autograd.Float](b *Band, kind bandKind, dst, psd []T) {
	nf := len(b.weights)
	for r := range dst {
		row := psd[r*nf : (r+1)*nf]
		bp := wdot(b.weights, row)
		switch kind {
		case bandLogPower:
			bp = math.Log(bp)
		case bandRelative:
			bp /= wdot(b.total, row)
		}
		dst[r] = T(bp)
	}
}

// PowerVJP writes ∂L/∂psd = g_r a_k (row-major [batch][NBins], allocated when nil)
// for the upstream gradient g = ∂L/∂Power (length batch).
func (b *Band) PowerVJP(dpsd, psd, g []float64) ([]float64, error) {
	return b.vjp(dpsd, psd, g, bandPower)
}

// LogPowerVJP writes ∂L/∂psd = g_r a_k / (Σ_j a_j P_j) for the upstream gradient
// g = ∂L/∂LogPower.
func (b *Band) LogPowerVJP(dpsd, psd, g []float64) ([]float64, error) {
	return b.vjp(dpsd, psd, g, bandLogPower)
}

// RelativeVJP writes ∂L/∂psd = g_r (a_k/T - B t_k/T²), with B the band power, T the
// total power and t_k the total's weights, for the upstream gradient
// g = ∂L/∂Relative.
func (b *Band) RelativeVJP(dpsd, psd, g []float64) ([]float64, error) {
	return b.vjp(dpsd, psd, g, bandRelative)
}

func (b *Band) vjp(dpsd, psd, g []float64, kind bandKind) ([]float64, error) {
	batch, err := b.rows(psd)
	if err != nil {
		return nil, err
	}
	if len(g) != batch {
		return nil, fmt.Errorf("spectral: band gradient has %d values, want batch %d", len(g), batch)
	}
	dpsd, err = prepare(dpsd, len(psd), "band VJP destination")
	if err != nil {
		return nil, err
	}
	clear(dpsd)
	bandBackward(b, kind, dpsd, psd, g)
	return dpsd, nil
}

// bandBackward adds the band reduction's vector-Jacobian product into dpsd.
func bandBackward[T autograd.Float](b *Band, kind bandKind, dpsd, psd, g []T) {
	nf := len(b.weights)
	for r, gv := range g {
		row := psd[r*nf : (r+1)*nf]
		d := dpsd[r*nf : (r+1)*nf]
		gr := float64(gv)
		switch kind {
		case bandPower:
			for k, a := range b.weights {
				d[k] += T(gr * a)
			}
		case bandLogPower:
			s := gr / wdot(b.weights, row)
			for k, a := range b.weights {
				d[k] += T(s * a)
			}
		case bandRelative:
			bp, tot := wdot(b.weights, row), wdot(b.total, row)
			for k, a := range b.weights {
				d[k] += T(gr * (a/tot - bp*b.total[k]/(tot*tot)))
			}
		}
	}
}

// BandPower returns the trapezoid integral of one PSD row over the bins of
// [lo, hi] Hz on the one-sided grid freqs (see Band for which bins and the edge
// handling); for a density PSD in u²/Hz the result is in u².
func BandPower(freqs, psd []float64, lo, hi float64) (float64, error) {
	return bandScalar(freqs, psd, lo, hi, (*Band).Power)
}

// RelativeBandPower returns BandPower over [lo, hi] divided by the trapezoid
// integral over the whole grid: the fraction of the power in the band.
func RelativeBandPower(freqs, psd []float64, lo, hi float64) (float64, error) {
	return bandScalar(freqs, psd, lo, hi, (*Band).Relative)
}

func bandScalar(freqs, psd []float64, lo, hi float64, f func(*Band, []float64, []float64) ([]float64, error)) (float64, error) {
	if len(psd) != len(freqs) {
		return 0, fmt.Errorf("spectral: PSD has %d values for %d frequencies", len(psd), len(freqs))
	}
	b, err := NewBand(freqs, lo, hi, Trapezoid)
	if err != nil {
		return 0, err
	}
	var out [1]float64
	if _, err := f(b, out[:], psd); err != nil {
		return 0, err
	}
	return out[0], nil
}

// BandPower returns the trapezoid band power over [lo, hi] Hz of every row of the
// spectrum (length Batch); the band must lie in [0, fs/2].
func (s *Spectrum) BandPower(lo, hi float64) ([]float64, error) {
	b, err := s.band(lo, hi)
	if err != nil {
		return nil, err
	}
	return b.Power(nil, s.Power)
}

// RelativeBandPower returns, for every row, the trapezoid band power over
// [lo, hi] Hz divided by the total power.
func (s *Spectrum) RelativeBandPower(lo, hi float64) ([]float64, error) {
	b, err := s.band(lo, hi)
	if err != nil {
		return nil, err
	}
	return b.Relative(nil, s.Power)
}

func (s *Spectrum) band(lo, hi float64) (*Band, error) {
	if s.Params.TwoSided {
		return nil, fmt.Errorf("spectral: band power needs a one-sided spectrum")
	}
	return newBand(s.Freqs, lo, hi, s.Params.FS/2, Trapezoid)
}
