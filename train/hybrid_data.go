package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/neuron"
)

// hybridRegimes are the regimes the learned junctions train and test on
// (-bound's).
var hybridRegimes = []string{"poisson", "sparse", "evoked"}

// hybridCell is what the learned junctions of one pyramidal type share: the
// template, its depth-0 junction, the 5 ms rest kernel and the input
// conductance features.
type hybridCell struct {
	desc *neuron.CellDesc
	j    *neuron.Junction
	kl   *neuron.JunctionKernel
	syn  *hybridSyn
}

// newHybridCell builds the hybridCell of cell type ct.
func newHybridCell(ct neuron.CellType) (*hybridCell, error) {
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, err
	}
	j, err := neuron.NewJunction(desc, 0)
	if err != nil {
		return nil, err
	}
	kl, err := j.LinearKernel(neuron.DefaultConfig(), 200, math.NaN(), 200, 0.01) // 5 ms
	if err != nil {
		return nil, err
	}
	syn, err := newHybridSyn(desc)
	if err != nil {
		return nil, err
	}
	return &hybridCell{desc: desc, j: j, kl: kl, syn: syn}, nil
}

// samples simulates nTrain samples per regime of the "hybrid-train" stream
// (pooled) and the first nTest per regime of -bound's (per regime), the held
// pass's soma held at min(v, clip) (+Inf: unclipped); ti is the type's
// position in the run's types (it picks the streams).
func (h *hybridCell) samples(ct neuron.CellType, ti, nTrain, nTest, bins int, seed uint64, clip float64) (train []*hybridTrace, tests [][]*hybridTrace, err error) {
	traces := func(n int, stream string, ri int) ([]*hybridTrace, error) {
		trs := make([]*hybridTrace, n)
		errs := make([]error, n)
		parallel.For(n, 0, func(i int) {
			rng := rand.New(rand.NewPCG(seed, splitStream(stream)+uint64(ti)<<24+uint64(ri)<<20+uint64(i)))
			evs, err := boundEvents(ct, h.desc, hybridRegimes[ri], bins, rng)
			if err != nil {
				errs[i] = err
				return
			}
			trs[i], errs[i] = hybridRunTraceClip(h.desc, h.j, h.syn, h.kl, evs, bins, clip)
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return trs, nil
	}
	tests = make([][]*hybridTrace, len(hybridRegimes))
	for ri := range hybridRegimes {
		trs, err := traces(nTrain, "hybrid-train", ri)
		if err != nil {
			return nil, nil, fmt.Errorf("-hybrid %s %s: %w", ct, hybridRegimes[ri], err)
		}
		train = append(train, trs...)
		if tests[ri], err = traces(nTest, "bound", ri); err != nil {
			return nil, nil, fmt.Errorf("-hybrid %s %s: %w", ct, hybridRegimes[ri], err)
		}
	}
	return train, tests, nil
}
