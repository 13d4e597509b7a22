package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/neurograd/neurograd/neuron"
)

// ReadDrives decodes a list of drives written with hnn-core's parameter
// names. The input is hnn-core's whole network configuration file (see
// ReadHNNNetwork; its external_drives are returned),  a JSON list of drive objects, an object with such a
// list under "drives" (other keys ignored, so the config.json of
// "simulate network" can be read back), or an object mapping drive names
// to drive objects (hnn-core's net.external_drives; key order is kept). Each drive object has "type"
// (evoked, gaussian, poisson, bursty, spike_train), "name" (unless given
// by the key), and the keyword arguments of hnn-core's add_*_drive:
// location, weights_ampa, weights_nmda, synaptic_delays (number or object),
// space_constant, cell_specific, n_drive_cells (number or "n_cells"; with
// cell_specific true a number is hnn-core's resolved count, checked against
// the column by Network.Validate), event_seed, conn_seed, probability
// (number or object, in (0, 1]; see Drive.Probability), target_types (must match the weights' keys), events (simulation
// outputs, ignored: event times are regenerated from event_seed), mu, sigma, numspikes, tstart,
// tstop (null = simulation end), rate_constant (number or object),
// tstart_std, burst_rate, burst_std, spike_isi, spike_times. Dynamics may
// also sit in a nested "dynamics" object as hnn-core stores them. Unset
// parameters take hnn-core's defaults; unknown keys are errors.
func ReadDrives(r io.Reader) ([]Drive, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("network: reading drives: %w", err)
	}
	data = bytes.TrimSpace(data)
	if IsHNNNetwork(data) {
		// hnn-core's network configuration: its drives, as ReadHNNNetwork
		// reads them (space constants from their connections' lamtha).
		h, err := parseHNNTop(data)
		if err != nil {
			return nil, err
		}
		net, _, err := h.network()
		if err != nil {
			return nil, err
		}
		return net.Drives, nil
	}
	var items []json.RawMessage
	var names []string
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("network: reading drives: %w", err)
		}
		names = make([]string, len(items))
	case len(data) > 0 && data[0] == '{':
		keys, vals, err := orderedObject(data)
		if err != nil {
			return nil, fmt.Errorf("network: reading drives: %w", err)
		}
		if i := slices.Index(keys, "drives"); i >= 0 {
			if err := json.Unmarshal(vals[i], &items); err != nil {
				return nil, fmt.Errorf("network: reading drives: %w", err)
			}
			names = make([]string, len(items))
		} else {
			items, names = vals, keys
		}
	default:
		return nil, fmt.Errorf("network: reading drives: want a JSON list or object")
	}
	drives := make([]Drive, 0, len(items))
	for i, raw := range items {
		d, err := decodeDrive(raw, names[i])
		if err != nil {
			return nil, fmt.Errorf("network: reading drive %d: %w", i, err)
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		drives = append(drives, d)
	}
	return drives, nil
}

// LoadDrives reads a drive list from a JSON file (see ReadDrives).
func LoadDrives(path string) ([]Drive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	defer f.Close()
	d, err := ReadDrives(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// WriteDrives writes drives as a JSON list with hnn-core's parameter names,
// readable by ReadDrives.
func WriteDrives(w io.Writer, drives []Drive) error {
	list := make([]map[string]any, len(drives))
	for i := range drives {
		list[i] = drives[i].hnnParams()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		return fmt.Errorf("network: writing drives: %w", err)
	}
	return nil
}

// MarshalJSON encodes the drive with hnn-core's parameter names.
func (d Drive) MarshalJSON() ([]byte, error) { return json.Marshal(d.hnnParams()) }

// UnmarshalJSON decodes one drive object with hnn-core's parameter names
// (see ReadDrives) and validates it.
func (d *Drive) UnmarshalJSON(b []byte) error {
	v, err := decodeDrive(b, "")
	if err != nil {
		return err
	}
	if err := v.Validate(); err != nil {
		return err
	}
	*d = v
	return nil
}

// hnnParams returns the drive's parameters under hnn-core's names.
func (d *Drive) hnnParams() map[string]any {
	typeMap := func(m map[neuron.CellType]float64) map[string]float64 {
		if m == nil {
			return nil
		}
		out := make(map[string]float64, len(m))
		for k, v := range m {
			out[k.String()] = v
		}
		return out
	}
	p := map[string]any{
		"name": d.Name, "type": string(d.Type), "location": d.Location,
		"weights_ampa": typeMap(d.WeightsAMPA), "weights_nmda": typeMap(d.WeightsNMDA),
		"synaptic_delays": typeMap(d.SynapticDelays), "space_constant": d.SpaceConstant,
		"cell_specific": d.CellSpecific,
	}
	if d.CellSpecific && d.NDriveCells == 0 {
		p["n_drive_cells"] = "n_cells"
	} else { // with cell_specific true, hnn-core's resolved count
		p["n_drive_cells"] = d.NDriveCells
	}
	if d.Type != DriveSpikeTrain {
		p["event_seed"] = d.EventSeed
		p["conn_seed"] = d.ConnSeed
	}
	if d.Probability != nil {
		p["probability"] = typeMap(d.Probability)
	}
	var tstop any
	if d.TStop > 0 {
		tstop = d.TStop
	}
	switch d.Type {
	case DriveEvoked:
		p["mu"], p["sigma"], p["numspikes"] = d.Mu, d.Sigma, d.NumSpikes
	case DrivePoisson:
		p["tstart"], p["tstop"] = d.TStart, tstop
		if d.RateConstant != nil {
			p["rate_constant"] = typeMap(d.RateConstant)
		} else {
			p["rate_constant"] = d.Rate
		}
	case DriveBursty:
		p["tstart"], p["tstart_std"], p["tstop"] = d.TStart, d.TStartStd, tstop
		p["burst_rate"], p["burst_std"] = d.BurstRate, d.BurstStd
		p["numspikes"], p["spike_isi"] = d.NumSpikes, d.SpikeISI
	case DriveSpikeTrain:
		p["spike_times"] = d.SpikeTimes
	}
	return p
}

// decodeDrive decodes one hnn-core-style drive object over the defaults of
// its type.
func decodeDrive(raw json.RawMessage, name string) (Drive, error) {
	fields, err := driveFields(raw)
	if err != nil {
		return Drive{}, err
	}
	f := fieldReader{fields: fields}
	d, err := newDriveOfType(&f, name)
	if err != nil {
		return Drive{}, err
	}
	name = d.Name
	if !f.str("location", &d.Location) {
		return Drive{}, fmt.Errorf("drive %q: missing \"location\"", name)
	}
	f.readTargets(&d)
	f.num("space_constant", &d.SpaceConstant)
	f.readDriveCells(&d)
	f.int64("event_seed", &d.EventSeed)
	f.int64("conn_seed", &d.ConnSeed)
	f.take("events") // simulation outputs; regenerated from event_seed
	f.checkTargetTypes(d.Targets())
	if raw, ok := f.take("probability"); ok {
		d.Probability = readDriveProbability(&f, raw, d.Targets())
	}
	f.readDynamics(&d)
	if f.err != nil {
		return Drive{}, fmt.Errorf("drive %q: %w", name, f.err)
	}
	if len(f.fields) > 0 {
		return Drive{}, fmt.Errorf("drive %q: unknown parameters %v", name, slices.Sorted(maps.Keys(f.fields)))
	}
	return d, nil
}

// driveFields returns a drive object's fields, those of a nested
// "dynamics" object (as hnn-core stores them) among them.
func driveFields(raw json.RawMessage) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	dyn, ok := fields["dynamics"]
	if !ok {
		return fields, nil
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(dyn, &inner); err != nil {
		return nil, fmt.Errorf("dynamics: %w", err)
	}
	delete(fields, "dynamics")
	for k, v := range inner {
		if _, dup := fields[k]; dup {
			return nil, fmt.Errorf("%q given both inside and outside dynamics", k)
		}
		fields[k] = v
	}
	return fields, nil
}

// newDriveOfType returns the drive of the object's "type" with hnn-core's
// defaults, named by "name" or else name.
func newDriveOfType(f *fieldReader, name string) (Drive, error) {
	var typ string
	if !f.str("type", &typ) {
		return Drive{}, fmt.Errorf("missing \"type\"")
	}
	if f.str("name", &name); name == "" {
		return Drive{}, fmt.Errorf("missing \"name\"")
	}
	switch typ {
	case "evoked", "gaussian":
		return NewEvokedDrive(name, "", 0, 0), nil
	case "poisson":
		return NewPoissonDrive(name, "", 0), nil
	case "bursty":
		return NewBurstyDrive(name, "", 0, 0, 0), nil
	case "spike_train":
		return NewSpikeTrainDrive(name, "", nil), nil
	default:
		return Drive{}, fmt.Errorf("drive %q: unknown type %q", name, typ)
	}
}

// readTargets reads the weights and the synaptic delays (a number for
// every target, or an object by type; default DefaultDriveDelay).
func (f *fieldReader) readTargets(d *Drive) {
	d.WeightsAMPA = f.typeMap("weights_ampa")
	d.WeightsNMDA = f.typeMap("weights_nmda")
	targets := d.Targets()
	d.SynapticDelays = map[neuron.CellType]float64{}
	for _, ct := range targets {
		d.SynapticDelays[ct] = DefaultDriveDelay
	}
	if raw, ok := f.take("synaptic_delays"); ok {
		var v float64
		if err := json.Unmarshal(raw, &v); err == nil {
			for _, ct := range targets {
				d.SynapticDelays[ct] = v
			}
		} else {
			d.SynapticDelays = f.parseTypeMap("synaptic_delays", raw)
		}
	}
}

// readDriveCells reads cell_specific and n_drive_cells. hnn-core's default
// n_drive_cells is "n_cells" for evoked and Poisson drives and 1 for
// bursty drives; "n_cells" goes with cell_specific. hnn-core writes the
// resolved count (an integer) with cell_specific true; Network.Validate
// checks it against the column.
func (f *fieldReader) readDriveCells(d *Drive) {
	perCellDefault := d.CellSpecific
	f.boolean("cell_specific", &d.CellSpecific)
	perCell := perCellDefault
	resolved := false
	if raw, ok := f.take("n_drive_cells"); ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s != "n_cells" {
				f.fail("n_drive_cells: want an integer or \"n_cells\", got %q", s)
			}
			perCell = true
		} else if err := json.Unmarshal(raw, &d.NDriveCells); err != nil {
			f.fail("n_drive_cells: %v", err)
		} else {
			perCell, resolved = false, true
		}
	}
	if d.Type != DriveSpikeTrain && perCell != d.CellSpecific && !(resolved && d.CellSpecific) {
		f.fail("n_drive_cells \"n_cells\" goes with cell_specific true, an integer with false")
	}
	if d.CellSpecific && !resolved {
		d.NDriveCells = 0
	}
}

// checkTargetTypes checks hnn-core's target_types, when given, against
// the targets of the weights.
func (f *fieldReader) checkTargetTypes(want []neuron.CellType) {
	raw, ok := f.take("target_types")
	if !ok {
		return
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		f.fail("target_types: want a list of cell type names: %v", err)
		return
	}
	got := map[neuron.CellType]bool{}
	for _, n := range names {
		ct, err := neuron.ParseCellType(n)
		if err != nil {
			f.fail("target_types: %v", err)
			return
		}
		got[ct] = true
	}
	if f.err == nil && (len(got) != len(want) || len(names) != len(want) || !allIn(want, got)) {
		f.fail("target_types %v: the weights target %v (hnn-core derives target_types from the weights' keys)", names, want)
	}
}

// readDynamics reads the parameters of the drive types.
func (f *fieldReader) readDynamics(d *Drive) {
	f.num("mu", &d.Mu)
	f.num("sigma", &d.Sigma)
	f.integer("numspikes", &d.NumSpikes)
	f.num("tstart", &d.TStart)
	if raw, ok := f.take("tstop"); ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &d.TStop); err != nil {
			f.fail("tstop: %v", err)
		} else if d.TStop <= 0 {
			f.fail("tstop %v must be positive (or null for the simulation end)", d.TStop)
		}
	}
	if raw, ok := f.take("rate_constant"); ok {
		if json.Unmarshal(raw, &d.Rate) != nil {
			d.RateConstant = f.parseTypeMap("rate_constant", raw)
		}
	}
	f.num("tstart_std", &d.TStartStd)
	f.num("burst_rate", &d.BurstRate)
	f.num("burst_std", &d.BurstStd)
	f.num("spike_isi", &d.SpikeISI)
	if raw, ok := f.take("spike_times"); ok {
		if err := json.Unmarshal(raw, &d.SpikeTimes); err != nil {
			f.fail("spike_times: want a list of lists of times: %v", err)
		}
		// One drive cell per train. (This always held: n_drive_cells was
		// taken from the fields before the check for it ran.)
		d.NDriveCells = len(d.SpikeTimes)
	}
}

// readDriveProbability reads hnn-core's probability of a drive (a number
// for every target, or an object by target type) as Drive.Probability:
// only the types with probability < 1, nil when none.
func readDriveProbability(f *fieldReader, raw json.RawMessage, targets []neuron.CellType) map[neuron.CellType]float64 {
	var byType map[neuron.CellType]float64
	var p float64
	if json.Unmarshal(raw, &p) == nil {
		byType = map[neuron.CellType]float64{}
		for _, ct := range targets {
			byType[ct] = p
		}
		if !(p > 0 && p <= 1) {
			f.fail("probability %v must be in (0, 1]", p)
		}
	} else {
		byType = f.parseTypeMap("probability", raw)
	}
	var out map[neuron.CellType]float64
	for ct, v := range byType {
		if v != 1 {
			if out == nil {
				out = map[neuron.CellType]float64{}
			}
			out[ct] = v
		}
	}
	return out
}

// fieldReader consumes fields of a JSON object, keeping the first error.
type fieldReader struct {
	fields map[string]json.RawMessage
	err    error
}

func (f *fieldReader) fail(format string, a ...any) {
	if f.err == nil {
		f.err = fmt.Errorf(format, a...)
	}
}

func (f *fieldReader) take(key string) (json.RawMessage, bool) {
	raw, ok := f.fields[key]
	delete(f.fields, key)
	return raw, ok
}

func (f *fieldReader) decode(key string, v any) bool {
	raw, ok := f.take(key)
	if !ok || string(raw) == "null" {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		f.fail("%s: %v", key, err)
		return false
	}
	return true
}

func (f *fieldReader) str(key string, v *string) bool { return f.decode(key, v) }
func (f *fieldReader) num(key string, v *float64)     { f.decode(key, v) }
func (f *fieldReader) boolean(key string, v *bool)    { f.decode(key, v) }
func (f *fieldReader) int64(key string, v *int64)     { f.decode(key, v) }

func (f *fieldReader) integer(key string, v *int) {
	var x float64
	if f.decode(key, &x) {
		if x != math.Trunc(x) || math.Abs(x) > 1<<31 {
			f.fail("%s: %v is not an integer", key, x)
			return
		}
		*v = int(x)
	}
}

func (f *fieldReader) typeMap(key string) map[neuron.CellType]float64 {
	raw, ok := f.take(key)
	if !ok || string(raw) == "null" {
		return nil
	}
	return f.parseTypeMap(key, raw)
}

func (f *fieldReader) parseTypeMap(key string, raw json.RawMessage) map[neuron.CellType]float64 {
	var m map[string]float64
	if err := json.Unmarshal(raw, &m); err != nil {
		f.fail("%s: want an object of cell type → number: %v", key, err)
		return nil
	}
	out := make(map[neuron.CellType]float64, len(m))
	for k, v := range m {
		ct, err := neuron.ParseCellType(k)
		if err != nil {
			f.fail("%s: %v", key, err)
			return nil
		}
		out[ct] = v
	}
	return out
}

func allIn(list []neuron.CellType, set map[neuron.CellType]bool) bool {
	for _, ct := range list {
		if !set[ct] {
			return false
		}
	}
	return true
}

// orderedObject splits a JSON object into its keys and raw values in
// document order.
func orderedObject(data []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if slices.Contains(keys, key) {
			return nil, nil, fmt.Errorf("duplicate key %q", key)
		}
		keys, vals = append(keys, key), append(vals, v)
	}
	return keys, vals, nil
}
