package surrogate

import (
	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// exactOp integrates one bin of a batch of exact baskets (forward) and
// differentiates it (Backward). Its scratch is per state (per simulation), so
// distinct simulations of one model may run concurrently.
//
// Layout of the scratch, structure of arrays over the batch (B cells, C
// channels, K = 4+2C state variables: v, m, h, n, A_0..A_{C-1},
// B_0..B_{C-1}): traj holds the state before each substep (slot j) and after
// the last (slot 20), each slot K·B values (variable-major); fx holds the
// cnexp exponents −dt/τ, then 1 − e^(−dt/τ), of the three gates for each
// substep (3·B per slot). In a forward-only step only two state slots and
// one exponent slot are used.
type exactOp[T autograd.Float] struct {
	k    *exactConsts
	traj []float64
	fx   []float64
	w    []float64 // [C·B] input weights of the bin, channel-major ([ExactSubsteps·C·B] per substep)
	g    []float64 // [K·B] adjoint of the state during the backward pass
	gw   []float64 // adjoint of the input (w's layout)
	vmax []float64 // [B] bin maximum (forward)
	arg  []int32   // [B] substep attaining it (backward)
	spk  []float64 // [B] spike offset in the last forward bin (ms, NaN: none)
	up   []bool    // [B] v above threshold at the last grid time (forward)
}

// inputWidth returns the number of input values per cell: C for a bin's
// summed input, ExactSubsteps·C for per-substep input.
func (op *exactOp[T]) inputWidth(perSub bool) int {
	if perSub {
		return ExactSubsteps * op.k.nch
	}
	return op.k.nch
}

// substepInput returns the input weights ([C·B], channel-major) applied
// before substep j, nil when none are (whole-bin input outside InputSubstep).
func (op *exactOp[T]) substepInput(w []float64, B, j int, perSub bool) []float64 {
	CB := op.k.nch * B
	if perSub {
		return w[j*CB : (j+1)*CB]
	}
	if j == op.k.inSub {
		return w[:CB]
	}
	return nil
}

func (op *exactOp[T]) ensure(B int, full, perSub bool) {
	K := 4 + 2*op.k.nch
	slots := 2
	fs := 1
	if full {
		slots, fs = ExactSubsteps+1, ExactSubsteps
	}
	if n := slots * K * B; len(op.traj) < n {
		op.traj = make([]float64, n)
	}
	if n := fs * 3 * B; len(op.fx) < n {
		op.fx = make([]float64, n)
	}
	if n := op.inputWidth(perSub) * B; len(op.w) < n {
		op.w = make([]float64, n)
		op.gw = make([]float64, n)
	}
	if n := K * B; len(op.g) < n {
		op.g = make([]float64, n)
		op.vmax = make([]float64, B)
		op.arg = make([]int32, B)
		op.spk = make([]float64, B)
		op.up = make([]bool, B)
	}
}

// forward integrates one bin from s0 ([B, W] rows) with inputs x ([B, C],
// or [B, ExactSubsteps·C] with perSub) into s1 ([B, W]). With full it keeps
// every substep's state in traj and every substep's cnexp factors in fx for
// the backward pass (s1 may then be nil). With s1 it also records each
// cell's spike offset in spk (NEURON's detector on the substep ends).
func (op *exactOp[T]) forward(B int, s0, x, s1 []T, full, perSub bool) {
	k := op.k
	C := k.nch
	K := 4 + 2*C
	W := K + 1
	op.ensure(B, full, perSub)
	KB := K * B
	cur := op.traj[:KB]
	toSoA(cur, s0, B, W, K)
	nw := op.inputWidth(perSub)
	w := op.w[:nw*B]
	toSoA(w, x, B, nw, nw)
	var vmax []float64
	if s1 != nil {
		vmax = op.vmax[:B]
		for b := range vmax {
			vmax[b] = -1e308
			op.spk[b] = nan
			op.up[b] = cur[b] > k.thr
		}
	}
	for j := range ExactSubsteps {
		src, dst := j, j+1
		fslot := j
		if !full {
			src, dst, fslot = j&1, (j+1)&1, 0
		}
		s := op.traj[src*KB : (src+1)*KB]
		d := op.traj[dst*KB : (dst+1)*KB]
		f := op.fx[fslot*3*B : (fslot+1)*3*B]
		op.substep(B, s, d, f, op.substepInput(w, B, j, perSub))
		if vmax != nil {
			// NEURON's detector: a spike at the first grid time with
			// v > threshold after one with v <= threshold
			off := float64(j+1)*exactDt + spikeTimeOffset
			for b, v := range d[:B] {
				if v > vmax[b] {
					vmax[b] = v
				}
				up := v > k.thr
				if up && !op.up[b] && op.spk[b] != op.spk[b] {
					op.spk[b] = off
				}
				op.up[b] = up
			}
		}
	}
	if s1 == nil {
		return
	}
	last := op.traj[(ExactSubsteps%2)*KB:][:KB]
	if full {
		last = op.traj[ExactSubsteps*KB:][:KB]
	}
	for b := range B {
		r := s1[b*W : (b+1)*W]
		for i := range K {
			r[i] = T(last[i*B+b])
		}
		r[K] = T(vmax[b])
	}
}

// rhs returns, for one cell at the start-of-step state, NEURON's
// right-hand side R (nA) and diagonal D (µS) of the soma node.
func (k *exactConsts) rhs(v, m, h, n float64, A, Bs []float64, b, B int) (R, D float64) {
	gna := k.gnabar * m * m * m * h
	n2 := n * n
	gk := k.gkbar * n2 * n2
	i := gna*(v-neuron.HH2ENa) + gk*(v-neuron.HH2EK) + k.gl*(v-k.el)
	g := gna + gk + k.gl
	R = -i * k.aScale
	D = k.capDt + g*k.aScale
	for c := range k.nch {
		gs := Bs[c*B+b] - A[c*B+b]
		R -= gs * (v - k.e[c])
		D += gs
	}
	return R, D
}

// substep advances every cell by one 0.025 ms step from state s into d,
// leaving the gates' cnexp factors 1 − e^(−dt/τ) in f. The input weights w
// ([C·B], nil for none) are applied first (A and B += w·factor), as NEURON
// delivers an event before the step it falls in.
func (op *exactOp[T]) substep(B int, s, d, f, w []float64) {
	k := op.k
	C := k.nch
	vS, mS, hS, nS := s[:B], s[B:2*B], s[2*B:3*B], s[3*B:4*B]
	aS, bS := s[4*B:(4+C)*B], s[(4+C)*B:(4+2*C)*B]
	vD, mD, hD, nD := d[:B], d[B:2*B], d[2*B:3*B], d[3*B:4*B]
	aD, bD := d[4*B:(4+C)*B], d[(4+C)*B:(4+2*C)*B]
	// synapses: apply the event into d's A, B (decayed below)
	copy(aD, aS)
	copy(bD, bS)
	if w != nil {
		for c := range C {
			fc := k.factor[c]
			w := w[c*B : (c+1)*B]
			ac, bc := aD[c*B:(c+1)*B], bD[c*B:(c+1)*B]
			for b, wv := range w {
				if wv != 0 {
					ac[b] += wv * fc
					bc[b] += wv * fc
				}
			}
		}
	}
	fm, fh, fn := f[:B], f[B:2*B], f[2*B:3*B]
	const mdt = -exactDt
	var q [6]float64
	for b := range B {
		R, D := k.rhs(vS[b], mS[b], hS[b], nS[b], aD, bD, b, B)
		v := vS[b] + R/D
		vD[b] = v
		k.tab.Values(v, &q)
		mD[b], hD[b], nD[b] = q[0], q[2], q[4] // x∞ for now
		fm[b], fh[b], fn[b] = mdt/q[1], mdt/q[3], mdt/q[5]
	}
	neuron.OneMinusExp(f[:3*B])
	for b := range B {
		mD[b] = mS[b] + fm[b]*(mD[b]-mS[b])
		hD[b] = hS[b] + fh[b]*(hD[b]-hS[b])
		nD[b] = nS[b] + fn[b]*(nD[b]-nS[b])
	}
	for c := range C {
		da, db := k.decayA[c], k.decayB[c]
		ac, bc := aD[c*B:(c+1)*B], bD[c*B:(c+1)*B]
		for b := range ac {
			ac[b] *= da
			bc[b] *= db
		}
	}
}

// Backward recomputes the bin's substeps from the bin-start state (the input
// state tensor) and reverse-differentiates them: the synaptic decays, the
// cnexp gate updates x' = x + F(x∞(v') − x) with F = 1 − e^(−dt/τ(v')) and
// the interpolated rate functions, the implicit voltage update v' = v + R/D
// with R, D the start-of-step currents and conductances, and the event
// (A, B += w·factor).
func (op *exactOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	a := unpackExactArgs(&nd.Args)
	B := a.batch
	k := op.k
	C := k.nch
	K := 4 + 2*C
	W := K + 1
	KB := K * B
	xT, sT := nd.In[0], nd.In[1]
	op.forward(B, sT.Data, xT.Data, nil, true, a.perSub)
	gOut := nd.Out.Grad
	g, arg := op.seedGrads(B, W, K, KB, gOut)
	gvmax := func(b int) float64 { return float64(gOut[b*W+K]) }
	nw := op.inputWidth(a.perSub)
	w, gw := op.w[:nw*B], op.gw[:nw*B]
	for j := ExactSubsteps - 1; j >= 0; j-- {
		s := op.traj[j*KB : (j+1)*KB]
		d := op.traj[(j+1)*KB : (j+2)*KB]
		f := op.fx[j*3*B : (j+1)*3*B]
		wj, gwj := op.substepInput(w, B, j, a.perSub), op.substepInput(gw, B, j, a.perSub)
		for b := range B {
			if int(arg[b]) == j+1 {
				g[b] += gvmax(b)
			}
			op.backSubstep(b, B, g, wj, gwj, s, d, f)
		}
	}
	addGradSoA(tp, xT, gw, B, nw, nw)
	addGradSoA(tp, sT, g, B, W, K)
}

// seedGrads loads the gradient reaching the outputs (the bin-end state) into
// the state-major scratch g and finds, per cell, the substep whose voltage is
// the bin's maximum (where the maximum's gradient goes).
func (op *exactOp[T]) seedGrads(B, W, K, KB int, gOut []T) (g []float64, arg []int32) {
	g = op.g[:KB]
	toSoA(g, gOut, B, W, K)
	arg = op.arg[:B]
	for b := range B {
		best, at := -1e308, 0
		for j := 1; j <= ExactSubsteps; j++ {
			if v := op.traj[j*KB+b]; v > best {
				best, at = v, j
			}
		}
		arg[b] = int32(at)
	}
	return g, arg
}

// backSubstep takes the gradient g of cell b's state after substep j (state
// s before it, d after it, gate factors f) back to the state before it, in
// place, and when input weights w ([C·B]) took effect in this substep (w not
// nil) writes their gradient into gw ([C·B]).
func (op *exactOp[T]) backSubstep(b, B int, g, w, gw, s, d, f []float64) {
	k := op.k
	C := k.nch
	var aP, bP [maxExactChannels]float64
	var q, dq [6]float64
	const dt = exactDt
	v, m, h, n := s[b], s[B+b], s[2*B+b], s[3*B+b]
	for c := range C {
		aP[c], bP[c] = s[(4+c)*B+b], s[(4+C+c)*B+b]
		if w != nil {
			fw := w[c*B+b] * k.factor[c]
			if fw != 0 {
				aP[c] += fw
				bP[c] += fw
			}
		}
	}
	// forward quantities of the step
	gna := k.gnabar * m * m * m * h
	n2 := n * n
	gk := k.gkbar * n2 * n2
	i := gna*(v-neuron.HH2ENa) + gk*(v-neuron.HH2EK) + k.gl*(v-k.el)
	gm := gna + gk + k.gl
	R := -i * k.aScale
	D := k.capDt + gm*k.aScale
	for c := range C {
		gs := bP[c] - aP[c]
		R -= gs * (v - k.e[c])
		D += gs
	}
	vn := d[b]
	k.tab.Lookup(vn, &q, &dq)
	// synapse decay
	var gA, gB [maxExactChannels]float64
	for c := range C {
		gA[c] = g[(4+c)*B+b] * k.decayA[c]
		gB[c] = g[(4+C+c)*B+b] * k.decayB[c]
	}
	// gates
	gv := g[b]
	xs := [3]float64{m, h, n}
	var gx [3]float64
	for gi := range 3 {
		F := f[gi*B+b]
		gxp := g[(1+gi)*B+b]
		inf, tau := q[2*gi], q[2*gi+1]
		gx[gi] = gxp * (1 - F)
		gF := gxp * (inf - xs[gi])
		// F = 1 − e^X, X = −dt/τ: dF/dτ = −(1−F)·dt/τ²
		gtau := -gF * (1 - F) * dt / (tau * tau)
		gv += gxp*F*dq[2*gi] + gtau*dq[2*gi+1]
	}
	// v' = v + R/D
	gR := gv / D
	gD := -gR * (R / D)
	gvNew := gv - gR*(D-k.capDt)
	gi := gD - gR*(v-neuron.HH2ENa)
	gkk := gD - gR*(v-neuron.HH2EK)
	a := k.aScale
	gx[0] += 3 * k.gnabar * m * m * h * a * gi
	gx[1] += k.gnabar * m * m * m * a * gi
	gx[2] += 4 * k.gkbar * n2 * n * a * gkk
	for c := range C {
		ggs := gD - gR*(v-k.e[c])
		gB[c] += ggs
		gA[c] -= ggs
	}
	g[b] = gvNew
	g[B+b], g[2*B+b], g[3*B+b] = gx[0], gx[1], gx[2]
	for c := range C {
		g[(4+c)*B+b] = gA[c]
		g[(4+C+c)*B+b] = gB[c]
	}
	if w != nil {
		for c := range C {
			gw[c*B+b] = k.factor[c] * (gA[c] + gB[c])
		}
	}
}
