package kernel

import "fmt"

// LSTMCell applies the pointwise part of an LSTM step to a batch.
//
// gates is batch x 4*hidden, row-major, holding for each sample the gate
// pre-activations in PyTorch order [i f g o] (the sum x*W_ih^T + h*W_hh^T + b).
// LSTMCell overwrites gates in place with the activated values
// i = sigmoid, f = sigmoid, g = tanh, o = sigmoid, and writes, each batch x
// hidden,
//
//	c     = f*cPrev + i*g
//	tanhC = tanh(c)
//	h     = o*tanhC
//
// cPrev may be nil for a zero initial cell state. c may alias cPrev. The
// activated gates and tanhC are what LSTMCellBackward needs.
func LSTMCell[T Float](gates, cPrev, c, h, tanhC []T, batch, hidden int) {
	checkLSTM("LSTMCell", batch, hidden, gates, cPrev, c, h, tanhC)
	if is32[T]() {
		lstmForward(&active.f32, as32(gates), nil, as32(cPrev), as32(c), as32(h), as32(tanhC), batch, hidden)
	} else {
		lstmForward(&active.f64, as64(gates), nil, as64(cPrev), as64(c), as64(h), as64(tanhC), batch, hidden)
	}
}

// LSTMCellBias is LSTMCell on the pre-activations gates + bias: bias holds
// 4*hidden values ([i f g o], like a row of gates) added to every row, each
// sum rounded once, the value a GEMM with beta 1 onto rows holding the bias
// leaves. gates is overwritten with the activated gates, as by LSTMCell.
func LSTMCellBias[T Float](gates, bias, cPrev, c, h, tanhC []T, batch, hidden int) {
	checkLSTM("LSTMCellBias", batch, hidden, gates, cPrev, c, h, tanhC)
	if len(bias) < 4*hidden {
		panic(fmt.Sprintf("kernel: LSTMCellBias bias has %d elements, need %d", len(bias), 4*hidden))
	}
	bias = bias[:4*hidden]
	if is32[T]() {
		lstmForward(&active.f32, as32(gates), as32(bias), as32(cPrev), as32(c), as32(h), as32(tanhC), batch, hidden)
	} else {
		lstmForward(&active.f64, as64(gates), as64(bias), as64(cPrev), as64(c), as64(h), as64(tanhC), batch, hidden)
	}
}

func lstmForward[T Float](o *ops[T], gates, bias, cPrev, c, h, tanhC []T, batch, hidden int) {
	lstmForwardTails(o, gates, bias, cPrev, c, h, tanhC, batch, hidden, true)
}

// lstmForwardTails is lstmForward (bias nil: none). With batched, the
// units past the fused kernel's whole vectors (8 of an LSTM of hidden size
// 40 on 16 lanes) run in the whole-row kernel's masked vector (AVX-512), or
// else are gathered from all rows and run through the vector routines
// together (lstmTails), not row by row (batched false): the same values, bit
// for bit.
func lstmForwardTails[T Float](o *ops[T], gates, bias, cPrev, c, h, tanhC []T, batch, hidden int, batched bool) {
	hh := hidden
	if batched && cPrev != nil && o.lstmRow != nil && o.lstmRowBias != nil && hh > 0 {
		for s := 0; s < batch; s++ {
			g := gates[s*4*hh : (s+1)*4*hh]
			r := s * hh
			if bias != nil {
				o.lstmRowBias(g, bias, cPrev[r:r+hh], c[r:r+hh], h[r:r+hh], tanhC[r:r+hh])
			} else {
				o.lstmRow(g, cPrev[r:r+hh], c[r:r+hh], h[r:r+hh], tanhC[r:r+hh])
			}
		}
		return
	}
	fused := o.lstmForward != nil && cPrev != nil && (bias == nil || o.lstmForwardBias != nil)
	batched = batched && fused && o.sigmoid != nil && o.tanh != nil
	for s := 0; s < batch; s++ {
		g := gates[s*4*hh : (s+1)*4*hh]
		cs, hs, ts := c[s*hh:(s+1)*hh], h[s*hh:(s+1)*hh], tanhC[s*hh:(s+1)*hh]
		j := 0
		if fused {
			j = simdLen(hh, o.lanes)
			if bias != nil {
				o.lstmForwardBias(g, bias, cPrev[s*hh:(s+1)*hh], cs, hs, ts, j)
			} else {
				o.lstmForward(g, cPrev[s*hh:(s+1)*hh], cs, hs, ts, j)
			}
		}
		if j == hh || batched {
			continue
		}
		// The remaining units, through the vector routines.
		ig, fg, gg, og := g[j:hh], g[hh+j:2*hh], g[2*hh+j:3*hh], g[3*hh+j:]
		if bias != nil {
			for q, gate := range [4][]T{ig, fg, gg, og} {
				for u, b := range bias[q*hh+j : (q+1)*hh] {
					gate[u] += b
				}
			}
		}
		unaryOps(o, fnSigmoid, ig, ig)
		unaryOps(o, fnSigmoid, fg, fg)
		unaryOps(o, fnTanh, gg, gg)
		unaryOps(o, fnSigmoid, og, og)
		cs, hs, ts = cs[j:], hs[j:], ts[j:]
		if cPrev != nil {
			binaryOps(o, opMul, cs, fg, cPrev[s*hh+j:(s+1)*hh])
			binaryOps(o, opMulAdd, cs, ig, gg)
		} else {
			binaryOps(o, opMul, cs, ig, gg)
		}
		unaryOps(o, fnTanh, ts, cs)
		binaryOps(o, opMul, hs, og, ts)
	}
	if j := simdLen(hh, o.lanes); batched && j < hh {
		lstmTails(o, gates, bias, cPrev, c, h, tanhC, batch, hh, j)
	}
}

// lstmTailChunk is the number of tail units lstmTails gathers at a time (a
// multiple of every vector width).
const lstmTailChunk = 256

// lstmTailBuf is lstmTails' gather memory: 5 × lstmTailChunk elements.
type lstmTailBuf[T Float] struct{ b []T }

var lstmTailPools struct {
	f32 freeList[lstmTailBuf[float32]]
	f64 freeList[lstmTailBuf[float64]]
}

func lstmTailPool[T Float]() *freeList[lstmTailBuf[T]] {
	if is32[T]() {
		return any(&lstmTailPools.f32).(*freeList[lstmTailBuf[T]])
	}
	return any(&lstmTailPools.f64).(*freeList[lstmTailBuf[T]])
}

// lstmTails computes units j..hidden−1 of every row of LSTMCell (cPrev
// given; bias, when not nil, added to the gates first): it gathers those
// units' gates from as many rows as fit in a chunk, activates them with
// whole-vector calls of the vector routines (elementwise, so the same values
// as a row's tail padded to one vector), and computes c, tanh(c) and h as
// the row-by-row path does (c = f*cPrev, then c += i*g).
func lstmTails[T Float](o *ops[T], gates, bias, cPrev, c, h, tanhC []T, batch, hidden, j int) {
	hh, tail := hidden, hidden-j
	pool := lstmTailPool[T]()
	buf := pool.get()
	if len(buf.b) < 5*lstmTailChunk {
		buf.b = make([]T, 5*lstmTailChunk)
	}
	ib, fb := buf.b[:lstmTailChunk], buf.b[lstmTailChunk:2*lstmTailChunk]
	gb, ob := buf.b[2*lstmTailChunk:3*lstmTailChunk], buf.b[3*lstmTailChunk:4*lstmTailChunk]
	cb := buf.b[4*lstmTailChunk : 5*lstmTailChunk]
	rows := lstmTailChunk / tail
	var bi, bf, bg, bo []T
	if bias != nil {
		bi, bf, bg, bo = bias[j:hh], bias[hh+j:2*hh], bias[2*hh+j:3*hh], bias[3*hh+j:]
	}
	for s0 := 0; s0 < batch; s0 += rows {
		s1 := min(batch, s0+rows)
		k := 0
		for s := s0; s < s1; s++ {
			g := gates[s*4*hh : (s+1)*4*hh]
			gi, gf, gg, gO := g[j:hh], g[hh+j:2*hh], g[2*hh+j:3*hh], g[3*hh+j:]
			di, df, dg, dO := ib[k:k+tail], fb[k:k+tail], gb[k:k+tail], ob[k:k+tail]
			if bias != nil {
				for u := range di {
					di[u], df[u], dg[u], dO[u] = gi[u]+bi[u], gf[u]+bf[u], gg[u]+bg[u], gO[u]+bo[u]
				}
			} else {
				for u := range di {
					di[u], df[u], dg[u], dO[u] = gi[u], gf[u], gg[u], gO[u]
				}
			}
			k += tail
		}
		m := k + (o.lanes-k%o.lanes)%o.lanes // whole vectors; the padding is scratch
		o.sigmoid(ib[:m], ib[:m])
		o.sigmoid(fb[:m], fb[:m])
		o.tanh(gb[:m], gb[:m])
		o.sigmoid(ob[:m], ob[:m])
		k = 0
		for s := s0; s < s1; s++ {
			cp, cs := cPrev[s*hh+j:(s+1)*hh], c[s*hh+j:(s+1)*hh]
			fk, ik, gk, ck := fb[k:k+tail], ib[k:k+tail], gb[k:k+tail], cb[k:k+tail]
			for u := range cs {
				v := fk[u] * cp[u]
				v += ik[u] * gk[u]
				cs[u], ck[u] = v, v
			}
			k += tail
		}
		o.tanh(cb[:m], cb[:m])
		k = 0
		for s := s0; s < s1; s++ {
			g := gates[s*4*hh : (s+1)*4*hh]
			gi, gf, gg, gO := g[j:hh], g[hh+j:2*hh], g[2*hh+j:3*hh], g[3*hh+j:]
			di, df, dg, dO, ck := ib[k:k+tail], fb[k:k+tail], gb[k:k+tail], ob[k:k+tail], cb[k:k+tail]
			ts, hs := tanhC[s*hh+j:(s+1)*hh], h[s*hh+j:(s+1)*hh]
			for u := range hs {
				gi[u], gf[u], gg[u], gO[u] = di[u], df[u], dg[u], dO[u]
				ts[u] = ck[u]
				hs[u] = dO[u] * ck[u]
			}
			k += tail
		}
	}
	pool.put(buf)
}

// LSTMCellBackward is the gradient of LSTMCell.
//
// gates holds the activated gates [i f g o] as LSTMCell left them, cPrev the
// previous cell state (nil for zero) and tanhC = tanh(c). dh is dL/dh for this
// step's output h, and dc is the gradient reaching c from the future (dL/dc
// through the next step's cell, nil for none); the contribution through h is
// added here, so the total cell gradient is
//
//	dcTotal = dc + dh*o*(1-tanhC²).
//
// It writes (overwriting) dGates, batch x 4*hidden, the gradient with respect
// to the gate pre-activations:
//
//	di = dcTotal*g*i*(1-i)    df = dcTotal*cPrev*f*(1-f)
//	dg = dcTotal*i*(1-g²)     do = dh*tanhC*o*(1-o)
//
// and dcPrev = dcTotal*f (batch x hidden; skipped when dcPrev is nil). dGates
// may alias gates, and dcPrev may alias dc or cPrev.
func LSTMCellBackward[T Float](gates, cPrev, tanhC, dh, dc, dGates, dcPrev []T, batch, hidden int) {
	checkLSTM("LSTMCellBackward", batch, hidden, gates, cPrev, tanhC, dh, dc, dGates, dcPrev)
	if is32[T]() {
		lstmBackward(&active.f32, as32(gates), as32(cPrev), as32(tanhC), as32(dh), as32(dc), as32(dGates), as32(dcPrev), batch, hidden)
	} else {
		lstmBackward(&active.f64, as64(gates), as64(cPrev), as64(tanhC), as64(dh), as64(dc), as64(dGates), as64(dcPrev), batch, hidden)
	}
}

func lstmBackward[T Float](o *ops[T], gates, cPrev, tanhC, dh, dc, dGates, dcPrev []T, batch, hidden int) {
	hh := hidden
	for s := 0; s < batch; s++ {
		g := gates[s*4*hh : (s+1)*4*hh]
		ig, fg, gg, og := g[:hh], g[hh:2*hh], g[2*hh:3*hh], g[3*hh:4*hh]
		dg := dGates[s*4*hh : (s+1)*4*hh]
		dI, dF, dG, dO := dg[:hh], dg[hh:2*hh], dg[2*hh:3*hh], dg[3*hh:4*hh]
		ts, dhs := tanhC[s*hh:(s+1)*hh], dh[s*hh:(s+1)*hh]
		var cp, dcs, dcp []T
		if cPrev != nil {
			cp = cPrev[s*hh : (s+1)*hh]
		}
		if dc != nil {
			dcs = dc[s*hh : (s+1)*hh]
		}
		if dcPrev != nil {
			dcp = dcPrev[s*hh : (s+1)*hh]
		}
		j := 0
		if o.lstmBackward != nil && cp != nil && dcs != nil && dcp != nil {
			j = simdLen(hh, o.lanes)
			o.lstmBackward(g, dg, cp, ts, dhs, dcs, dcp, j)
		}
		for ; j < hh; j++ {
			i, f, gv, o, t, d := ig[j], fg[j], gg[j], og[j], ts[j], dhs[j]
			dct := d * o * (1 - t*t)
			if dcs != nil {
				dct += dcs[j]
			}
			var cv T
			if cp != nil {
				cv = cp[j]
			}
			dI[j] = dct * gv * i * (1 - i)
			dF[j] = dct * cv * f * (1 - f)
			dG[j] = dct * i * (1 - gv*gv)
			dO[j] = d * t * o * (1 - o)
			if dcp != nil {
				dcp[j] = dct * f
			}
		}
	}
}

// checkLSTM panics unless every non-nil slice is long enough: the first
// (gates) and any named dGates hold batch*4*hidden, the rest batch*hidden.
func checkLSTM[T Float](fn string, batch, hidden int, gates []T, rest ...[]T) {
	if batch < 0 || hidden < 0 {
		panic(fmt.Sprintf("kernel: %s with batch %d, hidden %d", fn, batch, hidden))
	}
	if len(gates) < batch*4*hidden {
		panic(fmt.Sprintf("kernel: %s gates has %d elements, need %d", fn, len(gates), batch*4*hidden))
	}
	for i, s := range rest {
		need := batch * hidden
		if fn == "LSTMCellBackward" && i == 4 { // dGates
			need *= 4
		}
		if s != nil && len(s) < need {
			panic(fmt.Sprintf("kernel: %s argument %d has %d elements, need %d", fn, i+2, len(s), need))
		}
	}
	if batch*hidden == 0 {
		return
	}
	if fn == "LSTMCell" && (rest[1] == nil || rest[2] == nil || rest[3] == nil) {
		panic("kernel: LSTMCell needs c, h and tanhC")
	}
	if fn == "LSTMCellBackward" && (rest[1] == nil || rest[2] == nil || rest[4] == nil) {
		panic("kernel: LSTMCellBackward needs tanhC, dh and dGates")
	}
}
