package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
)

// writeNetworkOutputs writes dipole.csv (raw fAm and hnn-core's nAm),
// spikes.csv, vsoma.csv (when gids are recorded) and config.json into dir
// and returns the number of spikes per cell type or drive name.
func writeNetworkOutputs(dir string, net *network.Network, res *biophys.SimResult, hnn network.Dipole, record []int, cfg networkConfig, hnnNet []byte) (map[string]int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, failure(err)
	}
	// hnn-core's layouts: read_dipole, read_spikes (one file per trial),
	// read_network_configuration.
	if err := writeFile(filepath.Join(dir, fmt.Sprintf("dpl_%d.txt", cfg.Trial)), func(w io.Writer) error {
		return network.WriteHNNDipole(w, hnn)
	}); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, fmt.Sprintf("spk_%d.txt", cfg.Trial)), func(w io.Writer) error {
		return network.WriteHNNSpikes(w, res.Spikes, net.GIDNames())
	}); err != nil {
		return nil, err
	}
	if len(hnnNet) > 0 {
		if err := writeFile(filepath.Join(dir, "network.json"), func(w io.Writer) error {
			_, err := w.Write(hnnNet)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if err := writeFile(filepath.Join(dir, "dipole.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm")
		for k, t := range res.Times {
			fmt.Fprintf(w, "%.10g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g\n", t, res.Agg[k], res.L2[k], res.L5[k], hnn.Agg[k], hnn.L2[k], hnn.L5[k])
		}
		return nil
	}); err != nil {
		return nil, err
	}
	names := gidNames(net)
	counts := map[string]int{}
	if err := writeFile(filepath.Join(dir, "spikes.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "t_ms,gid,cell_type")
		for _, s := range res.Spikes {
			fmt.Fprintf(w, "%.12g,%d,%s\n", s.Time, s.GID, names[s.GID])
			counts[names[s.GID]]++
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if len(record) > 0 {
		if err := writeFile(filepath.Join(dir, "vsoma.csv"), func(w io.Writer) error {
			fmt.Fprint(w, "t_ms")
			for _, g := range record {
				fmt.Fprintf(w, ",v_gid%d", g)
			}
			fmt.Fprintln(w)
			for k, t := range res.Times {
				fmt.Fprintf(w, "%.10g", t)
				for _, g := range record {
					fmt.Fprintf(w, ",%.12g", res.VSoma[g][k])
				}
				fmt.Fprintln(w)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if err := writeFile(filepath.Join(dir, "config.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	}); err != nil {
		return nil, err
	}

	return counts, nil
}

// gidNames returns, per gid, the cell type or drive name.
func gidNames(net *network.Network) []string {
	names := make([]string, net.NumGIDs())
	for _, c := range net.Column.Cells {
		names[c.GID] = c.Type.String()
	}
	for i, d := range net.Drives {
		s, e := net.DriveRange(i)
		for g := s; g < e; g++ {
			names[g] = d.Name
		}
	}
	return names
}

// writeFile writes a file through a buffered writer; I/O failures are
// runtime errors (exit status 1).
func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return failure(err)
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return failure(err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return failure(err)
	}
	return failure(f.Close())
}
