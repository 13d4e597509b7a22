// Package train makes the surrogate cells of package neuron/surrogate: it
// generates their training data from biophysical simulations and fits the
// models to it.
//
// Data: Simulate runs one biophysical cell (package neuron) on a list of
// synaptic Events and bins its inputs, compartment voltages and dipole into a
// surrogate.Sample. The events come from two regimes: independent Poisson
// trains per input channel (PoissonEvents) and the synaptic input of cells in
// biophysical network runs of HNN's column with random connection gains
// (NetworkRun, package network/biophys). A Recipe sets the size of one split
// (train, val, test); Generate simulates it for all four cell types and
// LoadOrGenerate caches it as Dataset files.
//
// Training: Fit (a Trainer's Run) trains a model on windows of the training
// samples with AdamW and keeps the parameters with the best free-running
// validation loss or score (Config; ConfigFor gives each cell type's shipped
// recipe). The model's Evaluate measures the result on a test set.
//
// Ceiling measures how closely anything that sees 0.5 ms bins could follow
// the biophysical cell. cmd/train is the command; docs/surrogate.md
// documents the data, the recipes and the accuracy reached.
package train
