#!/usr/bin/python3
"""Golden values of scipy.signal.resample for spectral's Resampler test.

Run with Debian's scipy (apt-get install python3-scipy):
    /usr/bin/python3 make_golden.py > golden.json
"""
import json
import numpy as np
import scipy
from scipy import signal

cases = []
for n_in, n_out in [(40, 17), (40, 20), (41, 20), (41, 17), (16, 40), (17, 40), (17, 41), (16, 33), (25, 25), (8, 1), (1, 5)]:
    x = np.array([np.sin(0.37 * i) + 0.2 * np.cos(1.9 * i) + 0.05 * i for i in range(n_in)])
    y = signal.resample(x, n_out)
    cases.append({"in": n_in, "out": n_out, "x": [float(v) for v in x], "y": [float(v) for v in y]})
print(json.dumps({"scipy": scipy.__version__, "cases": cases}, indent=1))
