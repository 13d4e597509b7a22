// Package network implements HNN's cortical column (the default
// "jones_2009_model" / "neymotin_2020_model" network of hnn-core): cell
// populations and positions on a pyramidal mesh, gids in hnn-core's order,
// connection classes with their distance-dependent weights and delays,
// external drives (evoked, Poisson, bursty, spike-train) with hnn-core's
// random-number procedure, and a biophysical simulation of the column that
// reproduces hnn-core on NEURON spike for spike.
//
// The column description (Column, Connectivity, Drive) is plain data that
// does not depend on how cells are simulated, so the same types describe
// the surrogate network. Units: ms, mV, µm, µS, nA; dipoles in fAm (raw) or
// nAm (hnn-core's returned units).
package network
