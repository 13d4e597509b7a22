#!/usr/bin/python3
"""Time scipy.signal.welch on the benchmark shape of package spectral: 2,000
samples (1 s at 2 kHz), nperseg 512, one signal and a batch of 132; and
scipy.fft.rfft of 512 points. Best of 7 repeats of timeit; single-threaded
(pocketfft does not thread a single transform).

    /usr/bin/python3 bench_scipy.py
"""
import timeit

import numpy as np
import scipy
from scipy import fft, signal

rng = np.random.default_rng(1)
one = rng.standard_normal(2000)
batch = rng.standard_normal((132, 2000))
seg = rng.standard_normal(512)


def best(stmt, number):
    t = min(timeit.repeat(stmt, number=number, repeat=7, globals=globals()))
    return t / number


print("scipy %s numpy %s" % (scipy.__version__, np.__version__))
print("welch, 1 signal x 2000, nperseg 512:   %8.1f us" % (1e6 * best("signal.welch(one, fs=2000.0, nperseg=512)", 2000)))
print("welch, 132 signals x 2000, nperseg 512: %8.1f us" % (1e6 * best("signal.welch(batch, fs=2000.0, nperseg=512, axis=-1)", 50)))
print("rfft, 512 points:                        %8.2f us" % (1e6 * best("fft.rfft(seg)", 20000)))
print("irfft, 257 bins -> 512 points:           %8.2f us" % (1e6 * best("fft.irfft(X, n=512)", 20000) if (X := fft.rfft(seg)) is not None else 0))
