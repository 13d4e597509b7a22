package train

import (
	"fmt"

	"github.com/neurograd/neurograd/neuron"
)

// Shard is a part of a split's simulations: the independent-Poisson sample
// indices [PoissonFrom, PoissonTo) of every cell type and the network runs
// [NetFrom, NetTo). Shards let the simulations of one split run as
// independent jobs (cmd/train -queue); merged in order they are the split.
type Shard struct {
	PoissonFrom int `json:"poisson_from"`
	PoissonTo   int `json:"poisson_to"`
	NetFrom     int `json:"net_from"`
	NetTo       int `json:"net_to"`
}

// Whole returns the shard holding every simulation of the split.
func (r Recipe) Whole() Shard { return Shard{PoissonTo: r.PoissonPer, NetTo: r.NetRuns} }

// Check reports a shard that does not lie inside the recipe's split.
func (sh Shard) Check(r Recipe) error {
	if sh.PoissonFrom < 0 || sh.PoissonFrom > sh.PoissonTo || sh.PoissonTo > r.PoissonPer ||
		sh.NetFrom < 0 || sh.NetFrom > sh.NetTo || sh.NetTo > r.NetRuns {
		return fmt.Errorf("train: shard %+v outside the split's %d Poisson samples and %d network runs", sh, r.PoissonPer, r.NetRuns)
	}
	return nil
}

// Shards cuts the split into at most n shards of similar cost: each network
// run is a shard of its own (it simulates a whole column), and the
// independent-Poisson samples are cut into the remaining shards (at least
// one when there are any). The shards are in MergeShards's order: Poisson
// ranges first, then network runs.
func (r Recipe) Shards(n int) []Shard {
	n = max(n, 1)
	var out []Shard
	pShards := max(n-r.NetRuns, 1)
	if r.PoissonPer == 0 {
		pShards = 0
	}
	pShards = min(pShards, r.PoissonPer)
	for k := range pShards {
		from, to := k*r.PoissonPer/pShards, (k+1)*r.PoissonPer/pShards
		out = append(out, Shard{PoissonFrom: from, PoissonTo: to})
	}
	for run := range r.NetRuns {
		out = append(out, Shard{NetFrom: run, NetTo: run + 1})
	}
	if len(out) == 0 {
		out = append(out, r.Whole())
	}
	return out
}

// MergeShards joins the datasets of a split's shards, given in the order
// Shards returns them (Poisson ranges in index order, then network runs in
// run order), into the datasets Generate makes for the split. Every part
// must carry the split's recipe and hold all four cell types.
func MergeShards(r Recipe, parts []map[neuron.CellType]*Dataset) (map[neuron.CellType]*Dataset, error) {
	out := map[neuron.CellType]*Dataset{}
	for _, ct := range neuron.CellTypes {
		d, err := NewDataset(ct, r.Bins, r.String())
		if err != nil {
			return nil, err
		}
		out[ct] = d
	}
	for k, p := range parts {
		for _, ct := range neuron.CellTypes {
			d := p[ct]
			switch {
			case d == nil:
				return nil, fmt.Errorf("train: shard %d has no %s dataset", k, ct)
			case d.Recipe != r.String():
				return nil, fmt.Errorf("train: shard %d of %s has recipe %q, want %q", k, ct, d.Recipe, r.String())
			case d.Bins != r.Bins:
				return nil, fmt.Errorf("train: shard %d of %s has %d bins per sample, want %d", k, ct, d.Bins, r.Bins)
			}
			out[ct].Samples = append(out[ct].Samples, d.Samples...)
		}
	}
	return out, nil
}
