#!/usr/bin/python3
"""Golden values of hnn-core's dipole smoothing for spectral's Smoother test.

hnn-core (hnn_core/utils.py, BSD-3-Clause) smooths with
    winsz = int(np.round(1e-3 * window_len * sfreq))
    win = np.hamming(winsz); win /= np.sum(win)
    np.convolve(x, win, "same")
which is repeated here with Debian's numpy (apt-get install python3-numpy):
    /usr/bin/python3 make_golden.py > golden.json
"""
import json
import numpy as np

n = 37
x = [float(np.sin(0.7 * i) + 0.3 * np.cos(2.1 * i) + 0.01 * i * i) for i in range(n)]
cases = []
for window_len, sfreq in [(3.0, 1000.0), (10.0, 2000.0), (1.0, 1000.0), (18.5, 2000.0), (37.0, 1000.0), (2.5, 1000.0)]:
    winsz = int(np.round(1e-3 * window_len * sfreq))
    if winsz > n:
        continue
    win = np.hamming(winsz)
    win /= np.sum(win)
    y = np.convolve(np.array(x), win, "same")
    cases.append({"window_ms": window_len, "fs": sfreq, "winsz": winsz, "y": [float(v) for v in y]})
print(json.dumps({"numpy": np.__version__, "x": x, "cases": cases}, indent=1))
