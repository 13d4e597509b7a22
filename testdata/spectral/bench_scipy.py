#!/usr/bin/python3
"""Time scipy.signal.welch on the benchmark shape of package spectral: 2,000
samples (1 s at 2 kHz), nperseg 512, one signal and a batch of 132; and
scipy.fft.rfft / irfft of 512 points. For each: the best wall time of 7 repeats
(timeit) and the process CPU time per call over all repeats (time.process_time),
the stable measure on a shared machine. Single-threaded (pocketfft does not
thread these transforms).

    /usr/bin/python3 bench_scipy.py
"""
import time
import timeit

import numpy as np
import scipy
from scipy import fft, signal

rng = np.random.default_rng(1)
one = rng.standard_normal(2000)
batch = rng.standard_normal((132, 2000))
seg = rng.standard_normal(512)
spec = fft.rfft(seg)


def measure(label, stmt, number):
    c0 = time.process_time()
    walls = timeit.repeat(stmt, number=number, repeat=7, globals=globals())
    cpu = (time.process_time() - c0) / (7 * number)
    print("%-42s wall %9.2f us   cpu %9.2f us" % (label, 1e6 * min(walls) / number, 1e6 * cpu))


print("scipy %s numpy %s" % (scipy.__version__, np.__version__))
measure("welch, 1 signal x 2000, nperseg 512", "signal.welch(one, fs=2000.0, nperseg=512)", 2000)
measure("welch, 132 signals x 2000, nperseg 512", "signal.welch(batch, fs=2000.0, nperseg=512, axis=-1)", 50)
measure("rfft, 512 points", "fft.rfft(seg)", 20000)
measure("irfft, 257 bins -> 512 points", "fft.irfft(spec, n=512)", 20000)
