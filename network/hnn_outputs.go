package network

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteHNNDipole writes a dipole in the text layout hnn-core's read_dipole
// reads (Dipole.write to a .txt file): one row per sample, tab-separated
// time (ms), aggregate, L2 and L5 dipole, no header. hnn-core writes nAm
// with "%5.4f"; here every value is written exactly (shortest round-trip form), which
// numpy.loadtxt reads the same way. Pass the dipole in the units hnn-core
// would hold (HNNDipole: nAm, smoothed and scaled as wanted).
func WriteHNNDipole(w io.Writer, d Dipole) error {
	n := len(d.Times)
	if len(d.Agg) != n || len(d.L2) != n || len(d.L5) != n {
		return fmt.Errorf("network: writing dipole: %d times but %d, %d, %d samples", n, len(d.Agg), len(d.L2), len(d.L5))
	}
	bw := bufio.NewWriter(w)
	for k := range n {
		for _, v := range []float64{d.Times[k], d.Agg[k], d.L2[k], d.L5[k]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("network: writing dipole: sample %d is not finite", k)
			}
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\n", g(d.Times[k]), g(d.Agg[k]), g(d.L2[k]), g(d.L5[k]))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("network: writing dipole: %w", err)
	}
	return nil
}

// WriteHNNSpikes writes one trial's spikes in the layout hnn-core's
// read_spikes reads (CellResponse.write, one file per trial, e.g.
// spk_0.txt): one row per spike, tab-separated time (ms, "%.3f" in
// hnn-core, exact here), gid and the gid's type (cell type
// or drive name, names[gid]). Names must be non-empty and free of white
// space, as numpy.loadtxt splits on it.
func WriteHNNSpikes(w io.Writer, spikes []Spike, names []string) error {
	bw := bufio.NewWriter(w)
	for _, s := range spikes {
		if s.GID < 0 || s.GID >= len(names) {
			return fmt.Errorf("network: writing spikes: gid %d has no type name", s.GID)
		}
		if nm := names[s.GID]; nm == "" || strings.ContainsAny(nm, " \t\r\n#") {
			return fmt.Errorf("network: writing spikes: type name %q of gid %d is empty or holds white space or '#'", nm, s.GID)
		}
		if math.IsNaN(s.Time) || math.IsInf(s.Time, 0) {
			return fmt.Errorf("network: writing spikes: spike time of gid %d is not finite", s.GID)
		}
		fmt.Fprintf(bw, "%s\t%d\t%s\n", g(s.Time), s.GID, names[s.GID])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("network: writing spikes: %w", err)
	}
	return nil
}

// g formats a float in the shortest form that reads back exactly.
func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// GIDNames returns, per gid, its cell type or drive name (hnn-core's spike
// types).
func (n *Network) GIDNames() []string {
	names := make([]string, n.NumGIDs())
	for _, c := range n.Column.Cells {
		names[c.GID] = c.Type.String()
	}
	for i, d := range n.Drives {
		s, e := n.DriveRange(i)
		for g := s; g < e; g++ {
			names[g] = d.Name
		}
	}
	return names
}
