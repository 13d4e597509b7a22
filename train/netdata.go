package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// NetRunConfig is one biophysical network run of the "network" regime.
type NetRunConfig struct {
	MeshX, MeshY int
	LogGainSpan  float64 // per-class gains are 10^U(-span, span)
	Bins         int
}

// NetworkRun simulates HNN's column biophysically with random connection
// gains and Poisson drives, then reconstructs the synaptic input trains of
// the chosen cells (pick: how many of each type, drawn at random) from the
// cells' and drive cells' spikes and the column's connections (weight,
// delay, target sections, receptor), and re-simulates those cells alone
// with exactly these events (which reproduces their traces in the network,
// as cells interact only through spikes). It returns the samples per cell
// type and a line of the populations' firing rates.
func NetworkRun(cfg NetRunConfig, seed uint64, pick map[neuron.CellType]int) (map[neuron.CellType][]*surrogate.Sample, string, error) {
	rng := rand.New(rand.NewPCG(seed, 0x6e6574))
	net, err := randomNetwork(cfg, rng)
	if err != nil {
		return nil, "", err
	}
	tstop := float64(cfg.Bins) * surrogate.BinDt
	res, err := biophys.Simulate(net, biophys.SimOptions{TStop: tstop})
	if err != nil {
		return nil, "", err
	}
	spikes := map[int][]float64{}
	for _, s := range res.Spikes {
		spikes[s.GID] = append(spikes[s.GID], s.Time)
	}
	jobs, rates := pickCells(net.Column, spikes, tstop, pick, rng)
	out, err := resimulate(jobs, inputsByTarget(net), spikes, tstop, cfg.Bins)
	return out, rates, err
}

// randomNetwork returns HNN's column with connection gains 10^U(-span,
// span) per class, a Poisson drive onto every cell and, in 40 % of runs, a
// distal Poisson drive.
func randomNetwork(cfg NetRunConfig, rng *rand.Rand) (*network.Network, error) {
	col, err := network.NewColumn(cfg.MeshX, cfg.MeshY)
	if err != nil {
		return nil, err
	}
	conn := network.DefaultConnectivity()
	for i := range conn.Classes {
		conn.Classes[i].Gain = math.Pow(10, cfg.LogGainSpan*(2*rng.Float64()-1))
	}
	rate := 10.0
	if rng.Float64() < 0.3 {
		rate = 5 + 15*rng.Float64()
	}
	nmda := -1.0 // PoissonEveryCell: no NMDA drive
	if rng.Float64() < 0.3 {
		nmda = logUniform(rng, 2e-4, 3e-3)
	}
	drives := []network.Drive{network.PoissonEveryCell(rate, logUniform(rng, 1e-3, 1e-2), nmda, int64(rng.Uint32()))}
	if rng.Float64() < 0.4 {
		d := network.NewPoissonDrive("poisson_distal", neuron.Distal, 5+15*rng.Float64())
		d.EventSeed = int64(rng.Uint32())
		w := logUniform(rng, 1e-3, 1e-2)
		d.SetTarget(neuron.L2Pyramidal, w, -1, network.DefaultDriveDelay)
		d.SetTarget(neuron.L5Pyramidal, w, -1, network.DefaultDriveDelay)
		d.SetTarget(neuron.L2Basket, w, -1, network.DefaultDriveDelay)
		drives = append(drives, d)
	}
	return network.NewNetwork(col, conn, drives)
}

// inputsByTarget returns the cell and drive connections onto each gid.
func inputsByTarget(net *network.Network) map[int][]network.Connection {
	byTgt := map[int][]network.Connection{}
	for c := range net.EachCellConnection() {
		byTgt[c.Tgt] = append(byTgt[c.Tgt], c)
	}
	for i := range net.Drives {
		for _, c := range net.DriveConnections(i) {
			byTgt[c.Tgt] = append(byTgt[c.Tgt], c)
		}
	}
	return byTgt
}

// cellJob is one cell to re-simulate.
type cellJob struct {
	ct  neuron.CellType
	gid int
}

// pickCells draws pick[type] cells of each type at random and returns them
// with a line of the populations' firing rates.
func pickCells(col *network.Column, spikes map[int][]float64, tstop float64, pick map[neuron.CellType]int, rng *rand.Rand) ([]cellJob, string) {
	var jobs []cellJob
	rates := ""
	for _, ct := range []neuron.CellType{neuron.L2Basket, neuron.L2Pyramidal, neuron.L5Basket, neuron.L5Pyramidal} {
		g0, g1 := col.Range(ct)
		n := 0
		for g := g0; g < g1; g++ {
			n += len(spikes[g])
		}
		rates += fmt.Sprintf(" %s %.1f Hz", ct, float64(n)/float64(g1-g0)/(tstop/1000))
		k := pick[ct]
		perm := rng.Perm(g1 - g0)
		for i := 0; i < k && i < len(perm); i++ {
			jobs = append(jobs, cellJob{ct, g0 + perm[i]})
		}
	}
	return jobs, rates
}

// resimulate runs each picked cell alone on the events its connections
// (byTgt) delivered from the network's spikes before tstop.
func resimulate(jobs []cellJob, byTgt map[int][]network.Connection, spikes map[int][]float64, tstop float64, bins int) (map[neuron.CellType][]*surrogate.Sample, error) {
	index := map[neuron.CellType]map[neuron.Channel]int{}
	for _, jb := range jobs {
		if index[jb.ct] == nil {
			var err error
			if index[jb.ct], err = channelIndex(jb.ct); err != nil {
				return nil, err
			}
		}
	}
	samples := make([]*surrogate.Sample, len(jobs))
	errs := make([]error, len(jobs))
	parallel.For(len(jobs), 0, func(j int) {
		jb := jobs[j]
		idx := index[jb.ct]
		var evs []Event
		for _, c := range byTgt[jb.gid] {
			for _, sec := range c.Sections {
				ch, ok := idx[neuron.Channel{Section: sec, Receptor: c.Receptor}]
				if !ok {
					errs[j] = fmt.Errorf("connection onto %s %s/%s has no input channel", jb.ct, sec, c.Receptor)
					return
				}
				for _, t := range spikes[c.Src] {
					if te := t + c.Delay; te < tstop {
						evs = append(evs, Event{Channel: ch, T: te, W: c.Weight})
					}
				}
			}
		}
		samples[j], errs[j] = Simulate(jb.ct, evs, bins)
	})
	out := map[neuron.CellType][]*surrogate.Sample{}
	for j, jb := range jobs {
		if errs[j] != nil {
			return nil, errs[j]
		}
		out[jb.ct] = append(out[jb.ct], samples[j])
	}
	return out, nil
}

// channelIndex maps each input channel of cell type ct to its index.
func channelIndex(ct neuron.CellType) (map[neuron.Channel]int, error) {
	cio, err := ioFor(ct)
	if err != nil {
		return nil, err
	}
	m := map[neuron.Channel]int{}
	for i, ch := range cio.channels {
		m[ch] = i
	}
	return m, nil
}
