package surrogate

import (
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/neuron"
)

// hsOp integrates one bin of a batch of hybrid somas (forward) and differentiates it
// (Backward). Its scratch is per state (per simulation).
//
// Layout, structure of arrays over the batch (B cells, K integrated variables): traj holds
// the state before each substep (slot j) and after the last (slot 20), each slot K·B
// values (variable-major); fx the cnexp factors of the nG gates per substep (nG·B per
// slot); att the attach voltages after each substep q (hsHist); vbq the
// boundary voltages v_b(q) per substep (slot q). The per-bin values a0, Δ, vbStart and
// held are [HybridBoundary·B]. In a forward-only step two state slots and one factor slot
// are used.
type hsOp[T autograd.Float] struct {
	k                     *hsConsts
	traj, fx              []float64
	att, vbq              []float64
	w                     []float64 // [C·B] input weights, channel-major
	a0, delta, vbs, held  []float64 // [2·B]
	g, gw                 []float64 // adjoints: state [K·B], input [C·B]
	ga0, gdelta, gvbs, gh []float64 // [2·B]
	gatt                  []float64 // [21·2·B] adjoint of the attach history
	vmax                  []float64
	arg                   []int32
}

func (op *hsOp[T]) ensure(B int, full bool) {
	k := op.k
	K := k.K
	slots, fs := 2, 1
	if full {
		slots, fs = ExactSubsteps+1, ExactSubsteps
	}
	grow := func(s *[]float64, n int) {
		if len(*s) < n {
			*s = make([]float64, n)
		}
	}
	grow(&op.traj, slots*K*B)
	grow(&op.fx, fs*max(k.nG, 1)*B)
	nb := HybridBoundary * B
	grow(&op.att, (ExactSubsteps+1)*nb)
	grow(&op.vbq, (ExactSubsteps+1)*nb)
	grow(&op.gatt, (ExactSubsteps+1)*nb)
	grow(&op.w, max(k.nch, 1)*B)
	grow(&op.gw, max(k.nch, 1)*B)
	for _, s := range []*[]float64{&op.a0, &op.delta, &op.vbs, &op.held, &op.ga0, &op.gdelta, &op.gvbs, &op.gh} {
		grow(s, nb)
	}
	grow(&op.g, K*B)
	grow(&op.vmax, B)
	if len(op.arg) < B {
		op.arg = make([]int32, B)
	}
}

// hsSys is one cell's node equations of a substep (start-of-step currents, the boundary
// terms folded in) and their solution.
type hsSys struct {
	rhs, d, dv [hsNodes]float64
	ica, eca   float64
	// conductances (S/cm²) of the membrane currents
	gna, gk, gkm, gca, gkca, gcat, gar, gmem float64
}

// system fills sys from one cell's start-of-step state x (the bin's synaptic input already
// added to A and B), boundary voltages vb and attach references a0, and solves it.
func (k *hsConsts) system(x *[hsMaxK]float64, vb, a0 *[HybridBoundary]float64, sys *hsSys) {
	v := x[1]
	// membrane currents at the segment, in the simulator's order (hh2, km, ca, kca, cat, ar)
	m, h, n := x[k.iM], x[k.iH], x[k.iN]
	gna := k.gnabar * m * m * m * h
	n2 := n * n
	gk := k.gkbar * n2 * n2
	i, g := 0.0, 0.0
	i += gna*(v-neuron.HH2ENa) + gk*(v-neuron.HH2EK) + k.gl*(v-k.el)
	g += gna + gk + k.gl
	sys.gna, sys.gk = gna, gk
	if k.hasKm {
		gm := k.kmbar * x[k.iKm]
		i += gm * (v - neuron.HH2EK)
		g += gm
		sys.gkm = gm
	}
	if k.hasCa {
		sys.eca = k.nernst.E(x[k.iCai])
		mm := x[k.iCaM]
		gc := k.cabar * mm * mm * x[k.iCaH]
		ic := gc * (v - sys.eca)
		ci := 0.0
		ci += ic
		sys.ica = ci
		i += ic
		g += gc
		sys.gca = gc
		gkc := k.kcabar * x[k.iKca]
		i += gkc * (v - neuron.HH2EK)
		g += gkc
		sys.gkca = gkc
	}
	if k.hasCt {
		mt := x[k.iCatM]
		gt := k.catbar * mt * mt * x[k.iCatH]
		i += gt * (v - neuron.CatERev)
		g += gt
		sys.gcat = gt
	}
	if k.hasAr {
		ga := k.arbar * x[k.iArM]
		i += ga * (v - neuron.ArERev)
		g += ga
		sys.gar = ga
	}
	sys.gmem = g
	rhs := &sys.rhs
	d := &sys.d
	*d = k.dC
	rhs[0], rhs[2] = 0, 0
	rhs[1] = -i * k.aScale
	d[1] += g * k.aScale
	for c := range k.nch {
		gs := x[k.iB+c] - x[k.iA+c]
		rhs[1] -= gs * (v - k.e[c])
		d[1] += gs
	}
	f := k.g1 * (x[0] - x[1])
	rhs[1] += f
	rhs[0] -= f
	f = k.g2 * (x[1] - x[2])
	rhs[2] += f
	rhs[1] -= f
	for b := range HybridBoundary {
		r, G, h0 := k.att[b], k.gb[b], k.h[b][0]
		rhs[r] += G * (vb[b] + h0*(x[r]-a0[b]) - x[r])
		d[r] += G * (1 - h0)
	}
	sys.dv = k.hines(d, rhs)
}

// hines solves the chain soma(0)–segment–soma(1) with diagonal d and right-hand side r
// (off-diagonals −g1, −g2) in the operations and order of neuron's Hines elimination.
func (k *hsConsts) hines(d, r *[hsNodes]float64) (dv [hsNodes]float64) {
	g1, g2 := k.g1, k.g2
	r2 := r[2]
	inv2 := 1 / d[2]
	f := g2 * inv2
	di := d[1] - f*g2
	ri := r[1] + f*r2
	inv1 := 1 / di
	f = g1 * inv1
	di0 := d[0] - f*g1
	ri0 := r[0] + f*ri
	dv[0] = ri0 / di0
	dv[1] = (ri + g1*dv[0]) * inv1
	dv[2] = (r2 + g2*dv[1]) * inv2
	return dv
}

// load gathers cell b's K variables from the slot s (variable-major over B cells).
func (k *hsConsts) load(x *[hsMaxK]float64, s []float64, b, B int) {
	for i := range k.K {
		x[i] = s[i*B+b]
	}
}

// addInput adds the bin's input (weights w, channel-major) to cell b's A and B.
func (k *hsConsts) addInput(x *[hsMaxK]float64, w []float64, b, B int) {
	for c := range k.nch {
		if wv := w[c*B+b]; wv != 0 {
			fw := wv * k.factor[c]
			x[k.iA+c] += fw
			x[k.iB+c] += fw
		}
	}
}

// hsHist is the index of the attach voltage after substep q of boundary j of cell b in
// the history att (and its adjoint gatt): cell-major, the 21 substeps contiguous.
func hsHist(q, j, b int) int { return (b*HybridBoundary+j)*(ExactSubsteps+1) + q }

// boundaryV returns cell b's boundary voltages v_b(q) of substep q (1…20).
func (op *hsOp[T]) boundaryV(vb *[HybridBoundary]float64, q, b, B int) {
	k := op.k
	w := float64(q) / float64(ExactSubsteps)
	for j := range HybridBoundary {
		jb := j*B + b
		dl, a0 := op.delta[jb], op.a0[jb]
		base := (1-w)*op.vbs[jb] + w*(op.held[jb]-k.sum[j][ExactSubsteps]*dl) + k.sum[j][q]*dl
		h := &k.h[j]
		row := op.att[hsHist(0, j, b):][:ExactSubsteps+1]
		for l := 1; l < q; l++ {
			base += h[l] * (row[q-l] - a0)
		}
		vb[j] = base
	}
}

// forward integrates one bin from s0 ([B, W]) with inputs x ([B, C]) and held ([B, 2])
// into s1 ([B, W]). With full it keeps every substep's state, factors and boundary
// voltages for the backward pass (s1 may then be nil).
func (op *hsOp[T]) forward(B int, s0, x, held, s1 []T, full bool) {
	k := op.k
	C, K := k.nch, k.K
	W := K + HybridBoundary + 1
	op.ensure(B, full)
	KB := K * B
	cur := op.traj[:KB]
	toSoA(cur, s0, B, W, K)
	w := op.w[:C*B]
	toSoA(w, x, B, C, C)
	for b := range B {
		for j := range HybridBoundary {
			jb := j*B + b
			as := cur[k.att[j]*B+b]
			a0 := math.Min(as, k.clip)
			op.a0[jb], op.delta[jb] = a0, a0-as
			op.vbs[jb] = float64(s0[b*W+K+j])
			op.held[jb] = float64(held[b*HybridBoundary+j])
			op.att[hsHist(0, j, b)] = as
		}
	}
	vmax := op.vmax[:B]
	for b := range vmax {
		vmax[b] = -1e308
	}
	nG := k.nG
	var x0 [hsMaxK]float64
	var vb [HybridBoundary]float64
	var sys hsSys
	var q6 [6]float64
	for j := range ExactSubsteps {
		src, dst, fslot := j, j+1, j
		if !full {
			src, dst, fslot = j&1, (j+1)&1, 0
		}
		s := op.traj[src*KB : (src+1)*KB]
		d := op.traj[dst*KB : (dst+1)*KB]
		f := op.fx[fslot*nG*B : (fslot+1)*nG*B]
		event := j == k.inSub
		q := j + 1
		for b := range B {
			k.load(&x0, s, b, B)
			if event {
				k.addInput(&x0, w, b, B)
			}
			op.boundaryV(&vb, q, b, B)
			for jj := range HybridBoundary {
				op.vbq[(q*HybridBoundary+jj)*B+b] = vb[jj]
			}
			a0 := op.a0BS(b, B)
			k.system(&x0, &vb, &a0, &sys)
			for i := range hsNodes {
				d[i*B+b] = x0[i] + sys.dv[i]
			}
			v := d[B+b]
			// cad first (it reads the start-of-step ica), then the gates at the new v
			if k.iCai >= 0 {
				drive := k.cadScale * sys.ica
				if drive <= 0 {
					drive = 0
				}
				ca := x0[k.iCai]
				ca += k.cadDecay * (drive*k.cadTauR + k.cadInf - ca)
				d[k.iCai*B+b] = ca
				a := neuron.KcaRa * ca
				tau := 1 / k.tadj / (a + neuron.KcaRb)
				d[k.iKca*B+b] = a / (a + neuron.KcaRb) // x∞ for now
				f[(nG-1)*B+b] = -exactDt / tau
			}
			for ti := range k.tables {
				t := &k.tables[ti]
				t.tab.Values(v, q6[:])
				for gi, idx := range t.idx {
					c := t.col[gi]
					d[idx*B+b] = q6[c] // x∞ for now
					f[(t.slot0+gi)*B+b] = -exactDt / q6[c+1]
				}
			}
			for c := range C {
				d[(k.iA+c)*B+b] = x0[k.iA+c] * k.decayA[c]
				d[(k.iB+c)*B+b] = x0[k.iB+c] * k.decayB[c]
			}
			for jj := range HybridBoundary {
				op.att[hsHist(q, jj, b)] = d[k.att[jj]*B+b]
			}
			if v > vmax[b] {
				vmax[b] = v
			}
		}
		neuron.OneMinusExp(f)
		for ti := range k.tables {
			t := &k.tables[ti]
			for gi, idx := range t.idx {
				fs := f[(t.slot0+gi)*B : (t.slot0+gi+1)*B]
				ds, ss := d[idx*B:(idx+1)*B], s[idx*B:(idx+1)*B]
				for b, F := range fs {
					ds[b] = ss[b] + F*(ds[b]-ss[b])
				}
			}
		}
		if k.iKca >= 0 {
			fs := f[(nG-1)*B : nG*B]
			ds, ss := d[k.iKca*B:(k.iKca+1)*B], s[k.iKca*B:(k.iKca+1)*B]
			for b, F := range fs {
				ds[b] = ss[b] + F*(ds[b]-ss[b])
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
		for j := range HybridBoundary {
			jb := j*B + b
			r[K+j] = T(op.vbq[(ExactSubsteps*HybridBoundary+j)*B+b] +
				k.h[j][0]*(op.att[hsHist(ExactSubsteps, j, b)]-op.a0[jb]))
		}
		r[W-1] = T(vmax[b])
	}
}

// a0BS returns cell b's attach references a0 as an array.
func (op *hsOp[T]) a0BS(b, B int) (a [HybridBoundary]float64) {
	for j := range HybridBoundary {
		a[j] = op.a0[j*B+b]
	}
	return a
}

// Backward recomputes the bin's substeps from the bin-start state and
// reverse-differentiates them (see hsOp.backSubstep), then the bin's junction formula.
func (op *hsOp[T]) Backward(tp *autograd.Tape[T], nd *autograd.Node[T]) {
	B := nd.Args.Ints[0]
	k := op.k
	C, K := k.nch, k.K
	W := K + HybridBoundary + 1
	KB := K * B
	nb := HybridBoundary * B
	xT, hT, sT := nd.In[0], nd.In[1], nd.In[2]
	op.forward(B, sT.Data, xT.Data, hT.Data, nil, true)
	gOut := nd.Out.Grad
	g := op.g[:KB]
	toSoA(g, gOut, B, W, K)
	arg := op.arg[:B]
	for b := range B {
		best, at := -1e308, 0
		for q := 1; q <= ExactSubsteps; q++ {
			if v := op.traj[q*KB+B+b]; v > best {
				best, at = v, q
			}
		}
		arg[b] = int32(at)
	}
	gatt := op.gatt[:(ExactSubsteps+1)*nb]
	clear(gatt)
	ga0, gdl, gvbs, gh := op.ga0[:nb], op.gdelta[:nb], op.gvbs[:nb], op.gh[:nb]
	clear(ga0)
	clear(gdl)
	clear(gvbs)
	clear(gh)
	// the junction output vb(20) + h0·(att(20) − a0): its att(20) and a0 parts here,
	// its vb(20) part in the loop
	for b := range B {
		for jj := range HybridBoundary {
			ge := k.h[jj][0] * float64(gOut[b*W+K+jj])
			gatt[hsHist(ExactSubsteps, jj, b)] += ge
			ga0[jj*B+b] -= ge
		}
	}
	gw := op.gw[:C*B]
	clear(gw)
	var gvb [HybridBoundary]float64
	var ga0s [HybridBoundary]float64
	for q := ExactSubsteps; q >= 1; q-- {
		j := q - 1
		s := op.traj[j*KB : (j+1)*KB]
		d := op.traj[q*KB : (q+1)*KB]
		f := op.fx[j*k.nG*B : (j+1)*k.nG*B]
		event := j == k.inSub
		w := float64(q) / float64(ExactSubsteps)
		for b := range B {
			for jj := range HybridBoundary {
				g[k.att[jj]*B+b] += gatt[hsHist(q, jj, b)]
			}
			if int(arg[b]) == q {
				g[B+b] += float64(gOut[b*W+W-1])
			}
			op.backSubstep(b, B, g, gw, s, d, f, q, event, &gvb, &ga0s)
			for jj := range HybridBoundary {
				jb := jj*B + b
				gv := gvb[jj]
				if q == ExactSubsteps {
					gv += float64(gOut[b*W+K+jj])
				}
				ga0[jb] += ga0s[jj]
				gvbs[jb] += (1 - w) * gv
				gh[jb] += w * gv
				gdl[jb] += (k.sum[jj][q] - w*k.sum[jj][ExactSubsteps]) * gv
				h := &k.h[jj]
				row := gatt[hsHist(0, jj, b):][:ExactSubsteps+1]
				for l := 1; l < q; l++ {
					hg := h[l] * gv
					row[q-l] += hg
					ga0[jb] -= hg
				}
			}
		}
	}
	// a0 = min(v_a, clip), Δ = a0 − v_a at the bin start
	for b := range B {
		for jj := range HybridBoundary {
			jb := jj*B + b
			r := k.att[jj]
			if op.traj[r*B+b] <= k.clip {
				g[r*B+b] += ga0[jb]
			} else {
				g[r*B+b] -= gdl[jb]
			}
		}
	}
	addGradSoA(tp, xT, gw, B, C, C)
	addGradSoA(tp, hT, gh, B, HybridBoundary, HybridBoundary)
	if sT.RequiresGrad() {
		gs := tp.GradOf(sT)
		for b := range B {
			r := gs[b*W : b*W+K]
			for i := range r {
				r[i] += T(g[i*B+b])
			}
			for jj := range HybridBoundary {
				gs[b*W+K+jj] += T(gvbs[jj*B+b])
			}
		}
	}
}

// backSubstep takes the adjoint g of cell b's state after substep q (state s before it, d
// after it, cnexp factors f) back to the state before it, in place; it returns the
// adjoint of the boundary voltages v_b(q) in gvb and of a0 through the implicit lag-0
// term in ga0, and when the bin's input took effect in this substep (event) writes the
// input's adjoint into gw.
func (op *hsOp[T]) backSubstep(b, B int, g, gw, s, d, f []float64, q int, event bool, gvb, ga0 *[HybridBoundary]float64) {
	k := op.k
	C := k.nch
	nG := k.nG
	var x, gx, gs [hsMaxK]float64
	k.load(&x, s, b, B)
	if event {
		k.addInput(&x, op.w, b, B)
	}
	var vb [HybridBoundary]float64
	for jj := range HybridBoundary {
		vb[jj] = op.vbq[(q*HybridBoundary+jj)*B+b]
	}
	a0 := op.a0BS(b, B)
	var sys hsSys
	k.system(&x, &vb, &a0, &sys)
	k.load(&gx, g, b, B)
	const dt = exactDt
	// synapse decay
	var gA, gB [maxExactChannels]float64
	for c := range C {
		gA[c] = gx[k.iA+c] * k.decayA[c]
		gB[c] = gx[k.iB+c] * k.decayB[c]
	}
	vn := d[B+b]
	gv1n := gx[1]
	var q6, dq6 [6]float64
	for ti := range k.tables {
		t := &k.tables[ti]
		t.tab.Lookup(vn, q6[:], dq6[:])
		for gi, idx := range t.idx {
			c := t.col[gi]
			F := f[(t.slot0+gi)*B+b]
			gxp := gx[idx]
			inf, tau := q6[c], q6[c+1]
			gs[idx] = gxp * (1 - F)
			gF := gxp * (inf - x[idx])
			gtau := -gF * (1 - F) * dt / (tau * tau)
			gv1n += gxp*F*dq6[c] + gtau*dq6[c+1]
		}
	}
	if k.iCai >= 0 {
		cain := d[k.iCai*B+b]
		gcai := gx[k.iCai]
		// kca at the new cai
		a := neuron.KcaRa * cain
		den := a + neuron.KcaRb
		inf := a / den
		tau := 1 / k.tadj / den
		F := f[(nG-1)*B+b]
		gxp := gx[k.iKca]
		gs[k.iKca] = gxp * (1 - F)
		gF := gxp * (inf - x[k.iKca])
		gtau := -gF * (1 - F) * dt / (tau * tau)
		dinf := neuron.KcaRa * neuron.KcaRb / (den * den)
		dtau := -neuron.KcaRa / (k.tadj * den * den)
		gcai += gxp*F*dinf + gtau*dtau
		// cad
		gs[k.iCai] = gcai * (1 - k.cadDecay)
		gica := 0.0
		if k.cadScale*sys.ica > 0 {
			gica = gcai * k.cadDecay * k.cadTauR * k.cadScale
		}
		sys.ica = gica // reused below as the adjoint of ica
	}
	// v' = v + M⁻¹·rhs
	gvn := [hsNodes]float64{gx[0], gv1n, gx[2]}
	lam := k.hines(&sys.d, &gvn)
	var gdg [hsNodes]float64
	for i := range hsNodes {
		gdg[i] = -lam[i] * sys.dv[i]
	}
	gsv := gvn
	for jj := range HybridBoundary {
		r, G, h0 := k.att[jj], k.gb[jj], k.h[jj][0]
		lg := lam[r] * G
		gvb[jj] = lg
		gsv[r] += lg * (h0 - 1)
		ga0[jj] = -lg * h0
	}
	gsv[0] += k.g1 * (lam[1] - lam[0])
	gsv[1] -= k.g1 * (lam[1] - lam[0])
	gsv[1] += k.g2 * (lam[2] - lam[1])
	gsv[2] -= k.g2 * (lam[2] - lam[1])
	v1 := x[1]
	l1, gd1 := lam[1], gdg[1]
	for c := range C {
		gsy := x[k.iB+c] - x[k.iA+c]
		ggs := gd1 - l1*(v1-k.e[c])
		gB[c] += ggs
		gA[c] -= ggs
		gsv[1] -= l1 * gsy
	}
	a := k.aScale
	gsv[1] -= a * l1 * sys.gmem
	cond := func(E float64) float64 { return a * (gd1 - l1*(v1-E)) }
	m, h, n := x[k.iM], x[k.iH], x[k.iN]
	ggna := cond(neuron.HH2ENa)
	ggk := cond(neuron.HH2EK)
	gs[k.iM] += 3 * k.gnabar * m * m * h * ggna
	gs[k.iH] += k.gnabar * m * m * m * ggna
	gs[k.iN] += 4 * k.gkbar * n * n * n * ggk
	if k.hasKm {
		gs[k.iKm] += k.kmbar * ggk
	}
	if k.hasCa {
		gica := sys.ica
		ggc := cond(sys.eca) + gica*(v1-sys.eca)
		gc := sys.gca
		gsv[1] += gica * gc
		if cai := x[k.iCai]; cai > 0 {
			geca := l1*a*gc - gica*gc
			gs[k.iCai] += geca * (-k.nernst.Half() / cai)
		}
		mm := x[k.iCaM]
		gs[k.iCaM] += 2 * k.cabar * mm * x[k.iCaH] * ggc
		gs[k.iCaH] += k.cabar * mm * mm * ggc
		gs[k.iKca] += k.kcabar * ggk
	}
	if k.hasCt {
		ggt := cond(neuron.CatERev)
		mt := x[k.iCatM]
		gs[k.iCatM] += 2 * k.catbar * mt * x[k.iCatH] * ggt
		gs[k.iCatH] += k.catbar * mt * mt * ggt
	}
	if k.hasAr {
		gs[k.iArM] += k.arbar * cond(neuron.ArERev)
	}
	for i := range hsNodes {
		g[i*B+b] = gsv[i]
	}
	for i := hsNodes; i < k.iA; i++ {
		g[i*B+b] = gs[i]
	}
	for c := range C {
		g[(k.iA+c)*B+b] = gA[c]
		g[(k.iB+c)*B+b] = gB[c]
	}
	if event {
		for c := range C {
			gw[c*B+b] = k.factor[c] * (gA[c] + gB[c])
		}
	}
}
