package train

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// The seed's protocol (Tolley & Jones; ../shared/design/surrogate-field.md):
// 9 L5 cells of one network simulation, 7 windows of 250 ms each, the model
// started from rest in every window and the last 150 ms of each scored,
// Pearson r of soma, apical tuft and dipole, against hnn-core run at
// dt = 0.5 ms so that the binned input is exactly what the simulator saw.
const (
	seedWindowBins = 500 // 250 ms
	seedScoreBins  = 300 // the last 150 ms
	seedWindows    = 7
	seedCells      = 9
)

// SeedProtocolRow is one truth of the seed-protocol table: the pooled
// Pearson r of the soma, apical-tuft and dipole outputs over the scored
// windows, the truth's and the model's spikes in them (Γ, Δ 2 ms, mean
// over windows with spikes), and how many windows and cells were scored.
type SeedProtocolRow struct {
	Truth   string  `json:"truth"`
	Windows int     `json:"windows"`
	Cells   int     `json:"cells"`
	RSoma   float64 `json:"r_soma"`
	RTuft   float64 `json:"r_apical_tuft"`
	RDipole float64 `json:"r_dipole"`
	Gamma   float64 `json:"gamma_2ms"`
}

// SeedProtocol scores model m (an L5 or L2/3 pyramidal surrogate) on the
// seed's protocol: from each network run of the test set (cells laid out as
// cmd/train's test split, pick per run after the first poisson samples) it
// takes the first 9 cells, cuts 7 windows of 250 ms starting every
// (bins − 250 ms)/6, runs the model from rest in each and scores the last
// 150 ms, against three truths: "test" (the test set's own traces: events
// at their true times, dt 0.025 ms, what the model was trained on),
// "binned, dt 0.025" (the cell re-simulated with every event at its bin's
// start: the input the model sees, exactly) and "binned, dt 0.5" (the same
// at dt 0.5 ms: the seed's truth, a coarser system than the model learned).
func SeedProtocol(m *surrogate.Model[float32], test []*surrogate.Sample, poisson, pick int) ([]SeedProtocolRow, error) {
	ct := m.CellType()
	if !ct.IsPyramidal() {
		return nil, fmt.Errorf("train: the seed's protocol scores pyramidal cells, not %s", ct)
	}
	var cells []*surrogate.Sample
	for run := 0; poisson+run*pick < len(test); run++ {
		for c := 0; c < min(seedCells, pick); c++ {
			if i := poisson + run*pick + c; i < len(test) {
				cells = append(cells, test[i])
			}
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("train: the test set has no network samples for the seed's protocol")
	}
	if cells[0].Bins < seedWindowBins {
		return nil, fmt.Errorf("train: samples of %d bins are shorter than the seed's %d-bin windows", cells[0].Bins, seedWindowBins)
	}
	outs := m.Outputs()
	col := func(name string) int {
		for i, o := range outs {
			if o == name {
				return i
			}
		}
		return -1
	}
	idx := [3]int{col("v_soma"), col("v_apical_tuft"), col("dipole_nAm")}
	C := len(m.Inputs())
	truths := []struct {
		name string
		dt   float64
	}{{"test", 0}, {"binned, dt 0.025 ms", 0.025}, {"binned, dt 0.5 ms", 0.5}}
	var rows []SeedProtocolRow
	for _, tr := range truths {
		sims := cells
		if tr.dt > 0 {
			sims = make([]*surrogate.Sample, len(cells))
			errs := make([]error, len(cells))
			parallel.For(len(cells), 0, func(i int) {
				sims[i], errs[i] = SimulateDt(ct, binnedEvents(cells[i], C), cells[i].Bins, tr.dt)
			})
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
		}
		rows = append(rows, seedScore(m, tr.name, sims, idx))
	}
	return rows, nil
}

// binnedEvents turns a sample's binned inputs back into events at the bins'
// starts (channel order of the sample).
func binnedEvents(s *surrogate.Sample, C int) []Event {
	var evs []Event
	for k := 0; k < s.Bins; k++ {
		for c := 0; c < C; c++ {
			if w := s.X[k*C+c]; w > 0 {
				evs = append(evs, Event{Channel: c, T: float64(k) * surrogate.BinDt, W: float64(w)})
			}
		}
	}
	return evs
}

// seedScore cuts the seed's windows from every sample, runs m from rest in
// each and pools the r of outputs idx over the scored bins.
func seedScore(m *surrogate.Model[float32], name string, samples []*surrogate.Sample, idx [3]int) SeedProtocolRow {
	O := len(m.Outputs())
	C := len(m.Inputs())
	var wins []*surrogate.Sample
	for _, s := range samples {
		step := (s.Bins - seedWindowBins) / (seedWindows - 1)
		for w := 0; w < seedWindows; w++ {
			k0 := w * step
			ws := &surrogate.Sample{Bins: seedWindowBins, X: s.X[k0*C : (k0+seedWindowBins)*C], Y: s.Y[k0*O : (k0+seedWindowBins)*O]}
			lo, hi := float64(k0)*surrogate.BinDt, float64(k0+seedWindowBins)*surrogate.BinDt
			for _, t := range s.Spikes {
				if t > lo+float64(seedWindowBins-seedScoreBins)*surrogate.BinDt && t <= hi {
					ws.Spikes = append(ws.Spikes, t-lo)
				}
			}
			wins = append(wins, ws)
		}
	}
	pred := m.Predict(wins)
	row := SeedProtocolRow{Truth: name, Windows: len(wins), Cells: len(samples), Gamma: -1}
	var gsum float64
	var ng int
	for j, o := range idx {
		if o < 0 {
			continue
		}
		var a, b []float32
		for i, w := range wins {
			for k := seedWindowBins - seedScoreBins; k < seedWindowBins; k++ {
				a = append(a, pred[i][k*O+o])
				b = append(b, w.Y[k*O+o])
			}
		}
		r := stats.Pearson(a, b)
		switch j {
		case 0:
			row.RSoma = r
		case 1:
			row.RTuft = r
		case 2:
			row.RDipole = r
		}
	}
	for i, w := range wins {
		v := make([]float32, seedWindowBins)
		for k := range v {
			v[k] = pred[i][k*O+idx[0]]
		}
		var ps []float64
		for _, t := range surrogate.SpikeTimes(v, m.SpikeThreshold()) {
			if t > float64(seedWindowBins-seedScoreBins)*surrogate.BinDt {
				ps = append(ps, t)
			}
		}
		if g := stats.Coincidence(ps, w.Spikes, float64(seedScoreBins)*surrogate.BinDt, surrogate.SpikeTolerance); !math.IsNaN(g) {
			gsum += g
			ng++
		}
	}
	if ng > 0 {
		row.Gamma = gsum / float64(ng)
	}
	return row
}
