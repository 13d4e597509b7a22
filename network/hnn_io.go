package network

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/neurograd/neurograd/neuron"
)

// hnnCellsJSON holds the cell_types of hnn-core's default column (the
// templates of its cells_default.py that package neuron implements), copied
// from hnn-core's tests/assets/neymotin2020_3x3_drives.json (BSD-3-Clause,
// see testdata/hnncore/LICENSE).
//
//go:embed hnn_cells.json
var hnnCellsJSON []byte

// hnnCellsCompact is hnnCellsJSON without white space.
var hnnCellsCompact = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, hnnCellsJSON); err != nil {
		panic(err) // embedded at build time
	}
	return b.Bytes()
})

// hnnCellsParsed is hnnCellsJSON decoded; callers must not modify it.
var hnnCellsParsed = sync.OnceValue(func() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(hnnCellsJSON, &m); err != nil {
		panic(err) // embedded at build time
	}
	return m
})

// The keys of hnn-core's network configuration (hnn_io.network_to_dict).
var hnnTopKeys = []string{"object_type", "legacy_mode", "N_pyr_x", "N_pyr_y", "celsius", "cell_types",
	"gid_ranges", "pos_dict", "cell_response", "external_drives", "external_biases", "connectivity",
	"rec_arrays", "threshold", "delay"}

// ReadHNNNetwork decodes hnn-core's hierarchical network configuration JSON
// (write_network_configuration / Network.write_configuration of hnn-core
// 0.6) into a Network: the column (cell positions verbatim from pos_dict,
// gids from gid_ranges), one connection class per cell-to-cell connection
// (location, receptor, A_weight, A_delay, lamtha, gain, autapses), the
// drives with their parameters (space constants from their connections'
// lamtha) and the tonic biases.
//
// The stored gid pairs are the truth. A cell-to-cell connection with
// probability 1 must hold all pairs of its populations (autapses as
// allowed); one with probability < 1 keeps its stored pairs verbatim
// (ConnectionClass.Pairs; the file has no conn_seed, and nothing is drawn
// again, unlike hnn-core 0.6.2's reader). A drive's connections must be
// those it generates (cell-specific drives 1-to-1), pruned as hnn-core
// draws them from the drive's probability and conn_seed; other pairs, and
// connections wired between gid subsets, are refused. Whatever the
// file holds that neurograd cannot simulate is an error naming its JSON
// path and value: cell templates other than hnn-core's defaults, legacy
// mode, a temperature other than 37 °C, a spike threshold other than 0 mV,
// biases not at the soma. Simulation outputs (cell_response, drive events)
// and extracellular electrode arrays (rec_arrays) are not simulated here;
// they are not kept, and notes lists what was left out. hnn-core's file does
// not store inplane_distance and its reader assumes 1 µm; so does this one.
func ReadHNNNetwork(r io.Reader) (net *Network, notes []string, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("network: reading hnn-core network: %w", err)
	}
	h, err := parseHNNTop(data)
	if err != nil {
		return nil, nil, err
	}
	return h.network()
}

// LoadHNNNetwork reads an hnn-core network configuration file (see
// ReadHNNNetwork); errors name the file.
func LoadHNNNetwork(path string) (*Network, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	n, notes, err := ReadHNNNetwork(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, notes, nil
}

// IsHNNNetwork reports whether data is a JSON object with "object_type":
// "Network", the mark of hnn-core's network configuration files.
func IsHNNNetwork(data []byte) bool {
	var top struct {
		ObjectType string `json:"object_type"`
	}
	return json.Unmarshal(data, &top) == nil && top.ObjectType == "Network"
}

// hnnTop is the top level of a network configuration, split into its keys.
type hnnTop struct {
	f map[string]json.RawMessage
}

func parseHNNTop(data []byte) (*hnnTop, error) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("network: reading hnn-core network: %w", err)
	}
	return checkHNNTop(f)
}

// checkHNNTop checks the top-level keys and the object type.
func checkHNNTop(f map[string]json.RawMessage) (*hnnTop, error) {
	for k := range f {
		if !slices.Contains(hnnTopKeys, k) {
			return nil, fmt.Errorf("network: hnn-core network: unknown key %q", k)
		}
	}
	for _, k := range hnnTopKeys {
		if _, ok := f[k]; !ok && k != "rec_arrays" && k != "cell_response" && k != "external_biases" {
			return nil, fmt.Errorf("network: hnn-core network: missing %q", k)
		}
	}
	var ot string
	if err := json.Unmarshal(f["object_type"], &ot); err != nil || ot != "Network" {
		return nil, fmt.Errorf("network: hnn-core network: object_type %s: want \"Network\"", short(f["object_type"]))
	}
	return &hnnTop{f: f}, nil
}

// short returns a JSON value for an error message, cut to 60 bytes.
func short(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func pathErr(path string, raw json.RawMessage, format string, a ...any) error {
	return fmt.Errorf("network: hnn-core network: %s: %s: %s", path, short(raw), fmt.Sprintf(format, a...))
}

// number decodes a finite JSON number at path.
func number(path string, raw json.RawMessage) (float64, error) {
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, pathErr(path, raw, "want a finite number")
	}
	return v, nil
}

func integer(path string, raw json.RawMessage) (int, error) {
	v, err := number(path, raw)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<31 {
		return 0, pathErr(path, raw, "want an integer")
	}
	return int(v), nil
}

func (h *hnnTop) network() (*Network, []string, error) {
	f := h.f
	if err := checkHNNSettings(f); err != nil {
		return nil, nil, err
	}
	nx, ny, err := readMesh(f)
	if err != nil {
		return nil, nil, err
	}
	if err := checkHNNCells(f["cell_types"]); err != nil {
		return nil, nil, err
	}
	ranges, order, err := readGIDRanges(f["gid_ranges"])
	if err != nil {
		return nil, nil, err
	}
	col, driveNames, err := readColumn(f["pos_dict"], ranges, order, nx, ny)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	for _, k := range []string{"cell_response", "rec_arrays"} {
		if raw, ok := f[k]; ok && !emptyJSON(raw) {
			notes = append(notes, fmt.Sprintf("%s left out (%s)", k, map[string]string{
				"cell_response": "simulation outputs", "rec_arrays": "extracellular electrode arrays; neurograd computes no extracellular potentials"}[k]))
		}
	}
	drives, driveNotes, err := readHNNDrives(f["external_drives"], f["gid_ranges"], driveNames)
	if err != nil {
		return nil, nil, err
	}
	notes = append(notes, driveNotes...)
	biases, err := readBiases(f["external_biases"])
	if err != nil {
		return nil, nil, err
	}
	conn, driveConns, err := readHNNConns(f["connectivity"], col, driveNames, ranges)
	if err != nil {
		return nil, nil, err
	}
	if err := setSpaceConstants(drives, driveConns, f["external_drives"]); err != nil {
		return nil, nil, err
	}
	net, err := NewNetwork(col, conn, drives)
	if err != nil {
		return nil, nil, fmt.Errorf("network: hnn-core network: %w", err)
	}
	net.TonicBiases = biases
	if err := net.Validate(); err != nil {
		return nil, nil, fmt.Errorf("network: hnn-core network: %w", err)
	}
	for i := range drives {
		s, e := net.DriveRange(i)
		if r := ranges[drives[i].Name]; r != [2]int{s, e} {
			return nil, nil, pathErr("gid_ranges."+drives[i].Name, f["gid_ranges"], "range %v, but the drives before it and its n_drive_cells give [%d, %d)", r, s, e)
		}
		if err := matchDriveConns(net, i, driveConns[i]); err != nil {
			return nil, nil, err
		}
	}
	return net, notes, nil
}

// checkHNNSettings checks the settings neurograd simulates only one way:
// legacy_mode false, celsius 37, threshold 0 mV, and a numeric delay.
func checkHNNSettings(f map[string]json.RawMessage) error {
	var legacy bool
	if err := json.Unmarshal(f["legacy_mode"], &legacy); err != nil || legacy {
		return pathErr("legacy_mode", f["legacy_mode"], "only false is supported (legacy mode assigns drive gids by HNN GUI rules)")
	}
	for _, c := range []struct {
		key  string
		want float64
		why  string
	}{{"celsius", 37, "the cells are simulated at 37 °C"}, {"threshold", 0, "spikes are detected at 0 mV"}} {
		v, err := number(c.key, f[c.key])
		if err != nil {
			return err
		}
		if v != c.want {
			return pathErr(c.key, f[c.key], "only %v is supported (%s)", c.want, c.why)
		}
	}
	_, err := number("delay", f["delay"])
	return err
}

// readMesh reads N_pyr_x and N_pyr_y.
func readMesh(f map[string]json.RawMessage) (nx, ny int, err error) {
	if nx, err = integer("N_pyr_x", f["N_pyr_x"]); err != nil {
		return 0, 0, err
	}
	if ny, err = integer("N_pyr_y", f["N_pyr_y"]); err != nil {
		return 0, 0, err
	}
	if nx < 1 || ny < 1 || nx*ny > 1<<20 {
		return 0, 0, pathErr("N_pyr_x", f["N_pyr_x"], "mesh %dx%d: both sides must be at least 1", nx, ny)
	}
	return nx, ny, nil
}

// readHNNDrives reads external_drives in the gid order of driveNames (as
// hnn-core's _order_drives); space constants are set from the connections
// later. gidRanges is for error messages.
func readHNNDrives(raw, gidRanges json.RawMessage, driveNames []string) ([]Drive, []string, error) {
	keys, vals, err := orderedObject(raw)
	if err != nil {
		return nil, nil, pathErr("external_drives", raw, "%v", err)
	}
	if len(keys) != len(driveNames) {
		return nil, nil, pathErr("external_drives", raw, "%d drives, but gid_ranges has %d drive ranges %v", len(keys), len(driveNames), driveNames)
	}
	var notes []string
	drives := make([]Drive, len(driveNames))
	for i, name := range driveNames {
		k := slices.Index(keys, name)
		if k < 0 {
			return nil, nil, pathErr("gid_ranges."+name, gidRanges, "no drive %q in external_drives", name)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(vals[k], &fields); err != nil {
			return nil, nil, pathErr("external_drives."+name, vals[k], "want an object")
		}
		if ev, ok := fields["events"]; ok && !emptyJSON(ev) {
			notes = append(notes, fmt.Sprintf("external_drives.%s.events left out (simulation outputs; regenerated from event_seed)", name))
		}
		delete(fields, "events")
		raw, _ := json.Marshal(fields)
		d, err := decodeDrive(raw, name)
		if err != nil {
			return nil, nil, fmt.Errorf("network: hnn-core network: external_drives.%s: %w", name, err)
		}
		if d.Name != name {
			return nil, nil, pathErr("external_drives."+name+".name", vals[k], "the drive is stored under %q", name)
		}
		d.SpaceConstant = 0 // from the connections' lamtha
		drives[i] = d
	}
	return drives, notes, nil
}

// readHNNConns reads the connectivity list: the cell-to-cell classes (a
// repeated name gets a suffix _2, _3, ...) and, per drive, its connections.
func readHNNConns(raw json.RawMessage, col *Column, driveNames []string, ranges map[string][2]int) (*Connectivity, [][]hnnConnRead, error) {
	var conns []json.RawMessage
	if err := json.Unmarshal(raw, &conns); err != nil {
		return nil, nil, pathErr("connectivity", raw, "want a list")
	}
	conn := &Connectivity{Gains: UnitGains}
	driveConns := make([][]hnnConnRead, len(driveNames))
	for i, raw := range conns {
		c, err := readHNNConn(fmt.Sprintf("connectivity[%d]", i), raw, col, driveNames, ranges)
		if err != nil {
			return nil, nil, err
		}
		if c.drive >= 0 {
			driveConns[c.drive] = append(driveConns[c.drive], c)
			continue
		}
		cc := c.class
		base := cc.Name
		for k := 2; conn.Index(cc.Name) >= 0; k++ {
			cc.Name = base + "_" + strconv.Itoa(k)
		}
		if err := conn.Add(cc); err != nil {
			return nil, nil, pathErr(c.path, raw, "%v", err)
		}
	}
	return conn, driveConns, nil
}

// setSpaceConstants sets each drive's space constant from its
// connections' lamtha, which must agree.
func setSpaceConstants(drives []Drive, driveConns [][]hnnConnRead, rawDrives json.RawMessage) error {
	for i := range drives {
		if len(driveConns[i]) == 0 {
			return pathErr("external_drives."+drives[i].Name, rawDrives, "the drive has no connections in connectivity")
		}
		lam := driveConns[i][0].lamtha
		for _, c := range driveConns[i] {
			if c.lamtha != lam {
				return pathErr(c.path+".nc_dict.lamtha", mustJSON(c.lamtha), "drive %q: lamtha %v differs from its other connections' %v (a drive has one space_constant)", drives[i].Name, c.lamtha, lam)
			}
		}
		drives[i].SpaceConstant = lam
	}
	return nil
}
func emptyJSON(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	return s == "{}" || s == "[]" || s == "null" || s == ""
}

// checkHNNCells compares the file's cell templates with hnn-core's defaults.
func checkHNNCells(raw json.RawMessage) error {
	if bytes.Equal(raw, hnnCellsCompact()) {
		return nil // the defaults verbatim (what WriteHNNNetwork writes, compacted)
	}
	var c bytes.Buffer
	if json.Compact(&c, raw) == nil && bytes.Equal(c.Bytes(), hnnCellsCompact()) {
		return nil
	}
	want := hnnCellsParsed()
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		return pathErr("cell_types", raw, "want an object")
	}
	for _, ct := range neuron.CellTypes {
		if _, ok := got[ct.String()]; !ok {
			return pathErr("cell_types", raw, "no %q (neurograd simulates hnn-core's four default cell types)", ct)
		}
	}
	for name, v := range got {
		if _, err := neuron.ParseCellType(name); err != nil || want[name] == nil {
			return pathErr("cell_types."+name, raw, "unknown cell type (neurograd simulates hnn-core's four default cells)")
		}
		m, ok := v.(map[string]any)
		if !ok {
			return pathErr("cell_types."+name, raw, "want an object")
		}
		p := "cell_types." + name
		if obj, ok := m["cell_object"]; ok {
			m, _ = obj.(map[string]any) // the layout since hnn-core 0.5: cell_object + cell_metadata
			p += ".cell_object"
		}
		w := want[name].(map[string]any)["cell_object"].(map[string]any)
		if err := compareCell(p, m, w); err != nil {
			return err
		}
	}
	return nil
}

// compareCell compares a cell template with the default, field by field.
// Names, positions and per-instance recordings are not part of the model;
// a missing v0 or mechname (older hnn-core) is taken as the default's.
func compareCell(path string, got, want map[string]any) error {
	if got == nil {
		return fmt.Errorf("network: hnn-core network: %s: want an object", path)
	}
	for k := range got {
		switch k {
		case "name", "pos", "gid", "vsec", "isec", "ca", "dipole_pp":
			continue
		case "tonic_biases":
			if l, _ := got[k].([]any); len(l) > 0 {
				return fmt.Errorf("network: hnn-core network: %s.tonic_biases: a cell-level bias; give tonic biases in external_biases", path)
			}
			continue
		}
		if _, ok := want[k]; !ok {
			return fmt.Errorf("network: hnn-core network: %s.%s: unknown field of a cell template (neurograd simulates hnn-core's default cells only)", path, k)
		}
	}
	return compareValue(path, got, want, true)
}

func compareValue(path string, got, want any, top bool) error {
	fail := func() error {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		return fmt.Errorf("network: hnn-core network: %s: %s differs from hnn-core's default cell (%s); neurograd simulates the default cells only", path, short(g), short(w))
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fail()
		}
		for _, k := range slices.Sorted(maps.Keys(w)) {
			wv := w[k]
			if top && (k == "name" || k == "pos" || k == "gid" || k == "vsec" || k == "isec" || k == "ca" || k == "dipole_pp" || k == "tonic_biases") {
				continue
			}
			gv, ok := g[k]
			if !ok {
				if k == "v0" || k == "mechname" {
					continue
				}
				return fmt.Errorf("network: hnn-core network: %s.%s: missing", path, k)
			}
			if err := compareValue(path+"."+k, gv, wv, false); err != nil {
				return err
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok && !top {
				return fmt.Errorf("network: hnn-core network: %s.%s: not in hnn-core's default cell; neurograd simulates the default cells only", path, k)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fail()
		}
		for i := range w {
			if err := compareValue(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], false); err != nil {
				return err
			}
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*max(1, math.Abs(w)) {
			return fail()
		}
	default:
		if got != want {
			return fail()
		}
	}
	return nil
}

// readGIDRanges returns the ranges by name and the names in gid order.
func readGIDRanges(raw json.RawMessage) (map[string][2]int, []string, error) {
	keys, vals, err := orderedObject(raw)
	if err != nil {
		return nil, nil, pathErr("gid_ranges", raw, "%v", err)
	}
	out := map[string][2]int{}
	for i, k := range keys {
		var r struct {
			Start *int `json:"start"`
			Stop  *int `json:"stop"`
		}
		if err := decodeStrict(bytes.NewReader(vals[i]), &r); err != nil || r.Start == nil || r.Stop == nil || *r.Start < 0 || *r.Stop < *r.Start {
			return nil, nil, pathErr("gid_ranges."+k, vals[i], "want {\"start\": gid, \"stop\": gid ≥ start}")
		}
		out[k] = [2]int{*r.Start, *r.Stop}
	}
	order := slices.Clone(keys)
	sort.SliceStable(order, func(a, b int) bool { return out[order[a]][0] < out[order[b]][0] })
	next := 0
	for _, k := range order {
		if out[k][0] != next {
			return nil, nil, pathErr("gid_ranges."+k, raw, "starts at %d; gids must run without gaps from 0 (next free gid %d)", out[k][0], next)
		}
		next = out[k][1]
	}
	for i, ct := range neuron.CellTypes {
		if i >= len(order) || order[i] != ct.String() {
			return nil, nil, pathErr("gid_ranges", raw, "cell gids must run %v first, in that order", neuron.CellTypes)
		}
	}
	return out, order, nil
}

// readColumn builds the column from pos_dict and returns the drive names in
// gid order.
func readColumn(raw json.RawMessage, ranges map[string][2]int, order []string, nx, ny int) (*Column, []string, error) {
	var pos map[string]json.RawMessage
	if err := json.Unmarshal(raw, &pos); err != nil {
		return nil, nil, pathErr("pos_dict", raw, "want an object")
	}
	point := func(path string, raw json.RawMessage) (Position, error) {
		var p []float64
		if err := json.Unmarshal(raw, &p); err != nil || len(p) != 3 {
			return Position{}, pathErr(path, raw, "want [x, y, z]")
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Position{}, pathErr(path, raw, "want finite coordinates")
			}
		}
		return Position{p[0], p[1], p[2]}, nil
	}
	list := func(name string) ([]Position, error) {
		var l []json.RawMessage
		if err := json.Unmarshal(pos[name], &l); err != nil {
			return nil, pathErr("pos_dict."+name, pos[name], "want a list of [x, y, z]")
		}
		out := make([]Position, len(l))
		for i, r := range l {
			p, err := point(fmt.Sprintf("pos_dict.%s[%d]", name, i), r)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		if r := ranges[name]; len(out) != r[1]-r[0] {
			return nil, pathErr("pos_dict."+name, pos[name], "%d positions, but gid_ranges gives %d gids", len(out), r[1]-r[0])
		}
		return out, nil
	}
	c := &Column{MeshX: nx, MeshY: ny, InplaneDistance: DefaultInplaneDistance}
	for _, ct := range neuron.CellTypes {
		ps, err := list(ct.String())
		if err != nil {
			return nil, nil, err
		}
		if ct.IsExcitatory() && len(ps) != nx*ny {
			return nil, nil, pathErr("pos_dict."+ct.String(), pos[ct.String()], "%d cells, but the %dx%d mesh has %d", len(ps), nx, ny, nx*ny)
		}
		c.start[ct] = len(c.Cells)
		for _, p := range ps {
			c.Cells = append(c.Cells, Cell{GID: len(c.Cells), Type: ct, Pos: p})
		}
	}
	c.start[neuron.NumCellTypes] = len(c.Cells)
	s, _ := c.Range(neuron.L2Pyramidal)
	c.LayerSeparation = c.Cells[s].Pos.Z
	origin, err := point("pos_dict.origin", pos["origin"])
	if err != nil {
		return nil, nil, err
	}
	if o := c.Origin(); o != origin {
		return nil, nil, pathErr("pos_dict.origin", pos["origin"], "want %v: the mesh centre at half the L2 pyramidal height, where hnn-core places drive cells", []float64{o.X, o.Y, o.Z})
	}
	drives := order[neuron.NumCellTypes:]
	for _, name := range drives {
		ps, err := list(name)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range ps {
			if p != origin {
				return nil, nil, pathErr(fmt.Sprintf("pos_dict.%s[%d]", name, i), pos[name], "drive cells sit at the origin %v", origin)
			}
		}
	}
	for k := range pos {
		if _, ok := ranges[k]; !ok && k != "origin" {
			return nil, nil, pathErr("pos_dict."+k, pos[k], "no gid range for %q", k)
		}
	}
	return c, drives, nil
}

func readBiases(raw json.RawMessage) ([]TonicBias, error) {
	if emptyJSON(raw) {
		return nil, nil
	}
	keys, vals, err := orderedObject(raw)
	if err != nil {
		return nil, pathErr("external_biases", raw, "%v", err)
	}
	var out []TonicBias
	for i, k := range keys {
		if k != "tonic" {
			return nil, pathErr("external_biases."+k, vals[i], "only tonic biases are supported")
		}
		types, tv, err := orderedObject(vals[i])
		if err != nil {
			return nil, pathErr("external_biases.tonic", vals[i], "%v", err)
		}
		for j, name := range types {
			p := "external_biases.tonic." + name
			ct, err := neuron.ParseCellType(name)
			if err != nil {
				return nil, pathErr(p, tv[j], "%v", err)
			}
			var b struct {
				Amplitude *float64 `json:"amplitude"`
				T0        *float64 `json:"t0"`
				TStop     *float64 `json:"tstop"`
				Section   *string  `json:"section"`
			}
			if err := decodeStrict(bytes.NewReader(tv[j]), &b); err != nil || b.Amplitude == nil {
				return nil, pathErr(p, tv[j], "want {\"amplitude\", \"t0\", \"tstop\", \"section\"}")
			}
			if b.Section != nil && *b.Section != neuron.SecSoma {
				return nil, pathErr(p+".section", tv[j], "only soma biases are supported")
			}
			tb := TonicBias{CellType: ct, Amplitude: *b.Amplitude}
			if b.T0 != nil {
				tb.T0 = *b.T0
			}
			if b.TStop != nil {
				if !(*b.TStop > tb.T0) {
					return nil, pathErr(p+".tstop", tv[j], "tstop must be after t0 (or null for the simulation end)")
				}
				tb.TStop = *b.TStop
			}
			if tb.T0 < 0 {
				return nil, pathErr(p+".t0", tv[j], "t0 cannot be negative")
			}
			out = append(out, tb)
		}
	}
	return out, nil
}

// hnnConnRead is one connection of the file.
type hnnConnRead struct {
	path   string
	raw    json.RawMessage
	drive  int // index of the source drive, or −1 for a cell-to-cell class
	class  ConnectionClass
	target neuron.CellType
	pairs  map[int][]int
	lamtha float64
	prob   float64 // probability
}

// hnnConnJSON is one connectivity entry as hnn-core's _conn_to_dict
// writes it (nc_dict apart).
type hnnConnJSON struct {
	TargetType    *string                    `json:"target_type"`
	TargetGIDs    []int                      `json:"target_gids"`
	NumTargets    int                        `json:"num_targets"`
	SrcType       *string                    `json:"src_type"`
	SrcGIDs       []int                      `json:"src_gids"`
	NumSrcs       int                        `json:"num_srcs"`
	GIDPairs      map[string][]int           `json:"gid_pairs"`
	Loc           *string                    `json:"loc"`
	Receptor      *string                    `json:"receptor"`
	NCDict        map[string]json.RawMessage `json:"-"`
	AllowAutapses *float64                   `json:"allow_autapses"`
	Probability   *float64                   `json:"probability"`
}

func readHNNConn(path string, raw json.RawMessage, col *Column, driveNames []string, ranges map[string][2]int) (hnnConnRead, error) {
	c, fields, err := decodeHNNConn(path, raw)
	if err != nil {
		return hnnConnRead{}, err
	}
	out := hnnConnRead{path: path, raw: raw, drive: slices.Index(driveNames, *c.SrcType), pairs: map[int][]int{}}
	tgt, err := neuron.ParseCellType(*c.TargetType)
	if err != nil {
		return out, pathErr(path+".target_type", fields["target_type"], "%v", err)
	}
	out.target = tgt
	rec, err := neuron.ParseReceptor(*c.Receptor)
	if err != nil {
		return out, pathErr(path+".receptor", fields["receptor"], "%v", err)
	}
	if p := *c.Probability; !(p > 0 && p <= 1) {
		return out, pathErr(path+".probability", fields["probability"], "want a probability in (0, 1]")
	}
	out.prob = *c.Probability
	nums, err := readNCDict(path, fields["nc_dict"], c.NCDict)
	if err != nil {
		return out, err
	}
	out.lamtha = nums["lamtha"]
	for k, ts := range c.GIDPairs {
		s, err := strconv.Atoi(k)
		if err != nil {
			return out, pathErr(path+".gid_pairs."+k, raw, "want a gid key")
		}
		out.pairs[s] = ts
	}
	if out.drive >= 0 {
		out.class = ConnectionClass{Location: *c.Loc, Receptor: rec, Weight: nums["A_weight"], Delay: nums["A_delay"], Gain: nums["gain"]}
		if nums["gain"] != 1 {
			return out, pathErr(path+".nc_dict.gain", c.NCDict["gain"], "a drive connection's gain must be 1 (global gains do not scale drives)")
		}
		return out, nil
	}
	src, err := neuron.ParseCellType(*c.SrcType)
	if err != nil {
		return out, pathErr(path+".src_type", fields["src_type"], "neither a cell type nor a drive of gid_ranges")
	}
	cc := ConnectionClass{
		Name: ClassName(src, tgt, rec, *c.Loc), Source: src, Target: tgt, Location: *c.Loc, Receptor: rec,
		Weight: nums["A_weight"], Delay: nums["A_delay"], Lamtha: nums["lamtha"], AllowAutapses: *c.AllowAutapses != 0,
		Gain: nums["gain"],
	}
	if err := cc.Validate(); err != nil {
		return out, pathErr(path, raw, "%v", err)
	}
	if err := classPairs(path, raw, col, &cc, out); err != nil {
		return out, err
	}
	out.class = cc
	return out, nil
}

// decodeHNNConn decodes a connectivity entry, nc_dict apart, and checks
// that it has every key; fields holds the entry's raw fields.
func decodeHNNConn(path string, raw json.RawMessage) (c hnnConnJSON, fields map[string]json.RawMessage, err error) {
	if err := json.Unmarshal(raw, &fields); err != nil {
		return c, nil, pathErr(path, raw, "want an object")
	}
	nc := fields["nc_dict"]
	delete(fields, "nc_dict")
	rest, _ := json.Marshal(fields)
	fields["nc_dict"] = nc
	if err := decodeStrict(bytes.NewReader(rest), &c); err != nil {
		return c, nil, pathErr(path, raw, "%v", err)
	}
	if err := json.Unmarshal(nc, &c.NCDict); err != nil || c.NCDict == nil {
		return c, nil, pathErr(path+".nc_dict", nc, "want an object")
	}
	if c.TargetType == nil || c.SrcType == nil || c.Loc == nil || c.Receptor == nil || c.GIDPairs == nil || c.AllowAutapses == nil || c.Probability == nil {
		return c, nil, pathErr(path, raw, "want target_type, src_type, gid_pairs, loc, receptor, nc_dict, allow_autapses and probability")
	}
	return c, fields, nil
}

// readNCDict reads a connection's nc_dict: A_weight (µS), A_delay (ms),
// lamtha, gain (default 1) and threshold (default 0; only 0 mV).
func readNCDict(path string, nc json.RawMessage, dict map[string]json.RawMessage) (map[string]float64, error) {
	nums := map[string]float64{"gain": 1, "threshold": 0}
	for k, v := range dict {
		x, err := number(path+".nc_dict."+k, v)
		if err != nil {
			return nil, err
		}
		switch k {
		case "A_weight", "A_delay", "lamtha", "gain", "threshold":
			nums[k] = x
		default:
			return nil, pathErr(path+".nc_dict."+k, v, "unknown parameter")
		}
	}
	for _, k := range []string{"A_weight", "A_delay", "lamtha"} {
		if _, ok := nums[k]; !ok {
			return nil, pathErr(path+".nc_dict", nc, "missing %q", k)
		}
	}
	if nums["threshold"] != 0 {
		return nil, pathErr(path+".nc_dict.threshold", dict["threshold"], "only 0 mV is supported")
	}
	return nums, nil
}

// classPairs checks a cell-to-cell connection's stored pairs: with
// probability 1 they must be every pair of the populations; pruned, they
// are kept verbatim in cc.Pairs (the file has no conn_seed).
func classPairs(path string, raw json.RawMessage, col *Column, cc *ConnectionClass, c hnnConnRead) error {
	if c.prob < 1 {
		cc.Probability = c.prob
		cc.Pairs = sortedPairs(c.pairs)
		if err := cc.Validate(); err != nil {
			return pathErr(path+".gid_pairs", raw, "%v", err)
		}
		if err := checkPairs(col, cc); err != nil {
			return pathErr(path+".gid_pairs", raw, "%v", err)
		}
		return nil
	}
	want := map[int][]int{}
	s0, s1 := col.Range(cc.Source)
	t0, t1 := col.Range(cc.Target)
	for s := s0; s < s1; s++ {
		for t := t0; t < t1; t++ {
			if s != t || cc.AllowAutapses {
				want[s] = append(want[s], t)
			}
		}
	}
	return samePairs(path, raw, c.pairs, want)
}

// sortedPairs lists gid pairs sorted by source, then target (repeats kept,
// for Validate to refuse).
func sortedPairs(m map[int][]int) [][2]int {
	out := [][2]int{}
	for s, ts := range m {
		for _, t := range ts {
			out = append(out, [2]int{s, t})
		}
	}
	slices.SortFunc(out, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	return out
}

func samePairs(path string, raw json.RawMessage, got, want map[int][]int) error {
	for s, ts := range want {
		g := slices.Clone(got[s])
		slices.Sort(g)
		if !slices.Equal(g, ts) {
			return pathErr(fmt.Sprintf("%s.gid_pairs.%d", path, s), raw, "targets %v, want %v: neurograd connects whole populations (all-to-all; drives cell-specific 1-to-1), not gid subsets", short(mustJSON(got[s])), short(mustJSON(ts)))
		}
	}
	for s := range got {
		if _, ok := want[s]; !ok && len(got[s]) > 0 {
			return pathErr(fmt.Sprintf("%s.gid_pairs.%d", path, s), raw, "gid %d is not a source of this connection", s)
		}
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// matchDriveConns checks the file's connections of drive i against those
// the drive generates.
func matchDriveConns(net *Network, i int, got []hnnConnRead) error {
	d := &net.Drives[i]
	type key struct {
		ct  neuron.CellType
		rec neuron.Receptor
	}
	want := map[key]map[int][]int{}
	for _, c := range net.DriveConnections(i) {
		k := key{net.Column.Cells[c.Tgt].Type, c.Receptor}
		if want[k] == nil {
			want[k] = map[int][]int{}
		}
		want[k][c.Src] = append(want[k][c.Src], c.Tgt)
	}
	seen := map[key]bool{}
	for _, c := range got {
		k := key{c.target, c.class.Receptor}
		if seen[k] {
			return pathErr(c.path, c.raw, "drive %q has a second %s connection onto %s", d.Name, k.rec, k.ct)
		}
		seen[k] = true
		w, ok := map[neuron.Receptor]map[neuron.CellType]float64{neuron.AMPA: d.WeightsAMPA, neuron.NMDA: d.WeightsNMDA}[k.rec][k.ct]
		if !ok || want[k] == nil {
			return pathErr(c.path, c.raw, "drive %q has no %s weight for %s in external_drives", d.Name, k.rec, k.ct)
		}
		if c.class.Weight != w {
			return pathErr(c.path+".nc_dict.A_weight", mustJSON(c.class.Weight), "differs from the drive's weights_%s[%s] %v", k.rec, k.ct, w)
		}
		if c.class.Delay != d.SynapticDelays[k.ct] {
			return pathErr(c.path+".nc_dict.A_delay", mustJSON(c.class.Delay), "differs from the drive's synaptic_delays[%s] %v", k.ct, d.SynapticDelays[k.ct])
		}
		if c.class.Location != d.Location {
			return pathErr(c.path+".loc", mustJSON(c.class.Location), "differs from the drive's location %q", d.Location)
		}
		p, pruned := d.Probability[k.ct]
		if !pruned {
			p = 1
		}
		if c.prob != p {
			return pathErr(c.path+".probability", mustJSON(c.prob), "differs from the drive's probability %v for %s", p, k.ct)
		}
		if err := samePairs(c.path, c.raw, c.pairs, want[k]); err != nil {
			if pruned {
				return pathErr(c.path+".gid_pairs", c.raw, "drive %q: the stored pairs are not those hnn-core draws for probability %v with conn_seed %d + %d (a file that hnn-core 0.6.2 read and wrote again is pruned twice); neurograd holds a drive's pairs only as drawn", d.Name, p, d.ConnSeed, slices.Index(d.Targets(), k.ct))
			}
			return err
		}
	}
	for k := range want {
		if !seen[k] {
			return fmt.Errorf("network: hnn-core network: connectivity: no %s connection from drive %q onto %s, which its weights give", k.rec, d.Name, k.ct)
		}
	}
	return nil
}

// pyFloat is a float64 written with a decimal point or exponent, so that
// Python reads it back as a float (hnn-core checks some types).
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("non-finite number %v", v)
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return []byte(s), nil
}

// ordered is a JSON object that keeps its key order.
type ordered []kv

type kv struct {
	k string
	v any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// SaveHNNNetwork writes the network to path in hnn-core's format (see
// WriteHNNNetwork), through a temporary file so that a failure leaves no
// partial file.
func SaveHNNNetwork(path string, n *Network) error {
	var buf bytes.Buffer
	if err := WriteHNNNetwork(&buf, n); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".network-*.json")
	if err != nil {
		return fmt.Errorf("network: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("network: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("network: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("network: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("network: %w", err)
	}
	return nil
}
