package plots_test

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/neurograd/neurograd/cmd/internal/plots"
	"github.com/neurograd/neurograd/network"
	"github.com/neurograd/neurograd/neuron"
)

// Draw two spikes of a 3x3 column as a raster.
func Example() {
	col, _ := network.NewColumn(3, 3)
	g, _ := col.Range(neuron.L5Pyramidal)
	p := plot.New()
	scs, err := plots.Raster(p, col, []network.Spike{{Time: 5, GID: g}, {Time: 9, GID: g + 1}}, vg.Points(1))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(scs[neuron.L5Pyramidal].XYs), "L5 pyramidal spikes; y axis", p.Y.Min, "to", p.Y.Max)
	// Output: 2 L5 pyramidal spikes; y axis -1 to 24
}
