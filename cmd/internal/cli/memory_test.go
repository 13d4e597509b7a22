package cli

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBytesFlag(t *testing.T) {
	for in, want := range map[string]Bytes{"123456": 123456, "6G": 6 << 30, "800M": 800 << 20, "1.5GB": 3 << 29, "2kib": 2048, " 1T ": 1 << 40} {
		var b Bytes
		if err := b.Set(in); err != nil || b != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1G", "0", "NaN", "1e30T", "6Q"} {
		var b Bytes
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted: %d", in, b)
		}
	}
	if s := Bytes(3 << 29).String(); s != "1.5 GiB" {
		t.Errorf("1.5 GiB prints as %q", s)
	}
	if DefaultMaxMemory() <= 0 {
		t.Error("no default -max-memory")
	}
}

func TestEstimateCheck(t *testing.T) {
	e := Estimate{Bytes: 2 << 30, What: "a run", Flags: "-tstop"}
	if err := e.Check(4 << 30); err != nil {
		t.Errorf("2 GiB refused under 4 GiB: %v", err)
	}
	err := e.Check(1 << 30)
	var me *MemoryError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "-tstop") || !strings.Contains(err.Error(), "2 GiB") {
		t.Errorf("2 GiB over 1 GiB: %v", err)
	}
	for _, bad := range []Estimate{CellEstimate(100, 0, 1, 9), CellEstimate(math.Inf(1), 0.025, 1, 9), SurrogateCellEstimate(math.NaN(), 0.5, 3, 2)} {
		if bad.Bytes != 0 || bad.Check(1) != nil {
			t.Errorf("an invalid time gives the estimate %+v: the command's validation should report it", bad)
		}
	}
	huge := CellEstimate(1e300, 1e-300, 1, 9)
	if huge.Bytes != math.MaxInt64 || huge.Check(1<<62) == nil {
		t.Errorf("an absurd run estimated at %d bytes", huge.Bytes)
	}
}
