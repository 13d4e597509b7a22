package network

import (
	"math"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

func TestColumnMesh10(t *testing.T) {
	col, err := NewColumn(10, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[neuron.CellType][2]int{neuron.L2Basket: {0, 35}, neuron.L2Pyramidal: {35, 135}, neuron.L5Basket: {135, 170}, neuron.L5Pyramidal: {170, 270}}
	for ct, r := range want {
		if s, e := col.Range(ct); s != r[0] || e != r[1] {
			t.Errorf("%s gids [%d,%d), want %v", ct, s, e, r)
		}
	}
	// Pyramidal cells x-major; gid 35 at (0,0), gid 36 at (0,1), gid 45 at (1,0).
	for _, c := range []struct {
		gid     int
		x, y, z float64
	}{
		{35, 0, 0, 1307.4}, {36, 0, 1, 1307.4}, {45, 1, 0, 1307.4}, {269, 9, 9, 0},
		// Baskets sorted by y: (0,0),(3,0),(6,0),(9,0),(1,1),(4,1),(7,1),(0,2),...
		{0, 0, 0, 1045.92}, {3, 9, 0, 1045.92}, {4, 1, 1, 1045.92}, {7, 0, 2, 1045.92},
		{34, 7, 9, 1045.92}, {135, 0, 0, 261.48},
	} {
		p := col.Cells[c.gid].Pos
		if p.X != c.x || p.Y != c.y || math.Abs(p.Z-c.z) > 1e-9 {
			t.Errorf("gid %d at %+v, want (%v, %v, %v)", c.gid, p, c.x, c.y, c.z)
		}
	}
	if o := col.Origin(); o != (Position{4, 4, 653}) {
		t.Errorf("origin %+v, want (4, 4, 653)", o)
	}
}

func TestColumnOtherMeshes(t *testing.T) {
	col, _ := NewColumn(3, 3)
	for ct, n := range map[neuron.CellType]int{neuron.L2Basket: 3, neuron.L2Pyramidal: 9, neuron.L5Basket: 3, neuron.L5Pyramidal: 9} {
		if col.Count(ct) != n {
			t.Errorf("3x3 mesh: %d %s, want %d", col.Count(ct), ct, n)
		}
	}
	if o := col.Origin(); o != (Position{1, 1, 653}) {
		t.Errorf("3x3 origin %+v, want (1, 1, 653)", o)
	}
	// 7x5 mesh: baskets x∈{0,3,6}×even y∈{0,2,4} (9) plus x∈{1,4}×odd
	// y∈{1,3} (4) = 13 per layer.
	col, _ = NewColumnGeometry(7, 5, 2.5, 1000)
	if n := col.Count(neuron.L2Basket); n != 3*3+2*2 {
		t.Errorf("7x5 mesh: %d baskets per layer, want 13", n)
	}
	if p := col.Cells[col.start[neuron.L2Pyramidal]+6].Pos; p != (Position{2.5, 2.5, 1000}) {
		t.Errorf("7x5 mesh: 7th pyramidal cell at %+v, want (2.5, 2.5, 1000)", p)
	}
	for _, bad := range [][2]int{{0, 3}, {3, -1}} {
		if _, err := NewColumn(bad[0], bad[1]); err == nil {
			t.Errorf("mesh %v accepted", bad)
		}
	}
	if _, err := NewColumnGeometry(3, 3, 0, 1); err == nil {
		t.Error("zero grid spacing accepted")
	}
}

func TestCellTypeNames(t *testing.T) {
	for _, ct := range neuron.CellTypes {
		for _, s := range []string{ct.String(), ct.ShortName()} {
			if got, err := neuron.ParseCellType(s); err != nil || got != ct {
				t.Errorf("ParseCellType(%q) = %v, %v", s, got, err)
			}
		}
	}
	if _, err := neuron.ParseCellType("L4_stellate"); err == nil {
		t.Error("unknown cell type accepted")
	}
	secs, err := neuron.L5Pyramidal.LocationSections(neuron.Proximal)
	if err != nil || len(secs) != 3 || secs[0] != neuron.SecApicalOblique {
		t.Errorf("L5 proximal sections %v, %v", secs, err)
	}
	if _, err := neuron.L5Basket.LocationSections(neuron.Distal); err == nil {
		t.Error("L5 basket distal location accepted")
	}
	if neuron.L2Pyramidal.HasReceptor(neuron.SecSoma, neuron.AMPA) || !neuron.L2Pyramidal.HasReceptor(neuron.SecSoma, neuron.GABAB) || neuron.L2Basket.HasReceptor(neuron.SecSoma, neuron.GABAB) {
		t.Error("receptor table wrong")
	}
}
