package network

import (
	"fmt"
	"iter"
	"math"
	"slices"

	"github.com/neurograd/neurograd/neuron"
)

// Network is a column with its cell-to-cell connectivity and external
// drives: everything needed to lay out gids, connections and drive event
// times, independent of how the cells are simulated. Drive cells get gids
// after the column's cells, drive by drive in the order of Drives.
type Network struct {
	Column       *Column
	Connectivity *Connectivity
	Drives       []Drive
	// TonicBiases are hnn-core's external_biases["tonic"]: a constant
	// current into the soma of every cell of a type.
	TonicBiases []TonicBias
}

// TonicBias is hnn-core's add_tonic_bias for one cell type: a current clamp
// of Amplitude nA (positive depolarising) at soma(0.5) of every cell of
// CellType, on during steps whose midpoint lies in [T0, TStop); TStop ≤ 0
// means the end of the simulation.
type TonicBias struct {
	CellType  neuron.CellType
	Amplitude float64 // nA
	T0, TStop float64 // ms
}

// NewNetwork validates and assembles a network. conn may be nil for the
// default connectivity.
func NewNetwork(col *Column, conn *Connectivity, drives []Drive) (*Network, error) {
	if conn == nil {
		conn = DefaultConnectivity()
	}
	n := &Network{Column: col, Connectivity: conn, Drives: drives}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return n, nil
}

// Validate checks the column, the connectivity and every drive, and that
// drive names are unique.
func (n *Network) Validate() error {
	if n.Column == nil || n.Connectivity == nil {
		return fmt.Errorf("network: network needs a column and a connectivity")
	}
	if err := n.Connectivity.Validate(); err != nil {
		return err
	}
	for i := range n.Connectivity.Classes {
		if err := checkPairs(n.Column, &n.Connectivity.Classes[i]); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for i := range n.Drives {
		d := &n.Drives[i]
		if err := d.Validate(); err != nil {
			return err
		}
		if seen[d.Name] {
			return fmt.Errorf("network: duplicate drive name %q", d.Name)
		}
		seen[d.Name] = true
		if d.CellSpecific && d.NDriveCells != 0 {
			if want := n.NumDriveCells(i); d.NDriveCells != want {
				return fmt.Errorf("network: drive %q: n_drive_cells %d, but a cell-specific drive on %v has one drive cell per target cell: %d", d.Name, d.NDriveCells, d.Targets(), want)
			}
		}
	}
	for _, b := range n.TonicBiases {
		if !b.CellType.Valid() {
			return fmt.Errorf("network: tonic bias on invalid cell type %d", int(b.CellType))
		}
		if math.IsNaN(b.Amplitude) || math.IsInf(b.Amplitude, 0) || math.IsNaN(b.T0) || math.IsInf(b.T0, 0) || math.IsNaN(b.TStop) || math.IsInf(b.TStop, 0) {
			return fmt.Errorf("network: tonic bias on %s: amplitude, t0 and tstop must be finite", b.CellType)
		}
	}
	return nil
}

// NumDriveCells returns the number of drive cells of drive i: one per
// targeted cell for a cell-specific drive, NDriveCells otherwise.
func (n *Network) NumDriveCells(i int) int {
	d := &n.Drives[i]
	if !d.CellSpecific {
		return d.NDriveCells
	}
	total := 0
	for _, ct := range d.Targets() {
		total += n.Column.Count(ct)
	}
	return total
}

// DriveRange returns the half-open gid range of drive i's drive cells.
func (n *Network) DriveRange(i int) (start, end int) {
	start = n.Column.NumCells()
	for j := range i {
		start += n.NumDriveCells(j)
	}
	return start, start + n.NumDriveCells(i)
}

// NumGIDs returns the number of gids of the whole network, cells plus
// drive cells (hnn-core's trial seed offset).
func (n *Network) NumGIDs() int {
	total := n.Column.NumCells()
	for i := range n.Drives {
		total += n.NumDriveCells(i)
	}
	return total
}

// driveCellTarget returns, for drive cell offset k of a cell-specific
// drive, the gid of the cell it projects to.
func (n *Network) driveCellTarget(d *Drive, k int) int {
	for _, ct := range d.Targets() {
		s, e := n.Column.Range(ct)
		if k < e-s {
			return s + k
		}
		k -= e - s
	}
	panic("network: drive cell offset out of range")
}

// DriveEventTimes returns the event times (ms, sorted, 0 < t ≤ tstop) of
// every drive cell of drive i in trial trial (0-based), indexed by the
// drive cell's offset within the drive. The times are bit-identical to
// hnn-core's for the same drive parameters, network size and trial.
func (n *Network) DriveEventTimes(i, trial int, tstop float64) ([][]float64, error) {
	d := &n.Drives[i]
	nGIDs := n.NumGIDs()
	nCells := n.NumDriveCells(i)
	if d.Type != DriveSpikeTrain {
		last := d.EventSeed + int64(trial)*int64(nGIDs) + int64(nCells-1)
		if trial < 0 || last > math.MaxUint32 {
			return nil, fmt.Errorf("network: drive %q trial %d: seed %d exceeds 2^32−1", d.Name, trial, last)
		}
	}
	out := make([][]float64, nCells)
	for k := range out {
		target := neuron.CellType(-1)
		if d.CellSpecific {
			target = n.Column.Cells[n.driveCellTarget(d, k)].Type
		}
		out[k] = d.cellEventTimes(k, target, trial, nGIDs, tstop)
	}
	return out, nil
}

// Connection is one link from a source (a cell or a drive cell) to a
// target cell: each spike of the source reaches the Receptor synapse of
// every section in Sections after Delay with weight Weight.
type Connection struct {
	Src, Tgt int             // gids
	Receptor neuron.Receptor // receptor on the target
	Sections []string        // target sections (shared, do not modify)
	Weight   float64         // µS, distance rule and gains applied
	Delay    float64         // ms, distance rule applied
}

// CellConnections expands the connectivity into one Connection per
// (class, source cell, target cell) pair, class by class, sources and then
// targets in gid order. Weights include the per-class and global gains.
func (n *Network) CellConnections() []Connection {
	return slices.Collect(n.EachCellConnection())
}

// EachCellConnection yields the connections of CellConnections one at a
// time, without materialising the whole (quadratic) list.
func (n *Network) EachCellConnection() iter.Seq[Connection] {
	return func(yield func(Connection) bool) {
		col := n.Column
		for ci := range n.Connectivity.Classes {
			cc := &n.Connectivity.Classes[ci]
			gain := n.Connectivity.EffectiveGain(ci)
			secs, _ := cc.Target.LocationSections(cc.Location) // validated
			for s, t := range n.ClassPairs(ci) {
				w, dl := GaussianWeightDelay(cc.Weight, cc.Delay, cc.Lamtha, col.InplaneDistance, col.Cells[s].Pos, col.Cells[t].Pos)
				if !yield(Connection{Src: s, Tgt: t, Receptor: cc.Receptor, Sections: secs, Weight: w * gain, Delay: dl}) {
					return
				}
			}
		}
	}
}

// DriveConnections expands drive i into its connections: for each target
// cell type in gid order, AMPA then NMDA, one connection per drive cell and
// target cell (1-to-1 for cell-specific drives; those of a type with
// Probability < 1 drawn as hnn-core draws them), with the distance rule
// measured from the column origin.
func (n *Network) DriveConnections(i int) []Connection {
	col := n.Column
	d := &n.Drives[i]
	g0, g1 := n.DriveRange(i)
	origin := col.Origin()
	var out []Connection
	offset := 0
	for ti, ct := range d.Targets() {
		t0, t1 := col.Range(ct)
		secs, _ := ct.LocationSections(d.Location) // validated
		nPairs := t1 - t0
		if !d.CellSpecific {
			nPairs *= g1 - g0
		}
		keep := driveKeep(d, ct, ti, nPairs)
		for _, rw := range []struct {
			r neuron.Receptor
			m map[neuron.CellType]float64
		}{{neuron.AMPA, d.WeightsAMPA}, {neuron.NMDA, d.WeightsNMDA}} {
			aw, ok := rw.m[ct]
			if !ok {
				continue
			}
			// hnn-core's pairs: cell-specific, drive cell k onto target k;
			// otherwise each drive cell onto every target.
			add := func(k, s, t int) {
				if keep == nil || keep[k] {
					w, dl := GaussianWeightDelay(aw, d.SynapticDelays[ct], d.SpaceConstant, col.InplaneDistance, origin, col.Cells[t].Pos)
					out = append(out, Connection{Src: s, Tgt: t, Receptor: rw.r, Sections: secs, Weight: w, Delay: dl})
				}
			}
			if d.CellSpecific {
				for t := t0; t < t1; t++ {
					add(t-t0, g0+offset+t-t0, t)
				}
				continue
			}
			for t := t0; t < t1; t++ { // by target, as before pruning existed
				for s := g0; s < g1; s++ {
					add((s-g0)*(t1-t0)+t-t0, s, t)
				}
			}
		}
		offset += t1 - t0
	}
	return out
}
