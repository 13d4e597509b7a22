// Package surrogate provides learned, differentiable stand-ins for HNN's four
// biophysical cell types: per cell type a small recurrent network that maps
// the synaptic input of a cell, binned at 0.5 ms, to its compartment voltages
// (mV) and, for pyramidal cells, its current dipole (nAm).
//
// A Model consumes one time bin per Step for a batch of cells. Its input is
// one channel per (section, receptor) synapse of the cell (Inputs): the summed
// weight (µS) of the synaptic events taking effect in the bin. Internally the
// model passes each channel through an exact recursive double-exponential
// filter with the receptor's Exp2Syn time constants (the synaptic conductance,
// µS), compresses conductances and event weights logarithmically, and feeds
// them to a causal convolution, a multi-layer LSTM whose state carries across
// steps, and a small MLP head. Outputs are in physical units: every section's
// membrane potential at x = 0.5 (mV) and the dipole (nAm). Spikes are upward
// crossings of the predicted somatic voltage through SpikeThreshold.
//
// Trained weights for all four types are embedded (Shipped). Package train
// generates the training data from biophysical simulations and trains the
// models (cmd/train is its command); it drives the stages the model exposes
// for that (ForwardFeatures, ForwardFreeFrom, Physical, LabelTraces, …).
// docs/surrogate.md documents the architecture, data, training and accuracy.
package surrogate
