// Package recovery runs the parameter-recovery experiment of an ERP fit
// against the biophysical column: a perturbation of the default ERP drives'
// weights (and optionally class gains), drawn by seed and never shown to
// the fit, is simulated biophysically; its trial-averaged dipole, scaled and
// smoothed as hnn-core users do, is the "measured" ERP. The surrogate
// network is fitted to it from the defaults by gradient descent
// (optimize.Run, hnn-core's dipole_rmse), the fitted parameters are
// re-simulated biophysically, and a gradient-free search (gonum's CMA-ES or
// Nelder-Mead) runs on the biophysical column itself over the same
// parameters, target and bounds, for a budget of biophysical evaluations.
package recovery

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	gopt "gonum.org/v1/gonum/optimize"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/internal/stats"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/network/biophys"
	"github.com/neurograd/neurograd/network/snn"
	"github.com/neurograd/neurograd/neuron"
	"github.com/neurograd/neurograd/optimize"
)

// Defaults of Config (cmd/recover's flags).
const (
	DefaultMeshX, DefaultMeshY = 5, 5 // HNN's column layout at 25 pyramidal cells per layer (70 cells)
	DefaultTrials              = 3
	DefaultTStop               = 170.0 // ms, hnn-core's ERP example
	DefaultDt                  = 0.025 // ms, the biophysical step
	DefaultSpan                = 0.3   // decades: true values within default·10^±span
	DefaultScale               = 3000.0
	DefaultSmoothMS            = 20.0
	DefaultEpochs              = 40
	DefaultLR                  = 0.03 // Adam step on log10 parameters
	DefaultBudget              = 30   // biophysical evaluations of the gradient-free search
	DefaultSearch              = "cmaes"
	// FitTrainTrial is the first drive trial of the surrogate's training
	// noise (the measurement uses trials 0..Trials-1).
	FitTrainTrial = 1000
)

// DefaultParams are the perturbed and fitted parameters by default, named
// as hnn-core's set_params and Optimizer constraints name them: eight
// weights (µS) of the three ERP drives onto pyramidal and basket cells and
// the gains of the two basket-to-pyramidal GABA_A classes.
func DefaultParams() []string {
	return []string{
		"evprox1_ampa_L2_pyramidal", "evprox1_ampa_L5_pyramidal", "evprox1_ampa_L2_basket", "evprox1_ampa_L5_basket",
		"evdist1_ampa_L5_pyramidal", "evdist1_nmda_L5_pyramidal",
		"evprox2_ampa_L2_pyramidal", "evprox2_ampa_L5_pyramidal",
		"L2Basket_L2Pyr_gabaa_soma", "L5Basket_L5Pyr_gabaa_soma",
	}
}

// Config configures Run. Zero fields take the defaults above.
type Config struct {
	Seed     uint64   `json:"seed"`   // draws the true parameters and the search's samples
	MeshX    int      `json:"mesh_x"` // pyramidal mesh per layer of both models: MeshX by MeshY
	MeshY    int      `json:"mesh_y"`
	Trials   int      `json:"trials"`       // noise trials averaged per evaluation (0..Trials-1)
	TStop    float64  `json:"tstop_ms"`     // simulated time (ms)
	Dt       float64  `json:"dt_ms"`        // biophysical time step (ms)
	Span     float64  `json:"span_decades"` // perturbation and bounds: default·10^[-span, span]
	Params   []string `json:"params"`       // names (DefaultParams when nil)
	Scale    float64  `json:"scale"`        // hnn-core's scale_factor
	SmoothMS float64  `json:"smooth_ms"`    // hnn-core's smooth_window_len (ms); negative: no smoothing (0 means DefaultSmoothMS)
	Epochs   int      `json:"epochs"`       // Adam steps of the surrogate fit
	LR       float64  `json:"lr"`           // Adam learning rate (log10 units)
	Replicas int      `json:"replicas"`     // with FreshNoise: training noise replicas per epoch; 0 means Trials
	Search   string   `json:"search"`       // "cmaes" or "nelder-mead"
	Budget   int      `json:"budget"`       // biophysical evaluations of the search (each Trials simulations)
	Workers  int      `json:"-"`            // goroutines of each biophysical simulation (0: GOMAXPROCS); no effect on results
	// SelfRecovery adds the control experiment without model mismatch:
	// the surrogate fitted to the surrogate's own ERP at the true
	// parameters (no biophysical simulation).
	SelfRecovery bool `json:"self_recovery"`
	// FreshNoise trains the surrogate on fresh noise every epoch (Replicas
	// trials from FitTrainTrial on); by default every epoch re-simulates
	// the measurement's trials 0..Trials-1, as hnn-core's Optimizer does.
	FreshNoise bool `json:"fresh_noise"`

	// Progress, when not nil, receives progress lines (with ETAs).
	Progress func(string) `json:"-"`
}

// WithDefaults returns cfg with its zero fields set to the defaults.
func (cfg Config) WithDefaults() Config {
	if cfg.MeshX == 0 && cfg.MeshY == 0 {
		cfg.MeshX, cfg.MeshY = DefaultMeshX, DefaultMeshY
	}
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	def(&cfg.TStop, DefaultTStop)
	def(&cfg.Dt, DefaultDt)
	def(&cfg.Span, DefaultSpan)
	def(&cfg.Scale, DefaultScale)
	def(&cfg.SmoothMS, DefaultSmoothMS)
	def(&cfg.LR, DefaultLR)
	if cfg.Trials == 0 {
		cfg.Trials = DefaultTrials
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = DefaultEpochs
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = cfg.Trials
	}
	if cfg.Search == "" {
		cfg.Search = DefaultSearch
	}
	if cfg.Budget == 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Params == nil {
		cfg.Params = DefaultParams()
	}
	return cfg
}

// Validate checks a configuration after WithDefaults; its errors name the
// field (as cmd/recover's flag).
func (cfg Config) Validate() error {
	finitePos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case cfg.MeshX < 1 || cfg.MeshY < 1 || cfg.MeshX*cfg.MeshY > 400:
		return fmt.Errorf("mesh %dx%d: each side at least 1, at most 400 pyramidal cells per layer", cfg.MeshX, cfg.MeshY)
	case cfg.Trials < 1 || cfg.Trials > 100:
		return fmt.Errorf("trials %d: want 1-100", cfg.Trials)
	case !finitePos(cfg.TStop) || cfg.TStop > 2000:
		return fmt.Errorf("tstop %v ms: want (0, 2000]", cfg.TStop)
	case !finitePos(cfg.Dt) || cfg.Dt > 0.1:
		return fmt.Errorf("dt %v ms: want (0, 0.1]", cfg.Dt)
	case !finitePos(cfg.Span) || cfg.Span > 2:
		return fmt.Errorf("span %v decades: want (0, 2]", cfg.Span)
	case !finitePos(cfg.Scale):
		return fmt.Errorf("scale %v: want > 0 and finite", cfg.Scale)
	case math.IsNaN(cfg.SmoothMS) || cfg.SmoothMS >= cfg.TStop:
		return fmt.Errorf("smooth %v ms: want below tstop (negative: none)", cfg.SmoothMS)
	case cfg.Epochs < 1 || cfg.Epochs > 100000:
		return fmt.Errorf("epochs %d: want >= 1", cfg.Epochs)
	case !finitePos(cfg.LR) || cfg.LR > 10:
		return fmt.Errorf("lr %v: want (0, 10]", cfg.LR)
	case cfg.Replicas < 1 || cfg.Replicas > 100:
		return fmt.Errorf("replicas %d: want 1-100", cfg.Replicas)
	case cfg.Search != "cmaes" && cfg.Search != "nelder-mead":
		return fmt.Errorf("search %q: want cmaes or nelder-mead", cfg.Search)
	case cfg.Budget < 1 || cfg.Budget > 100000:
		return fmt.Errorf("budget %d: want >= 1", cfg.Budget)
	case len(cfg.Params) == 0:
		return errors.New("params: none given")
	}
	return nil
}

// ParamResult is one parameter's recovery: values in its unit (µS for
// drive weights, 1 for gains) and log10 errors against the true value.
type ParamResult struct {
	Name    string  `json:"name"`
	Default float64 `json:"default"` // the fit's and the search's start
	True    float64 `json:"true"`
	Fitted  float64 `json:"fitted"` // the surrogate fit's
	Search  float64 `json:"search"` // the gradient-free search's best
	// ErrDefault, ErrFitted and ErrSearch are |log10(value / true)|.
	ErrDefault float64 `json:"err_default_decades"`
	ErrFitted  float64 `json:"err_fitted_decades"`
	ErrSearch  float64 `json:"err_search_decades"`
}

// Metrics compare an ERP with the measured one: hnn-core's dipole_rmse
// (nAm) and Pearson's r.
type Metrics struct {
	RMSE float64 `json:"rmse_nAm"`
	Corr float64 `json:"corr"`
}

// Epoch is one Adam step of the surrogate fit.
type Epoch struct {
	Epoch  int       `json:"epoch"`
	Loss   float64   `json:"loss_nAm"` // surrogate RMSE on the epoch's training noise, before the step
	Values []float64 `json:"values"`   // the parameters after the step (Config.Params order)
}

// Eval is one biophysical evaluation (Trials simulations) of the
// gradient-free search.
type Eval struct {
	Eval    int       `json:"eval"`     // 1-based
	Loss    float64   `json:"loss_nAm"` // RMSE of this evaluation
	Best    float64   `json:"best_nAm"` // lowest so far
	Values  []float64 `json:"values"`
	Seconds float64   `json:"seconds"`
}

// Result is the outcome of the experiment.
type Result struct {
	Config Config        `json:"config"`
	Params []ParamResult `json:"params"`
	// Surrogate ERP against the measured one, on the measurement's trials.
	SurrogateInitial Metrics `json:"surrogate_initial"`
	SurrogateFitted  Metrics `json:"surrogate_fitted"`
	// Biophysical ERP at the defaults, at the surrogate fit and at the
	// search's best.
	BioInitial Metrics `json:"bio_initial"`
	BioFitted  Metrics `json:"bio_fitted"`
	BioSearch  Metrics `json:"bio_search"`
	// SearchAtFitCost is the search's best after as many evaluations as the
	// gradient fit spent (1: the check), for the side by side.
	SearchAtFitCost float64 `json:"search_best_after_1_eval_nAm"`
	// SearchBeatsFitAt is the first search evaluation whose best is below
	// the gradient fit's biophysical RMSE, 0 if none within the budget.
	SearchBeatsFitAt int     `json:"search_beats_fit_at_eval"`
	Epochs           []Epoch `json:"epochs"`
	Search           []Eval  `json:"search"`
	// Self is the control without model mismatch (Config.SelfRecovery).
	Self *SelfResult `json:"self_recovery,omitempty"`
	// The biophysical ERPs (nAm, scaled and smoothed, trial-averaged) on
	// the biophysical grid.
	Times                               []float64 `json:"-"`
	Target, BioInitialERP, BioFittedERP []float64 `json:"-"`
	BioSearchERP                        []float64 `json:"-"`
	// The surrogate's ERPs as its loss compares them (nAm), with the
	// measured one resampled onto the surrogate's grid (times in ms).
	SurrogateTimes                       []float64 `json:"-"`
	SurrogateTarget, SurrogateInitialERP []float64 `json:"-"`
	SurrogateFittedERP                   []float64 `json:"-"`
	Cells                                int       `json:"cells"`                      // cells of the column
	BioSimulations                       int       `json:"bio_simulations"`            // biophysical trial simulations, all told
	BioSecondsPerSimulation              float64   `json:"bio_seconds_per_simulation"` // mean wall time (s)
	// FitSeconds, SearchSeconds and WallSeconds are the wall times (s) of
	// the surrogate fit, the search and the whole experiment.
	FitSeconds    float64 `json:"fit_seconds"`
	SearchSeconds float64 `json:"search_seconds"`
	WallSeconds   float64 `json:"wall_seconds"`
}

// SelfResult is the surrogate fitted to its own ERP at the true
// parameters: what the gradient fit recovers when the model is right.
type SelfResult struct {
	Initial Metrics   `json:"initial"` // surrogate at the defaults vs its own ERP at the truth
	Fitted  Metrics   `json:"fitted"`
	Values  []float64 `json:"values"` // fitted, Config.Params order
	// ErrFitted is |log10(fitted / true)| per parameter (decades).
	ErrFitted []float64 `json:"err_fitted_decades"`
	Epochs    []Epoch   `json:"epochs"`
}

// MeanErr returns the mean of ErrFitted (decades).
func (s *SelfResult) MeanErr() float64 {
	var m float64
	for _, v := range s.ErrFitted {
		m += v / float64(len(s.ErrFitted))
	}
	return m
}

// selfRecovery fits the surrogate to its own ERP at truth.
func selfRecovery[T autograd.Float](e *experiment, models [neuron.NumCellTypes]snn.Cell[T], truth []float64) (*SelfResult, error) {
	e.progress("self-recovery: the surrogate's own ERP at the true parameters as the target")
	net, err := e.networkAt(truth)
	if err != nil {
		return nil, err
	}
	sn, err := snn.New(net, models, snn.Options{TStop: e.cfg.TStop})
	if err != nil {
		return nil, err
	}
	trials := make([]int, e.cfg.Trials)
	for r := range trials {
		trials[r] = r
	}
	run, err := sn.RunCheckpointed(trials, snn.CheckpointOptions{NoGrad: true})
	if err != nil {
		return nil, err
	}
	n := run.Steps
	times := make([]float64, n)
	for m := range times {
		times[m] = float64(m+1) * sn.Dt
	}
	zero := make([]float64, n)
	d := network.RenormaliseHNN(network.Dipole{Times: times, Agg: zero, L2: zero, L5: zero}, e.col.NumPyramidalPerLayer())
	for row, dst := range [][]float64{d.Agg, d.L2, d.L5} {
		for r := range run.Replicas {
			for m, v := range run.DipoleSeries(row, r) {
				dst[m] += v / float64(run.Replicas)
			}
		}
	}
	d = d.Scale(e.cfg.Scale)
	if e.cfg.SmoothMS > 0 {
		if d, err = d.Smooth(e.cfg.SmoothMS); err != nil {
			return nil, err
		}
	}
	var sf surrogateFit
	v, err := fitSurrogate(e, models, d, &sf)
	if err != nil {
		return nil, err
	}
	out := &SelfResult{Initial: sf.Initial, Fitted: sf.Fitted, Values: v, Epochs: sf.Epochs}
	for i := range v {
		out.ErrFitted = append(out.ErrFitted, logErr(v[i], truth[i]))
	}
	return out, nil
}

// experiment holds the set-up shared by the steps.
type experiment struct {
	cfg     Config
	col     *network.Column
	conn    *network.Connectivity // defaults
	drives  []network.Drive       // defaults
	ps      *optimize.ParamSpace
	def     []float64 // default values
	sims    int
	simSecs float64
	start   time.Time
	// planned biophysical simulations, for the ETA
	planned int
}

// Run runs the experiment with the surrogate cells models (the fit's
// network has the biophysical column's mesh, connectivity and drives).
func Run[T autograd.Float](cfg Config, models [neuron.NumCellTypes]snn.Cell[T]) (*Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &experiment{cfg: cfg, conn: network.DefaultConnectivity(), drives: network.ERPDrives(), start: time.Now()}
	var err error
	if e.col, err = network.NewColumn(cfg.MeshX, cfg.MeshY); err != nil {
		return nil, err
	}
	ps, err := paramSpace(cfg.Params, e.conn, e.drives)
	if err != nil {
		return nil, err
	}
	if e.def, err = ps.Values(e.conn, e.drives); err != nil {
		return nil, err
	}
	for i := range ps.Params {
		ps.Params[i].Lo = e.def[i] * math.Pow(10, -cfg.Span)
		ps.Params[i].Hi = e.def[i] * math.Pow(10, cfg.Span)
	}
	e.ps = ps
	e.planned = cfg.Trials * (3 + cfg.Budget)
	res := &Result{Config: cfg, Cells: e.col.NumCells()}

	// (a) the true parameters, by seed.
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7265636f76657279)) // "recovery"
	truth := make([]float64, len(ps.Params))
	for i := range truth {
		truth[i] = e.def[i] * math.Pow(10, cfg.Span*(2*rng.Float64()-1))
	}
	// (b) the measured ERP.
	e.progress("measured ERP: biophysical column at the true parameters")
	target, err := e.bioERP(truth)
	if err != nil {
		return nil, fmt.Errorf("measured ERP: %w", err)
	}
	res.Times, res.Target = target.Times, target.Agg
	e.progress("biophysical column at the defaults")
	initial, err := e.bioERP(e.def)
	if err != nil {
		return nil, err
	}
	res.BioInitialERP, res.BioInitial = initial.Agg, compare(initial.Agg, target.Agg)

	// (c) the surrogate fit.
	fitStart := time.Now()
	var sf surrogateFit
	fitted, err := fitSurrogate(e, models, target, &sf)
	if err != nil {
		return nil, fmt.Errorf("surrogate fit: %w", err)
	}
	res.FitSeconds = time.Since(fitStart).Seconds()
	res.SurrogateTimes, res.SurrogateTarget, res.SurrogateInitialERP, res.SurrogateFittedERP = sf.Times, sf.Target, sf.InitialERP, sf.FittedERP
	res.SurrogateInitial, res.SurrogateFitted, res.Epochs = sf.Initial, sf.Fitted, sf.Epochs
	// (d) its check in the biophysical column.
	e.progress("biophysical column at the surrogate fit")
	fe, err := e.bioERP(fitted)
	if err != nil {
		return nil, err
	}
	res.BioFittedERP, res.BioFitted = fe.Agg, compare(fe.Agg, target.Agg)

	// (e) the gradient-free search on the biophysical column.
	searchStart := time.Now()
	best, bestERP, err := e.search(rng, target.Agg, res)
	if err != nil {
		return nil, fmt.Errorf("%s search: %w", cfg.Search, err)
	}
	res.SearchSeconds = time.Since(searchStart).Seconds()
	res.BioSearchERP, res.BioSearch = bestERP, compare(bestERP, target.Agg)
	res.SearchAtFitCost = res.Search[0].Best
	for _, ev := range res.Search {
		if ev.Best < res.BioFitted.RMSE {
			res.SearchBeatsFitAt = ev.Eval
			break
		}
	}
	for i, p := range ps.Params {
		res.Params = append(res.Params, ParamResult{
			Name: p.Name, Default: e.def[i], True: truth[i], Fitted: fitted[i], Search: best[i],
			ErrDefault: logErr(e.def[i], truth[i]), ErrFitted: logErr(fitted[i], truth[i]), ErrSearch: logErr(best[i], truth[i]),
		})
	}
	if cfg.SelfRecovery {
		if res.Self, err = selfRecovery(e, models, truth); err != nil {
			return nil, fmt.Errorf("self-recovery: %w", err)
		}
	}
	res.BioSimulations = e.sims
	if e.sims > 0 {
		res.BioSecondsPerSimulation = e.simSecs / float64(e.sims)
	}
	res.WallSeconds = time.Since(e.start).Seconds()
	return res, nil
}

// CheckParams checks parameter names (Config.Params) against the default
// ERP drives and connectivity: drive weights and class gains, each once,
// positive by default.
func CheckParams(names []string) error {
	_, err := paramSpace(names, network.DefaultConnectivity(), network.ERPDrives())
	return err
}

// paramSpace resolves names onto conn and drives.
func paramSpace(names []string, conn *network.Connectivity, drives []network.Drive) (*optimize.ParamSpace, error) {
	ps := &optimize.ParamSpace{}
	for _, name := range names {
		p, err := optimize.ResolveParam(name, conn, drives)
		if err != nil {
			return nil, fmt.Errorf("params: %s: %w", name, err)
		}
		if p.Kind != optimize.ParamGain && p.Kind != optimize.ParamDriveWeight {
			return nil, fmt.Errorf("params: %s is a %s: only drive weights and class gains are fitted", name, p.Kind)
		}
		if slices.Contains(ps.Names(), name) {
			return nil, fmt.Errorf("params: %s given twice", name)
		}
		ps.Params = append(ps.Params, p)
	}
	v, err := ps.Values(conn, drives)
	if err != nil {
		return nil, err
	}
	for i, p := range ps.Params {
		if !(v[i] > 0) {
			return nil, fmt.Errorf("params: %s is %v by default: only positive parameters are perturbed in log space", p.Name, v[i])
		}
	}
	return ps, nil
}

func logErr(v, truth float64) float64 { return math.Abs(math.Log10(v / truth)) }

// MeanLogError returns the mean of ErrDefault, ErrFitted and ErrSearch
// over the parameters (decades).
func (r *Result) MeanLogError() (def, fitted, search float64) {
	for _, p := range r.Params {
		def += p.ErrDefault / float64(len(r.Params))
		fitted += p.ErrFitted / float64(len(r.Params))
		search += p.ErrSearch / float64(len(r.Params))
	}
	return def, fitted, search
}

// compare returns the RMSE and correlation of sim against target.
func compare(sim, target []float64) Metrics {
	var s float64
	for k := range sim {
		d := sim[k] - target[k]
		s += d * d
	}
	return Metrics{RMSE: math.Sqrt(s / float64(len(sim))), Corr: stats.Pearson(sim, target)}
}

func (e *experiment) progress(msg string) {
	if e.cfg.Progress != nil {
		e.cfg.Progress(msg)
	}
}

// networkAt returns the biophysical network with the parameters at values.
func (e *experiment) networkAt(values []float64) (*network.Network, error) {
	conn, drives := e.conn.Clone(), optimize.CloneDrives(e.drives)
	if err := e.ps.Apply(values, conn, drives); err != nil {
		return nil, err
	}
	return network.NewNetwork(e.col, conn, drives)
}

// bioERP simulates the biophysical column at values for trials
// 0..Trials-1 and returns hnn-core's trial-averaged dipole (renormalised,
// scaled, smoothed; nAm).
func (e *experiment) bioERP(values []float64) (network.Dipole, error) {
	net, err := e.networkAt(values)
	if err != nil {
		return network.Dipole{}, err
	}
	var avg network.Dipole
	for r := range e.cfg.Trials {
		t0 := time.Now()
		sim, err := biophys.Simulate(net, biophys.SimOptions{TStop: e.cfg.TStop, Dt: e.cfg.Dt, Trial: r, Workers: e.cfg.Workers})
		if err != nil {
			return network.Dipole{}, err
		}
		e.sims++
		e.simSecs += time.Since(t0).Seconds()
		d := sim.HNNDipole()
		if r == 0 {
			avg = network.Dipole{Times: d.Times, Agg: make([]float64, len(d.Times)), L2: make([]float64, len(d.Times)), L5: make([]float64, len(d.Times))}
		}
		for k := range d.Times {
			avg.Agg[k] += d.Agg[k] / float64(e.cfg.Trials)
			avg.L2[k] += d.L2[k] / float64(e.cfg.Trials)
			avg.L5[k] += d.L5[k] / float64(e.cfg.Trials)
		}
		per := e.simSecs / float64(e.sims)
		e.progress(fmt.Sprintf("  biophysical simulation %d/%d (trial %d): %.1f s; ETA %s", e.sims, e.planned, r, time.Since(t0).Seconds(),
			(time.Duration(float64(e.planned-e.sims)*per) * time.Second).Round(time.Second)))
	}
	avg = avg.Scale(e.cfg.Scale)
	if e.cfg.SmoothMS > 0 {
		return avg.Smooth(e.cfg.SmoothMS)
	}
	return avg, nil
}

// fitSurrogate fits the surrogate network to the measured ERP and returns
// the fitted parameter values.
// ocfgReplicas is the number of noise replicas per training epoch.
func ocfgReplicas(cfg Config) int {
	if cfg.FreshNoise {
		return cfg.Replicas
	}
	return cfg.Trials
}

// surrogateFit is the record of one surrogate fit.
type surrogateFit struct {
	Times, Target, InitialERP, FittedERP []float64
	Initial, Fitted                      Metrics
	Epochs                               []Epoch
}

func fitSurrogate[T autograd.Float](e *experiment, models [neuron.NumCellTypes]snn.Cell[T], target network.Dipole, res *surrogateFit) ([]float64, error) {
	cfg := e.cfg
	net, err := network.NewNetwork(e.col, e.conn.Clone(), optimize.CloneDrives(e.drives))
	if err != nil {
		return nil, err
	}
	sn, err := snn.New(net, models, snn.Options{TStop: cfg.TStop, DriveParams: true})
	if err != nil {
		return nil, err
	}
	erp, err := optimize.NewERPObjective[T](optimize.ERPConfig{
		Target: target, Metric: optimize.ERPRMSE, Signal: optimize.DipoleAggregate, Scale: cfg.Scale, SmoothMS: max(cfg.SmoothMS, 0),
	}, sn.Steps, sn.Dt, e.col.NumPyramidalPerLayer())
	if err != nil {
		return nil, err
	}
	bounds, err := optimize.LogBounds(e.ps, sn)
	if err != nil {
		return nil, err
	}
	// Every other trainable parameter is pinned at its start.
	fitted := map[int]bool{}
	for _, b := range bounds {
		fitted[b.Index] = true
	}
	k := 0
	for t, p := range sn.Trainable() {
		for i, v := range p.Data {
			if !fitted[k] {
				bounds = append(bounds, optimize.Bound{Index: k, Name: sn.TrainableName(t, i), Lo: float64(v), Hi: float64(v)})
			}
			k++
		}
	}
	trials := make([]int, cfg.Trials)
	for r := range trials {
		trials[r] = r
	}
	times, sim0, starget, err := erp.Series(sn, trials)
	if err != nil {
		return nil, err
	}
	res.Times, res.Target, res.InitialERP = times, starget, sim0
	res.Initial = compare(sim0, starget)
	e.progress(fmt.Sprintf("surrogate fit: %d epochs of %d replicas, %d parameters (%d pinned), surrogate RMSE at the defaults %.4g nAm",
		cfg.Epochs, ocfgReplicas(cfg), len(e.ps.Params), len(bounds)-len(e.ps.Params), res.Initial.RMSE))
	t0 := time.Now()
	var runErr error
	ocfg := optimize.Config{
		Epochs: cfg.Epochs, LR: cfg.LR, TrainTrial: 0, TrainReplicas: cfg.Trials, RepeatTrials: true,
		HeldOut: []int{}, Bounds: bounds, Restarts: 1,
	}
	if cfg.FreshNoise {
		ocfg.TrainTrial, ocfg.TrainReplicas, ocfg.RepeatTrials = FitTrainTrial, cfg.Replicas, false
	}
	ocfg.Progress = func(st optimize.EpochStats) {
		el := time.Since(t0)
		eta := time.Duration(float64(el) / float64(st.Epoch) * float64(cfg.Epochs-st.Epoch))
		e.progress(fmt.Sprintf("  epoch %d/%d  loss %.4g nAm  %.2f s; ETA %s", st.Epoch, cfg.Epochs, st.Loss, st.Seconds, eta.Round(time.Second)))
		v, err := e.ps.Values(sn.Connectivity(), sn.Drives())
		if err != nil && runErr == nil {
			runErr = err
		}
		res.Epochs = append(res.Epochs, Epoch{Epoch: st.Epoch, Loss: st.Loss, Values: v})
	}
	ocfg.Warn = func(msg string) { e.progress("  warning: " + msg) }
	if _, err := optimize.Run(sn, erp, ocfg); err != nil {
		return nil, err
	}
	if runErr != nil {
		return nil, runErr
	}
	_, sim1, _, err := erp.Series(sn, trials)
	if err != nil {
		return nil, err
	}
	res.FittedERP = sim1
	res.Fitted = compare(sim1, starget)
	return e.ps.Values(sn.Connectivity(), sn.Drives())
}

// search runs the gradient-free method on the biophysical column, in
// log10 units relative to the defaults, each evaluation projected onto the
// bounds, and returns the best values and their ERP.
func (e *experiment) search(rng *rand.Rand, target []float64, res *Result) ([]float64, []float64, error) {
	cfg := e.cfg
	n := len(e.ps.Params)
	toValues := func(x []float64) []float64 {
		v := make([]float64, n)
		for i := range x {
			v[i] = e.def[i] * math.Pow(10, min(max(x[i], -cfg.Span), cfg.Span))
		}
		return v
	}
	var evalErr error
	best := math.Inf(1)
	var bestValues, bestERP []float64
	f := func(x []float64) float64 {
		if evalErr != nil || len(res.Search) >= cfg.Budget {
			return math.Inf(1)
		}
		t0 := time.Now()
		v := toValues(x)
		d, err := e.bioERP(v)
		if err != nil {
			evalErr = err
			return math.Inf(1)
		}
		l := compare(d.Agg, target).RMSE
		if l < best {
			best, bestValues, bestERP = l, v, d.Agg
		}
		res.Search = append(res.Search, Eval{Eval: len(res.Search) + 1, Loss: l, Best: best, Values: v, Seconds: time.Since(t0).Seconds()})
		e.progress(fmt.Sprintf("%s evaluation %d/%d: RMSE %.4g nAm (best %.4g)", cfg.Search, len(res.Search), cfg.Budget, l, best))
		return l
	}
	var method gopt.Method
	switch cfg.Search {
	case "cmaes":
		method = &gopt.CmaEsChol{InitStepSize: cfg.Span / 2, Src: rand.NewPCG(rng.Uint64(), rng.Uint64())}
	default:
		method = &gopt.NelderMead{SimplexSize: cfg.Span / 2}
	}
	settings := &gopt.Settings{FuncEvaluations: cfg.Budget, Concurrent: 1, Converger: gopt.NeverTerminate{}}
	e.progress(fmt.Sprintf("%s on the biophysical column: %d evaluations of %d trials", cfg.Search, cfg.Budget, cfg.Trials))
	_, err := gopt.Minimize(gopt.Problem{Func: f}, make([]float64, n), settings, method)
	if evalErr != nil {
		return nil, nil, evalErr
	}
	if err != nil && bestValues == nil {
		return nil, nil, err
	}
	if bestValues == nil {
		return nil, nil, errors.New("no evaluation")
	}
	return bestValues, bestERP, nil
}
