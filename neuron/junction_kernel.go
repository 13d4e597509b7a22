package neuron

import (
	"fmt"
	"math"
)

// JunctionKernel is a linear response of a junction's boundary voltages to the exact part:
// boundary b takes, at step n,
//
//	v_b(t_n) = u_b(t_n) + Σ_{k=0}^{K−1} H[b][k] · v_a(t_{n−k})
//
// with v_a the voltage of b's attach node (Junction.Boundary[b].Attach) at the steps of Dt
// (ms), u_b the input-driven part supplied from outside (a learned model's prediction in a
// hybrid cell), and H[b] a causal kernel of K taps (dimensionless, mV per mV). Lag 0 enters
// the soma's backward-Euler matrix, the history the right-hand side (KernelSoma). With H
// the dendrite's exact linearisation (Junction.LinearKernel) and u_b the dendrite's response
// to its own inputs, a passive dendrite is reproduced to the kernel's truncation.
type JunctionKernel struct {
	Dt float64     // step (ms)
	H  [][]float64 // per boundary node, taps at lags 0, Dt, 2·Dt, …
	// Spike, when non-nil, adds a spike-triggered response (mV) per boundary node:
	// each soma spike detected at t_s adds Spike[b][m] to v_b(t_s + (m+1)·Dt), the part of
	// the back-propagated spike the linear taps miss. It starts one step after the
	// detection, so the spike's own step is unchanged and the term stays causal.
	Spike [][]float64
}

// spikeTerm returns boundary b's spike-triggered term at time t (ms) for the spikes
// (detection times, ascending).
func (k *JunctionKernel) spikeTerm(b int, t float64, spikes []float64) float64 {
	if k.Spike == nil {
		return 0
	}
	s := k.Spike[b]
	out := 0.0
	for i := len(spikes) - 1; i >= 0; i-- {
		m := int(math.Round((t-spikes[i])/k.Dt)) - 1
		if m >= len(s) {
			break
		}
		if m >= 0 {
			out += s[m]
		}
	}
	return out
}

// Taps returns the kernel's length K (the longest boundary's).
func (k *JunctionKernel) Taps() int {
	n := 0
	for _, h := range k.H {
		n = max(n, len(h))
	}
	return n
}

// Gain returns Σ_k H[b][k], the boundary's steady-state response to a 1 mV change of its
// attach node.
func (k *JunctionKernel) Gain(b int) float64 {
	s := 0.0
	for _, h := range k.H[b] {
		s += h
	}
	return s
}

// Truncate returns a copy of k cut to at most taps taps (the spike term shared).
func (k *JunctionKernel) Truncate(taps int) *JunctionKernel {
	out := &JunctionKernel{Dt: k.Dt, H: make([][]float64, len(k.H)), Spike: k.Spike}
	for b, h := range k.H {
		out.H[b] = append([]float64(nil), h[:min(taps, len(h))]...)
	}
	return out
}

// ReadAttach stores in dst (len(j.Boundary), allocated when nil) the voltages (mV) of the
// boundary nodes' attach nodes of c, a whole cell built from the junction's description:
// the v_a a JunctionKernel responds to.
func (j *Junction) ReadAttach(c *Cell, dst []float64) []float64 {
	if len(c.parent) != j.nFull {
		panic("neuron: Junction.ReadAttach: cell is not the junction's whole cell")
	}
	if dst == nil {
		dst = make([]float64, len(j.Boundary))
	}
	for k, b := range j.Boundary {
		dst[k] = c.v[b.fullIn]
	}
	return dst
}

// LinearKernel derives the junction's kernel of taps taps from the dendrites linearised
// about a holding potential: a DendriteCell (no synaptic input) with the exact part held at
// hold mV (NaN: at the exact part's initial voltages, the cell at rest) for warmup ms, then
// each attach node pulsed by ±eps mV for one step; H[b][k] is the central difference of
// boundary b's voltage k steps later, per mV. Boundaries coupled to another boundary's
// attach node (none in HNN's cells at depth 0 or 1: the exact part separates the trees)
// make it fail with an error naming the cross-response.
func (j *Junction) LinearKernel(cfg Config, taps int, hold, warmup, eps float64) (*JunctionKernel, error) {
	if taps < 1 {
		return nil, fmt.Errorf("neuron: LinearKernel: %d taps: want at least 1", taps)
	}
	if !(eps > 0) || !(warmup >= 0) || math.IsInf(hold, 0) {
		return nil, fmt.Errorf("neuron: LinearKernel: eps %g mV, warm-up %g ms, hold %g mV: want eps > 0, warm-up ≥ 0 and a finite hold", eps, warmup, hold)
	}
	d, err := j.NewDendriteCell(cfg)
	if err != nil {
		return nil, err
	}
	c := d.cell
	vE := make([]float64, len(j.exactFull))
	for q, n := range j.exactFull {
		vE[q] = c.v[n]
		if !math.IsNaN(hold) {
			vE[q] = hold
		}
	}
	for i, n := 0, Steps(warmup, c.dt); i < n; i++ {
		d.Step(vE)
	}
	d.Save()
	// the distinct attach nodes, as positions in vE
	pos := map[int32]int{}
	for q, n := range j.exactFull {
		pos[n] = q
	}
	k := &JunctionKernel{Dt: c.dt, H: make([][]float64, len(j.Boundary))}
	for b := range k.H {
		k.H[b] = make([]float64, taps)
	}
	done := map[int32]bool{}
	var up, dn [][]float64
	for _, bn := range j.Boundary {
		a := bn.fullIn
		if done[a] {
			continue
		}
		done[a] = true
		for sgn, out := range []*[][]float64{&up, &dn} {
			d.Restore()
			v := append([]float64(nil), vE...)
			v[pos[a]] += eps * float64(1-2*sgn)
			*out = (*out)[:0]
			for i := 0; i < taps; i++ {
				d.Step(v)
				copy(v, vE)
				*out = append(*out, d.Read(nil))
			}
		}
		for b, bn2 := range j.Boundary {
			for i := 0; i < taps; i++ {
				h := (up[i][b] - dn[i][b]) / (2 * eps)
				if bn2.fullIn == a {
					k.H[b][i] = h
				} else if math.Abs(h) > 1e-9 {
					return nil, fmt.Errorf("neuron: LinearKernel: boundary %s seg %d responds to %s's attach node (%g at lag %d): a diagonal kernel cannot carry it", bn2.Section, bn2.Seg, bn.Section, h, i)
				}
			}
		}
	}
	return k, nil
}

// Residual returns the input-driven part u of recorded boundary voltages: u[n][b] =
// vb[n][b] − Σ_k H[b][k]·va[n−k][b] − the spike term of spikes (detection times, ms), vb
// and va a whole cell's boundary and attach voltages after every step (index 0: t = 0;
// before it the attach nodes are taken at their t = 0 values, as KernelSoma starts).
func (k *JunctionKernel) Residual(vb, va [][]float64, spikes []float64) [][]float64 {
	u := make([][]float64, len(vb))
	for n := range vb {
		u[n] = make([]float64, len(vb[n]))
		for b := range vb[n] {
			s := vb[n][b] - k.spikeTerm(b, float64(n)*k.Dt, spikes)
			for q, h := range k.H[b] {
				s -= h * va[max(n-q, 0)][b]
			}
			u[n][b] = s
		}
	}
	return u
}

// KernelSoma is a SomaCell whose boundary voltages respond to its own attach nodes through
// a JunctionKernel: each step takes the input-driven part u and integrates
// v_b = u + H·v_a implicitly (lag 0 in the matrix, the history in the right-hand side).
// Allocation-free per step.
type KernelSoma struct {
	*SomaCell
	k     *JunctionKernel
	ring  [][]float64 // per boundary, the attach voltages of the last K−1 steps (newest, lag 1, at pos; lag q at pos+q−1 wrapping)
	pos   int
	vb    []float64 // the boundary voltages of the last step
	hist  []float64
	beta  []float64
	zero  []float64
	saved struct {
		ring [][]float64
		pos  int
		vb   []float64
	}
}

// NewKernelSoma builds the junction's exact part with settings cfg, at rest, coupled to
// kernel k (one kernel per boundary node, k.Dt the cell's step).
func (j *Junction) NewKernelSoma(k *JunctionKernel, cfg Config) (*KernelSoma, error) {
	if len(k.H) != len(j.Boundary) {
		return nil, fmt.Errorf("neuron: kernel for %d boundary nodes, junction has %d", len(k.H), len(j.Boundary))
	}
	if math.Abs(k.Dt-cfg.Dt) > 1e-12 {
		return nil, fmt.Errorf("neuron: kernel step %g ms, cell step %g ms", k.Dt, cfg.Dt)
	}
	if k.Spike != nil && len(k.Spike) != len(k.H) {
		return nil, fmt.Errorf("neuron: spike kernel for %d boundary nodes, junction has %d", len(k.Spike), len(k.H))
	}
	for b, h := range k.H {
		if len(h) == 0 {
			return nil, fmt.Errorf("neuron: kernel of boundary %d is empty", b)
		}
		if k.Spike != nil {
			for _, x := range k.Spike[b] {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("neuron: spike kernel of boundary %d has a non-finite tap", b)
				}
			}
		}
		for _, x := range h {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("neuron: kernel of boundary %d has a non-finite tap", b)
			}
		}
	}
	s, err := j.NewSomaCell(cfg)
	if err != nil {
		return nil, err
	}
	nb := len(j.Boundary)
	ks := &KernelSoma{SomaCell: s, k: k, ring: make([][]float64, nb), vb: make([]float64, nb),
		hist: make([]float64, nb), beta: make([]float64, nb), zero: make([]float64, nb)}
	ks.saved.ring = make([][]float64, nb)
	ks.saved.vb = make([]float64, nb)
	L := max(k.Taps()-1, 1) // one ring length for all, so that one position serves
	for b, h := range k.H {
		ks.ring[b] = make([]float64, L)
		ks.saved.ring[b] = make([]float64, L)
		ks.beta[b] = h[0]
	}
	ks.fillHistory()
	return ks, nil
}

// fillHistory sets the attach history to the present attach voltages (a cell at rest
// since before t = 0).
func (ks *KernelSoma) fillHistory() {
	for b, r := range ks.ring {
		v := ks.AttachV(b)
		for i := range r {
			r[i] = v
		}
		ks.vb[b] = v
	}
	ks.pos = 0
}

// Reset re-initialises the exact part and the history.
func (ks *KernelSoma) Reset() {
	ks.SomaCell.Reset()
	ks.fillHistory()
}

// Kernel returns the kernel the cell is coupled to.
func (ks *KernelSoma) Kernel() *JunctionKernel { return ks.k }

// Step checks the spike threshold and advances one step with the input-driven parts u (mV,
// one per boundary node) at the end of the step: boundary b takes u[b] + H[b][0]·v_a(t_{n+1})
// + Σ_{k≥1} H[b][k]·v_a(t_{n+1−k}) + the spike term. It returns the spike detected at t_n,
// if any.
func (ks *KernelSoma) Step(u []float64) (spiked bool, tSpike float64) {
	c := ks.cell
	// detect first, so that the spike term sees this step's spike (the step's own
	// CheckThreshold then finds the detector already set)
	spiked, tSpike = c.CheckThreshold()
	for b, h := range ks.k.H {
		r := ks.ring[b]
		s := u[b] + ks.k.spikeTerm(b, c.t+c.dt, c.spikes)
		// r[pos] is v_a(t_n) (lag 1), r[pos+1] lag 2, … wrapping
		m := len(h) - 1
		i := ks.pos
		for q := 1; q <= m; q++ {
			s += h[q] * r[i]
			if i++; i == len(r) {
				i = 0
			}
		}
		ks.hist[b] = s
	}
	ks.SomaCell.StepLinear(ks.hist, ks.beta, ks.zero)
	// the newest attach voltages become lag 1 of the next step
	if ks.pos--; ks.pos < 0 {
		ks.pos = len(ks.ring[0]) - 1
	}
	for b, r := range ks.ring {
		v := ks.AttachV(b)
		ks.vb[b] = ks.hist[b] + ks.beta[b]*v
		r[ks.pos] = v
	}
	return spiked, tSpike
}

// Boundary stores in dst (allocated when nil) the boundary voltages (mV) of the last step,
// u + H·v_a: what the soma saw.
func (ks *KernelSoma) Boundary(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(ks.vb))
	}
	copy(dst, ks.vb)
	return dst
}

// Save records the cell's state and its history (one slot).
func (ks *KernelSoma) Save() {
	ks.SomaCell.Save()
	for b, r := range ks.ring {
		copy(ks.saved.ring[b], r)
	}
	copy(ks.saved.vb, ks.vb)
	ks.saved.pos = ks.pos
}

// Restore returns the cell and its history to the last Save.
func (ks *KernelSoma) Restore() {
	if !ks.SomaCell.saved.valid {
		return
	}
	ks.SomaCell.Restore()
	for b, r := range ks.ring {
		copy(r, ks.saved.ring[b])
	}
	copy(ks.vb, ks.saved.vb)
	ks.pos = ks.saved.pos
}

// ReadExact stores the voltages (mV) of the exact part's nodes of the whole cell in dst
// (ExactNodes long, allocated when nil), in the order Step takes them: at rest, the
// values that clamp the soma part at rest.
func (d *DendriteCell) ReadExact(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(d.j.exactFull))
	}
	for q, n := range d.j.exactFull {
		dst[q] = d.cell.v[n]
	}
	return dst
}

// ReadExactFull stores the voltages (mV) of the exact part's nodes of c, a whole cell built
// from the junction's description, in dst (ExactNodes long, allocated when nil), in the
// order DendriteCell.Step takes them: a DendriteCell stepped with them follows c.
func (j *Junction) ReadExactFull(c *Cell, dst []float64) []float64 {
	if len(c.parent) != j.nFull {
		panic("neuron: Junction.ReadExactFull: cell is not the junction's whole cell")
	}
	if dst == nil {
		dst = make([]float64, len(j.exactFull))
	}
	for q, n := range j.exactFull {
		dst[q] = c.v[n]
	}
	return dst
}
