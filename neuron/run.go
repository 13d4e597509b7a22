package neuron

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/internal/parallel"
)

// Input is one synapse receiving a train of events: a new Exp2Syn of receptor Receptor at
// position X (0 means 0.5) of Section, activated with weight WeightUS (µS) at each of
// TimesMS plus DelayMS (ms). Times need not be sorted.
type Input struct {
	Section  string
	Receptor Receptor
	X        float64
	WeightUS float64
	DelayMS  float64
	TimesMS  []float64
}

// IClampSpec is a current clamp: AmpNA (nA) at position X (0 means 0.5) of Section during
// [DelayMS, DelayMS+DurMS).
type IClampSpec struct {
	Section string
	X       float64
	AmpNA   float64
	DelayMS float64
	DurMS   float64
}

// RunSpec describes one single-cell simulation from t = 0 to TStop (ms).
type RunSpec struct {
	Desc        *CellDesc // cell description (not modified)
	Config      Config    // dt, temperature, threshold; zero Dt or Celsius mean 0.025 ms, 37 °C
	TStop       float64   // ms, > 0
	Inputs      []Input
	IClamps     []IClampSpec
	Probes      []Probe // recorded quantities (nil records nothing but the dipole)
	RecordEvery int     // keep every k-th step (t = 0 included); 0 or 1 keeps all
	NoDipole    bool    // skip recording the dipole
}

// Result holds a simulation's recordings.
type Result struct {
	T      []float64   // recorded times (ms)
	Traces [][]float64 // Traces[p][k]: probe p at T[k]
	Dipole []float64   // raw dipole (fAm) at T[k]; nil when not recorded
	Spikes []float64   // soma spike times (ms)
}

// Steps returns the number of integration steps for tstop and dt, round(tstop/dt).
func Steps(tstop, dt float64) int { return int(math.Round(tstop / dt)) }

// config returns the spec's settings with zero Dt and Celsius replaced by HNN's defaults
// (0.025 ms, 37 °C).
func (s *RunSpec) config() Config {
	c := s.Config
	if c.Dt == 0 {
		c.Dt = DefaultConfig().Dt
	}
	if c.Celsius == 0 {
		c.Celsius = DefaultConfig().Celsius
	}
	return c
}

// Prepare builds and initialises the cell of a RunSpec with its inputs and clamps attached
// and every event queued.
func (s *RunSpec) Prepare() (*Cell, error) {
	if s.Desc == nil {
		return nil, fmt.Errorf("neuron: run spec has no cell description")
	}
	if !(s.TStop > 0) || math.IsInf(s.TStop, 0) {
		return nil, fmt.Errorf("neuron: tstop = %v ms must be positive and finite", s.TStop)
	}
	if s.RecordEvery < 0 {
		return nil, fmt.Errorf("neuron: record-every = %d must be >= 0", s.RecordEvery)
	}
	c, err := New(s.Desc, s.config())
	if err != nil {
		return nil, err
	}
	for k, in := range s.Inputs {
		x := in.X
		if x == 0 {
			x = 0.5
		}
		id, err := c.AddSynapse(in.Section, x, in.Receptor)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", k, err)
		}
		if !(in.DelayMS >= 0) || math.IsInf(in.DelayMS, 0) {
			return nil, fmt.Errorf("input %d: delay %v ms must be finite and >= 0", k, in.DelayMS)
		}
		for _, t := range in.TimesMS {
			if !(t >= 0) || math.IsInf(t, 0) {
				return nil, fmt.Errorf("input %d: event time %v ms must be finite and >= 0", k, t)
			}
			if err := c.Deliver(id, t+in.DelayMS, in.WeightUS); err != nil {
				return nil, fmt.Errorf("input %d: %w", k, err)
			}
		}
	}
	for k, cl := range s.IClamps {
		x := cl.X
		if x == 0 {
			x = 0.5
		}
		if err := c.AddIClamp(cl.Section, x, cl.AmpNA, cl.DelayMS, cl.DurMS); err != nil {
			return nil, fmt.Errorf("iclamp %d: %w", k, err)
		}
	}
	return c, nil
}

// Run simulates one cell as described by spec and returns its recordings.
func Run(spec RunSpec) (*Result, error) {
	c, err := spec.Prepare()
	if err != nil {
		return nil, err
	}
	refs := make([]*float64, len(spec.Probes))
	for i, p := range spec.Probes {
		if refs[i], err = c.Ref(p); err != nil {
			return nil, err
		}
	}
	every := spec.RecordEvery
	if every <= 0 {
		every = 1
	}
	n := Steps(spec.TStop, c.dt)
	nrec := n/every + 1
	res := &Result{T: make([]float64, 0, nrec), Traces: make([][]float64, len(refs))}
	for i := range refs {
		res.Traces[i] = make([]float64, 0, nrec)
	}
	recDip := !spec.NoDipole
	if recDip {
		res.Dipole = make([]float64, 0, nrec)
	}
	record := func() {
		res.T = append(res.T, c.t)
		for i, r := range refs {
			res.Traces[i] = append(res.Traces[i], *r)
		}
		if recDip {
			res.Dipole = append(res.Dipole, c.dipole)
		}
	}
	record()
	for k := 1; k <= n; k++ {
		c.Step()
		if k%every == 0 {
			record()
		}
	}
	res.Spikes = append([]float64(nil), c.spikes...)
	return res, nil
}

// RunMany simulates independent cells in parallel on workers goroutines (GOMAXPROCS when
// workers <= 0). Results are in spec order; the first error (by spec index) is returned.
// Each simulation is deterministic, so the results do not depend on the worker count.
func RunMany(specs []RunSpec, workers int) ([]*Result, error) {
	out := make([]*Result, len(specs))
	errs := make([]error, len(specs))
	parallel.For(len(specs), workers, func(i int) {
		out[i], errs[i] = Run(specs[i])
	})
	for i, err := range errs {
		if err != nil {
			return out, fmt.Errorf("neuron: run %d: %w", i, err)
		}
	}
	return out, nil
}
