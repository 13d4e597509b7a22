// Package optimize finds connection gains of the surrogate column (a snn.Net)
// that minimise an objective of its dipole, like hnn-core's optimization/
// but with gradients: Adam through backpropagation-through-time, fresh noise
// every epoch, held-out noise evaluated before, during and after, and several
// restarts kept by separate validation noise, run concurrently with results
// identical for any number of workers (Run, Config, Result).
//
// The objectives (Objective, ObjectiveConfig) are spectral: the Welch band
// power of a dipole series in a band (absolute), its share of the total power
// (relative), or the match to a target PSD, all differentiable.
package optimize
