package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/neurograd/neurograd/internal/parallel"
	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/neuron/surrogate"
)

// boundClip is the level (mV) at which the soma is clipped from above for the
// subthreshold metrics: min(v, boundClip).
const boundClip = -55.0

// boundIface is one way of feeding the isolated exact soma (neuron.SomaCell)
// with the whole cell's junction: the boundary voltages of a depth-Depth
// junction sampled every Period steps (0.025 ms) and interpolated (Interp:
// "linear", "cubic" Catmull-Rom through the samples, "hermite" with the exact
// slopes at the samples, "start" the previous step's exact value; the causal
// "hold", the sample at the period's start, and "extrap", the line through
// the two samples before the period), or
// (Current) the axial currents averaged over each sampling period.
//
// Noise and Bias (mV) perturb every sample (Gaussian, independent per sample
// and boundary node; a constant offset): how accurate a learned model of the
// junction must be. Loop "hold" or "extrap" closes the loop: a DendriteCell
// (the whole cell with the soma part prescribed) computes the junction from
// the hybrid's own soma, exchanging values every Period steps; the soma part
// is held at, or extrapolated linearly from, its values at the period's
// start (a perfect but causal model of the dendrites), and the soma sees the
// dendrite's boundary voltages at the period's ends, interpolated linearly.
// With Sweeps > 1 both halves are rewound and the period is repeated, the
// dendrite now driven by the soma part's trajectory from the previous pass
// (waveform relaxation: a hybrid that evaluates its model again with the
// soma it just integrated). Loop "linear" is one pass with the junction's
// linear response: the dendrite is run with the soma part held at its
// period-start values (vb0) and again held 1 mV higher (sensitivity β, at
// the period's end), rewound, and the soma integrates with
// vb = vb0 + β·(v_attach − v_attach(start)) implicitly (SomaCell.StepLinear);
// the dendrite then advances driven by the soma's actual trajectory. A model
// that predicts vb0 and β from the past is causal and needs one evaluation
// per period.
type boundIface struct {
	Name    string
	Depth   int
	Period  int
	Interp  string
	Current bool
	Noise   float64
	Bias    float64
	Loop    string
	Sweeps  int // closed loop: passes per period; pass 2 on drives the dendrite with the soma part's trajectory of the previous pass
	// Kernel names a junction kernel (boundKernelSpec): the hybrid is a
	// neuron.KernelSoma whose boundary voltages are u + h * v_attach, h the
	// kernel applied to its own soma part, u the whole cell's residual
	// (JunctionKernel.Residual) sampled every Period steps and interpolated
	// linearly, with Noise and Bias on the samples.
	Kernel string
	// Clamped takes u not from the whole cell's run but from the dendrite
	// alone with the soma part clamped at rest (a DendriteCell with the
	// same inputs): u = v_b,clamped − Σ_k h_k · v_attach,rest, a function
	// of the inputs only, which is what a learned model can be trained to
	// predict without ever seeing a soma. Exact for a linear dendrite and
	// an untruncated kernel.
	Clamped bool
	// HoldClip (mV, Loop "kernel"; 0: none) holds the dendrite at
	// min(v, HoldClip) instead of the soma part's bin-start values, so that a
	// bin starting on a spike does not clamp the dendrite at the spike's peak;
	// the kernel carries the departure from the clipped value.
	HoldClip float64
	// DendSteps (Loop "kernel"; 0 or 1: the soma's step) integrates the
	// dendrite with a step DendSteps times the soma's (0.025 ms): a coarse
	// biophysical dendrite behind the exact soma, the cheapest non-learned
	// model of the junction. The period must be a multiple of it.
	DendSteps int
}

// boundKernelSpec is a junction kernel of the bound: the dendrite linearised
// with the soma part held at Hold mV (NaN: at rest), cut to MS ms.
type boundKernelSpec struct {
	Hold  float64
	MS    float64
	Spike bool // with a spike-triggered term fitted on training samples (fitSpikeKernel)
}

var boundKernels = map[string]boundKernelSpec{
	"rest 5 ms":         {math.NaN(), 5, false},
	"rest 5 ms + spike": {math.NaN(), 5, true},
	"rest 1 ms":         {math.NaN(), 1, false},
	"rest 0.1 ms":       {math.NaN(), 0.1, false},
	"rest 20 ms":        {math.NaN(), 20, false},
	"rest 1 tap":        {math.NaN(), 0.025, false},
	"rest 100 ms":       {math.NaN(), 100, false},
	"-55 mV 5 ms":       {-55, 5, false},
	"-75 mV 5 ms":       {-75, 5, false},
}

var boundIfaces = []boundIface{
	{Name: "exact (every step, end of step)", Period: 1, Interp: "linear"},
	{Name: "every step, start of step", Period: 1, Interp: "start"},
	{Name: "0.5 ms linear", Period: 20, Interp: "linear"},
	{Name: "0.5 ms cubic", Period: 20, Interp: "cubic"},
	{Name: "0.5 ms hermite (exact slopes)", Period: 20, Interp: "hermite"},
	{Name: "0.25 ms linear", Period: 10, Interp: "linear"},
	{Name: "0.25 ms cubic", Period: 10, Interp: "cubic"},
	{Name: "0.1 ms linear", Period: 4, Interp: "linear"},
	{Name: "+1 compartment, 0.5 ms linear", Depth: 1, Period: 20, Interp: "linear"},
	{Name: "+1 compartment, 0.5 ms cubic", Depth: 1, Period: 20, Interp: "cubic"},
	{Name: "+1 compartment, 0.25 ms linear", Depth: 1, Period: 10, Interp: "linear"},
	{Name: "0.5 ms hold (causal)", Period: 20, Interp: "hold"},
	{Name: "0.5 ms extrapolated (causal)", Period: 20, Interp: "extrap"},
	{Name: "0.1 ms hold (causal)", Period: 4, Interp: "hold"},
	{Name: "+1 compartment, 0.5 ms hold (causal)", Depth: 1, Period: 20, Interp: "hold"},
	{Name: "+1 compartment, 0.5 ms extrap. (causal)", Depth: 1, Period: 20, Interp: "extrap"},
	{Name: "0.5 ms linear, noise 0.5 mV", Period: 20, Interp: "linear", Noise: 0.5},
	{Name: "0.5 ms linear, noise 1 mV", Period: 20, Interp: "linear", Noise: 1},
	{Name: "0.5 ms linear, noise 2 mV", Period: 20, Interp: "linear", Noise: 2},
	{Name: "0.5 ms linear, bias +1 mV", Period: 20, Interp: "linear", Bias: 1},
	{Name: "0.5 ms linear, bias -1 mV", Period: 20, Interp: "linear", Bias: -1},
	{Name: "+1 comp., 0.5 ms linear, noise 1 mV", Depth: 1, Period: 20, Interp: "linear", Noise: 1},
	{Name: "+1 comp., 0.5 ms linear, bias +1 mV", Depth: 1, Period: 20, Interp: "linear", Bias: 1},
	{Name: "closed loop 0.5 ms, soma held", Period: 20, Loop: "hold"},
	{Name: "closed loop 0.5 ms, soma extrap.", Period: 20, Loop: "extrap"},
	{Name: "closed loop 0.1 ms, soma held", Period: 4, Loop: "hold"},
	{Name: "closed loop 0.5 ms, held, 3 sweeps", Period: 20, Loop: "hold", Sweeps: 3},
	{Name: "closed loop 0.5 ms, extrap., 2 sweeps", Period: 20, Loop: "extrap", Sweeps: 2},
	{Name: "closed loop 0.5 ms, extrap., 3 sweeps", Period: 20, Loop: "extrap", Sweeps: 3},
	{Name: "closed loop 0.5 ms, extrap., 6 sweeps", Period: 20, Loop: "extrap", Sweeps: 6},
	{Name: "closed loop 0.1 ms, extrap., 2 sweeps", Period: 4, Loop: "extrap", Sweeps: 2},
	{Name: "closed loop 0.025 ms, soma held", Period: 1, Loop: "hold"},
	{Name: "closed loop 0.5 ms, linear response", Period: 20, Loop: "linear"},
	{Name: "closed loop 0.25 ms, linear response", Period: 10, Loop: "linear"},
	{Name: "+1 comp., closed loop 0.5 ms, held", Depth: 1, Period: 20, Loop: "hold"},
	{Name: "+1 comp., closed 0.5 ms, held, 2 sweeps", Depth: 1, Period: 20, Loop: "hold", Sweeps: 2},
	{Name: "axial current, 0.5 ms mean", Period: 20, Current: true},
	{Name: "axial current, 0.1 ms mean", Period: 4, Current: true},
	{Name: "kernel 5 ms, u every step", Period: 1, Kernel: "rest 5 ms"},
	{Name: "kernel 5 ms, u 0.5 ms linear", Period: 20, Kernel: "rest 5 ms"},
	{Name: "kernel 5 ms, u 0.25 ms linear", Period: 10, Kernel: "rest 5 ms"},
	{Name: "kernel 1 tap (static), u 0.5 ms", Period: 20, Kernel: "rest 1 tap"},
	{Name: "kernel 0.1 ms, u 0.5 ms linear", Period: 20, Kernel: "rest 0.1 ms"},
	{Name: "kernel 1 ms, u 0.5 ms linear", Period: 20, Kernel: "rest 1 ms"},
	{Name: "kernel 20 ms, u 0.5 ms linear", Period: 20, Kernel: "rest 20 ms"},
	{Name: "kernel 5 ms at -55 mV, u 0.5 ms", Period: 20, Kernel: "-55 mV 5 ms"},
	{Name: "kernel 5 ms at -75 mV, u 0.5 ms", Period: 20, Kernel: "-75 mV 5 ms"},
	{Name: "kernel 5 ms, u 0.5 ms, noise 0.5 mV", Period: 20, Kernel: "rest 5 ms", Noise: 0.5},
	{Name: "kernel 5 ms, u 0.5 ms, noise 1 mV", Period: 20, Kernel: "rest 5 ms", Noise: 1},
	{Name: "kernel 5 ms, u 0.5 ms, bias +1 mV", Period: 20, Kernel: "rest 5 ms", Bias: 1},
	{Name: "kernel 5 ms, u 0.5 ms, bias -1 mV", Period: 20, Kernel: "rest 5 ms", Bias: -1},
	{Name: "kernel 5 ms, u 0.5 ms, noise 0.1 mV", Period: 20, Kernel: "rest 5 ms", Noise: 0.1},
	{Name: "kernel 5 ms, u 0.5 ms, noise 0.25 mV", Period: 20, Kernel: "rest 5 ms", Noise: 0.25},
	{Name: "kernel 5 ms, u 0.5 ms, bias +0.1 mV", Period: 20, Kernel: "rest 5 ms", Bias: 0.1},
	{Name: "kernel 5 ms, u 0.5 ms, bias -0.1 mV", Period: 20, Kernel: "rest 5 ms", Bias: -0.1},
	{Name: "kernel 5 ms, u 0.5 ms, bias +0.25 mV", Period: 20, Kernel: "rest 5 ms", Bias: 0.25},
	{Name: "kernel 100 ms, u 0.5 ms linear", Period: 20, Kernel: "rest 100 ms"},
	{Name: "kernel 100 ms, clamped u, every step", Period: 1, Kernel: "rest 100 ms", Clamped: true},
	{Name: "kernel 100 ms, clamped u, 0.5 ms", Period: 20, Kernel: "rest 100 ms", Clamped: true},
	{Name: "kernel 5 ms, clamped u, 0.5 ms", Period: 20, Kernel: "rest 5 ms", Clamped: true},
	{Name: "kernel 5 ms + spike, u 0.5 ms linear", Period: 20, Kernel: "rest 5 ms + spike"},
	{Name: "kernel 5 ms, u 0.5 ms hold (causal)", Period: 20, Kernel: "rest 5 ms", Interp: "hold"},
	{Name: "kernel closed loop 0.5 ms, held dendrite, exact", Period: 20, Loop: "kernel", Kernel: "rest 5 ms"},
	{Name: "kernel closed loop 0.5 ms, held dendrite, linear", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear"},
	{Name: "kernel closed loop 0.5 ms, held ≤ -55 mV, exact", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", HoldClip: -55},
	{Name: "kernel closed loop 0.5 ms, held ≤ -55 mV, linear", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -55},
	{Name: "kernel closed loop 0.5 ms, held ≤ -20 mV, linear", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -20},
	{Name: "kernel closed loop 0.5 ms, held ≤ -40 mV, linear", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -40},
	{Name: "kernel closed loop 0.5 ms, held, 1 tap (static)", Period: 20, Loop: "kernel", Kernel: "rest 1 tap", Interp: "linear"},
	{Name: "kernel closed loop 0.25 ms, held dendrite, linear", Period: 10, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear"},
	{Name: "kernel closed loop 0.5 ms, held ≤ -20 mV, dendrite dt 0.05 ms", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -20, DendSteps: 2},
	{Name: "kernel closed loop 0.5 ms, held ≤ -20 mV, dendrite dt 0.1 ms", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -20, DendSteps: 4},
	{Name: "kernel closed loop 0.5 ms, held ≤ -20 mV, dendrite dt 0.25 ms", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -20, DendSteps: 10},
	{Name: "kernel closed loop 0.5 ms, held ≤ -20 mV, dendrite dt 0.5 ms", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", HoldClip: -20, DendSteps: 20},
	{Name: "kernel closed loop 0.5 ms, linear, noise 0.1 mV", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", Noise: 0.1},
	{Name: "kernel closed loop 0.5 ms, linear, noise 0.5 mV", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", Noise: 0.5},
	{Name: "kernel closed loop 0.5 ms, linear, bias +0.1 mV", Period: 20, Loop: "kernel", Kernel: "rest 5 ms", Interp: "linear", Bias: 0.1},
}

// boundRow is the measurement of one interface on one regime of one type.
type boundRow struct {
	Regime    string `json:"regime"`
	Interface string `json:"interface"`
	Samples   int    `json:"samples"`
	// Spikes: NEURON's detector (0 mV upward, 0.025 ms grid) on both somas.
	NTrue      int     `json:"n_spikes_full"`
	NPred      int     `json:"n_spikes_hybrid"`
	RateTrue   float64 `json:"rate_full_hz"`
	RatePred   float64 `json:"rate_hybrid_hz"`
	Gamma      float64 `json:"gamma_2ms"`        // mean over samples with spikes
	GammaPool  float64 `json:"gamma_2ms_pooled"` // counts pooled over samples
	Precision  float64 `json:"spike_precision_2ms"`
	Recall     float64 `json:"spike_recall_2ms"`
	Within05   float64 `json:"within_0_5ms"` // full-cell spikes with a hybrid spike ≤ 0.5 ms away
	MeanErr    float64 `json:"mean_signed_error_ms"`
	MeanAbsErr float64 `json:"mean_abs_error_ms"`
	// Soma voltage: clipped at boundClip (0.5 ms bin ends and every 0.025 ms
	// step), Pearson r with spikes on the peak-preserving 0.5 ms trace (the
	// surrogates' target) and on every step.
	ClipEV       float64 `json:"clipped_ev"`
	ClipRMSE     float64 `json:"clipped_rmse_mV"`
	ClipEVStep   float64 `json:"clipped_ev_every_step"`
	ClipRMSEStep float64 `json:"clipped_rmse_every_step_mV"`
	SomaR        float64 `json:"soma_r"`
	SomaRStep    float64 `json:"soma_r_every_step"`
	MaxAbsDV     float64 `json:"max_abs_dv_mV"`
	Diverged     bool    `json:"diverged,omitempty"` // the hybrid's voltages went non-finite; its voltage figures are -1
	// Kernel rows: RMS error (mV) of the residual u and of the junction v_b
	// linearly interpolated between the rows' samples, over every step and
	// within 2 ms of a whole-cell spike: how much of the soma's spike the
	// quantity to predict still carries.
	UStd         float64 `json:"u_std_mV,omitempty"` // u's standard deviation about each sample's mean
	URough       float64 `json:"u_interp_rms_mV,omitempty"`
	VbRough      float64 `json:"vb_interp_rms_mV,omitempty"`
	URoughSpike  float64 `json:"u_interp_rms_near_spikes_mV,omitempty"`
	VbRoughSpike float64 `json:"vb_interp_rms_near_spikes_mV,omitempty"`
}

// BoundReport is what Bound measures for one cell type (cmd/train -bound).
type BoundReport struct {
	Samples  int                              `json:"samples_per_regime"`
	Boundary map[string][]neuron.JunctionNode `json:"boundary"`
	// Kernels are the junction kernels of the kernel rows (boundKernels),
	// derived from the dendrite's linearisation (neuron.Junction.LinearKernel).
	Kernels map[string]*neuron.JunctionKernel `json:"kernels,omitempty"`
	Rows    []boundRow                        `json:"rows"`
}

// boundFull is one whole-cell run: soma after every step (index 0: t = 0),
// spikes, and per junction depth the boundary voltages and axial currents
// after every step.
type boundFull struct {
	soma   []float64
	spikes []float64
	vb     [2][][]float64
	ib     [2][][]float64
	va     [2][][]float64 // the attach nodes' voltages
	// the depth-0 boundary voltages of the dendrite alone with the soma part
	// clamped at rest, after every step (only when a row needs them)
	vbClamp [][]float64
}

// Bound measures the bound of the hybrid cell for each pyramidal type: the
// isolated exact soma driven by the whole cell's junction through each
// boundIface, against the whole cell (docs/surrogate.md, "The hybrid soma's
// bound").
func Bound(types []neuron.CellType, n, bins int, seed uint64, log io.Writer) (map[string]BoundReport, error) {
	return BoundRows(types, n, bins, seed, "", log)
}

// BoundRows is Bound restricted to the interfaces whose name contains one of
// the "|"-separated substrings of only (case-insensitive; "" keeps all).
func BoundRows(types []neuron.CellType, n, bins int, seed uint64, only string, log io.Writer) (map[string]BoundReport, error) {
	var ifcs []boundIface
	for _, ifc := range boundIfaces {
		keep := only == ""
		for _, w := range strings.Split(only, "|") {
			if w != "" && strings.Contains(strings.ToLower(ifc.Name), strings.ToLower(strings.TrimSpace(w))) {
				keep = true
			}
		}
		if keep {
			ifcs = append(ifcs, ifc)
		}
	}
	if len(ifcs) == 0 {
		return nil, fmt.Errorf("-bound-rows %q: matches no interface", only)
	}
	if log == nil {
		log = io.Discard
	}
	if n < 1 {
		return nil, fmt.Errorf("-bound %d: want at least one sample", n)
	}
	out := map[string]BoundReport{}
	regimes := []string{"poisson", "sparse", "evoked"}
	for ti, ct := range types {
		if ct != neuron.L5Pyramidal && ct != neuron.L2Pyramidal {
			continue // a basket is one compartment: nothing to cut
		}
		start := time.Now()
		desc, err := neuron.Template(ct)
		if err != nil {
			return nil, err
		}
		var js [2]*neuron.Junction
		for dp := range js {
			if js[dp], err = neuron.NewJunction(desc, dp); err != nil {
				return nil, err
			}
		}
		kernels := map[string]*neuron.JunctionKernel{}
		for _, ifc := range ifcs {
			if ifc.Kernel == "" || kernels[ifc.Kernel] != nil {
				continue
			}
			ks, ok := boundKernels[ifc.Kernel]
			if !ok {
				return nil, fmt.Errorf("bound: unknown kernel %q", ifc.Kernel)
			}
			taps := max(int(math.Round(ks.MS/0.025)), 1)
			if kernels[ifc.Kernel], err = js[ifc.Depth].LinearKernel(neuron.DefaultConfig(), taps, ks.Hold, 200, 0.01); err != nil {
				return nil, err
			}
			if ks.Spike {
				if err := boundSpikeKernel(ct, ti, desc, js, kernels[ifc.Kernel], bins, seed); err != nil {
					return nil, err
				}
			}
		}
		clamped := false
		for _, ifc := range ifcs {
			if ifc.Clamped {
				if ifc.Depth != 0 || ifc.Kernel == "" {
					return nil, fmt.Errorf("bound: %s: a clamped residual needs a depth-0 kernel row", ifc.Name)
				}
				clamped = true
			}
		}
		for name, k := range kernels {
			fmt.Fprintf(log, "bound %s: kernel %-12s %4d taps, h0 %s, gain %s\n", ct, name, k.Taps(), boundFmtTaps(k, func(b int) float64 { return k.H[b][0] }), boundFmtTaps(k, k.Gain))
		}
		rep := BoundReport{Samples: n, Boundary: map[string][]neuron.JunctionNode{}, Kernels: kernels}
		for dp, j := range js {
			rep.Boundary[fmt.Sprintf("depth_%d", dp)] = j.Boundary
		}
		for ri, reg := range regimes {
			rows := make([][]boundSample, len(ifcs))
			for f := range rows {
				rows[f] = make([]boundSample, n)
			}
			errs := make([]error, n)
			parallel.For(n, 0, func(i int) {
				rng := rand.New(rand.NewPCG(seed, splitStream("bound")+uint64(ti)<<24+uint64(ri)<<20+uint64(i)))
				evs, err := boundEvents(ct, desc, reg, bins, rng)
				if err != nil {
					errs[i] = err
					return
				}
				full, err := boundRunFull(desc, js, evs, bins, clamped)
				if err != nil {
					errs[i] = err
					return
				}
				for f, ifc := range ifcs {
					nrng := rand.New(rand.NewPCG(seed, splitStream("bound-noise")+uint64(ti)<<24+uint64(ri)<<20+uint64(i)))
					var rough boundRough
					run := boundRunSoma
					switch {
					case ifc.Loop == "kernel":
						run = func(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, rng *rand.Rand) ([]float64, []float64, error) {
							return boundRunLoopKernel(desc, j, evs, full, ifc, rng, kernels[ifc.Kernel])
						}
					case ifc.Kernel != "":
						run = func(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, rng *rand.Rand) ([]float64, []float64, error) {
							return boundRunKernel(desc, j, evs, full, ifc, rng, kernels[ifc.Kernel], &rough)
						}
					case ifc.Loop != "":
						run = boundRunLoop
					}
					soma, spikes, err := run(desc, js[ifc.Depth], evs, full, ifc, nrng)
					if err != nil {
						errs[i] = err
						return
					}
					rows[f][i] = boundCompare(full, soma, spikes, bins)
					rows[f][i].rough = rough
				}
			})
			for _, err := range errs {
				if err != nil {
					return nil, fmt.Errorf("-bound %s %s: %w", ct, reg, err)
				}
			}
			for f, ifc := range ifcs {
				r := boundAggregate(rows[f], float64(bins)*surrogate.BinDt)
				r.Regime, r.Interface = reg, ifc.Name
				rep.Rows = append(rep.Rows, r)
			}
		}
		out[ct.String()] = rep
		fmt.Fprintf(log, "bound %s: %d samples per regime in %.0f s\n", ct, n, time.Since(start).Seconds())
		boundTable(log, ct, rep)
	}
	return out, nil
}

// boundEvents draws one sample's events (channels of desc.Channels()):
// "poisson" the training-style independent-Poisson inputs; "sparse" one
// hnn-core-style Poisson drive on AMPA at the proximal or the distal group
// (every event to every section of the group) at 0.5–1.5 nS; "evoked" four
// evoked-like bursts, each a Gaussian volley of AMPA and NMDA events at the
// proximal or distal group followed by somatic GABA-A/B.
func boundEvents(ct neuron.CellType, desc *neuron.CellDesc, regime string, bins int, rng *rand.Rand) ([]Event, error) {
	tstop := float64(bins) * surrogate.BinDt
	chans := desc.Channels()
	group := func(loc string, r neuron.Receptor) []int { return groupChannels(desc, loc, r) }
	var evs []Event
	add := func(cs []int, t, w float64) {
		if t < 0 || t >= tstop {
			return
		}
		for _, c := range cs {
			evs = append(evs, Event{Channel: c, T: t, W: w})
		}
	}
	locs := []string{neuron.Proximal, neuron.Distal}
	switch regime {
	case "poisson":
		return PoissonEvents(ct, DefaultPoissonConfig(ct), bins, rng)
	case "sparse":
		loc := locs[rng.IntN(2)]
		w := 5e-4 + 1e-3*rng.Float64()
		rate := math.Exp(math.Log(200) + rng.Float64()*math.Log(1500.0/200)) // Hz
		cs := group(loc, neuron.AMPA)
		for t := rng.ExpFloat64() / rate * 1000; t < tstop; t += rng.ExpFloat64() / rate * 1000 {
			add(cs, t, w)
		}
	case "evoked":
		soma := []int{}
		for c, ch := range chans {
			if ch.Section == desc.Sections[0].Name {
				soma = append(soma, c)
			}
		}
		for b := 0; b < 4; b++ {
			t0 := 40 + 240*float64(b) + 60*rng.Float64()
			loc := locs[rng.IntN(2)]
			sd := 1 + 4*rng.Float64()
			nev := 10 + rng.IntN(40)
			wA := 5e-4 + 2.5e-3*rng.Float64()
			for k := 0; k < nev; k++ {
				t := t0 + sd*rng.NormFloat64()
				add(group(loc, neuron.AMPA), t, wA)
				add(group(loc, neuron.NMDA), t, wA/2)
			}
			ti := t0 + 5 + 10*rng.Float64()
			for k := 0; k < 5+rng.IntN(15); k++ {
				add(soma, ti+3*rng.NormFloat64(), 1e-3+4e-3*rng.Float64())
			}
		}
	default:
		return nil, fmt.Errorf("unknown regime %q", regime)
	}
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].T < evs[b].T })
	return evs, nil
}

// boundSpikeTrain is the number of training samples per regime (seeds of the
// "hybrid-train" stream, not the bound's) that a spike kernel is fitted on.
const boundSpikeTrain = 3

// boundSpikeKernel fits k's spike-triggered term (fitSpikeKernel) on
// boundSpikeTrain whole-cell runs per regime.
func boundSpikeKernel(ct neuron.CellType, ti int, desc *neuron.CellDesc, js [2]*neuron.Junction, k *neuron.JunctionKernel, bins int, seed uint64) error {
	regimes := []string{"poisson", "sparse", "evoked"}
	var vbs, vas [][][]float64
	var spikes [][]float64
	for ri, reg := range regimes {
		for i := 0; i < boundSpikeTrain; i++ {
			rng := rand.New(rand.NewPCG(seed, splitStream("hybrid-train")+uint64(ti)<<24+uint64(ri)<<20+uint64(i)))
			evs, err := boundEvents(ct, desc, reg, bins, rng)
			if err != nil {
				return err
			}
			f, err := boundRunFull(desc, js, evs, bins, false)
			if err != nil {
				return err
			}
			vbs, vas, spikes = append(vbs, f.vb[0]), append(vas, f.va[0]), append(spikes, f.spikes)
		}
	}
	fitSpikeKernel(k, vbs, vas, spikes, 8)
	return nil
}

// fitSpikeKernel sets k.Spike to the spike-triggered average, over ms ms after each
// detection, of the residual of k's linear taps: per boundary node, the mean of
// u(t_s + (m+1)·dt) − u(t_s) over the runs' spikes (vbs, vas per run and step, spikes
// the detection times).
func fitSpikeKernel(k *neuron.JunctionKernel, vbs, vas [][][]float64, spikes [][]float64, ms float64) {
	M := int(math.Round(ms / k.Dt))
	nb := len(k.H)
	acc := make([][]float64, nb)
	for b := range acc {
		acc[b] = make([]float64, M)
	}
	cnt := make([]float64, M)
	lin := &neuron.JunctionKernel{Dt: k.Dt, H: k.H}
	for r := range vbs {
		u := lin.Residual(vbs[r], vas[r], nil)
		for _, ts := range spikes[r] {
			n0 := int(math.Round(ts / k.Dt))
			for m := 0; m < M && n0+1+m < len(u); m++ {
				for b := range acc {
					acc[b][m] += u[n0+1+m][b] - u[n0][b]
				}
				cnt[m]++
			}
		}
	}
	k.Spike = make([][]float64, nb)
	for b := range acc {
		k.Spike[b] = make([]float64, M)
		for m := range acc[b] {
			if cnt[m] > 0 {
				k.Spike[b][m] = acc[b][m] / cnt[m]
			}
		}
	}
}

// boundFmtTaps formats f(b) for every boundary node of k.
func boundFmtTaps(k *neuron.JunctionKernel, f func(int) float64) string {
	var out []string
	for b := range k.H {
		out = append(out, fmt.Sprintf("%.4f", f(b)))
	}
	return strings.Join(out, " / ")
}

func boundRunFull(desc *neuron.CellDesc, js [2]*neuron.Junction, evs []Event, bins int, clamped bool) (*boundFull, error) {
	c, err := neuron.New(desc, neuron.DefaultConfig())
	if err != nil {
		return nil, err
	}
	chans := desc.Channels()
	ids := make([]neuron.SynapseID, len(chans))
	for k, ch := range chans {
		if ids[k], err = c.Synapse(ch.Section, ch.Receptor); err != nil {
			return nil, err
		}
	}
	for _, e := range evs {
		if err := c.Deliver(ids[e.Channel], e.T, e.W); err != nil {
			return nil, err
		}
	}
	steps := neuron.Steps(float64(bins)*surrogate.BinDt, c.Dt())
	f := &boundFull{soma: make([]float64, 0, steps+1)}
	record := func() {
		f.soma = append(f.soma, c.VSoma())
		for dp, j := range js {
			f.vb[dp] = append(f.vb[dp], j.Read(c, nil))
			f.ib[dp] = append(f.ib[dp], j.ReadCurrents(c, nil))
			f.va[dp] = append(f.va[dp], j.ReadAttach(c, nil))
		}
	}
	record()
	for k := 0; k < steps; k++ {
		c.Step()
		record()
	}
	f.spikes = append([]float64(nil), c.Spikes()...)
	if clamped {
		d, err := boundDendriteCell(desc, js[0], evs)
		if err != nil {
			return nil, err
		}
		rest := d.ReadExact(nil)
		f.vbClamp = append(f.vbClamp, d.Read(nil))
		for k := 0; k < steps; k++ {
			d.Step(rest)
			f.vbClamp = append(f.vbClamp, d.Read(nil))
		}
	}
	return f, nil
}

// boundRunSoma drives the isolated exact part through interface ifc and
// returns its soma after every step and its spikes.
func boundRunSoma(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, rng *rand.Rand) ([]float64, []float64, error) {
	s, err := boundSomaCell(desc, j, evs)
	if err != nil {
		return nil, nil, err
	}
	vb, ib := full.vb[ifc.Depth], full.ib[ifc.Depth]
	steps := len(vb) - 1
	nb := len(j.Boundary)
	P := ifc.Period
	var pert [][]float64 // per sample and boundary node
	if ifc.Noise != 0 || ifc.Bias != 0 {
		pert = make([][]float64, steps/P+2)
		for k := range pert {
			pert[k] = make([]float64, nb)
			for b := range pert[k] {
				pert[k][b] = ifc.Bias + ifc.Noise*rng.NormFloat64()
			}
		}
	}
	cur := make([]float64, nb)
	soma := make([]float64, 1, steps+1)
	soma[0] = s.VSoma()
	// sample returns boundary b's prescribed value at sample k (clamped).
	sample := func(b, k int) float64 {
		m := min(max(k*P, 0), steps)
		if pert != nil {
			return vb[m][b] + pert[m/P][b]
		}
		return vb[m][b]
	}
	for m := 1; m <= steps; m++ {
		k := (m - 1) / P // the sampling period holding step m (from m-1 to m)
		u := float64(m-k*P) / float64(P)
		for b := 0; b < nb; b++ {
			switch {
			case ifc.Current:
				if (m-1)%P == 0 {
					sum := 0.0
					for q := k*P + 1; q <= min((k+1)*P, steps); q++ {
						sum += ib[q][b]
					}
					cur[b] = sum / float64(min((k+1)*P, steps)-k*P)
				}
			case ifc.Interp == "start":
				cur[b] = vb[m-1][b]
			case ifc.Interp == "hold":
				cur[b] = sample(b, k)
			case ifc.Interp == "extrap":
				cur[b] = (1+u)*sample(b, k) - u*sample(b, k-1)
			case ifc.Interp == "linear":
				cur[b] = (1-u)*sample(b, k) + u*sample(b, k+1)
			case ifc.Interp == "cubic", ifc.Interp == "hermite":
				p1, p2 := sample(b, k), sample(b, k+1)
				var m1, m2 float64 // slopes per sampling period
				if ifc.Interp == "cubic" {
					m1 = (p2 - sample(b, k-1)) / 2
					m2 = (sample(b, k+2) - p1) / 2
				} else {
					slope := func(q int) float64 { // exact, per step, times P
						lo, hi := max(q-1, 0), min(q+1, steps)
						return (vb[hi][b] - vb[lo][b]) / float64(hi-lo) * float64(P)
					}
					m1, m2 = slope(min(k*P, steps)), slope(min((k+1)*P, steps))
				}
				u2, u3 := u*u, u*u*u
				cur[b] = (2*u3-3*u2+1)*p1 + (u3-2*u2+u)*m1 + (-2*u3+3*u2)*p2 + (u3-u2)*m2
			}
		}
		if ifc.Current {
			s.StepCurrent(cur)
		} else {
			s.Step(cur)
		}
		soma = append(soma, s.VSoma())
	}
	return soma, append([]float64(nil), s.Spikes()...), nil
}

// boundRunKernel drives a neuron.KernelSoma with kernel k and the whole
// cell's residual u (k.Residual of its junction) sampled every ifc.Period
// steps, perturbed by ifc.Noise and ifc.Bias, and interpolated linearly; the
// kernel term comes from the hybrid's own soma part. It adds to rough the
// interpolation errors of u and, for comparison, of v_b.
func boundRunKernel(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, rng *rand.Rand, k *neuron.JunctionKernel, rough *boundRough) ([]float64, []float64, error) {
	ks, err := j.NewKernelSoma(k, neuron.DefaultConfig())
	if err != nil {
		return nil, nil, err
	}
	if err := boundDeliver(desc, ks.SomaCell, evs); err != nil {
		return nil, nil, err
	}
	vb := full.vb[ifc.Depth]
	u := k.Residual(vb, full.va[ifc.Depth], full.spikes)
	if ifc.Clamped {
		u = make([][]float64, len(full.vbClamp))
		for m, w := range full.vbClamp {
			u[m] = make([]float64, len(w))
			for b := range w {
				u[m][b] = w[b] - k.Gain(b)*full.va[0][0][b]
			}
		}
	}
	steps := len(vb) - 1
	nb := len(j.Boundary)
	P := ifc.Period
	dt := ks.Cell().Dt()
	samp := make([][]float64, steps/P+2)
	for q := range samp {
		samp[q] = make([]float64, nb)
		for b := range samp[q] {
			samp[q][b] = u[min(q*P, steps)][b] + ifc.Bias + ifc.Noise*rng.NormFloat64()
		}
	}
	for b := 0; b < nb; b++ {
		mean := 0.0
		for m := 1; m <= steps; m++ {
			mean += u[m][b] / float64(steps)
		}
		for m := 1; m <= steps; m++ {
			rough.Var += (u[m][b] - mean) * (u[m][b] - mean)
			rough.VarN++
		}
	}
	near := make([]bool, steps+1) // within 2 ms of a whole-cell spike
	for _, t := range full.spikes {
		for m := max(int((t-2)/dt), 0); m <= min(int((t+2)/dt)+1, steps); m++ {
			near[m] = true
		}
	}
	cur := make([]float64, nb)
	soma := make([]float64, 1, steps+1)
	soma[0] = ks.VSoma()
	for m := 1; m <= steps; m++ {
		q := (m - 1) / P
		w := float64(m-q*P) / float64(P)
		lo, hi := q*P, min((q+1)*P, steps)
		for b := 0; b < nb; b++ {
			cur[b] = (1-w)*samp[q][b] + w*samp[q+1][b]
			if ifc.Interp == "hold" {
				cur[b] = samp[q][b]
			}
			eu := u[m][b] - ((1-w)*u[lo][b] + w*u[hi][b])
			ev := vb[m][b] - ((1-w)*vb[lo][b] + w*vb[hi][b])
			rough.U += eu * eu
			rough.Vb += ev * ev
			rough.N++
			if near[m] {
				rough.USp += eu * eu
				rough.VbSp += ev * ev
				rough.NSp++
			}
		}
		ks.Step(cur)
		soma = append(soma, ks.VSoma())
	}
	return soma, append([]float64(nil), ks.Spikes()...), nil
}

// boundRunLoop co-simulates the hybrid soma with a DendriteCell (the
// closed-loop interfaces, see boundIface).
func boundRunLoop(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, _ *rand.Rand) ([]float64, []float64, error) {
	s, err := boundSomaCell(desc, j, evs)
	if err != nil {
		return nil, nil, err
	}
	d, err := boundDendriteCell(desc, j, evs)
	if err != nil {
		return nil, nil, err
	}
	steps := len(full.soma) - 1
	l := newBoundLoop(s, d, j, ifc, steps)
	for m0 := 0; m0 < steps; m0 += ifc.Period {
		n := min(ifc.Period, steps-m0)
		if ifc.Loop == "linear" {
			l.linearPeriod(n)
		} else {
			l.sweepPeriod(n)
		}
	}
	return l.soma, append([]float64(nil), s.Spikes()...), nil
}

// boundRunLoopKernel co-simulates the hybrid soma with a DendriteCell held
// at the soma part's bin-start values, the soma's sub-bin departure from
// them taken through kernel k implicitly (Loop "kernel", boundLoop.kernelPeriod).
func boundRunLoopKernel(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, full *boundFull, ifc boundIface, rng *rand.Rand, k *neuron.JunctionKernel) ([]float64, []float64, error) {
	s, err := boundSomaCell(desc, j, evs)
	if err != nil {
		return nil, nil, err
	}
	d, err := boundDendriteCellDt(desc, j, evs, max(ifc.DendSteps, 1))
	if err != nil {
		return nil, nil, err
	}
	steps := len(full.soma) - 1
	l := newBoundLoop(s, d, j, ifc, steps)
	l.k, l.rng = k, rng
	l.dsteps = max(ifc.DendSteps, 1)
	nb := len(j.Boundary)
	l.held, l.att = make([][]float64, ifc.Period+1), make([][]float64, ifc.Period+1)
	for q := range l.held {
		l.held[q], l.att[q] = make([]float64, nb), make([]float64, nb)
	}
	l.a0, l.h0, l.delta = make([]float64, nb), make([]float64, nb), make([]float64, nb)
	for b := range l.h0 {
		l.h0[b] = k.H[b][0]
	}
	for m0 := 0; m0 < steps; m0 += ifc.Period {
		l.kernelPeriod(min(ifc.Period, steps-m0))
	}
	return l.soma, append([]float64(nil), s.Spikes()...), nil
}

// kernelPeriod advances n steps (Loop "kernel"): the dendrite runs the
// period with the soma part held at its start values, giving the junction
// v_b,held a causal model could predict (with Interp "linear" only its
// value at the period's end, interpolated from the start, perturbed by
// Noise and Bias); it is rewound, and the soma integrates with
// v_b = v_b,held + Σ_k h_k·(v_a(t−k) − v_a(start)) over the period's lags,
// lag 0 implicit (SomaCell.StepLinear); then the dendrite follows the
// soma's actual trajectory.
func (l *boundLoop) kernelPeriod(n int) {
	s, d := l.s, l.d
	d.Save()
	for e, v := range l.eNow {
		l.vE[e] = v
		if l.ifc.HoldClip != 0 {
			l.vE[e] = math.Min(v, l.ifc.HoldClip)
		}
	}
	ds := l.dsteps
	if n%ds != 0 {
		panic(fmt.Sprintf("bound: period %d not a multiple of the dendrite's %d steps", n, ds))
	}
	for q := ds; q <= n; q += ds {
		d.Step(l.vE)
		d.Read(l.held[q])
	}
	d.Restore()
	for b := range l.a0 {
		l.a0[b] = s.AttachV(b)
		if l.ifc.HoldClip != 0 {
			l.a0[b] = math.Min(l.a0[b], l.ifc.HoldClip)
		}
	}
	pert := make([]float64, len(l.vb))
	for b := range pert {
		pert[b] = l.ifc.Bias + l.ifc.Noise*l.rng.NormFloat64()
	}
	// with a clipped hold, the clamp's step Δ = a0 − v_a(start) at the bin's
	// start is carried by the kernel's step response S(q) = Σ_{k<q} h_k, so
	// that what is interpolated is the smooth rest of the held junction
	for b := range l.delta {
		l.delta[b] = l.a0[b] - s.AttachV(b)
	}
	step := func(b, q int) float64 {
		h, sum := l.k.H[b], 0.0
		for k := 0; k < min(q, len(h)); k++ {
			sum += h[k]
		}
		return sum * l.delta[b]
	}
	for q := 1; q <= n; q++ {
		w := float64(q) / float64(n)
		for b := range l.vb {
			base := l.held[q][b] + l.ifc.Bias
			if l.ifc.Interp == "linear" {
				base = (1-w)*(l.vbStart[b]+l.ifc.Bias) + w*(l.held[n][b]-step(b, n)+pert[b]) + step(b, q)
			}
			h := l.k.H[b]
			for k := 1; k < min(q, len(h)); k++ {
				base += h[k] * (l.att[q-k][b] - l.a0[b])
			}
			l.vb[b] = base
		}
		s.StepLinear(l.vb, l.h0, l.a0)
		for b := range l.vb {
			l.att[q][b] = s.AttachV(b)
		}
		s.ReadExact(l.traj[q])
		l.soma = append(l.soma, s.VSoma())
	}
	for q := ds; q <= n; q += ds {
		d.Step(l.traj[q])
	}
	l.endPeriod(d.Read(nil))
}

// boundDendriteCell builds the dendrite part of j with the events on its
// synapses.
func boundDendriteCell(desc *neuron.CellDesc, j *neuron.Junction, evs []Event) (*neuron.DendriteCell, error) {
	return boundDendriteCellDt(desc, j, evs, 1)
}

// boundDendriteCellDt is boundDendriteCell with a step of steps × 0.025 ms.
func boundDendriteCellDt(desc *neuron.CellDesc, j *neuron.Junction, evs []Event, steps int) (*neuron.DendriteCell, error) {
	cfg := neuron.DefaultConfig()
	cfg.Dt *= float64(steps)
	d, err := j.NewDendriteCell(cfg)
	if err != nil {
		return nil, err
	}
	dc := d.Cell()
	chans := desc.Channels()
	ids := make([]neuron.SynapseID, len(chans))
	for k, ch := range chans {
		if ids[k], err = dc.Synapse(ch.Section, ch.Receptor); err != nil {
			return nil, err
		}
	}
	for _, e := range evs {
		if err := dc.Deliver(ids[e.Channel], e.T, e.W); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// boundLoop is the state of a closed-loop co-simulation of a hybrid soma s
// and its dendrite d, advanced one sampling period at a time.
type boundLoop struct {
	s      *neuron.SomaCell
	d      *neuron.DendriteCell
	ifc    boundIface
	sweeps int

	eNow, ePrev []float64   // the soma part's values at the period's start and the previous one's
	vbStart     []float64   // the junction at the period's start
	vE, vb      []float64   // scratch: the dendrite's and the soma's prescribed values
	vbUp        []float64   // linear response: the junction with the soma part 1 mV higher
	beta, vref  []float64   // linear response: sensitivity and attachment voltages
	traj        [][]float64 // the soma part's values after each step of the period
	soma        []float64   // the soma voltage after every step (index 0: t = 0)

	// Loop "kernel": the kernel, the noise source, the held dendrite's
	// junction and the soma's attach voltages after each step of the period,
	// the attach voltages at its start and the kernels' lag-0 taps
	k         *neuron.JunctionKernel
	rng       *rand.Rand
	held, att [][]float64
	a0, h0    []float64
	delta     []float64 // the clipped hold's step at the period's start
	dsteps    int       // soma steps per dendrite step (boundIface.DendSteps)
}

// newBoundLoop prepares the co-simulation of steps steps with interface ifc.
func newBoundLoop(s *neuron.SomaCell, d *neuron.DendriteCell, j *neuron.Junction, ifc boundIface, steps int) *boundLoop {
	P := ifc.Period
	nb, ne := len(j.Boundary), j.ExactNodes()
	l := &boundLoop{s: s, d: d, ifc: ifc, sweeps: max(ifc.Sweeps, 1)}
	l.eNow = s.ReadExact(nil)
	l.ePrev = append([]float64(nil), l.eNow...)
	l.vbStart = d.Read(nil)
	l.vE, l.vb = make([]float64, ne), make([]float64, nb)
	l.soma = make([]float64, 1, steps+1)
	l.soma[0] = s.VSoma()
	l.vbUp, l.beta, l.vref = make([]float64, nb), make([]float64, nb), make([]float64, nb)
	l.traj = make([][]float64, P+1)
	for q := range l.traj {
		l.traj[q] = make([]float64, ne)
	}
	return l
}

// linearPeriod advances n steps with the junction's linear response (Loop
// "linear"): the dendrite is run twice from the period's start, with the soma
// part held and held 1 mV higher, then rewound; the soma integrates with the
// linearised junction; the dendrite then follows the soma's trajectory.
func (l *boundLoop) linearPeriod(n int) {
	s, d := l.s, l.d
	if l.sweeps > 1 {
		d.Save()
		s.Save()
	}
	var vbEnd []float64
	d.Save()
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			d.Restore()
		}
		for e := range l.vE {
			l.vE[e] = l.eNow[e] + float64(pass)
		}
		for q := 1; q <= n; q++ {
			d.Step(l.vE)
		}
		if pass == 0 {
			vbEnd = d.Read(vbEnd)
		} else {
			l.vbUp = d.Read(l.vbUp)
		}
	}
	d.Restore()
	for b := range l.vb {
		l.beta[b] = l.vbUp[b] - vbEnd[b]
		l.vref[b] = s.AttachV(b)
	}
	for q := 1; q <= n; q++ {
		u := float64(q) / float64(n)
		for b := range l.vb {
			l.vb[b] = (1-u)*l.vbStart[b] + u*vbEnd[b]
		}
		s.StepLinear(l.vb, l.beta, l.vref)
		s.ReadExact(l.traj[q])
		l.soma = append(l.soma, s.VSoma())
	}
	for q := 1; q <= n; q++ {
		d.Step(l.traj[q])
	}
	// the next period starts from the junction the soma actually saw
	for b := range l.vb {
		vbEnd[b] += l.beta[b] * (s.AttachV(b) - l.vref[b])
	}
	l.endPeriod(vbEnd)
}

// sweepPeriod advances n steps by waveform relaxation (Loop "hold" or
// "extrap"): each sweep runs the dendrite with the soma part held,
// extrapolated, or (from the second sweep on) following the previous sweep's
// trajectory, then the soma with the dendrite's junction interpolated.
func (l *boundLoop) sweepPeriod(n int) {
	s, d := l.s, l.d
	if l.sweeps > 1 {
		d.Save()
		s.Save()
	}
	var vbEnd []float64
	for sw := 0; sw < l.sweeps; sw++ {
		if sw > 0 {
			d.Restore()
			s.Restore()
		}
		for q := 1; q <= n; q++ {
			u := float64(q) / float64(l.ifc.Period)
			for e := range l.vE {
				switch {
				case sw > 0:
					l.vE[e] = l.traj[q][e]
				case l.ifc.Loop == "extrap":
					l.vE[e] = l.eNow[e] + u*(l.eNow[e]-l.ePrev[e])
				default:
					l.vE[e] = l.eNow[e]
				}
			}
			d.Step(l.vE)
		}
		vbEnd = d.Read(vbEnd)
		for q := 1; q <= n; q++ {
			u := float64(q) / float64(n)
			for b := range l.vb {
				l.vb[b] = (1-u)*l.vbStart[b] + u*vbEnd[b]
			}
			s.Step(l.vb)
			s.ReadExact(l.traj[q])
			if sw == l.sweeps-1 {
				l.soma = append(l.soma, s.VSoma())
			}
		}
	}
	l.endPeriod(vbEnd)
}

// endPeriod moves the period's start to its end, vbEnd being the junction
// there.
func (l *boundLoop) endPeriod(vbEnd []float64) {
	copy(l.ePrev, l.eNow)
	l.s.ReadExact(l.eNow)
	copy(l.vbStart, vbEnd)
}

// boundSomaCell builds the exact part of j with the events on its synapses.
func boundSomaCell(desc *neuron.CellDesc, j *neuron.Junction, evs []Event) (*neuron.SomaCell, error) {
	s, err := j.NewSomaCell(neuron.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return s, boundDeliver(desc, s, evs)
}

// boundDeliver queues the events of evs whose synapse lies in s's exact part.
func boundDeliver(desc *neuron.CellDesc, s *neuron.SomaCell, evs []Event) error {
	chans := desc.Channels()
	ids := map[int]neuron.SynapseID{}
	for _, e := range evs {
		ch := chans[e.Channel]
		if !s.Exact(ch.Section) {
			continue
		}
		id, ok := ids[e.Channel]
		if !ok {
			var err error
			if id, err = s.Synapse(ch.Section, ch.Receptor); err != nil {
				return err
			}
			ids[e.Channel] = id
		}
		if err := s.Deliver(id, e.T, e.W); err != nil {
			return err
		}
	}
	return nil
}

// boundSample holds one sample's comparison: spike trains and pooled sums.
type boundSample struct {
	truth, pred []float64
	clip        moments // 0.5 ms bin ends
	clipStep    moments
	r, rStep    moments // soma with spikes (peak-preserving 0.5 ms; every step)
	maxAbs      float64
	rough       boundRough
}

// boundRough holds a kernel row's squared interpolation errors of u and of
// v_b summed over steps and boundary nodes: every step (U, Vb, N) and the
// steps within 2 ms of a whole-cell spike (USp, VbSp, NSp).
// Var and VarN: the squared deviations of u from its mean (per sample and
// boundary node), summed, and their count.
type boundRough struct{ U, Vb, N, USp, VbSp, NSp, Var, VarN float64 }

// moments accumulates the sums of a paired comparison (x = full cell,
// y = hybrid).
type moments struct{ n, sx, sy, sxx, syy, sxy, see float64 }

func (m *moments) add(x, y float64) {
	m.n++
	m.sx += x
	m.sy += y
	m.sxx += x * x
	m.syy += y * y
	m.sxy += x * y
	m.see += (x - y) * (x - y)
}

func (m *moments) merge(o moments) {
	m.n += o.n
	m.sx += o.sx
	m.sy += o.sy
	m.sxx += o.sxx
	m.syy += o.syy
	m.sxy += o.sxy
	m.see += o.see
}

func (m moments) r() float64 {
	cx := m.sxx - m.sx*m.sx/m.n
	cy := m.syy - m.sy*m.sy/m.n
	if cx <= 0 || cy <= 0 {
		return 0
	}
	return (m.sxy - m.sx*m.sy/m.n) / math.Sqrt(cx*cy)
}

func (m moments) rmse() float64 { return math.Sqrt(m.see / m.n) }

// ev is the variance of x explained by y: 1 − Σ(x−y)² / Σ(x−x̄)².
func (m moments) ev() float64 { return 1 - m.see/(m.sxx-m.sx*m.sx/m.n) }

func boundCompare(full *boundFull, soma, spikes []float64, bins int) boundSample {
	s := boundSample{truth: full.spikes, pred: spikes}
	per := len(soma) / bins
	for k := 0; k < bins; k++ {
		pa, pb := math.Inf(-1), math.Inf(-1)
		for m := k*per + 1; m <= (k+1)*per; m++ {
			a, b := full.soma[m], soma[m]
			pa, pb = math.Max(pa, a), math.Max(pb, b)
			s.clipStep.add(math.Min(a, boundClip), math.Min(b, boundClip))
			s.rStep.add(a, b)
			s.maxAbs = math.Max(s.maxAbs, math.Abs(a-b))
		}
		a, b := full.soma[(k+1)*per], soma[(k+1)*per]
		s.clip.add(math.Min(a, boundClip), math.Min(b, boundClip))
		if pa > 0 {
			a = pa
		}
		if pb > 0 {
			b = pb
		}
		s.r.add(a, b)
	}
	return s
}

func boundAggregate(ss []boundSample, tMS float64) boundRow {
	r := boundRow{Samples: len(ss)}
	var clip, clipStep, rr, rStep moments
	var rough boundRough
	var nc, ngam, n05 int
	var gsum, esum, easum, expect float64
	var pairs int
	for _, s := range ss {
		r.NTrue += len(s.truth)
		r.NPred += len(s.pred)
		p := stats.MatchPairs(s.pred, s.truth, surrogate.SpikeTolerance)
		nc += len(p)
		for _, q := range p {
			esum += q[0] - q[1]
			easum += math.Abs(q[0] - q[1])
			pairs++
		}
		expect += 2 * surrogate.SpikeTolerance * float64(len(s.truth)) * float64(len(s.pred)) / tMS
		if g := stats.Coincidence(s.pred, s.truth, tMS, surrogate.SpikeTolerance); !math.IsNaN(g) {
			gsum += g
			ngam++
		}
		for _, t := range s.truth {
			for _, q := range s.pred {
				if math.Abs(q-t) <= 0.5 {
					n05++
					break
				}
			}
		}
		clip.merge(s.clip)
		clipStep.merge(s.clipStep)
		rr.merge(s.r)
		rStep.merge(s.rStep)
		r.MaxAbsDV = math.Max(r.MaxAbsDV, s.maxAbs)
		rough.U += s.rough.U
		rough.Vb += s.rough.Vb
		rough.N += s.rough.N
		rough.USp += s.rough.USp
		rough.VbSp += s.rough.VbSp
		rough.NSp += s.rough.NSp
		rough.Var += s.rough.Var
		rough.VarN += s.rough.VarN
	}
	if rough.VarN > 0 {
		r.UStd = math.Sqrt(rough.Var / rough.VarN)
	}
	if rough.N > 0 {
		r.URough, r.VbRough = math.Sqrt(rough.U/rough.N), math.Sqrt(rough.Vb/rough.N)
	}
	if rough.NSp > 0 {
		r.URoughSpike, r.VbRoughSpike = math.Sqrt(rough.USp/rough.NSp), math.Sqrt(rough.VbSp/rough.NSp)
	}
	T := tMS * float64(len(ss)) / 1000
	r.RateTrue, r.RatePred = float64(r.NTrue)/T, float64(r.NPred)/T
	r.Gamma, r.GammaPool = -1, -1 // undefined without spikes (JSON has no NaN)
	if ngam > 0 {
		r.Gamma = gsum / float64(ngam)
	}
	nu := float64(r.NPred) / (tMS * float64(len(ss)))
	if r.NTrue+r.NPred > 0 {
		r.GammaPool = (float64(nc) - expect) / (0.5 * float64(r.NTrue+r.NPred)) / (1 - 2*nu*surrogate.SpikeTolerance)
	}
	r.Precision, r.Recall = ratio(nc, r.NPred), ratio(nc, r.NTrue)
	r.Within05 = ratio(n05, r.NTrue)
	if pairs > 0 {
		r.MeanErr, r.MeanAbsErr = esum/float64(pairs), easum/float64(pairs)
	}
	r.ClipEV, r.ClipRMSE = clip.ev(), clip.rmse()
	r.ClipEVStep, r.ClipRMSEStep = clipStep.ev(), clipStep.rmse()
	r.SomaR, r.SomaRStep = rr.r(), rStep.r()
	// a hybrid that diverged (NaN or infinite voltages) has no finite figures:
	// flag it and write -1 for them (JSON has no NaN)
	for _, f := range []*float64{&r.ClipEV, &r.ClipRMSE, &r.ClipEVStep, &r.ClipRMSEStep, &r.SomaR, &r.SomaRStep, &r.MaxAbsDV} {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f, r.Diverged = -1, true
		}
	}
	return r
}

// boundTable writes the human table of one type to w, marking with * the
// values that miss the targets.
func boundTable(w io.Writer, ct neuron.CellType, rep BoundReport) {
	for dp := 0; dp < 2; dp++ {
		var b []string
		for _, n := range rep.Boundary[fmt.Sprintf("depth_%d", dp)] {
			b = append(b, fmt.Sprintf("%s seg %d -> %s (G %.4g µS)", n.Section, n.Seg, n.Attach, n.G))
		}
		fmt.Fprintf(w, "  depth %d boundary: %s\n", dp, strings.Join(b, "; "))
	}
	mark := func(ok bool) string {
		if ok {
			return " "
		}
		return "*"
	}
	fmt.Fprintf(w, "  %-8s %-32s %5s %5s %6s %6s %6s %6s %6s %7s %6s %6s %6s %9s\n",
		"regime", "interface", "Nfull", "Nhyb", "Γ", "P", "R", "≤0.5ms", "err", "|err|", "EVclip", "RMSEcl", "r", "max|Δv|")
	for _, r := range rep.Rows {
		fmt.Fprintf(w, "  %-8s %-32s %5d %5d %5.3f%s %5.3f%s %5.3f%s %5.3f%s %+6.3f%s %6.3f %5.1f%%%s %5.2f%s %5.3f%s %9.3g\n",
			r.Regime, r.Interface, r.NTrue, r.NPred,
			r.Gamma, mark(r.Gamma >= 0.85), r.Precision, mark(r.Precision >= 0.85), r.Recall, mark(r.Recall >= 0.85),
			r.Within05, mark(r.Within05 >= 0.65), r.MeanErr, mark(math.Abs(r.MeanErr) <= 0.2), r.MeanAbsErr,
			100*r.ClipEV, mark(r.ClipEV >= 0.9), r.ClipRMSE, mark(r.ClipRMSE <= 1.5), r.SomaR, mark(r.SomaR >= 0.85), r.MaxAbsDV)
		if r.Diverged {
			fmt.Fprintf(w, "  %-8s %-32s   diverged: the hybrid's voltages went non-finite\n", "", "")
		}
		if r.URough > 0 {
			fmt.Fprintf(w, "  %-8s %-32s   u: s.d. %.3f mV; interpolation RMS %.3f mV (near spikes %.3f), v_b's %.3f mV (%.3f)\n",
				"", "", r.UStd, r.URough, r.URoughSpike, r.VbRough, r.VbRoughSpike)
		}
	}
}
