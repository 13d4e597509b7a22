"""Which connections hnn-core keeps when probability < 1: golden values for
network's tests (TestProbabilityMatchesHNNCore).

usage: /usr/bin/python3 probability_golden.py > probability_golden.json
       (Debian's python3-numpy 1.24.2; hnn-core itself is not needed)

connection_probability below is hnn_core/network.py's _connection_probability
(hnn-core commit 5ca983a3dd53b6e749c377b24bcba64773debbd3, BSD-3-Clause,
Copyright (c) 2018-2021, hnn-core developers; licence in LICENSE beside
this file), copied unchanged but for the _validate_type call. The gid_pairs
it prunes are built as hnn-core's add_connection builds them: sources in gid
order, each with its targets in gid order (autapses removed when not
allowed); a cell-specific drive's sources each with their one target. The
gid ranges are those of hnn-core's (and neurograd's) columns of the given
mesh.
"""
import json
import sys
import numpy as np


def connection_probability(conn, probability, conn_seed=None):
    # Random number generator for random connection selection
    rng = np.random.default_rng(conn_seed)
    if probability <= 0.0 or probability >= 1.0:
        raise ValueError("probability must be in the range (0,1)")
    # Flatten connections into a list of targets.
    all_connections = np.concatenate(
        [target_src_pair for target_src_pair in conn["gid_pairs"].values()]
    )
    n_connections = np.round(len(all_connections) * probability).astype(int)

    # Select a random subset of connections to retain.
    new_connections = rng.choice(
        range(len(all_connections)), n_connections, replace=False
    )
    remove_srcs = list()
    connection_idx = 0
    for src_gid, target_src_pair in conn["gid_pairs"].items():
        target_new = list()
        for target_gid in target_src_pair:
            if connection_idx in new_connections:
                target_new.append(target_gid)
            connection_idx += 1

        # Update targets for src_gid
        if target_new:
            conn["gid_pairs"][src_gid] = target_new
        else:
            remove_srcs.append(src_gid)
    # Remove src_gids with no targets
    for src_gid in remove_srcs:
        conn["gid_pairs"].pop(src_gid)


def all_to_all(src, tgt, autapses):
    return {s: [t for t in range(*tgt) if autapses or s != t] for s in range(*src)}


def one_to_one(src0, tgt):
    return {src0 + i: [t] for i, t in enumerate(range(*tgt))}


# name, mesh, gid_pairs, probability, conn_seed
cases = [
    ("L2Pyr_L2Pyr 3x3", [3, 3], all_to_all((3, 12), (3, 12), False), 0.5, 3),
    ("L2Bask_L2Pyr 3x3", [3, 3], all_to_all((0, 3), (3, 12), True), 0.3, 0),
    ("L5Pyr_L5Pyr 10x10", [10, 10], all_to_all((170, 270), (170, 270), False), 0.5, 7),
    ("L2Pyr_L5Pyr 11x10 (tail shuffle)", [11, 10], all_to_all((40, 150), (190, 300), True), 0.5, 12345),
    # One cell-specific drive on a 3x3 column onto L2_basket then L2_pyramidal:
    # conn_seed 3 + its target index.
    ("drive ev -> L2_basket", [3, 3], one_to_one(24, (0, 3)), 0.5, 3),
    ("drive ev -> L2_pyramidal", [3, 3], one_to_one(27, (3, 12)), 0.5, 4),
    # Five drive cells (gids 24-28) onto every L5_pyramidal cell.
    ("drive b -> L5_pyramidal", [3, 3], all_to_all((24, 29), (15, 24), True), 0.3, 3),
]
out = {"numpy": np.__version__, "cases": []}
for name, mesh, pairs, p, seed in cases:
    conn = {"gid_pairs": {s: list(t) for s, t in pairs.items()}}
    connection_probability(conn, p, seed)
    out["cases"].append({"name": name, "mesh": mesh, "probability": p, "conn_seed": seed,
                         "gid_pairs": {str(s): t for s, t in conn["gid_pairs"].items()}})
json.dump(out, sys.stdout, separators=(",", ":"))
