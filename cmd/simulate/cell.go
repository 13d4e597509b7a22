package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/neuron"
)

// driveFile is the JSON description of a single-cell simulation
// (docs/drives.md); unknown keys are an error.
type driveFile struct {
	CellType string       `json:"cell_type"`
	TStopMS  *float64     `json:"tstop_ms"`
	DtMS     *float64     `json:"dt_ms"`
	Inputs   []driveInput `json:"inputs"`
	IClamp   []driveClamp `json:"iclamp"`
}

// driveInput is one synapse receiving events: times_ms + delay_ms, weight in µS.
type driveInput struct {
	Section  string    `json:"section"`
	Receptor string    `json:"receptor"`
	X        *float64  `json:"x"`
	WeightUS float64   `json:"weight_uS"`
	DelayMS  float64   `json:"delay_ms"`
	TimesMS  []float64 `json:"times_ms"`
}

// driveClamp is a current clamp: amp_nA during [delay_ms, delay_ms+dur_ms).
type driveClamp struct {
	Section string   `json:"section"`
	X       *float64 `json:"x"`
	AmpNA   float64  `json:"amp_nA"`
	DelayMS float64  `json:"delay_ms"`
	DurMS   float64  `json:"dur_ms"`
}

// spikeOutput is the JSON written for spike times.
type spikeOutput struct {
	CellType     string    `json:"cell_type"`
	SpikeTimesMS []float64 `json:"spike_times_ms"`
}

func runCell(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cellType := fs.String("type", "", "cell type: L2_pyramidal, L5_pyramidal, L2_basket or L5_basket (default: cell_type of -inputs)")
	inputs := fs.String("inputs", "", "drive JSON file: cell_type, tstop_ms, dt_ms, inputs, iclamp (optional; docs/drives.md, e.g. docs/examples/drive_L5_pyramidal.json)")
	tstop := fs.Float64("tstop", 0, "simulation length in ms (default: tstop_ms of -inputs)")
	dt := fs.Float64("dt", cli.ValidatedDt, "time step in ms, at most 0.1 (default: dt_ms of -inputs, else 0.025)")
	out := fs.String("out", "", "output CSV: t_ms, v_<section> at x = 0.5 for every section, dipole_fAm (pyramidal); - for stdout")
	every := fs.Int("record-every", 1, "record every k-th step (t = 0 included)")
	spikes := fs.String("spikes", "", "write spike times as JSON to this file (default: stdout)")
	maxMemory := cli.MaxMemoryFlag(fs)
	useSurrogate := fs.Bool("surrogate", false, "run the shipped surrogate instead (0.5 ms step; synaptic inputs at x = 0.5 only; for baskets the exact basket, events at their true times: the biophysical voltages at the bin ends and its spike times)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: simulate cell -type T -inputs drive.json -tstop MS -dt MS -out trace.csv [-record-every K] [-spikes FILE]\n\nSimulates one biophysical HNN cell (or with -surrogate its shipped surrogate) under the synaptic\ninputs and current clamps of a drive file (docs/drives.md) and writes its section voltages,\ndipole and spike times.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if len(args) == 0 {
		fs.Usage()
		return fmt.Errorf("no flags: give at least -type or -inputs, and -out")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	drive, err := readDriveFile(*inputs)
	if err != nil {
		return err
	}
	typ, err := resolveCell(set, drive, *inputs, *cellType, tstop, dt, stderr)
	if err != nil {
		return err
	}
	if *every < 1 {
		return fmt.Errorf("-record-every = %d must be >= 1", *every)
	}
	if *out == "" {
		return fmt.Errorf("missing -out (use - for stdout)")
	}
	if *out == "-" && *spikes == "" {
		return fmt.Errorf("-out - needs -spikes FILE (stdout carries the trace)")
	}
	if err := cellEstimate(typ, *tstop, *dt, *every, *useSurrogate).Check(*maxMemory); err != nil {
		return err
	}
	if *spikes == "" {
		*spikes = "-"
	}
	// Both outputs are created (and so proven writable) before simulating.
	trace, err := cli.CreateFile("out", *out, stdout)
	if err != nil {
		return err
	}
	defer trace.Abort()
	spk, err := cli.CreateFile("spikes", *spikes, stdout)
	if err != nil {
		return err
	}
	defer spk.Abort()
	var res *neuron.Result
	var desc *neuron.CellDesc
	if *useSurrogate {
		res, desc, err = runCellSurrogate(typ, drive, *tstop)
	} else {
		res, desc, err = runCellBiophysical(typ, drive, *tstop, *dt, *every)
	}
	if err != nil {
		return err
	}
	if err := writeTrace(trace, desc, res); err != nil {
		return failure(err)
	}
	if err := writeSpikes(spk, typ, res.Spikes); err != nil {
		return failure(err)
	}
	if err := trace.Commit(); err != nil {
		return failure(err)
	}
	return failure(spk.Commit())
}

// readDriveFile reads a single-cell drive file (docs/drives.md), refusing
// unknown keys; "" gives the empty drive.
func readDriveFile(path string) (driveFile, error) {
	var drive driveFile
	if path == "" {
		return drive, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return drive, fmt.Errorf("reading inputs: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&drive); err != nil {
		return drive, fmt.Errorf("-inputs %s: %w (the keys are in docs/drives.md)", path, err)
	}
	if dec.More() {
		return drive, fmt.Errorf("-inputs %s: more than one JSON value", path)
	}
	return drive, nil
}

// resolveCell merges the flags given (set) with the drive file's cell type,
// tstop and dt, checks them and returns the cell type.
func resolveCell(set map[string]bool, drive driveFile, inputs, cellType string, tstop, dt *float64, stderr io.Writer) (string, error) {
	typ := drive.CellType
	if set["type"] {
		if typ != "" && typ != cellType {
			return "", fmt.Errorf("-type %s contradicts cell_type %q of %s", cellType, typ, inputs)
		}
		typ = cellType
	}
	if typ == "" {
		return "", fmt.Errorf("no cell type: give -type or cell_type in -inputs")
	}
	if !set["tstop"] && drive.TStopMS != nil {
		*tstop = *drive.TStopMS
	}
	dtFrom := "dt"
	if !set["dt"] && drive.DtMS != nil {
		*dt, dtFrom = *drive.DtMS, "dt (dt_ms of "+inputs+")"
	}
	if !(*tstop > 0) || math.IsInf(*tstop, 0) {
		return "", fmt.Errorf("tstop = %v ms must be positive and finite", *tstop)
	}
	return typ, cli.CheckDt(dtFrom, *dt, stderr)
}

// runCellBiophysical simulates the biophysical cell of type typ under the
// drive for tstop ms at steps of dt ms, recording every every-th step.
func runCellBiophysical(typ string, drive driveFile, tstop, dt float64, every int) (*neuron.Result, *neuron.CellDesc, error) {
	ct, err := neuron.ParseCellType(typ)
	if err != nil {
		return nil, nil, fmt.Errorf("-type: %w", err)
	}
	desc, err := neuron.Template(ct)
	if err != nil {
		return nil, nil, err
	}
	cfg := neuron.DefaultConfig()
	cfg.Dt = dt
	spec := neuron.RunSpec{Desc: desc, Config: cfg, TStop: tstop, RecordEvery: every,
		Probes: neuron.SectionProbes(desc), NoDipole: !desc.Dipole}
	for k, in := range drive.Inputs {
		r, err := neuron.ParseReceptor(in.Receptor)
		if err != nil {
			return nil, nil, fmt.Errorf("input %d: unknown receptor %q (want ampa, nmda, gabaa or gabab)", k, in.Receptor)
		}
		x, err := position(in.X)
		if err != nil {
			return nil, nil, fmt.Errorf("input %d: %w", k, err)
		}
		if !(in.WeightUS >= 0) {
			return nil, nil, fmt.Errorf("input %d: weight_uS = %v must be >= 0", k, in.WeightUS)
		}
		spec.Inputs = append(spec.Inputs, neuron.Input{Section: in.Section, Receptor: r, X: x,
			WeightUS: in.WeightUS, DelayMS: in.DelayMS, TimesMS: in.TimesMS})
	}
	for k, cl := range drive.IClamp {
		x, err := position(cl.X)
		if err != nil {
			return nil, nil, fmt.Errorf("iclamp %d: %w", k, err)
		}
		spec.IClamps = append(spec.IClamps, neuron.IClampSpec{Section: cl.Section, X: x,
			AmpNA: cl.AmpNA, DelayMS: cl.DelayMS, DurMS: cl.DurMS})
	}
	res, err := neuron.Run(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := checkTraces(ct, desc, res, drive); err != nil {
		return nil, nil, err
	}
	return res, desc, nil
}

// position returns the synapse or clamp position, 0.5 when absent; x must be in (0, 1].
func position(x *float64) (float64, error) {
	if x == nil {
		return 0.5, nil
	}
	if !(*x > 0 && *x <= 1) {
		return 0, fmt.Errorf("x = %v must be in (0, 1]", *x)
	}
	return *x, nil
}

// checkTraces returns a runtime error naming the time, the section and the
// drive's largest weight when a trace of the cell holds NaN or Inf, rather
// than writing NaN rows.
func checkTraces(ct neuron.CellType, desc *neuron.CellDesc, res *neuron.Result, drive driveFile) error {
	maxW := 0.0
	for _, in := range drive.Inputs {
		maxW = max(maxW, in.WeightUS)
	}
	for i, tr := range res.Traces {
		for k, v := range tr {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return failure(fmt.Errorf("the %s cell's v_%s is %v at t = %g ms (recorded sample %d); the drive's largest synaptic weight is %g µS: inputs out of the cell's range", ct, desc.Sections[i].Name, v, res.T[k], k, maxW))
			}
		}
	}
	for k, v := range res.Dipole {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return failure(fmt.Errorf("the %s cell's dipole is %v at t = %g ms (recorded sample %d); the drive's largest synaptic weight is %g µS: inputs out of the cell's range", ct, v, res.T[k], k, maxW))
		}
	}
	return nil
}

func writeTrace(w io.Writer, desc *neuron.CellDesc, res *neuron.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("t_ms")
	for _, s := range desc.Sections {
		bw.WriteString(",v_" + s.Name)
	}
	if res.Dipole != nil {
		bw.WriteString(",dipole_fAm")
	}
	bw.WriteByte('\n')
	buf := make([]byte, 0, 64)
	for k, t := range res.T {
		bw.Write(strconv.AppendFloat(buf[:0], t, 'g', -1, 64))
		for _, tr := range res.Traces {
			bw.WriteByte(',')
			bw.Write(strconv.AppendFloat(buf[:0], tr[k], 'g', -1, 64))
		}
		if res.Dipole != nil {
			bw.WriteByte(',')
			bw.Write(strconv.AppendFloat(buf[:0], res.Dipole[k], 'g', -1, 64))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func writeSpikes(w io.Writer, typ string, spikes []float64) error {
	if spikes == nil {
		spikes = []float64{}
	}
	b, err := json.Marshal(spikeOutput{CellType: typ, SpikeTimesMS: spikes})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
