package optimize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
)

// ParamKind says what a named parameter sets.
type ParamKind int

const (
	// ParamGain is a connection class's gain (its name is the class name,
	// e.g. L5Pyr_L5Pyr_ampa_proximal; dimensionless).
	ParamGain ParamKind = iota
	// ParamDriveWeight is a drive's weight onto one cell type and receptor
	// (µS): DRIVE_RECEPTOR_CELLTYPE as hnn-core's set_params examples name
	// it, e.g. evprox1_ampa_L5_pyramidal.
	ParamDriveWeight
	// ParamDriveMu is an evoked drive's mean time (ms): DRIVE_mu.
	ParamDriveMu
	// ParamDriveSigma is an evoked drive's spread (ms): DRIVE_sigma.
	ParamDriveSigma
	// ParamDriveRate is a Poisson drive's rate (Hz): DRIVE_rate.
	ParamDriveRate
)

var paramKindNames = [...]string{"gain", "drive weight", "drive mean time", "drive spread", "drive rate"}

// String names the kind.
func (k ParamKind) String() string {
	if k < 0 || int(k) >= len(paramKindNames) {
		return fmt.Sprintf("ParamKind(%d)", int(k))
	}
	return paramKindNames[k]
}

// Param is one optimized parameter with its box bounds.
type Param struct {
	Name     string
	Kind     ParamKind
	Drive    string          // drive parameters: the drive's name
	CellType neuron.CellType // ParamDriveWeight
	Receptor neuron.Receptor // ParamDriveWeight
	Lo, Hi   float64         // bounds, in the parameter's unit
}

// ParamSpace is the set of parameters an optimization moves, each within
// its bounds.
type ParamSpace struct {
	Params []Param
}

// MaxParams bounds the parameters of one bounds file.
const MaxParams = 10000

// ReadBoundsFile reads a bounds file (ReadBounds) and names the file in
// its errors.
func ReadBoundsFile(path string, conn *network.Connectivity, drives []network.Drive) (*ParamSpace, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ps, err := ReadBounds(bytes.NewReader(b), conn, drives)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, nil
}

// ReadBounds reads the parameters to optimize and their bounds from JSON
// in the shape of hnn-core's Optimizer constraints: an object mapping each
// parameter's name to [lo, hi], e.g.
//
//	{"evprox2_ampa_L5_pyramidal": [0.01, 1.0], "evprox2_mu": [100, 130],
//	 "L5Pyr_L5Pyr_ampa_proximal": [0.1, 10]}
//
// Names are connection classes of conn (gains), DRIVE_RECEPTOR_CELLTYPE
// (drive weights, µS, a weight the drive has), DRIVE_mu and DRIVE_sigma
// (evoked drives, ms) and DRIVE_rate (Poisson drives with one rate, Hz),
// with DRIVE a drive of drives. Bounds must be finite with lo < hi, and
// drive weights, spreads and rates non-negative. The parameters are kept
// in the file's order.
func ReadBounds(r io.Reader, conn *network.Connectivity, drives []network.Drive) (*ParamSpace, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("bounds: want a JSON object of \"name\": [lo, hi] (%v)", err)
	}
	ps := &ParamSpace{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("bounds: %w", err)
		}
		name := tok.(string)
		var b []float64
		if err := dec.Decode(&b); err != nil {
			return nil, fmt.Errorf("bounds: $.%s: want [lo, hi] numbers: %w", name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("bounds: $.%s: given twice", name)
		}
		seen[name] = true
		if len(ps.Params) >= MaxParams {
			return nil, fmt.Errorf("bounds: more than %d parameters", MaxParams)
		}
		p, err := ResolveParam(name, conn, drives)
		if err != nil {
			return nil, fmt.Errorf("bounds: $.%s: %w", name, err)
		}
		if len(b) != 2 {
			return nil, fmt.Errorf("bounds: $.%s: %d numbers, want [lo, hi]", name, len(b))
		}
		p.Lo, p.Hi = b[0], b[1]
		if err := p.checkBounds(); err != nil {
			return nil, fmt.Errorf("bounds: $.%s: %w", name, err)
		}
		ps.Params = append(ps.Params, p)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("bounds: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("bounds: data after the object")
	}
	if len(ps.Params) == 0 {
		return nil, fmt.Errorf("bounds: no parameters")
	}
	return ps, nil
}

// checkBounds validates p's bounds.
func (p Param) checkBounds() error {
	switch {
	case math.IsNaN(p.Lo) || math.IsNaN(p.Hi) || math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0):
		return fmt.Errorf("bounds [%v, %v] must be finite", p.Lo, p.Hi)
	case !(p.Lo < p.Hi):
		return fmt.Errorf("bounds [%v, %v]: lo must be below hi", p.Lo, p.Hi)
	case p.Kind == ParamGain && !(p.Lo > 0):
		return fmt.Errorf("bounds [%v, %v]: a gain's lower bound must be positive (gains are optimized in log space)", p.Lo, p.Hi)
	case p.Kind != ParamDriveMu && p.Lo < 0:
		return fmt.Errorf("bounds [%v, %v]: a %s cannot be negative", p.Lo, p.Hi, p.Kind)
	}
	return nil
}

// ResolveParam finds what a parameter name sets (see ReadBounds).
func ResolveParam(name string, conn *network.Connectivity, drives []network.Drive) (Param, error) {
	if conn != nil && conn.Index(name) >= 0 {
		return Param{Name: name, Kind: ParamGain}, nil
	}
	// The longest drive name that prefixes name, so that drives named
	// "ev" and "ev_1" are told apart.
	var d *network.Drive
	for i := range drives {
		if strings.HasPrefix(name, drives[i].Name+"_") && (d == nil || len(drives[i].Name) > len(d.Name)) {
			d = &drives[i]
		}
	}
	if d == nil {
		return Param{}, fmt.Errorf("not a connection class nor DRIVE_... of a drive (classes: %s; drives: %s)", classNames(conn), driveNames(drives))
	}
	rest := strings.TrimPrefix(name, d.Name+"_")
	p := Param{Name: name, Drive: d.Name}
	switch rest {
	case "mu", "sigma":
		if d.Type != network.DriveEvoked {
			return Param{}, fmt.Errorf("drive %s is %s: only evoked drives have %s", d.Name, d.Type, rest)
		}
		p.Kind = ParamDriveMu
		if rest == "sigma" {
			p.Kind = ParamDriveSigma
		}
		return p, nil
	case "rate":
		if d.Type != network.DrivePoisson || len(d.RateConstant) > 0 {
			return Param{}, fmt.Errorf("drive %s has no single Poisson rate", d.Name)
		}
		p.Kind = ParamDriveRate
		return p, nil
	}
	recName, ctName, ok := strings.Cut(rest, "_")
	if !ok {
		return Param{}, fmt.Errorf("drive %s: %q is not mu, sigma, rate or RECEPTOR_CELLTYPE", d.Name, rest)
	}
	rec, err := neuron.ParseReceptor(recName)
	if err != nil || (rec != neuron.AMPA && rec != neuron.NMDA) {
		return Param{}, fmt.Errorf("drive %s: receptor %q: drives have ampa and nmda weights", d.Name, recName)
	}
	ct, err := neuron.ParseCellType(ctName)
	if err != nil {
		return Param{}, fmt.Errorf("drive %s: %w", d.Name, err)
	}
	w := d.WeightsAMPA
	if rec == neuron.NMDA {
		w = d.WeightsNMDA
	}
	if _, has := w[ct]; !has {
		return Param{}, fmt.Errorf("drive %s has no %s weight onto %s (add it to the drive first)", d.Name, recName, ct)
	}
	p.Kind, p.CellType, p.Receptor = ParamDriveWeight, ct, rec
	return p, nil
}

func classNames(conn *network.Connectivity) string {
	if conn == nil {
		return "none"
	}
	var n []string
	for _, c := range conn.Classes {
		n = append(n, c.Name)
	}
	return strings.Join(n, ", ")
}

func driveNames(drives []network.Drive) string {
	var n []string
	for _, d := range drives {
		n = append(n, d.Name)
	}
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(n, ", ")
}

// Values returns the parameters' current values from conn and drives.
func (ps *ParamSpace) Values(conn *network.Connectivity, drives []network.Drive) ([]float64, error) {
	out := make([]float64, len(ps.Params))
	for i, p := range ps.Params {
		if p.Kind == ParamGain {
			c, err := conn.Class(p.Name)
			if err != nil {
				return nil, err
			}
			out[i] = c.Gain
			continue
		}
		d := findDrive(drives, p.Drive)
		if d == nil {
			return nil, fmt.Errorf("parameter %s: no drive %s", p.Name, p.Drive)
		}
		switch p.Kind {
		case ParamDriveMu:
			out[i] = d.Mu
		case ParamDriveSigma:
			out[i] = d.Sigma
		case ParamDriveRate:
			out[i] = d.Rate
		case ParamDriveWeight:
			w := d.WeightsAMPA
			if p.Receptor == neuron.NMDA {
				w = d.WeightsNMDA
			}
			out[i] = w[p.CellType]
		}
	}
	return out, nil
}

// Apply sets the parameters to values in conn and drives (copies of the
// drives' weight maps are made, so the caller's originals stay as they
// were when drives was copied with CloneDrives).
func (ps *ParamSpace) Apply(values []float64, conn *network.Connectivity, drives []network.Drive) error {
	if len(values) != len(ps.Params) {
		return fmt.Errorf("%d values for %d parameters", len(values), len(ps.Params))
	}
	for i, p := range ps.Params {
		v := values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("parameter %s: value %v is not finite", p.Name, v)
		}
		if p.Kind == ParamGain {
			if err := conn.SetGain(p.Name, v); err != nil {
				return fmt.Errorf("parameter %s: %w", p.Name, err)
			}
			continue
		}
		d := findDrive(drives, p.Drive)
		if d == nil {
			return fmt.Errorf("parameter %s: no drive %s", p.Name, p.Drive)
		}
		switch p.Kind {
		case ParamDriveMu:
			d.Mu = v
		case ParamDriveSigma:
			d.Sigma = v
		case ParamDriveRate:
			d.Rate = v
		case ParamDriveWeight:
			if p.Receptor == neuron.NMDA {
				d.WeightsNMDA[p.CellType] = v
			} else {
				d.WeightsAMPA[p.CellType] = v
			}
		}
	}
	return nil
}

// Project clips values into the parameters' bounds in place and returns
// the names of those that were outside.
func (ps *ParamSpace) Project(values []float64) []string {
	var clipped []string
	for i, p := range ps.Params {
		if v := min(max(values[i], p.Lo), p.Hi); v != values[i] {
			values[i] = v
			clipped = append(clipped, p.Name)
		}
	}
	return clipped
}

// Names returns the parameters' names in order.
func (ps *ParamSpace) Names() []string {
	n := make([]string, len(ps.Params))
	for i, p := range ps.Params {
		n[i] = p.Name
	}
	return n
}

// CloneDrives deep-copies drives (their weight, delay and rate maps and
// spike trains), so that a ParamSpace may set the copies.
func CloneDrives(drives []network.Drive) []network.Drive {
	out := slices.Clone(drives)
	for i := range out {
		d := &out[i]
		d.WeightsAMPA = cloneMap(d.WeightsAMPA)
		d.WeightsNMDA = cloneMap(d.WeightsNMDA)
		d.SynapticDelays = cloneMap(d.SynapticDelays)
		d.RateConstant = cloneMap(d.RateConstant)
		d.SpikeTimes = slices.Clone(d.SpikeTimes)
		for k := range d.SpikeTimes {
			d.SpikeTimes[k] = slices.Clone(d.SpikeTimes[k])
		}
	}
	return out
}

func cloneMap(m map[neuron.CellType]float64) map[neuron.CellType]float64 {
	if m == nil {
		return nil
	}
	out := make(map[neuron.CellType]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func findDrive(drives []network.Drive, name string) *network.Drive {
	for i := range drives {
		if drives[i].Name == name {
			return &drives[i]
		}
	}
	return nil
}

// Bound is a box on one element of an optimization's parameters
// (snn.Net.Trainable, concatenated), in the element's own unit: log10 for
// gains, ms for evoked drives' mean times and spreads.
type Bound struct {
	Index  int
	Name   string
	Lo, Hi float64 // ±Inf for an open side
}

// LogBounds maps the parameter space's bounds onto the trainable log10
// parameters of sn: a class gain's [lo, hi] onto its log10 gain (per-class
// parameters only), a drive weight's [lo, hi] µS onto the log10 gain of its
// drive class (snn.Options.DriveParams) relative to the drive's own weight,
// lo = 0 leaving it open below, an evoked drive's DRIVE_mu / DRIVE_sigma
// [lo, hi] ms onto its element of DriveTiming (snn.Options.DriveTiming).
// Poisson rates are not differentiable parameters of the surrogate network:
// they are refused.
func LogBounds[T autograd.Float](ps *ParamSpace, sn *snn.Net[T]) ([]Bound, error) {
	nGain := sn.Params().Len()
	drivesTrained := sn.DriveLogGains.RequiresGrad()
	nDrive := 0
	if drivesTrained {
		nDrive = sn.DriveLogGains.Len()
	}
	timed := sn.DriveTiming != nil && sn.DriveTiming.RequiresGrad()
	var out []Bound
	for _, p := range ps.Params {
		switch p.Kind {
		case ParamGain:
			if sn.Mode != snn.ParamsPerClass {
				return nil, fmt.Errorf("parameter %s: bounds on class gains need per-class parameters", p.Name)
			}
			ci := sn.Net.Connectivity.Index(p.Name)
			if ci < 0 {
				return nil, fmt.Errorf("parameter %s: not a connection class of the network", p.Name)
			}
			out = append(out, Bound{Index: ci, Name: p.Name, Lo: math.Log10(p.Lo), Hi: math.Log10(p.Hi)})
		case ParamDriveWeight:
			if !drivesTrained {
				return nil, fmt.Errorf("parameter %s: a drive weight, but the drives' weights are not trained (add drives to the parameters)", p.Name)
			}
			k, w0 := -1, 0.0
			for j, c := range sn.DriveClasses {
				d := sn.Net.Drives[c.Drive]
				if d.Name == p.Drive && c.CellType == p.CellType && c.Receptor == p.Receptor {
					k, w0 = j, d.WeightsAMPA[c.CellType]
					if c.Receptor == neuron.NMDA {
						w0 = d.WeightsNMDA[c.CellType]
					}
				}
			}
			if k < 0 || !(w0 > 0) {
				return nil, fmt.Errorf("parameter %s: the drive makes no such connection in this network (weight %v µS)", p.Name, w0)
			}
			lo := math.Inf(-1)
			if p.Lo > 0 {
				lo = math.Log10(p.Lo / w0)
			}
			b := Bound{Index: nGain + k, Name: p.Name, Lo: lo, Hi: math.Log10(p.Hi / w0)}
			if b.Hi < b.Lo {
				return nil, fmt.Errorf("parameter %s: bounds [%v, %v] µS", p.Name, p.Lo, p.Hi)
			}
			out = append(out, b)
		case ParamDriveMu, ParamDriveSigma:
			if !timed {
				return nil, fmt.Errorf("parameter %s: a %s, but the evoked drives' timing is not trained (add timing to the parameters)", p.Name, p.Kind)
			}
			k := -1
			for j, i := range sn.TimingDrives {
				if sn.Net.Drives[i].Name == p.Drive {
					k = j
				}
			}
			if k < 0 {
				return nil, fmt.Errorf("parameter %s: drive %s is not an evoked drive of the network", p.Name, p.Drive)
			}
			j := 2 * k
			if p.Kind == ParamDriveSigma {
				j++
			}
			out = append(out, Bound{Index: nGain + nDrive + j, Name: p.Name, Lo: p.Lo, Hi: p.Hi})
		default:
			return nil, fmt.Errorf("parameter %s: a %s is not a differentiable parameter of the surrogate network (class gains, drive weights and evoked drives' timing are)", p.Name, p.Kind)
		}
	}
	return out, nil
}

// project clips v's bounded elements into their boxes and returns the
// names of those that were outside.
func project[T autograd.Float](bounds []Bound, v func(i int) *T) []string {
	var clipped []string
	for _, b := range bounds {
		x := v(b.Index)
		if f := float64(*x); f < b.Lo || f > b.Hi {
			*x = T(min(max(f, b.Lo), b.Hi))
			clipped = append(clipped, b.Name)
		}
	}
	return clipped
}
