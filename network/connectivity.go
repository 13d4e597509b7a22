package network

import (
	"fmt"
	"math"
	"slices"

	"github.com/neurograd/neurograd/neuron"
)

// DefaultCellDelay is HNN's base delay A_delay of every cell-to-cell
// connection (ms).
const DefaultCellDelay = 1.0

// ConnectionClass is one connection rule between two cell populations, as
// hnn-core's add_connection: every source cell connects to every target
// cell (except itself unless AllowAutapses) through the receptor's synapse
// on each section of Location, with the distance rule of
// GaussianWeightDelay; Probability < 1 keeps a seeded random subset of
// those pairs, and Pairs gives them explicitly.
type ConnectionClass struct {
	Name          string          `json:"name"`           // unique label, e.g. "L2Pyr_L2Pyr_ampa_proximal"
	Source        neuron.CellType `json:"source"`         // presynaptic population
	Target        neuron.CellType `json:"target"`         // postsynaptic population
	Location      string          `json:"location"`       // "proximal", "distal" or a section name
	Receptor      neuron.Receptor `json:"receptor"`       // synaptic receptor on the target
	Weight        float64         `json:"weight"`         // A_weight: peak conductance at zero distance (µS)
	Delay         float64         `json:"delay"`          // A_delay: delay at zero distance (ms)
	Lamtha        float64         `json:"lamtha"`         // space constant in units of the grid spacing
	AllowAutapses bool            `json:"allow_autapses"` // whether a cell connects to itself
	Gain          float64         `json:"gain"`           // per-class weight multiplier (1 by default)

	// Probability < 1 keeps that fraction of the pairs, drawn as hnn-core's
	// add_connection(probability=, conn_seed=) draws them (see
	// Network.ClassPairs); 0 and 1 keep all.
	Probability float64 `json:"probability,omitempty"`
	// ConnSeed is the seed of that draw, numpy's default_rng(conn_seed).
	ConnSeed int64 `json:"conn_seed,omitempty"`
	// Pairs, when not nil, are the class's (source, target) gids verbatim,
	// sorted: the pairs stored in a network file, which are the truth of
	// the file (hnn-core does not store conn_seed) and replace the draw.
	Pairs [][2]int `json:"pairs,omitempty"`
}

// GainKind classifies a connection class for hnn-core's global synaptic
// gains by the excitatory (pyramidal) or inhibitory (basket) nature of its
// source and target.
type GainKind int

// Kinds of global gain.
const (
	GainEE GainKind = iota // excitatory → excitatory
	GainEI                 // excitatory → inhibitory
	GainIE                 // inhibitory → excitatory
	GainII                 // inhibitory → inhibitory
)

// Kind returns the global-gain kind of the class.
func (cc *ConnectionClass) Kind() GainKind {
	switch {
	case cc.Source.IsExcitatory() && cc.Target.IsExcitatory():
		return GainEE
	case cc.Source.IsExcitatory():
		return GainEI
	case cc.Target.IsExcitatory():
		return GainIE
	default:
		return GainII
	}
}

// Validate checks the class's populations, location, receptor and numbers.
func (cc *ConnectionClass) Validate() error {
	if cc.Name == "" {
		return fmt.Errorf("network: connection class has no name")
	}
	if !cc.Source.Valid() || !cc.Target.Valid() {
		return fmt.Errorf("network: connection %q: invalid cell type", cc.Name)
	}
	if !cc.Receptor.Valid() {
		return fmt.Errorf("network: connection %q: invalid receptor", cc.Name)
	}
	if err := neuron.CheckTarget(cc.Target, cc.Location, cc.Receptor); err != nil {
		return fmt.Errorf("connection %q: %w", cc.Name, err)
	}
	for _, v := range []struct {
		name string
		val  float64
		ok   bool
	}{
		{"weight", cc.Weight, cc.Weight >= 0},
		{"delay", cc.Delay, cc.Delay > 0},
		{"lamtha", cc.Lamtha, cc.Lamtha > 0},
		{"gain", cc.Gain, cc.Gain >= 0},
		{"probability", cc.Probability, cc.Probability >= 0 && cc.Probability <= 1},
	} {
		if !v.ok || math.IsInf(v.val, 0) {
			return fmt.Errorf("network: connection %q: %s %v out of range", cc.Name, v.name, v.val)
		}
	}
	if cc.ConnSeed < 0 {
		return fmt.Errorf("network: connection %q: conn_seed %d must be non-negative (numpy's seeds are)", cc.Name, cc.ConnSeed)
	}
	for i, p := range cc.Pairs {
		if i > 0 && !pairLess(cc.Pairs[i-1], p) {
			return fmt.Errorf("network: connection %q: pairs must be sorted by source then target, without repeats (pair %d %v)", cc.Name, i, p)
		}
		if p[0] == p[1] && !cc.AllowAutapses {
			return fmt.Errorf("network: connection %q: pair %v is an autapse, which the class does not allow", cc.Name, p)
		}
	}
	return nil
}

func pairLess(a, b [2]int) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// allPairs reports whether the class keeps every pair of its populations.
func (cc *ConnectionClass) allPairs() bool {
	return cc.Pairs == nil && (cc.Probability == 0 || cc.Probability == 1)
}

// Gains are hnn-core's global synaptic gains (set_global_synaptic_gains):
// multipliers of all cell-to-cell weights by source/target kind. External
// drives are never affected.
type Gains struct {
	EE float64 `json:"e_e"` // excitatory → excitatory
	EI float64 `json:"e_i"` // excitatory → inhibitory
	IE float64 `json:"i_e"` // inhibitory → excitatory
	II float64 `json:"i_i"` // inhibitory → inhibitory
}

// Of returns the gain for a kind.
func (g Gains) Of(k GainKind) float64 {
	switch k {
	case GainEE:
		return g.EE
	case GainEI:
		return g.EI
	case GainIE:
		return g.IE
	default:
		return g.II
	}
}

// UnitGains are the default global gains (all 1).
var UnitGains = Gains{EE: 1, EI: 1, IE: 1, II: 1}

// Connectivity is the editable set of cell-to-cell connection classes of a
// column plus the global gains. The effective weight of class i at zero
// distance is Weight · Gain · Gains.Of(Kind).
type Connectivity struct {
	Classes []ConnectionClass `json:"classes"`
	Gains   Gains             `json:"gains"`
}

// ClassName returns the default label of a class:
// "<source short>_<target short>_<receptor>_<location>".
func ClassName(src, tgt neuron.CellType, r neuron.Receptor, loc string) string {
	return src.ShortName() + "_" + tgt.ShortName() + "_" + r.String() + "_" + loc
}

// DefaultConnectivity returns HNN's 16 default connection classes (spec
// 12.3; jones_2009_model / neymotin_2020_model) with unit gains.
func DefaultConnectivity() *Connectivity {
	type row struct {
		src, tgt neuron.CellType
		loc      string
		rec      neuron.Receptor
		w, lam   float64
		autapse  bool
	}
	rows := []row{
		{neuron.L2Pyramidal, neuron.L2Pyramidal, neuron.Proximal, neuron.NMDA, 0.0005, 3, false},
		{neuron.L2Pyramidal, neuron.L2Pyramidal, neuron.Proximal, neuron.AMPA, 0.0005, 3, false},
		{neuron.L5Pyramidal, neuron.L5Pyramidal, neuron.Proximal, neuron.NMDA, 0.0005, 3, false},
		{neuron.L5Pyramidal, neuron.L5Pyramidal, neuron.Proximal, neuron.AMPA, 0.0005, 3, false},
		{neuron.L2Basket, neuron.L2Pyramidal, neuron.SecSoma, neuron.GABAA, 0.05, 50, true},
		{neuron.L2Basket, neuron.L2Pyramidal, neuron.SecSoma, neuron.GABAB, 0.05, 50, true},
		{neuron.L5Basket, neuron.L5Pyramidal, neuron.SecSoma, neuron.GABAA, 0.025, 70, true},
		{neuron.L5Basket, neuron.L5Pyramidal, neuron.SecSoma, neuron.GABAB, 0.025, 70, true},
		{neuron.L2Pyramidal, neuron.L5Pyramidal, neuron.Proximal, neuron.AMPA, 0.00025, 3, true},
		{neuron.L2Pyramidal, neuron.L5Pyramidal, neuron.Distal, neuron.AMPA, 0.00025, 3, true},
		{neuron.L2Basket, neuron.L5Pyramidal, neuron.Distal, neuron.GABAA, 0.001, 50, true},
		{neuron.L2Pyramidal, neuron.L2Basket, neuron.SecSoma, neuron.AMPA, 0.0005, 3, true},
		{neuron.L2Basket, neuron.L2Basket, neuron.SecSoma, neuron.GABAA, 0.02, 20, true},
		{neuron.L5Basket, neuron.L5Basket, neuron.SecSoma, neuron.GABAA, 0.02, 20, false},
		{neuron.L5Pyramidal, neuron.L5Basket, neuron.SecSoma, neuron.AMPA, 0.0005, 3, true},
		{neuron.L2Pyramidal, neuron.L5Basket, neuron.SecSoma, neuron.AMPA, 0.00025, 3, true},
	}
	c := &Connectivity{Gains: UnitGains}
	for _, r := range rows {
		c.Classes = append(c.Classes, ConnectionClass{
			Name: ClassName(r.src, r.tgt, r.rec, r.loc), Source: r.src, Target: r.tgt,
			Location: r.loc, Receptor: r.rec, Weight: r.w, Delay: DefaultCellDelay,
			Lamtha: r.lam, AllowAutapses: r.autapse, Gain: 1,
		})
	}
	return c
}

// Clone returns a deep copy.
func (c *Connectivity) Clone() *Connectivity {
	out := &Connectivity{Classes: slices.Clone(c.Classes), Gains: c.Gains}
	for i := range out.Classes {
		out.Classes[i].Pairs = slices.Clone(out.Classes[i].Pairs)
	}
	return out
}

// FoldGains returns a copy whose weights carry the gains: each class's
// Weight (µS) times its effective gain, class and global gains 1. Its
// connections have the same weights up to rounding; hnn-core shows the
// result as plain A_weight values.
func (c *Connectivity) FoldGains() *Connectivity {
	out := c.Clone()
	for i := range out.Classes {
		out.Classes[i].Weight *= c.EffectiveGain(i)
		out.Classes[i].Gain = 1
	}
	out.Gains = UnitGains
	return out
}

// Index returns the index of the class with the given name, or −1.
func (c *Connectivity) Index(name string) int {
	return slices.IndexFunc(c.Classes, func(cc ConnectionClass) bool { return cc.Name == name })
}

// Class returns a pointer to the named class, which may be edited in place.
func (c *Connectivity) Class(name string) (*ConnectionClass, error) {
	i := c.Index(name)
	if i < 0 {
		return nil, fmt.Errorf("network: no connection class %q", name)
	}
	return &c.Classes[i], nil
}

// Add appends a validated class; its name must be new.
func (c *Connectivity) Add(cc ConnectionClass) error {
	if err := cc.Validate(); err != nil {
		return err
	}
	if c.Index(cc.Name) >= 0 {
		return fmt.Errorf("network: connection class %q already exists", cc.Name)
	}
	c.Classes = append(c.Classes, cc)
	return nil
}

// Remove deletes the named class.
func (c *Connectivity) Remove(name string) error {
	i := c.Index(name)
	if i < 0 {
		return fmt.Errorf("network: no connection class %q", name)
	}
	c.Classes = slices.Delete(c.Classes, i, i+1)
	return nil
}

// SetGain sets the per-class gain of the named class.
func (c *Connectivity) SetGain(name string, gain float64) error {
	cc, err := c.Class(name)
	if err != nil {
		return err
	}
	if !(gain >= 0) || math.IsInf(gain, 0) {
		return fmt.Errorf("network: connection %q: gain %v must be non-negative and finite", name, gain)
	}
	cc.Gain = gain
	return nil
}

// EffectiveGain returns the total weight multiplier of class i: its own
// gain times the global gain of its kind.
func (c *Connectivity) EffectiveGain(i int) float64 {
	cc := &c.Classes[i]
	return cc.Gain * c.Gains.Of(cc.Kind())
}

// Validate checks every class, the uniqueness of names and the gains.
func (c *Connectivity) Validate() error {
	seen := make(map[string]bool, len(c.Classes))
	for i := range c.Classes {
		cc := &c.Classes[i]
		if err := cc.Validate(); err != nil {
			return err
		}
		if seen[cc.Name] {
			return fmt.Errorf("network: duplicate connection class %q", cc.Name)
		}
		seen[cc.Name] = true
	}
	for _, g := range []float64{c.Gains.EE, c.Gains.EI, c.Gains.IE, c.Gains.II} {
		if !(g >= 0) || math.IsInf(g, 0) {
			return fmt.Errorf("network: global gain %v must be non-negative and finite", g)
		}
	}
	return nil
}

// GaussianWeightDelay returns hnn-core's distance-dependent weight (µS) and
// delay (ms) of a connection from src to tgt: with d the in-plane (x, y)
// distance and λ = lamtha·inplane, weight = aWeight·exp(−d²/λ²) and
// delay = aDelay/exp(−d²/λ²). The arithmetic follows hnn-core operation by
// operation so results are bit-identical.
func GaussianWeightDelay(aWeight, aDelay, lamtha, inplane float64, src, tgt Position) (weight, delay float64) {
	dx := tgt.X - src.X
	dy := tgt.Y - src.Y
	dist := math.Sqrt(dx*dx + dy*dy)
	lam := lamtha * inplane
	f := math.Exp(-(dist * dist) / (lam * lam))
	return aWeight * f, aDelay / f
}
