package neuron

// spikeTimeOffset is the offset NEURON adds to a threshold crossing detected at t (ms).
const spikeTimeOffset = 1e-10

// CheckThreshold applies NEURON's spike rule to the soma potential at the current time
// t_n (step 1 of the fixed step): it reports a spike, at time t_n + 1e-10 ms, when
// v_soma > threshold and the detector was not already above threshold. Call it once per
// step, before Advance; Step does both.
func (c *Cell) CheckThreshold() (spiked bool, tSpike float64) {
	if c.v[c.somaNode] > c.cfg.Threshold {
		if !c.spikeFlag {
			c.spikeFlag = true
			ts := c.t + spikeTimeOffset
			c.spikes = append(c.spikes, ts)
			return true, ts
		}
		return false, 0
	}
	c.spikeFlag = false
	return false, 0
}

// Advance integrates one step from t_n to t_{n+1} (steps 2-8 of NEURON's fixed step):
// delivers queued events with time <= t_n + dt/2, evaluates currents at the start-of-step
// state, solves the tree-structured backward-Euler system, updates v, then the gating and
// calcium states with the new v, the synapses, and the dipole.
func (c *Cell) Advance() {
	c.deliverEvents(c.t + 0.5*c.dt)
	c.t += 0.5 * c.dt
	c.setupMatrix()
	c.dipole = c.solveDipole() // the dipole of the new voltages: updateStates keeps v
	c.gatherV()
	c.updateStates()
	c.t += 0.5 * c.dt
}

// Step does CheckThreshold then Advance and returns the spike (if any) detected at the
// start of the step.
func (c *Cell) Step() (spiked bool, tSpike float64) {
	spiked, tSpike = c.CheckThreshold()
	c.Advance()
	return spiked, tSpike
}

func (c *Cell) deliverEvents(tm float64) {
	q := &c.events
	for q.len() > 0 && q.h[0].t <= tm {
		e := q.pop()
		c.syn.receive(int(e.syn), e.w)
	}
}

// setupMatrix evaluates every membrane, synaptic and electrode current at the start-of-step
// state and fills the diagonal d and right-hand side rhs of the node equations (absolute
// units: µS and nA).
func (c *Cell) setupMatrix() {
	if c.fused != fusedNone {
		if len(c.caSegs) > 0 {
			c.updateEca()
			if c.fused != fusedAll {
				for _, s := range c.caSegs {
					c.ica[s] = 0
				}
			}
		}
		copy(c.d, c.dConst)
		clear(c.rhs)
		if c.curBlock != nil {
			c.blockCurrents(c.curBlock)
		} else {
			c.fusedCurrents(c.fused)
		}
	} else {
		c.mechanismCurrents()
	}
	c.addSynapsesClampsAxial()
}

// mechanismCurrents is the general path of setupMatrix: every mechanism's loop adds its
// currents into iDen and gDen, which are then scattered into the node equations.
func (c *Cell) mechanismCurrents() {
	for s := range c.iDen {
		c.iDen[s] = 0
		c.gDen[s] = 0
	}
	if len(c.caSegs) > 0 {
		c.updateEca()
		for _, s := range c.caSegs {
			c.ica[s] = 0
		}
	}
	if c.hh2 != nil {
		c.hh2.current(c)
	}
	if c.km != nil {
		c.km.current(c)
	}
	if c.ca != nil {
		c.ca.current(c)
	}
	if c.kca != nil {
		c.kca.current(c)
	}
	if c.cat != nil {
		c.cat.current(c)
	}
	if c.ar != nil {
		c.ar.current(c)
	}
	copy(c.d, c.dConst)
	for i := range c.rhs {
		c.rhs[i] = 0
	}
	for s, node := range c.segNode {
		a := c.aScale[s]
		c.rhs[node] = -c.iDen[s] * a
		c.d[node] += c.gDen[s] * a
	}
}

// addSynapsesClampsAxial adds the synaptic, electrode and axial currents to the node
// equations.
func (c *Cell) addSynapsesClampsAxial() {
	sy := &c.syn
	for k, on := range sy.active {
		if !on {
			continue
		}
		node := sy.node[k]
		g := sy.b[k] - sy.a[k]
		c.rhs[node] -= g * (c.v[node] - sy.e[k])
		c.d[node] += g
	}
	tm := c.t
	for _, cl := range c.clamps {
		if tm >= cl.delay && tm < cl.delay+cl.dur {
			c.rhs[cl.node] += cl.amp
		}
	}
	// The axial currents f_i = gAx_i·(v_parent - v_i): node i receives +f_i, then -f_j of
	// each child j in ascending order, as one loop doing rhs[i] += f_i, rhs[parent] -= f_i
	// would add them; done in two passes so that no iteration waits on the previous one's
	// store.
	n := len(c.v)
	v, rhs, f, par, g := c.v[:n], c.rhs[:n], c.fAx[:n], c.parent[:n], c.gAx[:n]
	for i := 1; i < n; i++ {
		fi := g[i] * (v[par[i]] - v[i])
		f[i] = fi
		rhs[i] += fi
	}
	for i := 1; i < n; i++ {
		rhs[par[i]] -= f[i]
	}
}

// updateStates advances every state with the new voltage as NEURON's mechanism order
// (ar, ca, cad, cat, hh2, kca, km) does: cad first (it reads only the start-of-step ica),
// then every gate's cnexp update x += (1 - exp(-dt/τ))(x∞ - x) at the new voltage (kca
// from the fresh cai); the rates read no gate, so the mechanisms' order does not change
// the results. Finally the synapses decay. With a gateBatch (batch.go) the gates are
// updated together, with the same results.
func (c *Cell) updateStates() {
	if c.batch != nil {
		c.updateBatched(c.batch)
	} else {
		c.updateMechanisms()
	}
	sy := &c.syn
	for k, on := range sy.active {
		if on {
			sy.a[k] *= sy.decayA[k]
			sy.b[k] *= sy.decayB[k]
		}
	}
}

// updateMechanisms is updateStates' gate and calcium update, mechanism by mechanism.
func (c *Cell) updateMechanisms() {
	if c.cad != nil {
		c.cad.state(c)
	}
	if c.ar != nil {
		c.ar.gates(c)
	}
	if c.ca != nil {
		c.ca.gates(c)
	}
	if c.cat != nil {
		c.cat.gates(c)
	}
	if c.hh2 != nil {
		c.hh2.gates(c)
	}
	if c.kca != nil {
		c.kca.gates(c)
	}
	if c.km != nil {
		c.km.gates(c)
	}
}

// computeDipole returns the cell's current dipole (fAm): the sum over every axial
// node-to-parent step of the current (nA) times its z-extent (µm).
func (c *Cell) computeDipole() float64 {
	if !c.desc.Dipole {
		return 0
	}
	q := 0.0
	v := c.v
	for i := 1; i < len(v); i++ {
		q += c.dipK[i] * (v[c.parent[i]] - v[i])
	}
	return q
}
