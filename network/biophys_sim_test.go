package network

import (
	"fmt"
	"math"
	"testing"
)

// compareWithReference simulates the ERP network on an n×n mesh and
// compares spikes and dipoles with hnn-core's reference files.
func compareWithReference(t *testing.T, mesh, workers int) *SimResult {
	t.Helper()
	spikesPath := refPath(t, fmt.Sprintf("erp_mesh%d_spikes.csv", mesh))
	dipolePath := refPath(t, fmt.Sprintf("erp_mesh%d_dipole_raw_fAm.csv", mesh))
	vsomaPath := refPath(t, fmt.Sprintf("erp_mesh%d_vsoma_first_cell_of_each_type.csv", mesh))
	n := erpNetwork(t, mesh)
	var first []int
	for _, ct := range CellTypes {
		s, _ := n.Column.Range(ct)
		first = append(first, s)
	}
	res, err := Simulate(n, SimOptions{TStop: 170, Workers: workers, RecordVSoma: first})
	if err != nil {
		t.Fatal(err)
	}
	const dt = 0.025

	_, refSpikes := readCSV(t, spikesPath)
	if len(res.Spikes) != len(refSpikes) {
		t.Errorf("%d spikes, hnn-core %d", len(res.Spikes), len(refSpikes))
	}
	// Per gid, the sorted spike times: cell spikes must fall on the same
	// step, drive spikes agree to the reference's 10 decimals.
	want := map[int][]float64{}
	for _, r := range refSpikes {
		want[int(r[1])] = append(want[int(r[1])], r[0])
	}
	got := map[int][]float64{}
	cellSpikes := 0
	for _, s := range res.Spikes {
		got[s.GID] = append(got[s.GID], s.Time)
		if s.GID < n.Column.NumCells() {
			cellSpikes++
		}
	}
	for gid := range n.NumGIDs() {
		w, g := want[gid], got[gid]
		if len(w) != len(g) {
			t.Errorf("gid %d: spikes %v, hnn-core %v", gid, g, w)
			continue
		}
		for i := range w {
			same := math.Abs(g[i]-w[i]) < 1e-9
			if gid < n.Column.NumCells() {
				same = math.Round(g[i]/dt) == math.Round(w[i]/dt)
			}
			if !same {
				t.Errorf("gid %d spike %d at %.10f ms, hnn-core %.10f", gid, i, g[i], w[i])
			}
		}
	}
	t.Logf("mesh %d: %d spikes (%d from cells)", mesh, len(res.Spikes), cellSpikes)

	_, refDip := readCSV(t, dipolePath)
	if len(refDip) != len(res.Agg) {
		t.Fatalf("%d dipole samples, hnn-core %d", len(res.Agg), len(refDip))
	}
	var worst [3]float64
	for k, r := range refDip {
		if math.Abs(res.Times[k]-r[0]) > 1e-9 {
			t.Fatalf("sample %d at t=%v, hnn-core %v", k, res.Times[k], r[0])
		}
		for j, v := range []float64{res.Agg[k], res.L2[k], res.L5[k]} {
			worst[j] = max(worst[j], math.Abs(v-r[j+1]))
		}
	}
	t.Logf("mesh %d: max |Δdipole| agg %.3g, L2 %.3g, L5 %.3g fAm", mesh, worst[0], worst[1], worst[2])
	for j, name := range []string{"agg", "L2", "L5"} {
		if worst[j] > 1e-3 {
			t.Errorf("%s dipole differs from hnn-core by up to %g fAm (tolerance 1e-3)", name, worst[j])
		}
	}

	_, refV := readCSV(t, vsomaPath)
	var worstV float64
	for k, r := range refV {
		for j, g := range first {
			worstV = max(worstV, math.Abs(res.VSoma[g][k]-r[j+1]))
		}
	}
	t.Logf("mesh %d: max |Δv_soma| of the first cell of each type %.3g mV", mesh, worstV)
	if worstV > 1e-4 {
		t.Errorf("soma potentials differ from hnn-core by up to %g mV", worstV)
	}
	return res
}

func TestERPMesh3MatchesHNNCore(t *testing.T) {
	compareWithReference(t, 3, 0)
}

func TestERPMesh10MatchesHNNCore(t *testing.T) {
	if testing.Short() {
		t.Skip("mesh10 network (270 cells, 170 ms) skipped with -short")
	}
	compareWithReference(t, 10, 0)
}

// Results are bit-identical whatever the number of workers.
func TestSimulateDeterministicAcrossWorkers(t *testing.T) {
	n := erpNetwork(t, 3)
	var ref *SimResult
	for _, w := range []int{1, 2, 5} {
		res, err := Simulate(n, SimOptions{TStop: 60, Workers: w, RecordVSoma: []int{0, 20}})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = res
			continue
		}
		if len(res.Spikes) != len(ref.Spikes) {
			t.Fatalf("workers %d: %d spikes, 1 worker %d", w, len(res.Spikes), len(ref.Spikes))
		}
		for i := range ref.Spikes {
			if res.Spikes[i] != ref.Spikes[i] {
				t.Fatalf("workers %d: spike %d %+v, 1 worker %+v", w, i, res.Spikes[i], ref.Spikes[i])
			}
		}
		for k := range ref.Agg {
			if res.Agg[k] != ref.Agg[k] || res.VSoma[20][k] != ref.VSoma[20][k] {
				t.Fatalf("workers %d: sample %d differs", w, k)
			}
		}
	}
}
