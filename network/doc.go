// Package network describes HNN's cortical column as data, like hnn-core's
// network.py, drives.py and dipole.py (the default "jones_2009_model" /
// "neymotin_2020_model" network): cell populations and positions on a
// pyramidal mesh, gids in hnn-core's order, connection classes with their
// distance-dependent weights and delays (and their JSON), external drives
// (evoked, Poisson, bursty, spike-train; their JSON in hnn-core's parameter
// names) with hnn-core's random-number procedure, presets, and dipole maths
// (hnn-core's renormalisation, scaling, Hamming smoothing).
//
// The description does not depend on how cells are simulated: package
// network/biophys simulates it with biophysical cells (spike for spike as
// hnn-core on NEURON), package network/snn with surrogate cells. Cell types,
// receptors, sections and location groups are package neuron's vocabulary.
// Units: ms, mV, µm, µS, nA; dipoles in fAm (raw) or nAm (hnn-core's
// returned units).
package network
