"""Load a network.json written by neurograd (cmd/optimize -network writes
results/network.json) with hnn-core's own reader, and compare what it read
with the file.

usage: /usr/bin/python3 check_network_file.py HNN_CORE_SOURCE STUBS_DIR NETWORK_JSON
  (HNN_CORE_SOURCE and STUBS_DIR as for check_hnncore_readers.py; see README)

Prints the network, then per connection of the file: source, target,
receptor, A_weight as hnn-core holds it, and the number of gid pairs in the
file and in hnn-core's network. hnn-core 0.6.2's reader draws the pruning
of a connection with probability < 1 again (without a seed) over the
already-pruned pairs, so those counts differ there and only there; exits 1
if anything else differs.
"""
import json
import sys
import warnings

sys.path[:0] = [sys.argv[2], sys.argv[1]]
warnings.simplefilter("ignore")
from hnn_core import read_network_configuration

path = sys.argv[3]
net = read_network_configuration(path)
print(net)
with open(path) as f:
    data = json.load(f)
bad = 0
if len(net.connectivity) != len(data["connectivity"]):
    print("connections: file", len(data["connectivity"]), "hnn-core", len(net.connectivity))
    bad += 1
for ours, theirs in zip(data["connectivity"], net.connectivity):
    n_ours = sum(len(t) for t in ours["gid_pairs"].values())
    n_theirs = sum(len(t) for t in theirs["gid_pairs"].values())
    same = (ours["src_type"] == theirs["src_type"] and ours["target_type"] == theirs["target_type"]
            and ours["receptor"] == theirs["receptor"] and ours["loc"] == theirs["loc"]
            and ours["nc_dict"]["A_weight"] == theirs["nc_dict"]["A_weight"]
            and ours["nc_dict"]["A_delay"] == theirs["nc_dict"]["A_delay"]
            and ours["nc_dict"]["lamtha"] == theirs["nc_dict"]["lamtha"]
            and ours["nc_dict"]["gain"] == theirs["nc_dict"]["gain"])
    pairs_same = n_ours == n_theirs
    note = ""
    if not pairs_same:
        note = " (pruned again by hnn-core's reader)" if ours["probability"] < 1 else " DIFFERENT"
    if not same or (not pairs_same and ours["probability"] == 1):
        bad += 1
    print(f'{ours["src_type"]:>14} -> {theirs["target_type"]:<13} {theirs["receptor"]:<6} '
          f'A_weight {theirs["nc_dict"]["A_weight"]:<12.6g} p {ours["probability"]:<4} '
          f'pairs file {n_ours:4d} hnn-core {n_theirs:4d}{"" if same else " PARAMETERS DIFFER"}{note}')
for name, d in data["external_drives"].items():
    h = net.external_drives[name]
    if h["event_seed"] != d["event_seed"] or h["conn_seed"] != d["conn_seed"] or h["n_drive_cells"] != d["n_drive_cells"]:
        print("drive", name, "differs")
        bad += 1
print("drives", list(net.external_drives), "gid_ranges", {k: (v.start, v.stop) for k, v in net.gid_ranges.items()})
print("OK" if bad == 0 else f"{bad} differences")
sys.exit(1 if bad else 0)
