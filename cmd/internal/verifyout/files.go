// Package verifyout writes the outputs of a verification of optimized
// connectivity in the biophysical column (verify.Run): the JSON report,
// CSV tables and PNG figures. It is shared by cmd/verify and cmd/optimize
// -verify.
package verifyout

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/verify"
)

// Names are the files Write writes.
var Names = []string{"verify.json", "verify_seeds.csv", "verify_psd.csv", "verify_spikes.csv", "verify_dipole.csv",
	"verify_psd.png", "verify_raster.png", "verify_rates.png", "verify_dipole.png"}

// Write writes the report's files into the existing directory dir (the
// staging directory of a cli.Output): verify.json, verify_seeds.csv,
// verify_psd.csv, verify_spikes.csv, verify_dipole.csv and the figures
// verify_psd.png, verify_raster.png, verify_rates.png and verify_dipole.png
// (Names). col is the column the report simulated. It returns the names
// written.
func Write(dir string, rep *verify.Report, col *network.Column) ([]string, error) {
	var written []string
	file := func(name string, fill func(w io.Writer) error) error {
		p := filepath.Join(dir, name)
		if err := writeFile(p, fill); err != nil {
			return err
		}
		written = append(written, name)
		return nil
	}
	if err := file("verify.json", rep.WriteJSON); err != nil {
		return written, err
	}
	if err := file("verify_seeds.csv", func(w io.Writer) error { return writeSeedsCSV(w, rep) }); err != nil {
		return written, err
	}
	if err := file("verify_psd.csv", func(w io.Writer) error { return writePSDCSV(w, rep) }); err != nil {
		return written, err
	}
	if err := file("verify_spikes.csv", func(w io.Writer) error { return writeSpikesCSV(w, rep, col) }); err != nil {
		return written, err
	}
	if err := file("verify_dipole.csv", func(w io.Writer) error { return writeDipoleCSV(w, rep) }); err != nil {
		return written, err
	}
	figs, err := writeFigures(dir, rep, col)
	written = append(written, figs...)
	return written, err
}

func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// modelRun is one model's measurement of one seed.
type modelRun struct {
	name string
	m    *verify.Measurement
}

// models returns the models present in a seed's result, biophysical first.
func models(sr *verify.SeedResult) []modelRun {
	out := []modelRun{{verify.ModelBiophysical, sr.Biophysical}}
	if sr.Surrogate != nil {
		out = append(out, modelRun{verify.ModelSurrogate, sr.Surrogate})
	}
	if sr.OpenLoop != nil {
		out = append(out, modelRun{verify.ModelOpenLoop, sr.OpenLoop})
	}
	return out
}

// meanRun is one model's measurement averaged over seeds.
type meanRun struct {
	name string
	m    *verify.MeanMeasurement
}

// means returns the models' means of a condition, biophysical first.
func means(cr *verify.ConditionResult) []meanRun {
	out := []meanRun{{verify.ModelBiophysical, cr.Mean.Biophysical}}
	if cr.Mean.Surrogate != nil {
		out = append(out, meanRun{verify.ModelSurrogate, cr.Mean.Surrogate})
	}
	if cr.Mean.OpenLoop != nil {
		out = append(out, meanRun{verify.ModelOpenLoop, cr.Mean.OpenLoop})
	}
	return out
}

// writeSeedsCSV writes one row per condition, seed and model, then the
// means (seed "mean").
func writeSeedsCSV(w io.Writer, rep *verify.Report) error {
	fmt.Fprint(w, "condition,model,seed,band_power_nAm2,log_band_power,peak_hz,band_peak_hz")
	for _, ct := range neuron.CellTypes {
		fmt.Fprintf(w, ",rate_%s_hz", ct)
	}
	fmt.Fprintln(w)
	rates := func(r map[string]float64) string {
		s := ""
		for _, ct := range neuron.CellTypes {
			s += fmt.Sprintf(",%.6g", r[ct.String()])
		}
		return s
	}
	for _, cr := range rep.Conditions {
		for i := range cr.Seeds {
			for _, mm := range models(&cr.Seeds[i]) {
				m := mm.m
				fmt.Fprintf(w, "%s,%s,%d,%.8g,%.8g,%.6g,%.6g%s\n", cr.Name, mm.name, cr.Seeds[i].Seed,
					m.BandPower, m.LogBandPower, m.PeakHz, m.BandPeakHz, rates(m.RatesHz))
			}
		}
		for _, mm := range means(&cr) {
			if m := mm.m; m != nil {
				fmt.Fprintf(w, "%s,%s,mean,%.8g,%.8g,%.6g,%.6g%s\n", cr.Name, mm.name,
					m.BandPower, m.LogBandPower, m.PeakHz, m.BandPeakHz, rates(m.RatesHz))
			}
		}
	}
	return nil
}

// writePSDCSV writes every PSD in long form: condition, model, seed (or
// "mean"), frequency (Hz), PSD (nAm²/Hz).
func writePSDCSV(w io.Writer, rep *verify.Report) error {
	fmt.Fprintln(w, "condition,model,seed,freq_hz,psd_nAm2_per_hz")
	for _, cr := range rep.Conditions {
		for i := range cr.Seeds {
			for _, mm := range models(&cr.Seeds[i]) {
				for k, f := range mm.m.Freqs {
					fmt.Fprintf(w, "%s,%s,%d,%.6g,%.8g\n", cr.Name, mm.name, cr.Seeds[i].Seed, f, mm.m.PSD[k])
				}
			}
		}
		for _, mm := range means(&cr) {
			if m := mm.m; m != nil {
				for k, f := range m.Freqs {
					fmt.Fprintf(w, "%s,%s,mean,%.6g,%.8g\n", cr.Name, mm.name, f, m.PSD[k])
				}
			}
		}
	}
	return nil
}

// writeSpikesCSV writes the cell spikes of the first seed of every
// condition and model.
func writeSpikesCSV(w io.Writer, rep *verify.Report, col *network.Column) error {
	fmt.Fprintln(w, "condition,model,seed,t_ms,gid,cell_type")
	for _, cr := range rep.Conditions {
		sr := &cr.Seeds[0]
		for _, mm := range models(sr) {
			for _, s := range mm.m.CellSpikes {
				fmt.Fprintf(w, "%s,%s,%d,%.4f,%d,%s\n", cr.Name, mm.name, sr.Seed, s.Time, s.GID, col.Cells[s.GID].Type)
			}
		}
	}
	return nil
}

// writeDipoleCSV writes the aggregate, L2 and L5 dipoles (nAm) of the
// first seed of every condition and model.
func writeDipoleCSV(w io.Writer, rep *verify.Report) error {
	fmt.Fprintln(w, "condition,model,seed,t_ms,agg_nAm,L2_nAm,L5_nAm")
	for _, cr := range rep.Conditions {
		sr := &cr.Seeds[0]
		for _, mm := range models(sr) {
			m := mm.m
			for k, t := range m.Times {
				fmt.Fprintf(w, "%s,%s,%d,%.4f,%.8g,%.8g,%.8g\n", cr.Name, mm.name, sr.Seed, t, m.Dipole[k], m.L2[k], m.L5[k])
			}
		}
	}
	return nil
}
