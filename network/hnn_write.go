package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/neurograd/neurograd/neuron"
)

// WriteHNNNetwork writes the network as hnn-core's network configuration
// JSON, readable by hnn-core's read_network_configuration and by
// ReadHNNNetwork (read -> write -> read gives the same Network). Global
// gains are folded into each connection's nc_dict gain, as hnn-core's
// set_global_synaptic_gains does; cell templates are hnn-core's defaults.
// It refuses what hnn-core's file cannot express: spike-train drives (its
// reader has none), a grid spacing other than 1 µm (the file does not store
// it).
func WriteHNNNetwork(w io.Writer, n *Network) error {
	doc, err := hnnDocument(n, json.RawMessage(hnnCellsJSON))
	if err != nil {
		return err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("network: writing hnn-core network: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return fmt.Errorf("network: writing hnn-core network: %w", err)
	}
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("network: writing hnn-core network: %w", err)
	}
	return nil
}

// hnnDocument returns the top level of the network configuration, with
// cells as its cell_types.
func hnnDocument(n *Network, cells json.RawMessage) (ordered, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	col := n.Column
	if col.InplaneDistance != DefaultInplaneDistance {
		return nil, fmt.Errorf("network: writing hnn-core network: inplane distance %v µm: hnn-core's file does not store it and its reader assumes 1 µm", col.InplaneDistance)
	}
	gidRanges, posDict := hnnCellLayout(col)
	drives := ordered{}
	for i := range n.Drives {
		d := &n.Drives[i]
		if d.Type == DriveSpikeTrain {
			return nil, fmt.Errorf("network: writing hnn-core network: drive %q: hnn-core's read_network_configuration cannot read spike-train drives", d.Name)
		}
		s, e := n.DriveRange(i)
		gidRanges = append(gidRanges, kv{d.Name, ordered{{"start", s}, {"stop", e}}})
		ps := make([][]pyFloat, e-s)
		for k := range ps {
			ps[k] = pyPoint(col.Origin())
		}
		posDict = append(posDict, kv{d.Name, ps})
		drives = append(drives, kv{d.Name, hnnDriveEntry(d, e-s)})
	}
	posDict = slices.Insert(posDict, neuron.NumCellTypes, kv{"origin", pyPoint(col.Origin())})
	conns := append(append([]any{}, hnnClassConns(n)...), hnnDriveConns(n)...)
	biases, err := hnnBiases(n.TonicBiases)
	if err != nil {
		return nil, err
	}
	return ordered{{"object_type", "Network"}, {"legacy_mode", false}, {"N_pyr_x", col.MeshX}, {"N_pyr_y", col.MeshY},
		{"celsius", pyFloat(37)}, {"cell_types", cells}, {"gid_ranges", gidRanges},
		{"pos_dict", posDict}, {"cell_response", ordered{}}, {"external_drives", drives},
		{"external_biases", biases}, {"connectivity", conns}, {"rec_arrays", ordered{}},
		{"threshold", pyFloat(0)}, {"delay", pyFloat(1)}}, nil
}

func pyPoint(p Position) []pyFloat { return []pyFloat{pyFloat(p.X), pyFloat(p.Y), pyFloat(p.Z)} }

// hnnCellLayout returns the cells' gid_ranges (in gid order) and pos_dict
// (in hnn-core's order: pyramidal cells first).
func hnnCellLayout(col *Column) (gidRanges, posDict ordered) {
	for _, ct := range neuron.CellTypes {
		s, e := col.Range(ct)
		gidRanges = append(gidRanges, kv{ct.String(), ordered{{"start", s}, {"stop", e}}})
	}
	for _, ct := range []neuron.CellType{neuron.L5Pyramidal, neuron.L2Pyramidal, neuron.L5Basket, neuron.L2Basket} {
		s, e := col.Range(ct)
		ps := [][]pyFloat{}
		for g := s; g < e; g++ {
			ps = append(ps, pyPoint(col.Cells[g].Pos))
		}
		posDict = append(posDict, kv{ct.String(), ps})
	}
	return gidRanges, posDict
}

// pyTypeMap writes a per-cell-type map in gid order (null for nil).
func pyTypeMap(m map[neuron.CellType]float64) any {
	if m == nil {
		return nil
	}
	var o ordered
	for _, ct := range neuron.CellTypes {
		if v, ok := m[ct]; ok {
			o = append(o, kv{ct.String(), pyFloat(v)})
		}
	}
	return o
}

// pyStop writes a window end: null for "the simulation end" (≤ 0).
func pyStop(t float64) any {
	if t > 0 {
		return pyFloat(t)
	}
	return nil
}

// hnnDriveEntry returns the external_drives entry of a drive with nCells
// drive cells.
func hnnDriveEntry(d *Drive, nCells int) ordered {
	pf := func(v float64) pyFloat { return pyFloat(v) }
	var dyn ordered
	switch d.Type {
	case DriveEvoked:
		dyn = ordered{{"mu", pf(d.Mu)}, {"sigma", pf(d.Sigma)}, {"numspikes", d.NumSpikes}}
	case DrivePoisson:
		var rate any = pf(d.Rate)
		if d.RateConstant != nil {
			rate = pyTypeMap(d.RateConstant)
		}
		dyn = ordered{{"tstart", pf(d.TStart)}, {"tstop", pyStop(d.TStop)}, {"rate_constant", rate}}
	case DriveBursty:
		dyn = ordered{{"tstart", pf(d.TStart)}, {"tstart_std", pf(d.TStartStd)}, {"tstop", pyStop(d.TStop)},
			{"burst_rate", pf(d.BurstRate)}, {"burst_std", pf(d.BurstStd)}, {"numspikes", d.NumSpikes}, {"spike_isi", pf(d.SpikeISI)}}
	}
	targets := []string{}
	for _, ct := range d.Targets() {
		targets = append(targets, ct.String())
	}
	return ordered{{"type", string(d.Type)}, {"location", d.Location},
		{"n_drive_cells", nCells}, {"event_seed", d.EventSeed}, {"conn_seed", d.ConnSeed}, {"dynamics", dyn},
		{"events", []any{}}, {"weights_ampa", pyTypeMap(d.WeightsAMPA)}, {"weights_nmda", pyTypeMap(d.WeightsNMDA)},
		{"synaptic_delays", pyTypeMap(d.SynapticDelays)}, {"probability", hnnDriveProbability(d)}, {"name", d.Name},
		{"target_types", targets}, {"cell_specific", d.CellSpecific}}
}

// hnnNCDict returns a connection's nc_dict.
func hnnNCDict(w, d, lam, gain float64) ordered {
	return ordered{{"A_delay", pyFloat(d)}, {"A_weight", pyFloat(w)}, {"lamtha", pyFloat(lam)}, {"threshold", pyFloat(0)}, {"gain", pyFloat(gain)}}
}

// hnnConn is one connectivity entry before it is written.
type hnnConn struct {
	tgt         neuron.CellType
	src         string          // a cell type or a drive name
	pairs       map[int][]int   // source gid -> target gids
	loc         string          // location
	rec         neuron.Receptor // receptor
	nc          ordered         // nc_dict
	autapses    bool
	probability float64
}

// entry returns the connectivity entry as hnn-core's _conn_to_dict.
func (c hnnConn) entry() ordered {
	srcs := slices.Sorted(func(yield func(int) bool) {
		for s := range c.pairs {
			if !yield(s) {
				return
			}
		}
	})
	var tg []int
	var gp ordered
	for _, s := range srcs {
		gp = append(gp, kv{strconv.Itoa(s), c.pairs[s]})
		tg = append(tg, c.pairs[s]...)
	}
	slices.Sort(tg)
	tg = slices.Compact(tg)
	a := 0
	if c.autapses {
		a = 1
	}
	return ordered{{"target_type", c.tgt.String()}, {"target_gids", tg}, {"num_targets", len(tg)},
		{"src_type", c.src}, {"src_gids", srcs}, {"num_srcs", len(srcs)}, {"gid_pairs", gp},
		{"loc", c.loc}, {"receptor", c.rec.String()}, {"nc_dict", c.nc}, {"allow_autapses", a}, {"probability", pyFloat(c.probability)}}
}

// hnnClassConns returns the entries of the cell-to-cell classes.
func hnnClassConns(n *Network) []any {
	var out []any
	for ci := range n.Connectivity.Classes {
		cc := &n.Connectivity.Classes[ci]
		pairs := map[int][]int{}
		for s, t := range n.ClassPairs(ci) {
			pairs[s] = append(pairs[s], t)
		}
		p := cc.Probability
		if p == 0 {
			p = 1
		}
		out = append(out, hnnConn{cc.Target, cc.Source.String(), pairs, cc.Location, cc.Receptor,
			hnnNCDict(cc.Weight, cc.Delay, cc.Lamtha, n.Connectivity.EffectiveGain(ci)), cc.AllowAutapses, p}.entry())
	}
	return out
}

// hnnDriveConns returns each drive's connections: per target type, AMPA
// then NMDA, as hnn-core's _attach_drive adds them.
func hnnDriveConns(n *Network) []any {
	var out []any
	for i := range n.Drives {
		d := &n.Drives[i]
		type key struct {
			ct  neuron.CellType
			rec neuron.Receptor
		}
		var keys []key
		pairs := map[key]map[int][]int{}
		for _, c := range n.DriveConnections(i) {
			k := key{n.Column.Cells[c.Tgt].Type, c.Receptor}
			if pairs[k] == nil {
				pairs[k] = map[int][]int{}
				keys = append(keys, k)
			}
			pairs[k][c.Src] = append(pairs[k][c.Src], c.Tgt)
		}
		for _, k := range keys {
			w := d.WeightsAMPA[k.ct]
			if k.rec == neuron.NMDA {
				w = d.WeightsNMDA[k.ct]
			}
			p, ok := d.Probability[k.ct]
			if !ok {
				p = 1
			}
			out = append(out, hnnConn{k.ct, d.Name, pairs[k], d.Location, k.rec,
				hnnNCDict(w, d.SynapticDelays[k.ct], d.SpaceConstant, 1), true, p}.entry())
		}
	}
	return out
}

// hnnBiases returns external_biases: one tonic bias per cell type.
func hnnBiases(biases []TonicBias) (ordered, error) {
	if len(biases) == 0 {
		return ordered{}, nil
	}
	var tonic ordered
	for _, b := range biases {
		if slices.ContainsFunc(tonic, func(e kv) bool { return e.k == b.CellType.String() }) {
			return nil, fmt.Errorf("network: writing hnn-core network: two tonic biases on %s (hnn-core keeps one per cell type)", b.CellType)
		}
		tonic = append(tonic, kv{b.CellType.String(), ordered{{"amplitude", pyFloat(b.Amplitude)}, {"t0", pyFloat(b.T0)},
			{"tstop", pyStop(b.TStop)}, {"section", neuron.SecSoma}}})
	}
	return ordered{{"tonic", tonic}}, nil
}

// hnnDriveProbability writes a drive's probability as hnn-core stores it:
// one number when every target has the same, else one per target type.
func hnnDriveProbability(d *Drive) any {
	targets := d.Targets()
	prob := func(ct neuron.CellType) float64 {
		if p, ok := d.Probability[ct]; ok {
			return p
		}
		return 1
	}
	same := true
	for _, ct := range targets {
		same = same && prob(ct) == prob(targets[0])
	}
	if same {
		return pyFloat(prob(targets[0]))
	}
	var o ordered
	for _, ct := range targets {
		o = append(o, kv{ct.String(), pyFloat(prob(ct))})
	}
	return o
}
