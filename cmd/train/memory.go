package main

import (
	"fmt"
	"strings"

	"github.com/neurograd/neurograd/cmd/internal/cli"
	"github.com/neurograd/neurograd/neuron"
)

// binBytes returns the memory of one bin of a dataset sample of cell type
// ct: its input channels and outputs in float32, and as much again for the
// features training prepares from them.
func binBytes(ct neuron.CellType) float64 {
	d, err := neuron.Template(ct)
	if err != nil {
		return 256
	}
	return float64(len(d.Channels())+len(d.Sections)+1) * 4 * 2
}

// estimate returns the memory and time of the datasets of types (all are
// held at once) and of one cell type's training, from the flags: the
// samples of every split and additional set times -bins.
func (o *options) estimate(types []neuron.CellType) cli.Estimate {
	var samples, bytes float64
	bins := float64(max(o.bins, 1))
	for _, ct := range types {
		before := samples
		pick := 1.0 // network runs give one sample per basket cell type, -pick-pyr per pyramidal type
		extraPick := 1.0
		if ct.IsPyramidal() {
			pick, extraPick = float64(o.pickPyr), float64(o.extraPick)
		}
		if o.evalDir != "" { // -eval generates only the test splits
			samples += float64(o.testPoisson+o.testHNN) + float64(o.testNetRuns)*pick
			bytes += (samples - before) * bins * binBytes(ct)
			continue
		}
		samples += float64(o.poisson+o.valPoisson+o.testPoisson+o.testHNN) + float64(o.netRuns+o.valNetRuns+o.testNetRuns)*pick
		switch {
		case o.extraSeeds == "shipped" && ct.IsPyramidal():
			samples += float64(strings.Count(shippedExtraSeeds, ",")+1) * (float64(o.extraPoisson) + float64(o.extraNetRuns)*extraPick)
		case o.extraSeeds != "" && o.extraSeeds != "shipped":
			samples += float64(strings.Count(o.extraSeeds, ",")+1) * (float64(o.extraPoisson) + float64(o.extraNetRuns)*extraPick)
		}
		bytes += (samples - before) * bins * binBytes(ct)
	}
	if o.bound > 0 || o.ceiling > 0 {
		samples = float64(len(types) * max(o.bound, o.ceiling) * 4)
		bytes = samples * bins * 512
	}
	return cli.Estimate{
		Bytes:   int64(min(bytes*1.5+64<<20, 1<<62)), // the collector's headroom
		Seconds: samples * bins * 20 * 4e-6,          // generation at 0.025 ms; training is capped by -minutes
		What:    fmt.Sprintf("%.3g dataset samples of %d bins", samples, o.bins),
		Flags:   "-bins, -poisson, -netruns, -extra-seeds or -type",
	}
}
