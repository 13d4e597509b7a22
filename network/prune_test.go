package network

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// probabilityGolden holds the pairs hnn-core's _connection_probability
// keeps (testdata/hnncore/probability_golden.py, run on Debian's numpy).
type probabilityGolden struct {
	Cases []struct {
		Name        string           `json:"name"`
		Mesh        [2]int           `json:"mesh"`
		Probability float64          `json:"probability"`
		ConnSeed    int64            `json:"conn_seed"`
		GIDPairs    map[string][]int `json:"gid_pairs"`
	} `json:"cases"`
}

func readProbabilityGolden(t *testing.T) map[string]map[int][]int {
	data, err := os.ReadFile("../testdata/hnncore/probability_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g probabilityGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[int][]int{}
	for _, c := range g.Cases {
		m := map[int][]int{}
		for s, ts := range c.GIDPairs {
			k, _ := strconv.Atoi(s)
			m[k] = ts
		}
		out[c.Name] = m
	}
	if len(out) != 7 {
		t.Fatalf("%d golden cases, want 7", len(out))
	}
	return out
}

func pairMap(seq func(func(int, int) bool)) map[int][]int {
	m := map[int][]int{}
	for s, t := range seq {
		m[s] = append(m[s], t)
	}
	return m
}

func countPairs(m map[int][]int) int {
	n := 0
	for _, ts := range m {
		n += len(ts)
	}
	return n
}

// A network built here with probability < 1 has exactly the pairs hnn-core
// draws: cell-to-cell classes (both of numpy's choice algorithms), and
// cell-specific and all-to-all drives (conn_seed plus the target index).
func TestProbabilityMatchesHNNCore(t *testing.T) {
	golden := readProbabilityGolden(t)
	for _, tc := range []struct {
		name          string
		mesh          [2]int
		src, tgt      neuron.CellType
		autapses      bool
		p             float64
		seed          int64
		fractionBelow float64
	}{
		{"L2Pyr_L2Pyr 3x3", [2]int{3, 3}, neuron.L2Pyramidal, neuron.L2Pyramidal, false, 0.5, 3, 0},
		{"L2Bask_L2Pyr 3x3", [2]int{3, 3}, neuron.L2Basket, neuron.L2Pyramidal, true, 0.3, 0, 0},
		{"L5Pyr_L5Pyr 10x10", [2]int{10, 10}, neuron.L5Pyramidal, neuron.L5Pyramidal, false, 0.5, 7, 0},
		{"L2Pyr_L5Pyr 11x10 (tail shuffle)", [2]int{11, 10}, neuron.L2Pyramidal, neuron.L5Pyramidal, true, 0.5, 12345, 0},
	} {
		col, err := NewColumn(tc.mesh[0], tc.mesh[1])
		if err != nil {
			t.Fatal(err)
		}
		loc := neuron.Proximal
		rec := neuron.AMPA
		if tc.src.IsExcitatory() == false {
			loc, rec = neuron.SecSoma, neuron.GABAA
		}
		cc := ConnectionClass{Name: tc.name, Source: tc.src, Target: tc.tgt, Location: loc, Receptor: rec,
			Weight: 0.001, Delay: 1, Lamtha: 3, AllowAutapses: tc.autapses, Gain: 1, Probability: tc.p, ConnSeed: tc.seed}
		n, err := NewNetwork(col, &Connectivity{Classes: []ConnectionClass{cc}, Gains: UnitGains}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := pairMap(n.ClassPairs(0))
		want := golden[tc.name]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d pairs, hnn-core keeps %d; they differ", tc.name, countPairs(got), countPairs(want))
		}
		if c := slices.Collect(n.EachCellConnection()); len(c) != countPairs(want) {
			t.Errorf("%s: EachCellConnection gives %d connections, want %d", tc.name, len(c), countPairs(want))
		}
		// Not all-to-all, and a different seed draws differently.
		s0, s1 := col.Range(tc.src)
		t0, t1 := col.Range(tc.tgt)
		if countPairs(got) >= (s1-s0)*(t1-t0)-(s1-s0) {
			t.Errorf("%s: nothing was pruned", tc.name)
		}
		n.Connectivity.Classes[0].ConnSeed++
		if reflect.DeepEqual(pairMap(n.ClassPairs(0)), want) {
			t.Errorf("%s: conn_seed does not matter", tc.name)
		}
	}

	col, _ := NewColumn(3, 3)
	ev := NewEvokedDrive("ev", neuron.Proximal, 20, 1)
	ev.SetTarget(neuron.L2Basket, 0.01, 0.002, 0.1)
	ev.SetTarget(neuron.L2Pyramidal, 0.01, 0.002, 0.1)
	ev.Probability = map[neuron.CellType]float64{neuron.L2Basket: 0.5, neuron.L2Pyramidal: 0.5}
	b := NewBurstyDrive("b", neuron.Proximal, 10, 10, 2)
	b.NDriveCells = 5
	b.SetTarget(neuron.L5Pyramidal, 0.01, -1, 0.1)
	b.Probability = map[neuron.CellType]float64{neuron.L5Pyramidal: 0.3}
	for _, tc := range []struct {
		d     Drive
		cases map[neuron.CellType]string
	}{
		{ev, map[neuron.CellType]string{neuron.L2Basket: "drive ev -> L2_basket", neuron.L2Pyramidal: "drive ev -> L2_pyramidal"}},
		{b, map[neuron.CellType]string{neuron.L5Pyramidal: "drive b -> L5_pyramidal"}},
	} {
		n, err := NewNetwork(col, nil, []Drive{tc.d})
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := n.DriveRange(0); s != 24 {
			t.Fatalf("drive starts at gid %d, the golden file's at 24", s)
		}
		byRec := map[neuron.Receptor]map[neuron.CellType]map[int][]int{}
		for _, c := range n.DriveConnections(0) {
			ct := col.Cells[c.Tgt].Type
			if byRec[c.Receptor] == nil {
				byRec[c.Receptor] = map[neuron.CellType]map[int][]int{}
			}
			if byRec[c.Receptor][ct] == nil {
				byRec[c.Receptor][ct] = map[int][]int{}
			}
			byRec[c.Receptor][ct][c.Src] = append(byRec[c.Receptor][ct][c.Src], c.Tgt)
		}
		for ct, name := range tc.cases {
			got := byRec[neuron.AMPA][ct]
			for _, ts := range got {
				slices.Sort(ts)
			}
			if !reflect.DeepEqual(got, golden[name]) {
				t.Errorf("%s: %d pairs, hnn-core keeps %d; they differ", name, countPairs(got), countPairs(golden[name]))
			}
			if nm := byRec[neuron.NMDA][ct]; nm != nil && !reflect.DeepEqual(nm, got) {
				t.Errorf("%s: NMDA pairs differ from AMPA's (hnn-core draws them alike)", name)
			}
		}
		// The drive cells and their events do not depend on the pruning.
		full := tc.d.Clone()
		full.Probability = nil
		nf, _ := NewNetwork(col, nil, []Drive{full})
		e1, _ := n.DriveEventTimes(0, 0, 100)
		e2, _ := nf.DriveEventTimes(0, 0, 100)
		if n.NumGIDs() != nf.NumGIDs() || !reflect.DeepEqual(e1, e2) {
			t.Errorf("drive %s: pruning changed the drive cells or their events", tc.d.Name)
		}
	}
}

// In a network file the stored pairs are the truth: a pruned class is read
// as its pairs, written back as them, and not drawn again.
func TestHNNNetworkProbabilityRoundTrip(t *testing.T) {
	n := neymotinPresetNetwork(t)
	n.Connectivity.Classes[0].Probability, n.Connectivity.Classes[0].ConnSeed = 0.5, 11
	n.Drives[3].Probability = map[neuron.CellType]float64{neuron.L2Pyramidal: 0.4}
	n.Drives[0].Probability = map[neuron.CellType]float64{neuron.L5Pyramidal: 0.7, neuron.L2Basket: 0.2}
	want := slices.Collect(n.EachCellConnection())
	data := written(t, n)
	back, _, err := ReadHNNNetwork(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if cc := back.Connectivity.Classes[0]; cc.Pairs == nil || cc.Probability != 0.5 {
		t.Errorf("the pruned class was read as %+v", cc)
	}
	if got := slices.Collect(back.EachCellConnection()); !reflect.DeepEqual(got, want) {
		t.Errorf("%d connections read back, %d written", len(got), len(want))
	}
	for i := range n.Drives {
		if !reflect.DeepEqual(back.DriveConnections(i), n.DriveConnections(i)) || !maps.Equal(back.Drives[i].Probability, n.Drives[i].Probability) {
			t.Errorf("drive %s: connections or probability changed", n.Drives[i].Name)
		}
	}
	again := written(t, back)
	if string(again) != string(data) {
		t.Error("read -> write changed the file")
	}
	// Drive pairs that are not hnn-core's draw (hnn-core 0.6.2's reader
	// prunes a second time) are refused, naming the drive.
	n.Drives[3].ConnSeed = 99
	bad := written(t, n)
	var top map[string]any
	json.Unmarshal(bad, &top)
	top["external_drives"].(map[string]any)["alpha_prox"].(map[string]any)["conn_seed"] = 3
	bad, _ = json.Marshal(top)
	if _, _, err := ReadHNNNetwork(strings.NewReader(string(bad))); err == nil || !strings.Contains(err.Error(), `drive "alpha_prox": the stored pairs are not those hnn-core draws`) {
		t.Errorf("re-drawn drive pairs: %v", err)
	}
}
