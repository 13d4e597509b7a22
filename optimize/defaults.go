package optimize

// Defaults of the main job's set-up that cmd/optimize, cmd/verify and the
// batch optimize kind share, defined once so that a verification reproduces
// the optimization's set-up (README, docs/optimize.md). The Poisson noise's
// are network.DefaultNoise*.
const (
	DefaultMesh       = "published" // the surrogate network's 10x5 pyramidal column, 16 baskets per layer
	DefaultTStop      = 600.0       // ms simulated per run, warm-up included
	DefaultWarmup     = 100.0       // ms simulated but left out of the spectrum
	DefaultResolution = 4.0         // Hz, the Welch bin spacing aimed at
	DefaultBand       = "15-60"     // Hz, the band whose power is optimized (LO-HI)
	DefaultDipole     = "agg"       // the aggregate dipole
)
