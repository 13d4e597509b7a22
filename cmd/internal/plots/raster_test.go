package plots

import (
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

func TestRasterGroupsByTypeAndDropsDriveCells(t *testing.T) {
	col, err := network.NewColumn(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	b0, _ := col.Range(neuron.L5Basket)
	p0, _ := col.Range(neuron.L5Pyramidal)
	spikes := []network.Spike{{Time: 1, GID: b0}, {Time: 2, GID: p0}, {Time: 3, GID: p0 + 1}, {Time: 4, GID: col.NumCells()}}
	p := plot.New()
	scs, err := Raster(p, col, spikes, vg.Points(1))
	if err != nil {
		t.Fatal(err)
	}
	if scs[neuron.L2Basket] != nil || scs[neuron.L5Basket] == nil || len(scs[neuron.L5Pyramidal].XYs) != 2 || len(scs[neuron.L5Basket].XYs) != 1 {
		t.Fatalf("scatters per type wrong: %+v", scs)
	}
	if p.Y.Max != float64(col.NumCells()) {
		t.Fatalf("y range %v..%v", p.Y.Min, p.Y.Max)
	}
}
