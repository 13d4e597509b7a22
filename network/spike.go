package network

// Spike is one spike of a cell or a drive cell.
type Spike struct {
	Time float64 // ms; a cell spike is at grid time + 1e-10 as in NEURON
	GID  int
}
