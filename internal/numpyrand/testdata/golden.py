"""Golden values of numpy's random Generator for package numpyrand.

usage: /usr/bin/python3 golden.py > golden.json   (Debian's python3-numpy 1.24.2)

For each seed: np.random.default_rng(seed)'s first PCG64 outputs
(bit_generator.random_raw), Generator.random(), Generator.integers and
Generator.choice(range(n), k, replace=False), each from a fresh generator.
"""
import json
import numpy as np

out = {"numpy": np.__version__, "seeds": []}
for seed in [0, 1, 3, 4, 7, 42, 2**32 - 1, 2**32 + 5, 12345678901234, 2**64 - 1]:
    e = {"seed": str(seed)}
    e["raw"] = [str(v) for v in np.random.default_rng(seed).bit_generator.random_raw(6)]
    e["random"] = [float(v).hex() for v in np.random.default_rng(seed).random(6)]
    ints = {}
    for n in [1, 2, 3, 10, 1000, 2**31 + 11, 2**32, 2**32 + 1, 2**40 + 3, 2**63 - 1]:
        ints[str(n)] = [int(v) for v in np.random.default_rng(seed).integers(0, n, size=5)]
    e["integers"] = ints
    choice = []
    for pop, k in [(1, 1), (2, 1), (10, 5), (10, 10), (100, 50), (99, 0), (9900, 4950), (10000, 5000),
                   (10001, 5000), (10001, 100), (10001, 201), (20000, 19999), (50000, 999)]:
        c = np.random.default_rng(seed).choice(range(pop), k, replace=False)
        choice.append({"pop": pop, "k": k, "idx": [int(v) for v in c]} if k <= 50 else
                      {"pop": pop, "k": k, "sum": int(c.sum()), "first": [int(v) for v in c[:8]], "last": [int(v) for v in c[-8:]]})
    e["choice"] = choice
    out["seeds"].append(e)
json.dump(out, __import__("sys").stdout)
