package network

import (
	"fmt"
	"iter"
	"math"

	"github.com/neurograd/neurograd/internal/numpyrand"
	"github.com/neurograd/neurograd/neuron"
)

// keptMask returns which of n candidate pairs a connection with the given
// probability and seed keeps, as hnn-core's _connection_probability: with
// rng = numpy.random.default_rng(conn_seed), it keeps the indices of
// rng.choice(range(n), round(n·probability), replace=False) into the
// pairs in their order (sources, then each source's targets, in gid order).
// A nil mask keeps all (probability 0 or 1).
func keptMask(n int, probability float64, seed int64) []bool {
	if probability == 0 || probability == 1 || n == 0 {
		return nil
	}
	k := int(math.RoundToEven(float64(n) * probability))
	idx, err := numpyrand.New(uint64(seed)).ChoiceWithoutReplacement(n, k)
	if err != nil {
		panic(fmt.Sprintf("network: %v", err)) // 0 ≤ k ≤ n for a validated probability
	}
	keep := make([]bool, n)
	for _, i := range idx {
		keep[i] = true
	}
	return keep
}

// ClassPairs yields the (source, target) gids of connection class ci:
// sources then targets in gid order, every pair of its populations (no
// autapses unless allowed), less those its Probability drops (the draw of
// hnn-core's add_connection with the class's ConnSeed), or the class's
// Pairs when given.
func (n *Network) ClassPairs(ci int) iter.Seq2[int, int] {
	cc := &n.Connectivity.Classes[ci]
	return func(yield func(int, int) bool) {
		if cc.Pairs != nil {
			for _, p := range cc.Pairs {
				if !yield(p[0], p[1]) {
					return
				}
			}
			return
		}
		s0, s1 := n.Column.Range(cc.Source)
		t0, t1 := n.Column.Range(cc.Target)
		var keep []bool
		if !cc.allPairs() {
			total := (s1 - s0) * (t1 - t0)
			if !cc.AllowAutapses && cc.Source == cc.Target {
				total -= s1 - s0
			}
			keep = keptMask(total, cc.Probability, cc.ConnSeed)
		}
		k := 0
		for s := s0; s < s1; s++ {
			for t := t0; t < t1; t++ {
				if s == t && !cc.AllowAutapses {
					continue
				}
				k++
				if keep != nil && !keep[k-1] {
					continue
				}
				if !yield(s, t) {
					return
				}
			}
		}
	}
}

// driveKeep returns, for drive d's connections onto target type ct (the
// target index-th of its targets), which of the n candidate pairs are
// kept: hnn-core draws with conn_seed + index, the same draw for AMPA and
// NMDA. nil keeps all.
func driveKeep(d *Drive, ct neuron.CellType, index, n int) []bool {
	p, ok := d.Probability[ct]
	if !ok {
		return nil
	}
	return keptMask(n, p, d.ConnSeed+int64(index))
}

// checkPairs checks a class's explicit pairs against the column.
func checkPairs(col *Column, cc *ConnectionClass) error {
	s0, s1 := col.Range(cc.Source)
	t0, t1 := col.Range(cc.Target)
	for _, p := range cc.Pairs {
		if p[0] < s0 || p[0] >= s1 || p[1] < t0 || p[1] >= t1 {
			return fmt.Errorf("network: connection %q: pair %v is not from %s [%d, %d) to %s [%d, %d)", cc.Name, p, cc.Source, s0, s1, cc.Target, t0, t1)
		}
	}
	return nil
}
