package biophys

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/neurograd/neurograd/internal/reference"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// compareWithReference simulates the ERP network on an n×n mesh and
// compares spikes and dipoles with hnn-core's reference files.
func compareWithReference(t *testing.T, mesh, workers int) *SimResult {
	t.Helper()
	spikesPath := reference.Path(t, "network", fmt.Sprintf("erp_mesh%d_spikes.csv", mesh))
	dipolePath := reference.Path(t, "network", fmt.Sprintf("erp_mesh%d_dipole_raw_fAm.csv", mesh))
	vsomaPath := reference.Path(t, "network", fmt.Sprintf("erp_mesh%d_vsoma_first_cell_of_each_type.csv", mesh))
	n := erpNetwork(t, mesh)
	var first []int
	for _, ct := range neuron.CellTypes {
		s, _ := n.Column.Range(ct)
		first = append(first, s)
	}
	res, err := Simulate(n, SimOptions{TStop: 170, Workers: workers, RecordVSoma: first})
	if err != nil {
		t.Fatal(err)
	}
	const dt = 0.025

	_, refSpikes := reference.ReadCSV(t, spikesPath)
	if len(res.Spikes) != len(refSpikes) {
		t.Errorf("%d spikes, hnn-core %d", len(res.Spikes), len(refSpikes))
	}
	// Per gid, the sorted spike times: cell spikes must fall on the same
	// step, drive spikes agree to the reference's 10 decimals.
	want := map[int][]float64{}
	for _, r := range refSpikes {
		want[int(r[1])] = append(want[int(r[1])], r[0])
	}
	got := res.SpikeTrains(n.NumGIDs())
	cellSpikes := 0
	for _, s := range res.Spikes {
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

	_, refDip := reference.ReadCSV(t, dipolePath)
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

	_, refV := reference.ReadCSV(t, vsomaPath)
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

// Results are bit-identical whatever the number of workers or GOMAXPROCS.
func TestSimulateDeterministicAcrossWorkers(t *testing.T) {
	n := erpNetwork(t, 3)
	var ref *SimResult
	for _, w := range []int{1, 2, 5, -1} {
		workers := w
		if w == -1 { // default worker count with GOMAXPROCS 1
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			workers = 0
		}
		res, err := Simulate(n, SimOptions{TStop: 60, Workers: workers, RecordVSoma: []int{0, 20}})
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

func sameResults(t *testing.T, label string, a, b *SimResult) {
	t.Helper()
	if len(a.Spikes) != len(b.Spikes) {
		t.Fatalf("%s: %d spikes vs %d", label, len(a.Spikes), len(b.Spikes))
	}
	for i := range a.Spikes {
		if a.Spikes[i] != b.Spikes[i] {
			t.Fatalf("%s: spike %d %+v vs %+v", label, i, a.Spikes[i], b.Spikes[i])
		}
	}
	for k := range a.Agg {
		if a.Agg[k] != b.Agg[k] || a.L2[k] != b.L2[k] {
			t.Fatalf("%s: dipole sample %d differs: %v vs %v", label, k, a.Agg[k], b.Agg[k])
		}
	}
}

// Exchanging spikes every step or every minimum-delay interval gives the
// same results: the interval only batches work.
func TestSimulateIntervalIndependent(t *testing.T) {
	n := erpNetwork(t, 3)
	long, err := Simulate(n, SimOptions{TStop: 80, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	short, err := Simulate(n, SimOptions{TStop: 80, Workers: 2, maxInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, "interval 1 vs minimum delay", long, short)
	if len(long.Spikes) < 50 {
		t.Errorf("only %d spikes: the check is weak", len(long.Spikes))
	}
}

// Connections shorter than half a step take effect within the step the
// spike is detected in; the simulation handles them (one exchange per
// step) and stays deterministic.
func TestSimulateSubStepDelays(t *testing.T) {
	conn := network.DefaultConnectivity()
	for i := range conn.Classes {
		conn.Classes[i].Delay = 0.005
		conn.Classes[i].Lamtha = 1e6 // keep delays at 0.005 ms
	}
	col, _ := network.NewColumn(3, 3)
	n, err := network.NewNetwork(col, conn, network.ERPDrives())
	if err != nil {
		t.Fatal(err)
	}
	a, err := Simulate(n, SimOptions{TStop: 50, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(n, SimOptions{TStop: 50, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, "sub-step delays, 1 vs 3 workers", a, b)
	// With default delays the network behaves differently.
	ref, _ := Simulate(erpNetwork(t, 3), SimOptions{TStop: 50})
	if len(ref.Spikes) == len(a.Spikes) && ref.Agg[len(ref.Agg)-1] == a.Agg[len(a.Agg)-1] {
		t.Error("sub-step delays had no effect")
	}
}

func TestSimulateTonicBias(t *testing.T) {
	col, _ := network.NewColumn(3, 3)
	n, err := network.NewNetwork(col, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := Simulate(n, SimOptions{TStop: 60})
	if err != nil {
		t.Fatal(err)
	}
	if len(quiet.Spikes) != 0 {
		t.Errorf("undriven column spiked %d times", len(quiet.Spikes))
	}
	res, err := Simulate(n, SimOptions{TStop: 60, TonicBias: []TonicBias{{CellType: neuron.L5Pyramidal, Amplitude: 6, T0: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	s, e := col.Range(neuron.L5Pyramidal)
	for _, sp := range res.Spikes {
		if sp.Time < 20 {
			t.Errorf("spike at %v ms before the bias starts", sp.Time)
		}
	}
	firing := map[int]bool{}
	for _, sp := range res.Spikes {
		if sp.GID >= s && sp.GID < e {
			firing[sp.GID] = true
		}
	}
	if len(firing) != e-s {
		t.Errorf("%d of %d L5 pyramidal cells fired under a 6 nA bias", len(firing), e-s)
	}
	if _, err := Simulate(n, SimOptions{TStop: 60, TonicBias: []TonicBias{{CellType: neuron.L5Pyramidal, Amplitude: 1, T0: 50, TStop: 10}}}); err == nil {
		t.Error("bias ending before it starts accepted")
	}
}

func TestSimulatePoissonDrive(t *testing.T) {
	col, _ := network.NewColumn(3, 3)
	n, err := network.NewNetwork(col, nil, []network.Drive{network.PoissonEveryCell(20, 0.002, 0, 5)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(n, SimOptions{TStop: 100, Trial: 1})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := n.DriveEventTimes(0, 1, 100)
	nDrive := 0
	for _, e := range ev {
		nDrive += len(e)
	}
	got := 0
	for _, s := range res.Spikes {
		if s.GID >= col.NumCells() {
			got++
		}
	}
	if got != nDrive || nDrive == 0 {
		t.Errorf("%d drive spikes reported, %d events generated", got, nDrive)
	}
	for i := 1; i < len(res.Spikes); i++ {
		if res.Spikes[i].Time < res.Spikes[i-1].Time {
			t.Fatal("spikes not sorted by time")
		}
	}
}

func TestSimulateBadOptions(t *testing.T) {
	n := erpNetwork(t, 3)
	for _, o := range []SimOptions{{TStop: 0}, {TStop: -1}, {TStop: 10, Dt: -0.1}, {TStop: 10, Trial: -1}, {TStop: 10, RecordVSoma: []int{24}}} {
		if _, err := Simulate(n, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

// erpNetwork is HNN's mesh×mesh column with the ERP drives and default connectivity.
func erpNetwork(t testing.TB, mesh int) *network.Network {
	t.Helper()
	col, err := network.NewColumn(mesh, mesh)
	if err != nil {
		t.Fatal(err)
	}
	n, err := network.NewNetwork(col, nil, network.ERPDrives())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
