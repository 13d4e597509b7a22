package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustPlan(t *testing.T, spec string) *Plan {
	t.Helper()
	s, err := ParseSpec([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan("test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, path, msg string }{
		{`{"kind": "optimise", "grid": {"seed": [1]}}`, "$.kind", "unknown job kind"},
		{`{"grid": {"seed": [1]}}`, "$.kind", "missing"},
		{`{"kind": "optimize", "grid": {}}`, "$.grid", "empty grid"},
		{`{"kind": "optimize", "grid": {"seed": []}}`, "$.grid.seed", "empty list"},
		{`{"kind": "optimize"}`, "$.grid", "nothing to run"},
		{`{"kind": "optimize", "grid": {"seed": [1], "bnd": ["15-60"]}}`, "$.grid.bnd", "not a setting"},
		{`{"kind": "optimize", "settings": {"epochs": "2"}, "grid": {"seed": [1]}}`, "$.settings.epochs", "want an integer"},
		{`{"kind": "optimize", "grid": {"band": ["15-60", "60-15"]}}`, "$.grid.band[1]", "LO-HI"},
		{`{"kind": "optimize", "jobs": [{"seed": 1}, {"seeds": 2}]}`, "$.jobs[1].seeds", "not a setting"},
		{`{"kind": "optimize", "grid": {"seed": [1]}, "jobs": [{"seed": 2}]}`, "$.jobs[0].seed", "also varied by the grid"},
		{`{"kind": "optimize", "grid": {"seed": [1]}, "extra": 1}`, "$.extra", "unknown field"},
		{`{"kind": "simulate-network", "grid": {"connectivity": ["/nonexistent.json"]}}`, "$.grid.connectivity[0]", "no such file"},
		{`{"kind": "sleep", "grid": {"ms": [1, -1]}}`, "$.grid.ms[1]", ">= 0"},
	} {
		s, err := ParseSpec([]byte(tc.spec))
		if err == nil {
			_, err = s.Plan("v")
		}
		var se *SpecError
		if !errors.As(err, &se) || se.Path != tc.path || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v, want an error at %s containing %q", tc.spec, err, tc.path, tc.msg)
		}
	}
}

func TestPlanOrderAndKeys(t *testing.T) {
	p := mustPlan(t, `{"kind": "optimize", "settings": {"epochs": 2}, "grid": {"seed": [1, 2, 3], "band": ["15-60", "8-12"]}}`)
	if len(p.Jobs) != 6 || strings.Join(p.Columns, ",") != "epochs,seed,band" {
		t.Fatalf("%d jobs, columns %v", len(p.Jobs), p.Columns)
	}
	tab := BuildTable(p, nil)
	var got []string
	for _, r := range tab.Rows {
		got = append(got, string(r.Settings["seed"])+"/"+csvValue(r.Settings["band"]))
	}
	if want := "1/15-60 1/8-12 2/15-60 2/8-12 3/15-60 3/8-12"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	keys := map[string]bool{}
	for _, j := range p.Jobs {
		keys[j.Key] = true
	}
	if len(keys) != 6 {
		t.Errorf("%d distinct keys, want 6", len(keys))
	}
	// The same job spelled differently (a default given explicitly, another
	// order) has the same key; another code version does not.
	q := mustPlan(t, `{"kind": "optimize", "jobs": [{"band": "8-12", "epochs": 2, "seed": 3, "restarts": 3}]}`)
	if q.Jobs[0].Key != p.Jobs[5].Key {
		t.Errorf("same job, keys %s and %s", q.Jobs[0].Key, p.Jobs[5].Key)
	}
	s, _ := ParseSpec([]byte(`{"kind": "optimize", "jobs": [{"band": "8-12", "epochs": 2, "seed": 3}]}`))
	r, _ := s.Plan("other")
	if r.Jobs[0].Key == p.Jobs[5].Key {
		t.Error("another code version gave the same key")
	}
	// An input file's contents are part of the key.
	dir := t.TempDir()
	f := filepath.Join(dir, "conn.json")
	os.WriteFile(f, []byte("a"), 0o644)
	spec := fmt.Sprintf(`{"kind": "simulate-network", "jobs": [{"connectivity": %q}]}`, f)
	k1 := mustPlan(t, spec).Jobs[0].Key
	os.WriteFile(f, []byte("b"), 0o644)
	if k2 := mustPlan(t, spec).Jobs[0].Key; k1 == k2 {
		t.Error("changing an input file kept the key")
	}
}

// sweep runs a plan on an embedded server storing in state.
func sweep(t *testing.T, p *Plan, state, out string, workers int) *Table {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	tab, err := Sweep(ctx, p, SweepOptions{Queue: QueueOptions{StateDir: state, AckWait: 2 * time.Second}, Out: out, Workers: workers, Stderr: &stderr, Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, stderr.String())
	}
	return tab
}

func TestSweepCachesRetriesAndOrders(t *testing.T) {
	spec := `{"kind": "sleep", "settings": {"ms": 5}, "grid": {"value": [1, 2, 3, 4, 5, 6]}, "jobs": [{"fail_times": 1}, {"fail": true}]}`
	p := mustPlan(t, spec)
	dir := t.TempDir()
	tab := sweep(t, p, filepath.Join(dir, "state"), filepath.Join(dir, "a"), 3)
	if tab.OK != 6 || tab.Failed != 6 || len(tab.Rows) != 12 {
		t.Fatalf("ok %d failed %d rows %d, want 6, 6, 12", tab.OK, tab.Failed, len(tab.Rows))
	}
	for i, r := range tab.Rows {
		if i >= 6 && !strings.Contains(r.Error, "failed on request (attempt 3)") {
			t.Errorf("row %d: error %q, want the third attempt's", i, r.Error)
		}
		if i < 6 && r.Figures["value"] != Num(i+1) {
			t.Errorf("row %d: value %v", i, r.Figures["value"])
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a", tab.Rows[2].Dir, "value.txt")); err != nil || !strings.HasPrefix(string(b), "3\n") {
		t.Errorf("job 2's file: %q, %v", b, err)
	}
	// One worker, a fresh store: the same table.
	tab1 := sweep(t, p, filepath.Join(dir, "state1"), filepath.Join(dir, "b"), 1)
	if !bytes.Equal(tab.CSV(), tab1.CSV()) {
		t.Errorf("tables differ between 3 workers and 1:\n%s\n%s", tab.CSV(), tab1.CSV())
	}
	// A rerun does only the failed jobs; an enlarged sweep only the new ones.
	q, err := OpenQueue(context.Background(), QueueOptions{StateDir: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	big := mustPlan(t, strings.Replace(spec, "6]", "6, 7]", 1))
	sub, err := q.Submit(context.Background(), big, 0)
	q.Close()
	if err != nil || sub.Cached != 6 || sub.Submitted != 8 {
		t.Fatalf("enlarged sweep: %+v, %v; want 6 cached, 8 submitted", sub, err)
	}
}
