// Package biophys simulates HNN's column (a network.Network) with biophysical
// cells, as hnn-core's network_builder.py does on NEURON: one neuron.Cell per
// gid advanced in lock-step at NEURON's fixed step, spikes routed through the
// connections' delays and taking effect at the step NEURON applies them,
// drives delivered from hnn-core's event times, optional tonic biases, and
// the summed pyramidal dipoles. It reproduces hnn-core spike for spike and is
// deterministic for any number of workers. Units: ms, mV, µS, nA; dipoles in
// fAm (SimResult.RawDipole) or hnn-core's nAm (SimResult.HNNDipole).
package biophys
