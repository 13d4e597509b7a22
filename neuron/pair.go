package neuron

import "slices"

// Pairable reports whether AdvancePair interleaves the solves of a and b: distinct cells
// with the same tree (parents), both using the two-lane solve (the pyramidal cells).
func Pairable(a, b *Cell) bool {
	return a != b && a.plan.two && a.plan == b.plan && slices.Equal(a.parent, b.parent)
}

// AdvancePair advances cells a and b by one step each, with exactly the results of
// a.Advance() then b.Advance(). When the cells are Pairable their Hines solves run
// interleaved, so that the processor overlaps the two cells' chains of dependent
// operations (the solve is latency-bound); the other phases run cell by cell.
func AdvancePair(a, b *Cell) {
	if !Pairable(a, b) {
		a.Advance()
		b.Advance()
		return
	}
	for _, c := range [2]*Cell{a, b} {
		c.deliverEvents(c.t + 0.5*c.dt)
		c.t += 0.5 * c.dt
		c.setupMatrix()
	}
	a.dipole, b.dipole = solvePair(a, b)
	for _, c := range [2]*Cell{a, b} {
		c.gatherV()
		c.updateStates()
		c.t += 0.5 * c.dt
	}
}

// solvePair is solveTwoLane (with the dipole where the cell has one) for x and y, which
// share the tree and plan, their steps interleaved; each cell sees solveTwoLane's
// operations in its order. It returns the cells' dipoles (fAm; 0 without one).
func solvePair(x, y *Cell) (qx, qy float64) {
	pl := &x.plan
	n := len(x.d)
	par := x.parent[:n]
	xd, xr, xg, xv := x.d[:n], x.rhs[:n], x.gAx[:n], x.v[:n]
	yd, yr, yg, yv := y.d[:n], y.rhs[:n], y.gAx[:n], y.v[:n]
	hi := pl.hiA
	a, b := hi, n-1
	xdB, xrB := xd[b], xr[b]
	ydB, yrB := yd[b], yr[b]
	var xdA, xrA, ydA, yrA float64
	for t := 0; a >= 1 || b > hi; t++ {
		if t >= pl.backB && b > hi {
			xr[b] = xrB
			yr[b] = yrB
			xinv, yinv := 1/xdB, 1/ydB
			xd[b], yd[b] = xinv, yinv
			xgb, ygb := xg[b], yg[b]
			xf, yf := xgb*xinv, ygb*yinv
			if p := int(par[b]); p == b-1 {
				xdB = xd[p] - xf*xgb
				ydB = yd[p] - yf*ygb
				xrB = xr[p] + xf*xrB
				yrB = yr[p] + yf*yrB
			} else {
				xd[p] -= xf * xgb
				yd[p] -= yf * ygb
				xr[p] += xf * xrB
				yr[p] += yf * yrB
				xdB, xrB = xd[b-1], xr[b-1]
				ydB, yrB = yd[b-1], yr[b-1]
			}
			b--
		}
		if t == pl.backA {
			xdA, xrA = xd[hi], xr[hi]
			ydA, yrA = yd[hi], yr[hi]
		}
		if t >= pl.backA && a >= 1 {
			xr[a] = xrA
			yr[a] = yrA
			xinv, yinv := 1/xdA, 1/ydA
			xd[a], yd[a] = xinv, yinv
			xga, yga := xg[a], yg[a]
			xf, yf := xga*xinv, yga*yinv
			xdA = xd[a-1] - xf*xga
			ydA = yd[a-1] - yf*yga
			xrA = xr[a-1] + xf*xrA
			yrA = yr[a-1] + yf*yrA
			a--
		}
	}
	xd[0], yd[0] = xdA, ydA
	xpA, ypA := xrA/xdA, yrA/ydA
	xr[0], yr[0] = xpA, ypA
	xv[0] += xpA
	yv[0] += ypA
	xdip, ydip := x.desc.Dipole, y.desc.Dipole
	xk, yk := x.dipK[:n], y.dipK[:n]
	a, b = 1, hi+1
	xpB, ypB := 0.0, 0.0
	for t := 0; a <= hi || b < n; t++ {
		if t >= pl.fwdA && a <= hi {
			xpA = (xr[a] + xg[a]*xpA) * xd[a]
			ypA = (yr[a] + yg[a]*ypA) * yd[a]
			xr[a], yr[a] = xpA, ypA
			xva, yva := xv[a]+xpA, yv[a]+ypA
			xv[a], yv[a] = xva, yva
			if xdip {
				qx += xk[a] * (xv[a-1] - xva)
			}
			if ydip {
				qy += yk[a] * (yv[a-1] - yva)
			}
			a++
		}
		if t >= pl.fwdB && b < n {
			xrp, yrp := xpB, ypB
			if p := int(par[b]); p != b-1 {
				xrp, yrp = xr[p], yr[p]
			}
			xpB = (xr[b] + xg[b]*xrp) * xd[b]
			ypB = (yr[b] + yg[b]*yrp) * yd[b]
			xr[b], yr[b] = xpB, ypB
			xv[b] += xpB
			yv[b] += ypB
			b++
		}
	}
	for i := hi + 1; i < n; i++ {
		p := par[i]
		if xdip {
			qx += xk[i] * (xv[p] - xv[i])
		}
		if ydip {
			qy += yk[i] * (yv[p] - yv[i])
		}
	}
	return qx, qy
}
