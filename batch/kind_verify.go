package batch

import (
	"context"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/optimize"
	"github.com/neurograd/neurograd/verify"
)

// verifySettings are the settings of the verify job kind: cmd/verify's flags
// of the same names (without its reading of an optimization's summary.json:
// a sweep names every setting), with its defaults.
type verifySettings struct {
	// Connectivity is the optimized connectivity file (cmd/optimize's
	// results/connectivity.json); empty means HNN's default with Gains.
	Connectivity string `json:"connectivity"`
	// Gains are applied to the optimized connectivity ("NAME=GAIN,...").
	Gains string `json:"gains"`
	// Initial is the connectivity compared against; empty means HNN's
	// default (unit gains).
	Initial string `json:"initial"`
	// Seed is the first held-out noise trial, NSeeds consecutive ones are run.
	Seed        int     `json:"seed"`
	NSeeds      int     `json:"nseeds"`
	Mesh        string  `json:"mesh"`
	TStop       float64 `json:"tstop"`
	Warmup      float64 `json:"warmup"`
	Band        string  `json:"band"`
	Resolution  float64 `json:"resolution"`
	Dipole      string  `json:"dipole"`
	DriveRate   float64 `json:"drive_rate"`
	DriveWeight float64 `json:"drive_weight"`
	DriveLoc    string  `json:"drive_location"`
	EventSeed   int64   `json:"event_seed"`
	Dt          float64 `json:"dt"`
	Target      float64 `json:"target"`
	Surrogate   bool    `json:"surrogate"`
	Models      string  `json:"models"`
	Slope       float64 `json:"slope"`
}

type verifyKind struct{}

func (verifyKind) Name() string { return "verify" }
func (verifyKind) Doc() string {
	return "simulate the biophysical column (and the surrogate network) with the initial and the optimized connectivity on held-out noise (cmd/verify's settings); figures: band power per condition and model, ratios, agreement"
}

func (verifyKind) NewSettings() any {
	return &verifySettings{
		Seed: verify.DefaultSeeds[0], NSeeds: len(verify.DefaultSeeds), Mesh: "published", TStop: 600, Warmup: 100,
		Band: "15-60", Resolution: 4, Dipole: "agg", DriveRate: 10, DriveWeight: 0.003, DriveLoc: neuron.Proximal,
		EventSeed: 1, Dt: verify.DefaultDt, Target: verify.DefaultTargetRatio, Surrogate: true, Models: "shipped",
		Slope: nn.DefaultSpikeSlope,
	}
}

func (verifyKind) Files(st any) []string {
	s := st.(*verifySettings)
	var f []string
	for _, p := range []string{s.Connectivity, s.Initial} {
		if p != "" {
			f = append(f, p)
		}
	}
	return f
}

func (verifyKind) Check(st any) error {
	s := st.(*verifySettings)
	switch {
	case s.Seed < 0:
		return settingErr("seed", "must be >= 0, not %d", s.Seed)
	case s.NSeeds < 1:
		return settingErr("nseeds", "must be >= 1, not %d", s.NSeeds)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"dt", s.Dt}, {"target", s.Target}, {"slope", s.Slope}} {
		if err := positive(p.name, p.v); err != nil {
			return err
		}
	}
	return setUp{Mesh: s.Mesh, Band: s.Band, Dipole: s.Dipole, Gains: s.Gains, DriveLoc: s.DriveLoc, Models: s.Models,
		TStop: s.TStop, Warmup: s.Warmup, Resolution: s.Resolution, DriveRate: s.DriveRate, DriveWeight: s.DriveWeight, EventSeed: s.EventSeed}.check()
}

// options builds verify.Options from the settings, reading the files from env.
func (s *verifySettings) options(env *Env) (verify.Options, error) {
	var o verify.Options
	var err error
	if o.Column, err = parseColumn(s.Mesh); err != nil {
		return o, err
	}
	if o.Optimized, err = loadConnectivity(env, s.Connectivity, s.Gains); err != nil {
		return o, err
	}
	if o.Initial, err = loadConnectivity(env, s.Initial, ""); err != nil {
		return o, err
	}
	drive, err := network.PoissonNoise(s.DriveLoc, s.DriveRate, s.DriveWeight, nil, s.EventSeed)
	if err != nil {
		return o, err
	}
	o.Drives = []network.Drive{drive}
	o.Seeds = make([]int, s.NSeeds)
	for i := range o.Seeds {
		o.Seeds[i] = s.Seed + i
	}
	lo, hi, _ := parseBand(s.Band)
	sig, _ := optimize.ParseDipoleSignal(s.Dipole)
	o.Objective = optimize.ObjectiveConfig{Signal: sig, Lo: lo, Hi: hi, Warmup: s.Warmup, Resolution: s.Resolution}
	if s.Warmup == 0 {
		o.Objective.Warmup = -1 // ObjectiveConfig: negative means none
	}
	o.TStop, o.Dt, o.TargetRatio = s.TStop, s.Dt, s.Target
	o.Parallel = 1 // a batch worker is one job at a time on its share of the cores
	if s.Surrogate {
		sm := &verify.SurrogateModels[float32]{Options: snn.Options{SpikeSlope: s.Slope}}
		if s.Models == "random" {
			sm.Models, err = snn.RandomCells[float32](1)
		} else {
			sm.Models, err = snn.ShippedCells[float32]()
		}
		if err != nil {
			return o, err
		}
		o.Surrogate = sm
	}
	return o, nil
}

func (verifyKind) Run(ctx context.Context, st any, env *Env) (Figures, error) {
	s := st.(*verifySettings)
	opts, err := s.options(env)
	if err != nil {
		return nil, err
	}
	rep, err := verify.Run(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(env.Dir, "verify.json"))
	if err != nil {
		return nil, err
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return verifyFigures(rep), nil
}

// verifyFigures are a verification's headline figures: the biophysical
// (and surrogate) mean band power per condition, their ratio, the seeds
// improved, whether the target was met (1 or 0), the surrogate/biophysical
// band-power ratio per condition and the optimized biophysical rates.
func verifyFigures(rep *verify.Report) Figures {
	var f Figures
	b := rep.Biophysical
	f.Add("biophysical_initial_nAm2", b.InitialBandPower)
	f.Add("biophysical_optimized_nAm2", b.OptimizedBandPower)
	f.Add("biophysical_ratio", b.BandPowerRatio)
	f.Add("biophysical_geomean_seed_ratio", b.GeoMeanSeedRatio)
	f.Add("seeds_improved", float64(b.SeedsImproved))
	met := 0.0
	if b.MeetsTarget {
		met = 1
	}
	f.Add("meets_target", met)
	if rep.Surrogate != nil {
		f.Add("surrogate_ratio", rep.Surrogate.BandPowerRatio)
	}
	for _, a := range rep.SurrogateVsBiophysical {
		f.Add("surrogate_over_biophysical_"+a.Condition, a.BandPowerRatio)
	}
	if c := rep.Condition(verify.ConditionOptimized); c != nil && c.Mean.Biophysical != nil {
		for _, ct := range neuron.CellTypes {
			f.Add("rate_"+ct.ShortName()+"_hz", c.Mean.Biophysical.RatesHz[ct.String()])
		}
	}
	return f
}

func init() { Register(verifyKind{}) }
