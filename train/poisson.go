package train

import (
	"math"
	"math/rand/v2"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// PoissonConfig sets the ranges of the independent-Poisson input regime:
// every channel receives its own Poisson train with a fixed weight per event.
type PoissonConfig struct {
	// AMPABase, NMDABase, GABAABase, GABABBase are the event weights (µS) at
	// gain 1 per receptor; GABA weights onto the soma use SomaGABABase.
	AMPABase, NMDABase, GABAABase, GABABBase, SomaGABABase float64
	// GainMin, GainMax bound the log-uniform per-sample gains of excitation
	// and inhibition (HNN's weights times 0.1 to 10 by default).
	GainMin, GainMax float64
}

// DefaultPoissonConfig returns the regime's ranges for cell type ct.
func DefaultPoissonConfig(ct neuron.CellType) PoissonConfig {
	if ct == neuron.L2Basket || ct == neuron.L5Basket {
		return PoissonConfig{AMPABase: 2e-3, NMDABase: 1e-3, GABAABase: 0.02, GABABBase: 0.02, SomaGABABase: 0.02, GainMin: 0.1, GainMax: 10}
	}
	return PoissonConfig{AMPABase: 2e-3, NMDABase: 1e-3, GABAABase: 1e-3, GABABBase: 1e-3, SomaGABABase: 0.025, GainMin: 0.1, GainMax: 10}
}

func logUniform(rng *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo)))
}

// PoissonEvents draws the events of one sample of bins·BinDt ms for cell type
// ct: AMPA channels fire at 10 Hz (70 % of samples; else 2-40 Hz), NMDA and
// GABA channels are each active with probability 0.5 at 2-40 Hz; weights are
// the receptor base times a sample-wide excitatory or inhibitory gain
// (log-uniform in [GainMin, GainMax]) times a per-channel factor
// (log-uniform 0.3-3). In 40 % of samples all rates share a sinusoidal
// modulation (4-60 Hz, depth up to 1) as in a rhythmic network.
func PoissonEvents(ct neuron.CellType, cfg PoissonConfig, bins int, rng *rand.Rand) ([]Event, error) {
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	tstop := float64(bins) * surrogate.BinDt
	gE := logUniform(rng, cfg.GainMin, cfg.GainMax)
	gI := logUniform(rng, cfg.GainMin, cfg.GainMax)
	ampaRate := 10.0
	if rng.Float64() < 0.3 {
		ampaRate = 2 + 38*rng.Float64()
	}
	modF, modDepth, modPhase := 0.0, 0.0, 0.0
	if rng.Float64() < 0.4 {
		modF = 4 + 56*rng.Float64()
		modDepth = rng.Float64()
		modPhase = 2 * math.Pi * rng.Float64()
	}
	var evs []Event
	for c, ch := range cio.channels {
		var rate, w float64
		switch ch.Receptor {
		case neuron.AMPA:
			rate, w = ampaRate, cfg.AMPABase*gE
		case neuron.NMDA:
			if rng.Float64() < 0.5 {
				continue
			}
			rate, w = 2+38*rng.Float64(), cfg.NMDABase*gE
		case neuron.GABAA, neuron.GABAB:
			if rng.Float64() < 0.5 {
				continue
			}
			base := cfg.GABAABase
			if ch.Receptor == neuron.GABAB {
				base = cfg.GABABBase
			}
			if ch.Section == "soma" && !(ct == neuron.L2Basket || ct == neuron.L5Basket) {
				base = cfg.SomaGABABase
			}
			rate, w = 2+38*rng.Float64(), base*gI
		}
		w *= logUniform(rng, 0.3, 3)
		// Thinning of a Poisson process at the peak rate rate·(1+depth).
		peak := rate * (1 + modDepth) / 1000 // events per ms
		for t := rng.ExpFloat64() / peak; t < tstop; t += rng.ExpFloat64() / peak {
			r := rate / 1000 * (1 + modDepth*math.Sin(2*math.Pi*modF*t/1000+modPhase))
			if rng.Float64()*peak <= r {
				evs = append(evs, Event{Channel: c, T: t, W: w})
			}
		}
	}
	return evs, nil
}
