// Package verify checks an optimized connectivity in the biophysical column:
// it simulates the column (network/biophys) with the initial and the
// optimized gains over held-out noise seeds, beside the surrogate network
// (network/snn) on the same noise and, optionally, the surrogate cells driven
// open-loop by the biophysical spikes, and reports band power, PSD peaks,
// firing rates, spike agreement and whether the optimization's gain holds
// (Run, Options, Report).
package verify
