package network

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/neurograd/neurograd/neuron"
)

// The ERP drives written with hnn-core's add_evoked_drive keywords.
const erpDrivesJSON = `[
 {"name": "evdist1", "type": "evoked", "mu": 63.53, "sigma": 3.85, "numspikes": 1, "location": "distal",
  "weights_ampa": {"L2_basket": 0.006562, "L2_pyramidal": 0.000007, "L5_pyramidal": 0.142300},
  "weights_nmda": {"L2_basket": 0.019482, "L2_pyramidal": 0.004317, "L5_pyramidal": 0.080074},
  "synaptic_delays": 0.1, "event_seed": 274},
 {"name": "evprox1", "type": "evoked", "mu": 26.61, "sigma": 2.47, "numspikes": 1, "location": "proximal",
  "weights_ampa": {"L2_basket": 0.08831, "L2_pyramidal": 0.01525, "L5_basket": 0.19934, "L5_pyramidal": 0.00865},
  "synaptic_delays": {"L2_basket": 0.1, "L2_pyramidal": 0.1, "L5_basket": 1.0, "L5_pyramidal": 1.0}, "event_seed": 544},
 {"name": "evprox2", "type": "evoked", "mu": 137.12, "sigma": 8.33, "numspikes": 1, "location": "proximal",
  "weights_ampa": {"L2_basket": 0.000003, "L2_pyramidal": 1.438840, "L5_basket": 0.008958, "L5_pyramidal": 0.684013},
  "synaptic_delays": {"L2_basket": 0.1, "L2_pyramidal": 0.1, "L5_basket": 1.0, "L5_pyramidal": 1.0}, "event_seed": 814,
  "n_drive_cells": "n_cells", "cell_specific": true, "space_constant": 3.0, "probability": 1.0, "conn_seed": 3}
]`

func TestReadDrivesHNNCoreNames(t *testing.T) {
	got, err := ReadDrives(strings.NewReader(erpDrivesJSON))
	if err != nil {
		t.Fatal(err)
	}
	want := ERPDrives()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drives from hnn-core keywords:\n%+v\nwant\n%+v", got, want)
	}
	// Round trip through WriteDrives.
	var buf bytes.Buffer
	if err := WriteDrives(&buf, want); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDrives(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip changed the drives:\n%+v", back)
	}
}

func TestReadDrivesDictWithDynamics(t *testing.T) {
	// hnn-core's net.external_drives layout: name → drive with nested dynamics.
	src := `{
	 "alpha_prox": {"type": "bursty", "location": "proximal", "n_drive_cells": 10, "cell_specific": false,
	   "weights_ampa": {"L2_pyramidal": 5.4e-5, "L5_pyramidal": 5.4e-5}, "weights_nmda": null,
	   "synaptic_delays": {"L2_pyramidal": 0.1, "L5_pyramidal": 1.0}, "event_seed": 284, "space_constant": 100,
	   "dynamics": {"tstart": 50, "tstart_std": 0, "tstop": null, "burst_rate": 10, "burst_std": 20, "numspikes": 2, "spike_isi": 10}},
	 "poisson": {"type": "poisson", "location": "proximal",
	   "weights_ampa": {"L2_pyramidal": 0.0008, "L5_pyramidal": 0.0075},
	   "synaptic_delays": {"L2_pyramidal": 0.1, "L5_pyramidal": 1.0}, "event_seed": 1349,
	   "dynamics": {"tstart": 0, "tstop": 250, "rate_constant": {"L2_pyramidal": 140, "L5_pyramidal": 40}}}
	}`
	d, err := ReadDrives(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[0].Name != "alpha_prox" || d[1].Name != "poisson" {
		t.Fatalf("names/order wrong: %+v", d)
	}
	a := d[0]
	if a.Type != DriveBursty || a.NDriveCells != 10 || a.CellSpecific || a.BurstStd != 20 || a.TStop != 0 || a.SpaceConstant != 100 {
		t.Errorf("bursty drive %+v", a)
	}
	p := d[1]
	if !p.CellSpecific || p.RateConstant[neuron.L5Pyramidal] != 40 || p.TStop != 250 || p.SpaceConstant != 100 || p.SynapticDelays[neuron.L5Pyramidal] != 1 {
		t.Errorf("poisson drive %+v", p)
	}
}

func TestReadDrivesErrors(t *testing.T) {
	for _, c := range []struct{ src, errSub string }{
		{`[{"name": "a", "type": "evoked", "mu": 1, "sigma": 1, "location": "distal", "weights_ampa": {"L5_basket": 1}}]`, "L5_basket"},
		{`[{"name": "a", "type": "evoked", "mu": 1, "sigma": 1, "location": "distal", "weights_ampa": {"L2_basket": 1}, "sigmaa": 2}]`, "sigmaa"},
		{`[{"name": "a", "type": "gamma", "location": "distal"}]`, "unknown type"},
		{`[{"name": "a", "type": "evoked", "mu": 1, "sigma": 1, "location": "distal", "weights_ampa": {"L2_basket": 1}, "cell_specific": false}]`, "n_drive_cells"},
		{`[{"name": "a", "type": "poisson", "rate_constant": -1, "location": "proximal", "weights_ampa": {"L2_basket": 1}}]`, "rate"},
		{`[{"name": "a", "type": "poisson", "rate_constant": 5, "location": "proximal", "weights_ampa": {"L2_basket": 1}, "probability": 1.5}]`, "probability"},
		{`[{"name": "a", "type": "evoked", "mu": 1, "sigma": 1, "location": "proximal", "weights_ampa": {"L2_basket": 1}, "synaptic_delays": {"L5_basket": 1}}]`, "synaptic delay"},
		{`"erp"`, "list or object"},
	} {
		_, err := ReadDrives(strings.NewReader(c.src))
		if err == nil || !strings.Contains(err.Error(), c.errSub) {
			t.Errorf("%s: error %v, want one mentioning %q", c.src, err, c.errSub)
		}
	}
}
