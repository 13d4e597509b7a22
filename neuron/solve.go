package neuron

// The Hines solve. Back elimination and forward substitution are serial recurrences along
// the tree, each step waiting on the previous one (a division, then multiplications), so
// their time is the latency of the longest chain of dependent steps. solveSerial takes
// the nodes in order, one chain; solveTwoLane advances two independent parts of the tree
// in lock-step — lane A the unbranched run of nodes 1..hiA from the root, lane B every
// node above it in solveSerial's order — so the processor overlaps the two chains. Every
// node sees the operations of solveSerial with the same operands in the same order
// (solvePlan's offsets make every cross-lane contribution arrive before it is read), so
// the results are bit-identical.

// solve performs Hines elimination on the tree (parents precede children), leaves the
// voltage change in rhs and adds it to v (d is overwritten with reciprocal pivots).
func (c *Cell) solve() {
	if c.plan.two {
		c.solveTwoLane(false)
	} else {
		c.solveSerial()
	}
}

// solveDipole is solve followed by computeDipole: it returns the dipole (fAm) of the new
// voltages. With the two-lane solve the dipole's terms along lane A are summed as the
// forward substitution finalises the voltages, in computeDipole's order.
func (c *Cell) solveDipole() float64 {
	if c.plan.two && c.desc.Dipole {
		return c.solveTwoLane(true)
	}
	c.solve()
	return c.computeDipole()
}

// solveSerial performs Hines elimination on the tree (parents precede children), leaves the
// voltage change in rhs and adds it to v (d is overwritten with reciprocal pivots). Along
// unbranched runs (parent = previous node) the pivot and right-hand side being eliminated
// stay in registers instead of going through memory; the operations and their order are
// those of the plain recurrences, so the results are bit-identical to them.
func (c *Cell) solveSerial() {
	n := len(c.d)
	if n == 0 {
		return
	}
	d, rhs, g, par, v := c.d[:n], c.rhs[:n], c.gAx[:n], c.parent[:n], c.v[:n]
	di, ri := d[n-1], rhs[n-1]
	for i := n - 1; i >= 1; i-- {
		rhs[i] = ri
		inv := 1 / di
		d[i] = inv
		gi := g[i]
		f := gi * inv
		if p := int(par[i]); p == i-1 {
			di = d[p] - f*gi
			ri = rhs[p] + f*ri
		} else {
			d[p] -= f * gi
			rhs[p] += f * ri
			di, ri = d[i-1], rhs[i-1]
		}
	}
	d[0] = di
	prev := ri / di
	rhs[0] = prev
	v[0] += prev
	for i := 1; i < n; i++ {
		rp := prev
		if p := int(par[i]); p != i-1 {
			rp = rhs[p]
		}
		prev = (rhs[i] + g[i]*rp) * d[i]
		rhs[i] = prev
		v[i] += prev
	}
}

// solvePlan is the schedule of solveTwoLane: lane A's top node and the iteration at which
// each lane starts in the back elimination and in the forward substitution.
type solvePlan struct {
	two          bool // solveTwoLane applies and is shorter than solveSerial
	hiA          int  // lane A: nodes 1..hiA, each the parent of the next
	backA, backB int
	fwdA, fwdB   int
}

// planSolve returns the two-lane schedule for the tree par (parents precede children),
// with the start offsets that give the fewest lock-step iterations, or a plan with two
// false when none is shorter than the serial n-1 steps of each sweep.
func planSolve(par []int32) solvePlan {
	n := len(par)
	hi := 0
	for hi+1 < n && int(par[hi+1]) == hi {
		hi++
	}
	nB := n - 1 - hi
	if hi == 0 || nB == 0 {
		return solvePlan{}
	}
	// backOK: every contribution of a lane-B node into lane A (B runs first in an
	// iteration) is made no later than the iteration in which A reads that node's pivot.
	backOK := func(offA, offB int) bool {
		for j := n - 1; j > hi; j-- {
			p := int(par[j])
			if p > hi {
				continue
			}
			iterB := offB + (n - 1 - j)
			read := offA // lane A loads node hi when it starts
			if p < hi {
				read = offA + hi - (p + 1) // and node p while eliminating node p+1
			}
			if iterB > read {
				return false
			}
		}
		return true
	}
	// fwdOK: lane A (first in an iteration) solves every lane-A parent of a lane-B node no
	// later than the iteration in which B reads it.
	fwdOK := func(offA, offB int) bool {
		for j := hi + 1; j < n; j++ {
			if p := int(par[j]); p >= 1 && p <= hi && offA+p-1 > offB+(j-hi-1) {
				return false
			}
		}
		return true
	}
	best := func(ok func(a, b int) bool) (offA, offB, length int) {
		length = -1
		for off := 0; off < n; off++ {
			for _, o := range [2][2]int{{off, 0}, {0, off}} {
				if l := max(o[0]+hi, o[1]+nB); ok(o[0], o[1]) && (length < 0 || l < length) {
					offA, offB, length = o[0], o[1], l
				}
			}
		}
		return
	}
	pl := solvePlan{hiA: hi}
	var lb, lf int
	pl.backA, pl.backB, lb = best(backOK)
	pl.fwdA, pl.fwdB, lf = best(fwdOK)
	pl.two = lb >= 0 && lf >= 0 && lb < n-1 && lf < n-1
	return pl
}

// solveTwoLane is solveSerial with lanes A and B advanced in lock-step by plan c.plan.
// With dip it also returns computeDipole's sum of the new voltages (else 0): lane A's
// terms (nodes 1..hiA, each final once the forward substitution has passed it and its
// parent) during the forward substitution, then the others, in node order.
func (c *Cell) solveTwoLane(dip bool) float64 {
	pl := &c.plan
	n := len(c.d)
	d, rhs, g, par, v := c.d[:n], c.rhs[:n], c.gAx[:n], c.parent[:n], c.v[:n]
	hi := pl.hiA
	// back elimination: lane B from n-1 down to hi+1 as solveSerial, lane A from hi down
	// to 1 (each node's parent is the next)
	a, b := hi, n-1
	dB, rB := d[b], rhs[b]
	var dA, rA float64
	for t := 0; a >= 1 || b > hi; t++ {
		if t >= pl.backB && b > hi {
			rhs[b] = rB
			inv := 1 / dB
			d[b] = inv
			gb := g[b]
			f := gb * inv
			if p := int(par[b]); p == b-1 {
				dB = d[p] - f*gb
				rB = rhs[p] + f*rB
			} else {
				d[p] -= f * gb
				rhs[p] += f * rB
				dB, rB = d[b-1], rhs[b-1]
			}
			b--
		}
		if t == pl.backA {
			dA, rA = d[hi], rhs[hi]
		}
		if t >= pl.backA && a >= 1 {
			rhs[a] = rA
			inv := 1 / dA
			d[a] = inv
			ga := g[a]
			f := ga * inv
			dA = d[a-1] - f*ga
			rA = rhs[a-1] + f*rA
			a--
		}
	}
	d[0] = dA
	prevA := rA / dA
	rhs[0] = prevA
	v[0] += prevA
	// forward substitution: lane A from 1 up to hi, lane B from hi+1 up as solveSerial
	a, b = 1, hi+1
	prevB := 0.0
	q, dk := 0.0, c.dipK[:n]
	for t := 0; a <= hi || b < n; t++ {
		if t >= pl.fwdA && a <= hi {
			prevA = (rhs[a] + g[a]*prevA) * d[a]
			rhs[a] = prevA
			va := v[a] + prevA
			v[a] = va
			if dip {
				q += dk[a] * (v[a-1] - va)
			}
			a++
		}
		if t >= pl.fwdB && b < n {
			rp := prevB
			if p := int(par[b]); p != b-1 {
				rp = rhs[p]
			}
			prevB = (rhs[b] + g[b]*rp) * d[b]
			rhs[b] = prevB
			v[b] += prevB
			b++
		}
	}
	if dip {
		for i := hi + 1; i < n; i++ {
			q += dk[i] * (v[par[i]] - v[i])
		}
	}
	return q
}
