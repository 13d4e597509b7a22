package biophys

import "github.com/neurograd/neurograd/network"

// RawDipole returns the simulation's raw summed dipoles (fAm), sharing the
// result's slices.
func (r *SimResult) RawDipole() network.Dipole {
	return network.Dipole{Times: r.Times, Agg: r.Agg, L2: r.L2, L5: r.L5}
}

// HNNDipole returns the dipole as hnn-core's simulate_dipole returns it:
// baseline-renormalised (RenormaliseHNN) and converted to nAm. The result
// has its own slices.
func (r *SimResult) HNNDipole() network.Dipole {
	return network.RenormaliseHNN(r.RawDipole(), r.NumPyramidalPerLayer)
}
