package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestRunNetworkWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "erp")
	if err := runNetwork([]string{"-mesh", "3x3", "-drives", "erp", "-tstop", "40", "-quiet", "-vsoma", "0,3", "-smooth", "5", "-scale", "3000", "-out", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	dip := readLines(t, filepath.Join(out, "dipole.csv"))
	if dip[0] != "t_ms,agg_fAm,L2_fAm,L5_fAm,agg_nAm,L2_nAm,L5_nAm" || len(dip) != 1+1601 {
		t.Errorf("dipole.csv: header %q, %d lines", dip[0], len(dip))
	}
	spikes := readLines(t, filepath.Join(out, "spikes.csv"))
	if spikes[0] != "t_ms,gid,cell_type" || len(spikes) < 10 {
		t.Fatalf("spikes.csv: header %q, %d lines", spikes[0], len(spikes))
	}
	types := map[string]bool{}
	for _, l := range spikes[1:] {
		types[l[strings.LastIndex(l, ",")+1:]] = true
	}
	for _, want := range []string{"evprox1", "L5_pyramidal"} {
		if !types[want] {
			t.Errorf("no %s spikes listed (%v)", want, types)
		}
	}
	if v := readLines(t, filepath.Join(out, "vsoma.csv")); v[0] != "t_ms,v_gid0,v_gid3" {
		t.Errorf("vsoma.csv header %q", v[0])
	}

	// The config's drives reproduce the run.
	again := filepath.Join(dir, "again")
	if err := runNetwork([]string{"-mesh", "3x3", "-drives", filepath.Join(out, "config.json"), "-tstop", "40", "-quiet", "-out", again}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s2 := readLines(t, filepath.Join(again, "spikes.csv")); strings.Join(s2, "\n") != strings.Join(spikes, "\n") {
		t.Error("rerunning with the config's drives changed the spikes")
	}
}

func TestRunNetworkBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"name": "x", "type": "evoked", "location": "distal", "mu": 10, "sigma": 1, "weights_ampa": {"L5_basket": 0.1}}]`), 0o644)
	for _, args := range [][]string{
		{"-mesh", "3y3", "-out", dir},
		{"-mesh", "0x3", "-out", dir},
		{"-tstop", "-5", "-mesh", "3x3", "-out", dir},
		{"-drives", bad, "-mesh", "3x3", "-out", dir},
		{"-drives", filepath.Join(dir, "missing.json"), "-out", dir},
		{"-connectivity", bad, "-mesh", "3x3", "-out", dir},
		{"-drives", "poisson", "-rate", "0", "-mesh", "3x3", "-out", dir},
		{"-mesh", "3x3"},
		{"-mesh", "3x3", "-smooth", "0.5", "-out", dir},
		{"-mesh", "3x3", "-scale", "0", "-out", dir},
	} {
		if err := runNetwork(append(args, "-quiet"), io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
