// Package neuron simulates HNN's biophysical cells (hnn-core on NEURON) in pure Go.
//
// It provides the four cell types of HNN's default column (L2_pyramidal, L5_pyramidal,
// L2_basket, L5_basket) as data (CellDesc: sections, geometry, topology, 3-D points,
// mechanisms, location groups, receptor table), the membrane mechanisms hh2, km, ca, cad,
// kca, cat and ar with NEURON's lookup tables, Exp2Syn synapses with NEURON's peak
// normalisation, current clamps, and NEURON's fixed-step backward-Euler integrator with the
// staggered state update and a Hines (tree-ordered) linear solve per cell.
//
// Units follow NEURON and hnn-core: ms, mV, µm, Ω·cm, µF/cm², S/cm² (pS/µm² for km, ca and
// kca), µS for synaptic weights and conductances, nA for point-process currents, mM for
// concentrations, and fAm for the raw per-cell current dipole (nAm = 1e-6 fAm as hnn-core
// returns it).
//
// A Cell is the simulator state built from a CellDesc with New. It is advanced one dt at a
// time with Step (or CheckThreshold followed by Advance when a network must route spikes
// between cells before integrating); events (synaptic activations with a weight in µS at a
// delivery time in ms) are queued with Deliver and take effect at exactly the step NEURON
// applies them. Run simulates one cell with a RunSpec; RunMany simulates many independent
// cells across all cores.
//
// The numerics reproduce the spec (hnn-model.md, sections 3-11): every reference trace of
// hnn-core on NEURON 8.2.2 is matched to far below 1e-4 mV.
package neuron
