#!/usr/bin/python3
"""scipy counterpart of spectral's BenchmarkWelch132/forward: one batched
scipy.signal.welch call on 132 signals x 2,000 samples (fs 2 kHz, nperseg 512, Hann,
50 % overlap). Single-threaded (pocketfft does not thread these transforms).

    /usr/bin/python3 bench/scipy_welch.py

Prints "RESULT scipy_welch132 cpu_ns=... wall_ns=..." (best of 7 repeats of 50 calls).
"""
import time
import timeit

import numpy as np
import scipy
from scipy import signal

batch = np.random.default_rng(1).standard_normal((132, 2000))
number, best_c, best_w = 50, float("inf"), float("inf")
for _ in range(7):
    c0 = time.process_time()
    w = timeit.timeit(lambda: signal.welch(batch, fs=2000.0, nperseg=512, axis=-1), number=number)
    best_c = min(best_c, (time.process_time() - c0) / number)
    best_w = min(best_w, w / number)
print("# scipy %s numpy %s" % (scipy.__version__, np.__version__))
print("RESULT scipy_welch132 cpu_ns=%.0f wall_ns=%.0f" % (1e9 * best_c, 1e9 * best_w))
