package snn

import (
	"fmt"
	"math"

	"github.com/neurograd/neurograd/autograd"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// DriveClass is one trainable drive weight: a drive's weight onto one cell
// type through one receptor (hnn-core's weights_ampa / weights_nmda entry).
// Its log10 gain multiplies every such connection of the drive.
type DriveClass struct {
	Drive    int // index into Network.Drives
	CellType neuron.CellType
	Receptor neuron.Receptor
}

// Name returns hnn-core's set_params name of the class's weight,
// DRIVE_RECEPTOR_CELLTYPE, e.g. evprox1_ampa_L5_pyramidal.
func (c DriveClass) Name(net *network.Network) string {
	return fmt.Sprintf("%s_%s_%s", net.Drives[c.Drive].Name, c.Receptor, c.CellType)
}

// driveClassOf returns the index of the (drive, cell type, receptor) class,
// adding it when new.
func (sn *Net[T]) driveClassOf(drive int, ct neuron.CellType, r neuron.Receptor) int32 {
	for i, c := range sn.DriveClasses {
		if c.Drive == drive && c.CellType == ct && c.Receptor == r {
			return int32(i)
		}
	}
	sn.DriveClasses = append(sn.DriveClasses, DriveClass{Drive: drive, CellType: ct, Receptor: r})
	return int32(len(sn.DriveClasses) - 1)
}

// initDriveParams creates DriveLogGains (zeros: the drives' own weights),
// trainable with Options.DriveParams.
func (sn *Net[T]) initDriveParams(trainable bool) {
	sn.DriveLogGains = autograd.Zeros[T](len(sn.DriveClasses))
	if trainable && len(sn.DriveClasses) > 0 {
		sn.DriveLogGains.SetRequiresGrad(true)
	}
}

// DriveGains returns the current gain of every drive class, 10^DriveLogGains.
func (sn *Net[T]) DriveGains() []float64 {
	g := make([]float64, sn.DriveLogGains.Len())
	for i, v := range sn.DriveLogGains.Data {
		g[i] = math.Pow(10, float64(v))
	}
	return g
}

// Drives returns a copy of the network's drives with each drive class's
// weights multiplied by its current gain and the evoked drives' mean times
// and spreads set to DriveTiming (the drives that a run with the current
// parameters simulates).
func (sn *Net[T]) Drives() []network.Drive {
	out := make([]network.Drive, len(sn.Net.Drives))
	for i, d := range sn.Net.Drives {
		d.WeightsAMPA, d.WeightsNMDA = cloneWeights(d.WeightsAMPA), cloneWeights(d.WeightsNMDA)
		out[i] = d
	}
	for k, c := range sn.DriveClasses {
		g := math.Pow(10, float64(sn.DriveLogGains.Data[k]))
		w := out[c.Drive].WeightsAMPA
		if c.Receptor == neuron.NMDA {
			w = out[c.Drive].WeightsNMDA
		}
		w[c.CellType] *= g
	}
	for k, i := range sn.TimingDrives {
		out[i].Mu, out[i].Sigma = float64(sn.DriveTiming.Data[2*k]), float64(sn.DriveTiming.Data[2*k+1])
	}
	return out
}

func cloneWeights(m map[neuron.CellType]float64) map[neuron.CellType]float64 {
	if m == nil {
		return nil
	}
	out := make(map[neuron.CellType]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Trainable returns the parameter tensors an optimizer moves: Params()
// (class log-gains or per-connection log-weights), then DriveLogGains with
// Options.DriveParams and DriveTiming with Options.DriveTiming.
func (sn *Net[T]) Trainable() []*autograd.Tensor[T] {
	ps := []*autograd.Tensor[T]{sn.Params()}
	if sn.DriveLogGains.RequiresGrad() {
		ps = append(ps, sn.DriveLogGains)
	}
	if sn.DriveTiming != nil && sn.DriveTiming.RequiresGrad() {
		ps = append(ps, sn.DriveTiming)
	}
	return ps
}

// TrainableName returns a readable name of element i of Trainable()[t]:
// ParamName for the first tensor, "drive:" and the drive class's name for
// DriveLogGains, DRIVE_mu / DRIVE_sigma (ms) for DriveTiming.
func (sn *Net[T]) TrainableName(t, i int) string {
	switch p := sn.Trainable()[t]; {
	case t == 0:
		return sn.ParamName(i)
	case p == sn.DriveLogGains:
		return "drive:" + sn.DriveClasses[i].Name(sn.Net)
	default:
		return sn.timingName(i)
	}
}

// driveGrads adds the drive classes' log10-gain gradients of step m's drive
// events, ∂L/∂log10 g = Σ_events ∂L/∂X[idx]·w·ln 10, with adjM = ∂L/∂X of
// step m.
func (rs *runState[T]) driveGrads(m int, adjM, g []T) {
	ln10 := T(math.Ln10)
	lo, hi := rs.driveStart[m], rs.driveStart[m+1]
	for p := lo; p < hi; p++ {
		if a := adjM[rs.driveIdx[p]]; a != 0 {
			g[rs.driveClass[p]] += a * rs.driveW[p] * ln10
		}
	}
}
