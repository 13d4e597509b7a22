package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// passiveDendrites returns ct's template with every mechanism but hh2's leak removed
// outside the soma: a linear, time-invariant dendrite behind an active soma.
func passiveDendrites(t *testing.T, ct CellType) *CellDesc {
	t.Helper()
	d, err := Template(ct)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(d.Sections); i++ {
		m := &d.Sections[i].Mech
		if m.HH2 == nil {
			t.Fatalf("%s: section %s has no hh2 (no leak)", ct, d.Sections[i].Name)
		}
		m.HH2.GNaBar, m.HH2.GKBar, m.HH2.SegGNaBar, m.HH2.SegGKBar = 0, 0, nil, nil
		m.Km, m.Ca, m.Cad, m.Kca, m.Cat, m.Ar = nil, nil, nil, nil, nil, nil
	}
	return d
}

// somaClamps adds a train of 2 ms current pulses of amp nA to c's soma, every 8 ms from 6 ms.
func somaClamps(t *testing.T, c *Cell, amp float64) {
	t.Helper()
	for t0 := 6.0; t0 < 70; t0 += 8 {
		if err := c.AddIClamp("soma", 0.5, amp, t0, 2); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKernelSomaPassiveExact: behind a passive dendrite, the exact soma coupled to the
// junction's linearisation (LinearKernel, as long as the run) and fed the dendrite's own
// response to its input with the soma held at rest reproduces the whole cell: every spike,
// the soma to 1e-6 mV. Nothing of the whole cell's run enters the hybrid, so a wrong tap,
// lag or sign in the implicit step fails it.
func TestKernelSomaPassiveExact(t *testing.T) {
	const n = 3000 // 75 ms
	for _, ct := range []CellType{L5Pyramidal, L2Pyramidal} {
		d := passiveDendrites(t, ct)
		j, err := NewJunction(d, 0)
		if err != nil {
			t.Fatal(err)
		}
		k, err := j.LinearKernel(DefaultConfig(), n, math.NaN(), 0, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		somaAmp := map[CellType]float64{L5Pyramidal: 8, L2Pyramidal: 1.5}[ct]
		dendClamps := func(c *Cell) {
			if err := c.AddIClamp("basal_2", 0.5, 0.3*somaAmp, 5, 40); err != nil {
				t.Fatal(err)
			}
			if err := c.AddIClamp("apical_tuft", 0.5, -0.2*somaAmp, 30, 30); err != nil {
				t.Fatal(err)
			}
		}
		full, _ := New(d, DefaultConfig())
		dendClamps(full)
		somaClamps(t, full, somaAmp)
		den, _ := j.NewDendriteCell(DefaultConfig())
		dendClamps(den.Cell())
		vRest := make([]float64, j.ExactNodes())
		for q, node := range j.exactFull {
			vRest[q] = den.cell.v[node]
		}
		va0 := j.ReadAttach(full, nil)
		ks, err := j.NewKernelSoma(k, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		somaClamps(t, ks.Cell(), somaAmp)
		u := make([]float64, len(j.Boundary))
		maxd, maxb := 0.0, 0.0
		for i := 0; i < n; i++ {
			full.Step()
			den.Step(vRest)
			w := den.Read(nil)
			for b := range u {
				u[b] = w[b] - k.Gain(b)*va0[b]
			}
			ks.Step(u)
			maxd = math.Max(maxd, math.Abs(ks.VSoma()-full.VSoma()))
			vb, hb := j.Read(full, nil), ks.Boundary(nil)
			for b := range vb {
				maxb = math.Max(maxb, math.Abs(vb[b]-hb[b]))
			}
		}
		t.Logf("%s: %d spikes, hybrid %d; max |Δv_soma| %.3g mV, max |Δv_b| %.3g mV; h0 %.4f / %.4f, gains %.4f / %.4f",
			ct, len(full.Spikes()), len(ks.Spikes()), maxd, maxb, k.H[0][0], k.H[1][0], k.Gain(0), k.Gain(1))
		if len(full.Spikes()) < 2 {
			t.Fatalf("%s: %d spikes: the test wants a spiking soma", ct, len(full.Spikes()))
		}
		if maxd > 1e-6 || maxb > 1e-6 || len(ks.Spikes()) != len(full.Spikes()) {
			t.Errorf("%s: hybrid differs by %.3g mV (soma), %.3g mV (boundary), spikes %d vs %d", ct, maxd, maxb, len(ks.Spikes()), len(full.Spikes()))
		}
		// a kernel without memory (lag 0 only) must not reproduce it: the test can fail
		k0 := k.Truncate(1)
		ks0, _ := j.NewKernelSoma(k0, DefaultConfig())
		somaClamps(t, ks0.Cell(), somaAmp)
		den.cell.Reset()
		full.Reset()
		maxd = 0
		for i := 0; i < n; i++ {
			full.Step()
			den.Step(vRest)
			w := den.Read(nil)
			for b := range u {
				u[b] = w[b] - k0.Gain(b)*va0[b]
			}
			ks0.Step(u)
			maxd = math.Max(maxd, math.Abs(ks0.VSoma()-full.VSoma()))
		}
		if maxd < 1 {
			t.Errorf("%s: a lag-0 kernel reproduces the cell to %.3g mV: the test does not test the history", ct, maxd)
		}
	}
}

// TestKernelSomaResidual: on the real (active) cell, the residual of the whole cell's own
// junction fed back every step reproduces it (the decomposition is consistent), a
// Save/Restore repeats the trajectory bit for bit, and two runs are identical.
func TestKernelSomaResidual(t *testing.T) {
	const n = 4000
	d, _ := Template(L2Pyramidal)
	j, _ := NewJunction(d, 0)
	k, err := j.LinearKernel(DefaultConfig(), 200, math.NaN(), 50, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := New(d, DefaultConfig())
	rng := rand.New(rand.NewPCG(11, 2))
	type ev struct {
		sec string
		r   Receptor
		t   float64
	}
	var evs []ev
	for _, ch := range d.Channels() {
		id, _ := full.Synapse(ch.Section, ch.Receptor)
		for tt := rng.ExpFloat64() * 8; tt < 100; tt += rng.ExpFloat64() * 8 {
			_ = full.Deliver(id, tt, 0.004)
			evs = append(evs, ev{ch.Section, ch.Receptor, tt})
		}
	}
	vb := [][]float64{j.Read(full, nil)}
	va := [][]float64{j.ReadAttach(full, nil)}
	soma := []float64{full.VSoma()}
	for i := 0; i < n; i++ {
		full.Step()
		vb = append(vb, j.Read(full, nil))
		va = append(va, j.ReadAttach(full, nil))
		soma = append(soma, full.VSoma())
	}
	u := k.Residual(vb, va, nil)
	run := func(saveAt int) ([]float64, []float64) {
		ks, err := j.NewKernelSoma(k, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if ks.Exact(e.sec) {
				id, _ := ks.Synapse(e.sec, e.r)
				_ = ks.Deliver(id, e.t, 0.004)
			}
		}
		out := []float64{ks.VSoma()}
		for i := 1; i <= n; i++ {
			if i == saveAt {
				ks.Save()
				var rep []float64
				for q := i; q < i+400; q++ {
					ks.Step(u[q])
					rep = append(rep, ks.VSoma())
				}
				ks.Restore()
				for q := i; q < i+400; q++ {
					ks.Step(u[q])
					if ks.VSoma() != rep[q-i] {
						t.Fatalf("after Restore, step %d: %v, first pass %v", q, ks.VSoma(), rep[q-i])
					}
				}
				ks.Restore()
			}
			ks.Step(u[i])
			out = append(out, ks.VSoma())
		}
		return out, append([]float64(nil), ks.Spikes()...)
	}
	a, sa := run(-1)
	b, sb := run(1500)
	maxd := 0.0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: runs differ (%v, %v)", i, a[i], b[i])
		}
		maxd = math.Max(maxd, math.Abs(a[i]-soma[i]))
	}
	t.Logf("L2/3, every-step residual: max |Δv_soma| %.3g mV, spikes %d vs %d", maxd, len(sa), len(full.Spikes()))
	if maxd > 1e-6 || len(sa) != len(full.Spikes()) || len(sb) != len(sa) || len(sa) == 0 {
		t.Errorf("every-step residual: %.3g mV, spikes %d / %d vs %d", maxd, len(sa), len(sb), len(full.Spikes()))
	}
}

// TestLinearKernelErrors: bad arguments fail with an error, a mismatched kernel too.
func TestLinearKernelErrors(t *testing.T) {
	d, _ := Template(L2Pyramidal)
	j, _ := NewJunction(d, 0)
	for _, c := range []struct {
		taps            int
		hold, warm, eps float64
	}{
		{0, math.NaN(), 0, 0.01}, {10, math.NaN(), -1, 0.01}, {10, math.Inf(1), 0, 0.01}, {10, -65, 0, 0},
	} {
		if _, err := j.LinearKernel(DefaultConfig(), c.taps, c.hold, c.warm, c.eps); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if _, err := j.NewKernelSoma(&JunctionKernel{Dt: 0.025, H: [][]float64{{0.5}}}, DefaultConfig()); err == nil {
		t.Error("one kernel for two boundary nodes: no error")
	}
	if _, err := j.NewKernelSoma(&JunctionKernel{Dt: 0.05, H: [][]float64{{0.5}, {0.5}}}, DefaultConfig()); err == nil {
		t.Error("kernel step 0.05 ms on a 0.025 ms cell: no error")
	}
	if _, err := j.NewKernelSoma(&JunctionKernel{Dt: 0.025, H: [][]float64{{0.5}, {math.NaN()}}}, DefaultConfig()); err == nil {
		t.Error("NaN tap: no error")
	}
}

// TestKernelSomaAllocs: a KernelSoma step allocates nothing.
func TestKernelSomaAllocs(t *testing.T) {
	d, _ := Template(L5Pyramidal)
	j, _ := NewJunction(d, 0)
	k, err := j.LinearKernel(DefaultConfig(), 200, math.NaN(), 0, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	k.Spike = [][]float64{{0.1, 0.05}, {0.02}}
	ks, err := j.NewKernelSoma(k, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	u := []float64{-65 * (1 - k.Gain(0)), -65 * (1 - k.Gain(1))}
	if n := testing.AllocsPerRun(200, func() { ks.Step(u) }); n != 0 {
		t.Errorf("KernelSoma.Step: %v allocations per step", n)
	}
}
