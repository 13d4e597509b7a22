package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/nn"
	"github.com/neurograd/neurograd/optimize"
)

// optimizeSettings are the settings of the optimize job kind: cmd/optimize's
// flags of the same names, with its defaults.
type optimizeSettings struct {
	Seed         int64   `json:"seed"`
	Epochs       int     `json:"epochs"`
	Restarts     int     `json:"restarts"`
	LR           float64 `json:"lr"`
	Clip         float64 `json:"clip"`
	Replicas     int     `json:"replicas"`
	HeldOut      int     `json:"heldout"`
	Band         string  `json:"band"`
	Objective    string  `json:"objective"`
	Dipole       string  `json:"dipole"`
	Params       string  `json:"params"`
	Slope        float64 `json:"slope"`
	Mesh         string  `json:"mesh"`
	TStop        float64 `json:"tstop"`
	Warmup       float64 `json:"warmup"`
	Resolution   float64 `json:"resolution"`
	DriveRate    float64 `json:"drive_rate"`
	DriveWeight  float64 `json:"drive_weight"`
	DriveLoc     string  `json:"drive_location"`
	Connectivity string  `json:"connectivity"`
	Gains        string  `json:"gains"`
	Models       string  `json:"models"`
	MaxRate      float64 `json:"max_rate"`
}

type optimizeKind struct{}

func (optimizeKind) Name() string { return "optimize" }
func (optimizeKind) Doc() string {
	return "optimize the column's connection gains (cmd/optimize's settings); figures: held-out band power before and after, ratio, rates"
}

func (optimizeKind) NewSettings() any {
	return &optimizeSettings{
		Seed: network.DefaultNoiseEventSeed, Epochs: optimize.DefaultEpochs, Restarts: optimize.DefaultRestarts, LR: optimize.DefaultLearningRate,
		Clip: optimize.DefaultClipNorm, Replicas: 1, HeldOut: 3, Band: optimize.DefaultBand, Objective: "absolute", Dipole: optimize.DefaultDipole,
		Params: "per-class", Slope: nn.DefaultSpikeSlope, Mesh: optimize.DefaultMesh, TStop: optimize.DefaultTStop, Warmup: optimize.DefaultWarmup, Resolution: optimize.DefaultResolution,
		DriveRate: network.DefaultNoiseRate, DriveWeight: network.DefaultNoiseWeightAMPA, DriveLoc: neuron.Proximal, Models: "shipped", MaxRate: optimize.DefaultMaxRate,
	}
}

func (optimizeKind) Files(st any) []string {
	if s := st.(*optimizeSettings); s.Connectivity != "" {
		return []string{s.Connectivity}
	}
	return nil
}

func (optimizeKind) Check(st any) error {
	s := st.(*optimizeSettings)
	switch {
	case s.Seed < 0 || s.Seed >= 1<<31:
		return settingErr("seed", "must be in [0, 2^31)")
	case s.Epochs < 1:
		return settingErr("epochs", "must be >= 1")
	case s.Restarts < 1:
		return settingErr("restarts", "must be >= 1")
	case s.Replicas < 1:
		return settingErr("replicas", "must be >= 1")
	case s.HeldOut < 0:
		return settingErr("heldout", "must be >= 0")
	case s.Clip == 0 || math.IsNaN(s.Clip):
		return settingErr("clip", "must be positive, or negative for no clipping")
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"lr", s.LR}, {"slope", s.Slope}, {"max_rate", s.MaxRate}} {
		if err := positive(p.name, p.v); err != nil {
			return err
		}
	}
	if err := (setUp{Mesh: s.Mesh, Band: s.Band, Dipole: s.Dipole, Gains: s.Gains, DriveLoc: s.DriveLoc, Models: s.Models,
		TStop: s.TStop, Warmup: s.Warmup, Resolution: s.Resolution, DriveRate: s.DriveRate, DriveWeight: s.DriveWeight, EventSeed: s.Seed}).check(); err != nil {
		return err
	}
	if k, err := optimize.ParseObjectiveKind(s.Objective); err != nil {
		return settingErr("objective", "%v", err)
	} else if k == optimize.MatchPSD {
		return settingErr("objective", "target is not supported in batch jobs (use absolute or relative)")
	}
	if _, err := snn.ParseParamMode(s.Params); err != nil {
		return settingErr("params", "%v", err)
	}
	return nil
}

// optimizeResult is a job's result.json.
type optimizeResult struct {
	Settings        *optimizeSettings  `json:"settings"`
	InitialGains    map[string]float64 `json:"initial_gains"`
	FinalGains      map[string]float64 `json:"final_gains"`
	HeldOutInitial  []float64          `json:"heldout_band_power_initial_nAm2,omitempty"`
	HeldOutFinal    []float64          `json:"heldout_band_power_final_nAm2,omitempty"`
	Restarts        []restartSummary   `json:"restarts,omitempty"`
	FinalLoss       float64            `json:"final_train_loss"`
	RatesFinal      map[string]float64 `json:"final_train_rates_hz"`
	OptimizeSeconds float64            `json:"optimize_seconds"`
}

type restartSummary struct {
	Restart             int     `json:"restart"`
	ValidationBandPower float64 `json:"validation_band_power_nAm2"`
	ValidationLoss      float64 `json:"validation_loss"`
	Kept                bool    `json:"kept"`
}

func (optimizeKind) Run(ctx context.Context, st any, env *Env) (Figures, error) {
	s := st.(*optimizeSettings)
	col, err := parseColumn(s.Mesh)
	if err != nil {
		return nil, err
	}
	conn, err := loadConnectivity(env, s.Connectivity, s.Gains)
	if err != nil {
		return nil, err
	}
	drive, err := network.PoissonNoise(s.DriveLoc, s.DriveRate, s.DriveWeight, nil, s.Seed)
	if err != nil {
		return nil, err
	}
	net, err := network.NewNetwork(col, conn, []network.Drive{drive})
	if err != nil {
		return nil, err
	}
	var models [neuron.NumCellTypes]snn.Cell[float32]
	if s.Models == "random" {
		models, err = snn.RandomCells[float32](uint64(s.Seed))
	} else {
		models, err = snn.ShippedCells[float32]()
	}
	if err != nil {
		return nil, err
	}
	mode, _ := snn.ParseParamMode(s.Params)
	sn, err := snn.New(net, models, snn.Options{TStop: s.TStop, SpikeSlope: s.Slope, Params: mode})
	if err != nil {
		return nil, err
	}
	kind, _ := optimize.ParseObjectiveKind(s.Objective)
	sig, _ := optimize.ParseDipoleSignal(s.Dipole)
	lo, hi, _ := parseBand(s.Band)
	oc := optimize.ObjectiveConfig{Kind: kind, Signal: sig, Lo: lo, Hi: hi, Warmup: s.Warmup, Resolution: s.Resolution}
	if s.Warmup == 0 {
		oc.Warmup = -1
	}
	obj, err := optimize.NewSpectral[float32](oc, sn.Steps, sn.Dt)
	if err != nil {
		return nil, err
	}
	heldOut := make([]int, s.HeldOut)
	for k := range heldOut {
		heldOut[k] = optimize.DefaultHeldOutTrial + k
	}
	clip := s.Clip
	if clip < 0 {
		clip = optimize.NoClip
	}
	initial := sn.Connectivity()
	res, err := optimize.Run(sn, obj, optimize.Config{
		Epochs: s.Epochs, LR: s.LR, ClipNorm: clip, TrainReplicas: s.Replicas, Restarts: s.Restarts,
		HeldOut: heldOut, HeldOutEvery: optimize.HeldOutEndsOnly, MaxRate: s.MaxRate, Workers: 1,
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := optimizeResult{Settings: s, InitialGains: gainMap(initial, res.InitialGains), FinalGains: gainMap(initial, res.FinalGains),
		OptimizeSeconds: res.Seconds, RatesFinal: map[string]float64{}}
	last := res.Epochs[len(res.Epochs)-1]
	out.FinalLoss = last.Loss
	for _, ct := range neuron.CellTypes {
		out.RatesFinal[ct.String()] = last.Rates[ct]
	}
	for _, rr := range res.Restarts {
		out.Restarts = append(out.Restarts, restartSummary{rr.Restart, rr.ValidationBandPower, rr.ValidationLoss, rr.Kept})
	}
	var f Figures
	if res.Initial != nil && res.Final != nil {
		out.HeldOutInitial, out.HeldOutFinal = res.Initial.BandPower, res.Final.BandPower
		f.Add("heldout_initial_nAm2", res.Initial.MeanBandPower)
		f.Add("heldout_final_nAm2", res.Final.MeanBandPower)
		f.Add("ratio", res.Final.MeanBandPower/res.Initial.MeanBandPower)
		for _, ct := range neuron.CellTypes {
			f.Add("rate_"+ct.ShortName()+"_hz", res.Final.Rates[ct])
		}
	}
	f.Add("final_train_loss", last.Loss)
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(env.Dir, "result.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := sn.Connectivity().Save(filepath.Join(env.Dir, "connectivity.json")); err != nil {
		return nil, fmt.Errorf("writing the connectivity: %w", err)
	}
	return f, nil
}

func gainMap(conn *network.Connectivity, g []float64) map[string]float64 {
	m := map[string]float64{}
	for i, c := range conn.Classes {
		if i < len(g) {
			m[c.Name] = g[i]
		}
	}
	return m
}

func init() { Register(optimizeKind{}) }
