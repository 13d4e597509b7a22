#!/usr/bin/python3
"""Time hnn-core on NEURON (one core) on the workloads of neurograd's benchmarks.

    PYTHONPATH=HNN_CORE_TREE:STUBS /usr/bin/python3 bench/hnn_neuron.py WORKLOAD [events.json]

WORKLOAD is one of
  l5cell   one L5 pyramidal cell, 1000 ms, one 10 Hz Poisson train (0.0015 uS) on each
           of its 8 AMPA synapses: the event times come from events.json, written by
           neuron's TestWriteL5PoissonEvents (the exact trains of BenchmarkL5Poisson1s),
           so both sides see the same input; prints the spike times for comparison
  erp      hnn-core's default 270-cell column (jones_2009_model, mesh 10x10) with the
           three ERP drives, 170 ms (network/biophys BenchmarkERPMesh10)
  poisson  the same column driven by a cell-specific 10 Hz Poisson drive on the
           proximal AMPA synapses of every cell, 0.0025 uS, delay 0.1 ms, event seed 1,
           1000 ms (BenchmarkPoissonMesh10)
  poisson200  the same for 200 ms (a shorter run for a loaded machine)

Prints one line "RESULT workload cpu_s=... wall_s=... spikes=... cell_spikes=..." (process
CPU time of the whole run, network construction included, as in hnn-core's own timing;
spikes: every gid in cell_response, cell_spikes: those of the 270 cells).
"""
import json
import sys
import time

import numpy as np


def l5cell(events_path):
    from neuron import h
    from hnn_core.cells_default import pyramidal
    from hnn_core.network_builder import load_custom_mechanisms

    load_custom_mechanisms()
    h.load_file("stdrun.hoc")
    ev = json.load(open(events_path))
    c0, w0 = time.process_time(), time.perf_counter()
    cell = pyramidal(cell_name="L5_pyramidal")
    cell.build(sec_name_apical="apical_trunk")
    h.celsius = 37
    keep = []
    for tr in ev["inputs"]:
        syn = cell._nrn_synapses[tr["section"] + "_ampa"]
        vs = h.VecStim()
        tv = h.Vector(tr["times_ms"])
        vs.play(tv)
        nc = h.NetCon(vs, syn)
        nc.weight[0] = tr["weight_uS"]
        nc.delay = 0
        keep += [vs, tv, nc]
    spikes = h.Vector()
    det = h.NetCon(cell._nrn_sections["soma"](0.5)._ref_v, None, sec=cell._nrn_sections["soma"])
    det.threshold = 0
    det.record(spikes)
    h.dt = 0.025
    h.tstop = ev["tstop_ms"]
    h.finitialize()
    h.continuerun(h.tstop)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    print("spikes_ms", " ".join("%.3f" % t for t in spikes))
    print("RESULT l5cell cpu_s=%.3f wall_s=%.3f spikes=%d" % (cpu, wall, len(spikes)))


def network(kind, tstop, label):
    from hnn_core import jones_2009_model, simulate_dipole
    from hnn_core.network_models import add_erp_drives_to_jones_model

    c0, w0 = time.process_time(), time.perf_counter()
    net = jones_2009_model(mesh_shape=(10, 10))
    if kind == "erp":
        add_erp_drives_to_jones_model(net)
    else:
        types = ["L2_basket", "L2_pyramidal", "L5_basket", "L5_pyramidal"]
        net.add_poisson_drive("poisson", rate_constant=10.0, location="proximal",
                              weights_ampa={t: 0.0025 for t in types},
                              synaptic_delays={t: 0.1 for t in types}, event_seed=1)
    simulate_dipole(net, tstop=tstop, dt=0.025, n_trials=1)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    gids = net.cell_response.spike_gids[0]
    ncell = sum(1 for g in gids if g < 270)
    print("RESULT %s cpu_s=%.3f wall_s=%.3f spikes=%d cell_spikes=%d" % (label, cpu, wall, len(gids), ncell))


if __name__ == "__main__":
    w = sys.argv[1] if len(sys.argv) > 1 else ""
    if w == "l5cell":
        l5cell(sys.argv[2])
    elif w == "erp":
        network("erp", 170.0, "erp")
    elif w == "poisson":
        network("poisson", 1000.0, "poisson")
    elif w == "poisson200":
        network("poisson", 200.0, "poisson200")
    else:
        sys.exit(__doc__)
