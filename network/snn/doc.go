// Package snn is the surrogate spiking network of HNN's column: the cells of
// a network.Network replaced by fast, differentiable cell models (the learned
// surrogates of package neuron/surrogate, or any snn.CellModel), stepped
// together every 0.5 ms bin; a spike (the upward threshold crossing of a
// cell's somatic output) reaches its targets' input channels after the
// connection's real delay with the connection's real weight; the pyramidal
// dipoles are summed in nAm. The whole run is recorded on an autograd tape, so
// a loss of the dipole back-propagates through time to the connection gains
// (Net.LogGains, one per connection class, or per connection), with the
// fast-sigmoid surrogate gradient (nn.FastSigmoidGrad) on each spike.
//
// Net.Run simulates a batch of noise realisations (trials) at once; Net.Clone
// gives independent copies for concurrent optimizations. Net.RunCheckpointed
// and Result.Backward give the same run and the same gradients, bit for bit,
// in the memory of one segment of about √steps steps plus a checkpoint per
// segment, recomputing each segment once in the backward pass (checkpointed
// backpropagation through time; checkpoint.go).
package snn
