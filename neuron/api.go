package neuron

import (
	"fmt"
	"math"
)

// Type returns the cell's type.
func (c *Cell) Type() CellType { return c.desc.Type }

// Desc returns the description the cell was built from. It is the cell's own copy: read
// it, clone it, but do not modify it.
func (c *Cell) Desc() *CellDesc { return c.desc }

// Config returns the cell's simulation settings.
func (c *Cell) Config() Config { return c.cfg }

// SetPosition places the cell at p (µm). The position is bookkeeping for networks (distance
// rules, plotting): it does not change the dynamics or the dipole.
func (c *Cell) SetPosition(p Point3) { c.pos = p }

// Position returns the cell position (µm).
func (c *Cell) Position() Point3 { return c.pos }

// T returns the current simulation time (ms), accumulated as NEURON does (two half steps).
func (c *Cell) T() float64 { return c.t }

// Dt returns the time step (ms).
func (c *Cell) Dt() float64 { return c.dt }

// VSoma returns the soma potential at soma(0.5) (mV).
func (c *Cell) VSoma() float64 { return c.v[c.somaNode] }

// Dipole returns the cell's raw current dipole (fAm) at the current time: 0 at t = 0 and for
// cells without a dipole (baskets).
func (c *Cell) Dipole() float64 { return c.dipole }

// DipoleNAm returns the dipole in nAm (fAm * 1e-6), the unit hnn-core returns (before its
// network baseline renormalisation).
func (c *Cell) DipoleNAm() float64 { return c.dipole * 1e-6 }

// Spikes returns the spike times (ms) detected since the last Reset. The slice is the
// cell's own; copy it before the next step if it must be kept.
func (c *Cell) Spikes() []float64 { return c.spikes }

// PendingEvents returns the number of queued, undelivered events.
func (c *Cell) PendingEvents() int { return c.events.len() }

// nodeAt maps (section index, x) to NEURON's node: x = 0 is the section's 0-end (its parent
// node), x = 1 its 1-end node, otherwise the centre of the segment containing x.
func (c *Cell) nodeAt(sec int, x float64) int32 {
	n := c.desc.Sections[sec].Nseg
	switch {
	case x <= 0:
		return c.sec0End[sec]
	case x >= 1:
		return c.secNode[sec] + int32(n)
	}
	k := int(x * float64(n))
	if k >= n {
		k = n - 1
	}
	return c.secNode[sec] + int32(k)
}

func checkX(x float64) error {
	if !(x >= 0 && x <= 1) {
		return fmt.Errorf("neuron: position x = %v must be in [0, 1]", x)
	}
	return nil
}

// Synapse returns the cell's shared synapse of receptor r on section sec at x = 0.5 (HNN
// places one synapse per section and receptor; all connections onto it share it). It
// errors when the section does not exist or carries no such receptor.
func (c *Cell) Synapse(sec string, r Receptor) (SynapseID, error) {
	i, err := c.desc.Section(sec)
	if err != nil {
		return -1, err
	}
	if id, ok := c.shared[synKey{int32(i), r}]; ok {
		return id, nil
	}
	sd, err := c.desc.SynapseDesc(sec, r)
	if err != nil {
		return -1, err
	}
	id := SynapseID(c.syn.add(c.nodeAt(i, 0.5), int32(i), sd, c.dt))
	c.shared[synKey{int32(i), r}] = id
	return id, nil
}

// AddSynapse attaches a new, independent Exp2Syn of receptor r (kinetics from the section's
// receptor table) at position x of section sec.
func (c *Cell) AddSynapse(sec string, x float64, r Receptor) (SynapseID, error) {
	if err := checkX(x); err != nil {
		return -1, err
	}
	i, err := c.desc.Section(sec)
	if err != nil {
		return -1, err
	}
	sd, err := c.desc.SynapseDesc(sec, r)
	if err != nil {
		return -1, err
	}
	return SynapseID(c.syn.add(c.nodeAt(i, x), int32(i), sd, c.dt)), nil
}

// GroupSynapses returns the shared synapses of receptor r on every section of location
// group loc ("proximal", "distal") or on the single section named loc. An event for a group
// connection is delivered, with its full weight, to each of them.
func (c *Cell) GroupSynapses(loc string, r Receptor) ([]SynapseID, error) {
	secs, err := c.desc.GroupSections(loc)
	if err != nil {
		return nil, err
	}
	if len(secs) == 0 {
		return nil, fmt.Errorf("neuron: location group %q of %s is empty", loc, c.desc.Type)
	}
	ids := make([]SynapseID, len(secs))
	for k, s := range secs {
		if ids[k], err = c.Synapse(s, r); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// SynapseInfo returns the section name and receptor of a synapse.
func (c *Cell) SynapseInfo(id SynapseID) (section string, r Receptor, err error) {
	if id < 0 || int(id) >= len(c.syn.node) {
		return "", -1, fmt.Errorf("neuron: no synapse %d", id)
	}
	return c.desc.Sections[c.syn.section[id]].Name, c.syn.receptor[id], nil
}

// SynapseConductance returns the conductance g = B - A (µS) of a synapse.
func (c *Cell) SynapseConductance(id SynapseID) float64 { return c.syn.b[id] - c.syn.a[id] }

// Deliver queues an event of weight w (µS) for synapse id at delivery time t (ms; the
// presynaptic spike time plus the connection delay). As in NEURON's fixed step it takes
// effect before the step starting at the grid time t_m with t_m + dt/2 >= t (the nearest
// grid point), or before the next step if t_m has already passed. Negative, NaN or infinite
// t or w are errors.
func (c *Cell) Deliver(id SynapseID, t, w float64) error {
	if id < 0 || int(id) >= len(c.syn.node) {
		return fmt.Errorf("neuron: no synapse %d on this %s cell", id, c.desc.Type)
	}
	if !(t >= 0) || math.IsInf(t, 0) {
		return fmt.Errorf("neuron: event time %v ms must be finite and >= 0", t)
	}
	if !(w >= 0) || math.IsInf(w, 0) {
		return fmt.Errorf("neuron: event weight %v µS must be finite and >= 0", w)
	}
	c.events.push(t, w, int32(id))
	return nil
}

// AddIClamp attaches a current clamp (NEURON's IClamp) at position x of section sec: amp
// (nA, positive depolarising) while delay <= t < delay+dur (t the step midpoint, ms).
func (c *Cell) AddIClamp(sec string, x, amp, delay, dur float64) error {
	if err := checkX(x); err != nil {
		return err
	}
	i, err := c.desc.Section(sec)
	if err != nil {
		return err
	}
	if math.IsNaN(amp) || math.IsInf(amp, 0) {
		return fmt.Errorf("neuron: clamp amplitude %v nA must be finite", amp)
	}
	if !(delay >= 0) || !(dur >= 0) || math.IsInf(delay, 0) {
		return fmt.Errorf("neuron: clamp delay %v and duration %v ms must be >= 0", delay, dur)
	}
	c.clamps = append(c.clamps, iclamp{node: c.nodeAt(i, x), amp: amp, delay: delay, dur: dur})
	return nil
}
