#!/usr/bin/python3
"""Golden values of hnn-core's ERP objectives for optimize's ERP test.

The preprocessing and metrics repeat hnn-core's code (hnn_core/utils.py
smooth_waveform/_hammfilt, hnn_core/dipole.py scale, average_dipoles,
_resample_and_weight_dipole, _rmse, _anticorr; hnn-core 5ca983a,
BSD-3-Clause, Copyright (c) the hnn-core developers), run with Debian's
numpy and scipy (apt-get install python3-numpy python3-scipy):
    /usr/bin/python3 make_golden.py > golden.json
"""
import json
import numpy as np
from scipy import signal


def hammfilt(x, winsz):
    win = np.hamming(winsz)
    win /= np.sum(win)
    return np.convolve(x, win, "same")


def resample_window(sim_t, sim, exp_t, exp, tstart, tstop):
    for ts in [exp_t, sim_t]:
        if tstart < ts[0]:
            tstart = ts[0]
        if tstop > ts[-1]:
            tstop = ts[-1]
    e0, e1 = np.abs(exp_t - tstart).argmin(), np.abs(exp_t - tstop).argmin()
    s0, s1 = np.abs(sim_t - tstart).argmin(), np.abs(sim_t - tstop).argmin()
    d1, d2 = sim[s0:s1], exp[e0:e1]
    if s1 - s0 > e1 - e0:
        d1 = signal.resample(d1, e1 - e0)
    elif s1 - s0 < e1 - e0:
        d2 = signal.resample(d2, s1 - s0)
    return d1, d2


dt, steps, reps = 0.5, 160, 3
sim_t = dt * (np.arange(steps) + 1)
rng = np.random.default_rng(7)
trials = [np.sin(0.05 * sim_t * (1 + 0.1 * r)) * 0.02 + 0.005 * rng.standard_normal(steps) for r in range(reps)]
cases = []
for name, exp_dt, t0, t1, scale, smooth in [
    ("finer-target", 0.1, 0.0, 0.0, 3000.0, 5.0),
    ("coarser-target", 1.0, 10.0, 70.0, 3000.0, 0.0),
    ("same-grid", 0.5, 5.0, 55.5, 1.0, 2.0),
    ("window-past-end", 0.25, 20.0, 500.0, 100.0, 10.0),
]:
    exp_t = np.arange(0, 90, exp_dt)
    exp = 40 * np.sin(0.05 * exp_t) + 5 * np.cos(0.3 * exp_t)
    sim = np.mean([t * scale for t in trials], axis=0)
    if smooth > 0:
        sim = hammfilt(sim, int(np.round(1e-3 * smooth * 1000 / dt)))
    tstop = t1 if t1 > 0 else steps * dt
    d1, d2 = resample_window(sim_t, sim, exp_t, exp, t0, tstop)
    rmse = float(np.sqrt(((d1 - d2) ** 2).sum() / len(d1)))
    anticorr = float(1 - np.corrcoef(d1, d2)[0, 1])
    cases.append({"name": name, "exp_dt": exp_dt, "tstart": t0, "tstop": t1, "scale": scale, "smooth_ms": smooth,
                  "exp_times": [float(v) for v in exp_t], "exp": [float(v) for v in exp], "rmse": rmse, "anticorr": anticorr,
                  "compared": int(len(d1))})
print(json.dumps({"dt": dt, "trials": [[float(v) for v in t] for t in trials], "cases": cases}, indent=1))
