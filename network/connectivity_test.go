package network

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

func TestDefaultConnectivityCounts(t *testing.T) {
	n := erpNetwork(t, 10)
	pairs := map[string]int{}
	netcons := map[string]int{}
	for _, c := range n.CellConnections() {
		src, tgt := n.Column.Cells[c.Src].Type, n.Column.Cells[c.Tgt].Type
		k := ClassName(src, tgt, c.Receptor, "")
		if len(c.Sections) == 1 && c.Sections[0] == neuron.SecApicalTuft {
			k += "distal"
		}
		pairs[k]++
		netcons[k] += len(c.Sections)
	}
	for _, w := range []struct {
		key           string
		pairs, netcon int
	}{
		{"L2Pyr_L2Pyr_nmda_", 9900, 29700},
		{"L5Pyr_L5Pyr_ampa_", 9900, 29700},
		{"L2Basket_L2Pyr_gabaa_", 3500, 3500},
		{"L2Pyr_L5Pyr_ampa_", 10000, 30000},
		{"L2Pyr_L5Pyr_ampa_distal", 10000, 10000},
		{"L2Basket_L2Basket_gabaa_", 1225, 1225},
		{"L5Basket_L5Basket_gabaa_", 1190, 1190},
		{"L2Pyr_L5Basket_ampa_", 3500, 3500},
	} {
		if pairs[w.key] != w.pairs || netcons[w.key] != w.netcon {
			t.Errorf("%s: %d pairs / %d NetCons, want %d / %d", w.key, pairs[w.key], netcons[w.key], w.pairs, w.netcon)
		}
	}
	if len(n.Connectivity.Classes) != 16 {
		t.Errorf("%d default classes, want 16", len(n.Connectivity.Classes))
	}
}

func TestGaussianWeightDelayExamples(t *testing.T) {
	near := func(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }
	// L2Pyr→L2Pyr AMPA between grid neighbours and two apart (spec 12.4).
	w, d := GaussianWeightDelay(0.0005, 1, 3, 1, Position{0, 0, 0}, Position{0, 1, 0})
	if !near(w, 0.0004474196584, 1e-10) || !near(d, 1.1175190687, 1e-10) {
		t.Errorf("d=1: weight %v delay %v", w, d)
	}
	w, d = GaussianWeightDelay(0.0005, 1, 3, 1, Position{0, 0, 0}, Position{0, 2, 0})
	if !near(w, 0.0003205901942, 1e-10) || !near(d, 1.5596234976, 1e-10) {
		t.Errorf("d=2: weight %v delay %v", w, d)
	}
	// evprox1 → L5 pyramidal gid 170 at (0, 0) from the origin (4, 4).
	n := erpNetwork(t, 10)
	found := false
	for _, c := range n.DriveConnections(1) {
		if c.Tgt == 170 {
			found = true
			if c.Src != 505+170 || !near(c.Weight, 2.470915818e-4, 1e-9) || !near(c.Delay, 35.007263, 1e-7) || len(c.Sections) != 3 {
				t.Errorf("evprox1 → 170: %+v", c)
			}
		}
	}
	if !found {
		t.Error("no evprox1 connection onto gid 170")
	}
	// Scaling the grid spacing scales the space constants: same weights.
	w1, d1 := GaussianWeightDelay(1, 1, 3, 2.5, Position{0, 0, 0}, Position{2.5, 5, 0})
	w2, d2 := GaussianWeightDelay(1, 1, 3, 1, Position{0, 0, 0}, Position{1, 2, 0})
	if !near(w1, w2, 1e-14) || !near(d1, d2, 1e-14) {
		t.Errorf("spacing changes weights: %v %v vs %v %v", w1, d1, w2, d2)
	}
}

func TestConnectivityGainsAndEditing(t *testing.T) {
	c := DefaultConnectivity()
	c.Gains = Gains{EE: 2, EI: 3, IE: 5, II: 7}
	if err := c.SetGain("L2Basket_L2Basket_gabaa_soma", 0.5); err != nil {
		t.Fatal(err)
	}
	for i, cc := range c.Classes {
		want := map[GainKind]float64{GainEE: 2, GainEI: 3, GainIE: 5, GainII: 7}[cc.Kind()]
		if cc.Name == "L2Basket_L2Basket_gabaa_soma" {
			want *= 0.5
		}
		if got := c.EffectiveGain(i); got != want {
			t.Errorf("%s (%v): gain %v, want %v", cc.Name, cc.Kind(), got, want)
		}
	}
	col, _ := NewColumn(3, 3)
	n, err := NewNetwork(col, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cn := range n.CellConnections() {
		// The L2 basket autapse has d = 0: weight = 0.02 · 0.5 · 7.
		if cn.Src == cn.Tgt && math.Abs(cn.Weight-0.07) > 1e-15 {
			t.Errorf("autapse weight %v, want 0.07", cn.Weight)
		}
	}
	if err := c.Remove("L5Basket_L5Basket_gabaa_soma"); err != nil || len(c.Classes) != 15 {
		t.Errorf("remove: %v, %d classes", err, len(c.Classes))
	}
	bad := ConnectionClass{Name: "x", Source: neuron.L5Pyramidal, Target: neuron.L5Basket, Location: neuron.Distal, Receptor: neuron.AMPA, Weight: 1, Delay: 1, Lamtha: 3, Gain: 1}
	if err := c.Add(bad); err == nil || !strings.Contains(err.Error(), "distal") {
		t.Errorf("distal onto L5 basket: %v", err)
	}
	bad.Location, bad.Receptor = neuron.SecSoma, neuron.GABAB
	if err := c.Add(bad); err == nil || !strings.Contains(err.Error(), "gabab") {
		t.Errorf("GABAB onto a basket: %v", err)
	}
	bad.Receptor = neuron.AMPA
	if err := c.Add(bad); err != nil {
		t.Errorf("valid class rejected: %v", err)
	}
	if err := c.Add(bad); err == nil {
		t.Error("duplicate class name accepted")
	}
}

func TestConnectivityJSONRoundTrip(t *testing.T) {
	c := DefaultConnectivity()
	c.Gains.IE = 1.5
	c.Classes[3].Gain = 0.25
	var buf bytes.Buffer
	if err := c.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadConnectivity(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Classes) != len(c.Classes) || back.Gains != c.Gains {
		t.Fatalf("round trip changed gains or classes: %+v", back.Gains)
	}
	for i := range c.Classes {
		if !reflect.DeepEqual(back.Classes[i], c.Classes[i]) {
			t.Errorf("class %d: %+v, want %+v", i, back.Classes[i], c.Classes[i])
		}
	}
	// Defaults for absent fields, and errors.
	minimal := `{"classes": [{"name": "a", "source": "L2Pyr", "target": "L2_basket", "location": "soma", "receptor": "ampa", "weight": 0.001, "lamtha": 3}], "gains": {"e_i": 2}}`
	m, err := ReadConnectivity(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if cc := m.Classes[0]; cc.Delay != 1 || cc.Gain != 1 || m.Gains != (Gains{EE: 1, EI: 2, IE: 1, II: 1}) {
		t.Errorf("defaults not applied: %+v %+v", cc, m.Gains)
	}
	for _, bad := range []string{
		`{"classes": [{"name": "a", "source": "L3_pyramidal"}]}`,
		`{"classes": [], "gain": {}}`,
		`{"classes": [{"name": "a", "source": "L2Pyr", "target": "L2Pyr", "location": "soma", "receptor": "ampa", "weight": 1, "lamtha": 3}]}`,
		`{"gains": {}}`,
		`[1, 2]`,
	} {
		if _, err := ReadConnectivity(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// The config.json written by "simulate network" holds the connectivity
// under "connectivity" and the drives under "drives"; both read back.
func TestReadFromRunConfig(t *testing.T) {
	conn := DefaultConnectivity()
	conn.Gains.EE = 0.5
	var cb, db bytes.Buffer
	conn.WriteJSON(&cb)
	WriteDrives(&db, ERPDrives())
	cfg := `{"mesh": [3, 3], "connectivity": ` + cb.String() + `, "drives": ` + db.String() + `}`
	back, err := ReadConnectivity(strings.NewReader(cfg))
	if err != nil || back.Gains.EE != 0.5 || len(back.Classes) != 16 {
		t.Fatalf("connectivity from config: %v", err)
	}
	drives, err := ReadDrives(strings.NewReader(cfg))
	if err != nil || len(drives) != 3 || drives[2].Name != "evprox2" {
		t.Fatalf("drives from config: %v", err)
	}
	var one Drive
	if err := json.Unmarshal([]byte(`{"name": "p", "type": "poisson", "rate_constant": 3, "location": "distal", "weights_ampa": {"L2_pyramidal": 0.001}}`), &one); err != nil {
		t.Fatal(err)
	}
	if one.Rate != 3 || !one.CellSpecific || one.SpaceConstant != 100 || one.SynapticDelays[neuron.L2Pyramidal] != 0.1 {
		t.Errorf("json.Unmarshal of a drive: %+v", one)
	}
}
