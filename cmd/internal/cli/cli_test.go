package cli

import "testing"

func TestParseBand(t *testing.T) {
	for s, want := range map[string][2]float64{"15-60": {15, 60}, " 0 - 4.5": {0, 4.5}, "8-12": {8, 12}} {
		lo, hi, err := ParseBand("band", s)
		if err != nil || lo != want[0] || hi != want[1] {
			t.Errorf("ParseBand(%q) = %v, %v, %v; want %v", s, lo, hi, err, want)
		}
	}
	for _, s := range []string{"", "15", "60-15", "15-15", "-5-10", "a-b", "NaN-10", "1-Inf", "1-NaN"} {
		if _, _, err := ParseBand("band", s); err == nil {
			t.Errorf("ParseBand(%q) accepted", s)
		}
	}
}

func TestParseMesh(t *testing.T) {
	for s, want := range map[string][2]int{"10x10": {10, 10}, "3": {3, 3}, "10X5": {10, 5}, "100x100": {100, 100}} {
		nx, ny, err := ParseMesh("mesh", s)
		if err != nil || nx != want[0] || ny != want[1] {
			t.Errorf("ParseMesh(%q) = %d, %d, %v; want %v", s, nx, ny, err, want)
		}
	}
	for _, s := range []string{"", "x", "0x3", "3x-1", "1000x1000", "101x100", "axb", "3x3x3"} {
		if _, _, err := ParseMesh("mesh", s); err == nil {
			t.Errorf("ParseMesh(%q) accepted", s)
		}
	}
}

func TestParseColumn(t *testing.T) {
	col, err := ParseColumn("mesh", "published")
	if err != nil || col.NumCells() != 132 {
		t.Fatalf("published: %v cells, %v", col, err)
	}
	col, err = ParseColumn("mesh", "3x3")
	if err != nil || col.NumPyramidalPerLayer() != 9 {
		t.Fatalf("3x3: %v", err)
	}
	if _, err := ParseColumn("mesh", "publish"); err == nil {
		t.Fatal("a misspelt column accepted")
	}
}
