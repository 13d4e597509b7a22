package batch

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/train"
)

// trainDataSettings are the settings of the train-data job kind: one shard
// of one split of the surrogate training data (train.Recipe and
// train.Shard; cmd/train -queue submits them).
type trainDataSettings struct {
	Split       string  `json:"split"`
	Seed        uint64  `json:"seed"`
	PoissonPer  int     `json:"poisson_per"`
	NetRuns     int     `json:"net_runs"`
	PickPyr     int     `json:"pick_pyr"`
	PickBasket  int     `json:"pick_basket"`
	Bins        int     `json:"bins"`
	MeshX       int     `json:"mesh_x"`
	MeshY       int     `json:"mesh_y"`
	LogGainSpan float64 `json:"log_gain_span"`
	PoissonFrom int     `json:"poisson_from"`
	PoissonTo   int     `json:"poisson_to"`
	NetFrom     int     `json:"net_from"`
	NetTo       int     `json:"net_to"`
	Regime      string  `json:"regime,omitempty"` // "" independent Poisson, "hnn" hnn-core's drives (train.Recipe.Regime)
}

// TrainDataSettings returns the settings of the train-data job simulating
// shard sh of the split r, as a spec's job entry (JSON names to values).
func TrainDataSettings(r train.Recipe, sh train.Shard) map[string]any {
	return map[string]any{
		"split": r.Split, "seed": r.Seed, "poisson_per": r.PoissonPer, "net_runs": r.NetRuns,
		"pick_pyr": r.PickPyr, "pick_basket": r.PickBasket, "bins": r.Bins, "mesh_x": r.MeshX, "mesh_y": r.MeshY,
		"log_gain_span": r.LogGainSpan, "poisson_from": sh.PoissonFrom, "poisson_to": sh.PoissonTo,
		"net_from": sh.NetFrom, "net_to": sh.NetTo, "regime": r.Regime,
	}
}

// TrainDataFile is the name of a train-data job's dataset file of cell type
// ct in its folder.
func TrainDataFile(ct neuron.CellType) string { return ct.String() + ".ds" }

func (s *trainDataSettings) recipe() (train.Recipe, train.Shard) {
	return train.Recipe{Split: s.Split, Seed: s.Seed, PoissonPer: s.PoissonPer, NetRuns: s.NetRuns, PickPyr: s.PickPyr,
			PickBasket: s.PickBasket, Bins: s.Bins, MeshX: s.MeshX, MeshY: s.MeshY, LogGainSpan: s.LogGainSpan, Regime: s.Regime},
		train.Shard{PoissonFrom: s.PoissonFrom, PoissonTo: s.PoissonTo, NetFrom: s.NetFrom, NetTo: s.NetTo}
}

type trainDataKind struct{}

func (trainDataKind) Name() string { return "train-data" }
func (trainDataKind) Doc() string {
	return "simulate one shard of a split of the surrogate training data (cmd/train's recipe); files <cell type>.ds; figures: samples and spikes per cell type"
}

func (trainDataKind) NewSettings() any {
	return &trainDataSettings{Split: "train", Seed: 1, PoissonPer: 1, PickPyr: 15, PickBasket: 16, Bins: 2000, MeshX: 10, MeshY: 10,
		LogGainSpan: 1, PoissonTo: 1}
}

func (trainDataKind) Files(any) []string { return nil }

func (trainDataKind) Check(st any) error {
	s := st.(*trainDataSettings)
	switch {
	case s.Split == "":
		return settingErr("split", "must be named")
	case s.Bins < 1:
		return settingErr("bins", "must be >= 1, not %d", s.Bins)
	case s.PoissonPer < 0:
		return settingErr("poisson_per", "must be >= 0, not %d", s.PoissonPer)
	case s.NetRuns < 0:
		return settingErr("net_runs", "must be >= 0, not %d", s.NetRuns)
	case s.NetRuns > 0 && (s.MeshX < 1 || s.MeshY < 1 || s.MeshX*s.MeshY > maxMeshCells):
		return settingErr("mesh_x", "the mesh %dx%d must be positive with at most %d cells", s.MeshX, s.MeshY, maxMeshCells)
	case s.Regime != "" && s.Regime != "hnn":
		return settingErr("regime", "must be \"\" or \"hnn\", not %q", s.Regime)
	case s.PickPyr < 0 || s.PickBasket < 0:
		return settingErr("pick_pyr", "cells picked per run must be >= 0")
	}
	if err := positive("log_gain_span", s.LogGainSpan+1); err != nil || s.LogGainSpan < 0 {
		return settingErr("log_gain_span", "must be >= 0 and finite, not %v", s.LogGainSpan)
	}
	if r, sh := s.recipe(); sh.Check(r) != nil {
		return settingErr("poisson_from", "shard [%d,%d) Poisson, [%d,%d) runs is not inside the split's %d and %d",
			sh.PoissonFrom, sh.PoissonTo, sh.NetFrom, sh.NetTo, r.PoissonPer, r.NetRuns)
	}
	return nil
}

func (trainDataKind) Run(ctx context.Context, st any, env *Env) (Figures, error) {
	r, sh := st.(*trainDataSettings).recipe()
	ds, err := train.GenerateShard(r, sh, nil)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var f Figures
	for _, ct := range neuron.CellTypes {
		d := ds[ct]
		if err := d.Save(filepath.Join(env.Dir, TrainDataFile(ct))); err != nil {
			return nil, fmt.Errorf("writing the %s shard: %w", ct, err)
		}
		spikes := 0
		for _, s := range d.Samples {
			spikes += len(s.Spikes)
		}
		f.Add("samples_"+ct.ShortName(), float64(len(d.Samples)))
		f.Add("spikes_"+ct.ShortName(), float64(spikes))
	}
	return f, nil
}

func init() { Register(trainDataKind{}) }
