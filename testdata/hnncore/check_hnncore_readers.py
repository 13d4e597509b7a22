"""Load neurograd's outputs with hnn-core's own readers (no NEURON needed).

usage: python3 check_hnncore_readers.py HNN_CORE_SOURCE STUBS_DIR OUT_DIR
  HNN_CORE_SOURCE: a checkout of hnn-core (e.g. git archive HEAD | tar -x)
  STUBS_DIR: holds stand-ins for the modules hnn-core imports but the readers
             never use (neuron, h5io); see the README of this folder
  OUT_DIR: the -out folder of `go run ./cmd/simulate network`
Writes OUT_DIR/network_from_hnncore.json with hnn-core's writer.
"""
import sys, warnings
sys.path[:0] = [sys.argv[2], sys.argv[1]]
warnings.simplefilter("ignore")
from hnn_core import read_network_configuration, read_dipole, read_spikes
from hnn_core.hnn_io import write_network_configuration

out = sys.argv[3]
net = read_network_configuration(out + "/network.json")
print(net)
print(len(net.connectivity), "connections; drives", list(net.external_drives))
dpl = read_dipole(out + "/dpl_0.txt")
print("dipole:", dpl.times.shape[0], "samples,", list(dpl.data))
cr = read_spikes(out + "/spk_*.txt")
print("spikes:", [len(t) for t in cr.spike_times], "per trial")
write_network_configuration(net, out + "/network_from_hnncore.json")
