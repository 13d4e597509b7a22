package neuron

import (
	"math"
	"testing"
)

// TestRateTable checks that the exported tables are the simulator's (bit for bit against
// vtable.at), that Lookup's slopes are the segments' and that the Nernst potential is
// updateEca's.
func TestRateTable(t *testing.T) {
	for _, m := range []string{"hh2", "km", "ca", "cat", "ar"} {
		r, err := MechanismTable(m, 37)
		if err != nil {
			t.Fatal(err)
		}
		q, dq, q2, up := make([]float64, r.Cols()), make([]float64, r.Cols()), make([]float64, r.Cols()), make([]float64, r.Cols())
		for _, v := range []float64{-130, -99.5, -71.46, -65.3, -20.01, 0, 33.3, 45, 120} {
			r.Lookup(v, q, dq)
			r.Values(v, q2)
			o, th := r.t.index(v)
			// the slope: a forward difference (inside the segment holding v)
			const h = 1e-7
			r.Values(v+h, up)
			for c := range q {
				if want := r.t.at(o, th, c); q[c] != want || q2[c] != want {
					t.Errorf("%s col %d at %v mV: Lookup %v, Values %v, table %v", m, c, v, q[c], q2[c], want)
				}
				if fd := (up[c] - q[c]) / h; math.Abs(fd-dq[c]) > 1e-5*(1+math.Abs(dq[c])) {
					t.Errorf("%s col %d at %v mV: slope %v, difference %v", m, c, v, dq[c], fd)
				}
			}
		}
	}
	if _, err := MechanismTable("kca", 37); err == nil {
		t.Error("MechanismTable(kca): no error")
	}
	if _, err := MechanismTable("hh2", math.NaN()); err == nil {
		t.Error("MechanismTable at NaN °C: no error")
	}
	c, err := NewType(L5Pyramidal, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	n := NewCaNernst(37)
	for _, cai := range []float64{1e-4, 3.7e-4, 2e-3} {
		c.cai[0] = cai
		c.updateEcaGo()
		if e := n.E(cai); e != c.eca[0] {
			t.Errorf("eca at %v mM: %v, cell %v", cai, e, c.eca[0])
		}
	}
	if n.E(0) != 1e6 {
		t.Error("eca at cai 0")
	}
	if TempAdjust(37) != tablesFor(37).tadj {
		t.Error("TempAdjust")
	}
}
