package batch

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/neuron"
)

// simulateSettings are the settings of the simulate-network job kind:
// cmd/simulate network's flags of the same names.
type simulateSettings struct {
	Mesh         string  `json:"mesh"`
	Drives       string  `json:"drives"` // erp, poisson or a drives JSON file
	Rate         float64 `json:"rate"`
	WeightAMPA   float64 `json:"weight_ampa"`
	WeightNMDA   float64 `json:"weight_nmda"`
	EventSeed    int64   `json:"event_seed"`
	Connectivity string  `json:"connectivity"`
	Gains        string  `json:"gains"`
	Seed         int     `json:"seed"` // trial index
	TStop        float64 `json:"tstop"`
	Dt           float64 `json:"dt"`
}

type simulateKind struct{}

func (simulateKind) Name() string { return "simulate-network" }
func (simulateKind) Doc() string {
	return "simulate HNN's column biophysically (cmd/simulate network's settings); files dipole.csv, spikes.csv; figures: spikes per cell type, dipole extremes"
}

func (simulateKind) NewSettings() any {
	return &simulateSettings{Mesh: "10x10", Drives: "erp", Rate: network.DefaultNoiseRate, WeightAMPA: network.DefaultNoiseWeightAMPA, EventSeed: network.DefaultNoiseEventSeed, TStop: 170, Dt: 0.025}
}

func (simulateKind) Files(st any) []string {
	s := st.(*simulateSettings)
	var f []string
	if s.Connectivity != "" {
		f = append(f, s.Connectivity)
	}
	if s.Drives != "erp" && s.Drives != "poisson" {
		f = append(f, s.Drives)
	}
	return f
}

func (simulateKind) Check(st any) error {
	s := st.(*simulateSettings)
	if _, _, err := parseMesh(s.Mesh); err != nil {
		return settingErr("mesh", "%v", err)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"tstop", s.TStop}, {"dt", s.Dt}, {"rate", s.Rate}} {
		if err := positive(p.name, p.v); err != nil {
			return err
		}
	}
	if s.Dt > 0.1 {
		return settingErr("dt", "%v ms: must be at most 0.1 ms (the cells are validated at 0.025 ms)", s.Dt)
	}
	if s.WeightAMPA < 0 || s.WeightNMDA < 0 {
		return settingErr("weight_ampa", "weights must be >= 0")
	}
	if s.Seed < 0 {
		return settingErr("seed", "must be >= 0")
	}
	if _, err := parseGains(s.Gains); err != nil {
		return settingErr("gains", "%v", err)
	}
	return nil
}

func (simulateKind) Run(ctx context.Context, st any, env *Env) (Figures, error) {
	s := st.(*simulateSettings)
	nx, ny, _ := parseMesh(s.Mesh)
	col, err := network.NewColumn(nx, ny)
	if err != nil {
		return nil, err
	}
	conn, err := loadConnectivity(env, s.Connectivity, s.Gains)
	if err != nil {
		return nil, err
	}
	var drives []network.Drive
	switch s.Drives {
	case "erp":
		drives = network.ERPDrives()
	case "poisson":
		drives = []network.Drive{network.PoissonEveryCell(s.Rate, s.WeightAMPA, s.WeightNMDA, s.EventSeed)}
	default:
		b, err := env.ReadFile(s.Drives)
		if err != nil {
			return nil, err
		}
		tmp := filepath.Join(env.Dir, "drives_input.json")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return nil, err
		}
		if drives, err = network.LoadDrives(tmp); err != nil {
			return nil, err
		}
	}
	net, err := network.NewNetwork(col, conn, drives)
	if err != nil {
		return nil, err
	}
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: s.TStop, Dt: s.Dt, Trial: s.Seed, Workers: 1})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hnn := res.HNNDipole()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintln(w, "t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm")
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, t := range res.Times {
		fmt.Fprintf(w, "%.10g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g\n", t, res.Agg[k], res.L2[k], res.L5[k], hnn.Agg[k], hnn.L2[k], hnn.L5[k])
		lo, hi = min(lo, hnn.Agg[k]), max(hi, hnn.Agg[k])
	}
	w.Flush()
	if err := os.WriteFile(filepath.Join(env.Dir, "dipole.csv"), buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	buf.Reset()
	counts := map[neuron.CellType]int{}
	fmt.Fprintln(w, "t_ms,gid")
	for _, sp := range res.Spikes {
		fmt.Fprintf(w, "%.12g,%d\n", sp.Time, sp.GID)
		if sp.GID < col.NumCells() {
			counts[col.Cells[sp.GID].Type]++
		}
	}
	w.Flush()
	if err := os.WriteFile(filepath.Join(env.Dir, "spikes.csv"), buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	var f Figures
	for _, ct := range neuron.CellTypes {
		f.Add("spikes_"+ct.ShortName(), float64(counts[ct]))
	}
	f.Add("dipole_min_nAm", lo)
	f.Add("dipole_max_nAm", hi)
	return f, nil
}

func init() { Register(simulateKind{}) }
