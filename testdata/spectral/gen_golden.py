#!/usr/bin/python3
"""Generate golden values for package spectral from scipy.signal.

Run from this directory with Debian's python3-scipy (scipy 1.10.1, numpy 1.24.2
were used for the committed files):

    /usr/bin/python3 gen_golden.py

It writes the input signals as raw little-endian float64 (<name>.f64) and
golden.json with, for each case, the scipy call, its keyword arguments and the
outputs (frequencies, segment times, PSD flattened row-major). Go tests read these
files; they never run Python.
"""
import json
import warnings

import numpy as np
import scipy
from scipy import signal

rng = np.random.default_rng(20261128)


def dipole_like(fs, n):
    """A 1 s current-dipole-like trace in nAm: slow drift, evoked transients,
    beta and gamma bursts and noise."""
    t = np.arange(n) / fs
    x = 40.0 * t - 15.0  # slow drift (makes 'linear' detrend matter)
    for t0, amp, tau in [(0.025, -60.0, 0.004), (0.060, 90.0, 0.010), (0.085, -120.0, 0.020)]:
        s = np.clip(t - t0, 0.0, None)
        x += amp * (s / tau) * np.exp(1.0 - s / tau)
    burst = np.exp(-0.5 * ((t - 0.45) / 0.08) ** 2)
    x += 25.0 * burst * np.sin(2 * np.pi * 20.0 * t + 0.3)
    x += 8.0 * np.exp(-0.5 * ((t - 0.75) / 0.05) ** 2) * np.sin(2 * np.pi * 40.0 * t)
    x += 3.0 * rng.standard_normal(n)
    return x


signals = {}
signals["white"] = (1000.0, rng.standard_normal(3000))
t = np.arange(2500) / 500.0
signals["sines"] = (500.0, np.sin(2 * np.pi * 10 * t) + 0.5 * np.sin(2 * np.pi * 20 * t + 1.0)
                    + 0.25 * np.sin(2 * np.pi * 40 * t + 2.0) + 0.3 * rng.standard_normal(t.size))
signals["dipole2k"] = (2000.0, dipole_like(2000.0, 2000))
signals["dipole40k"] = (40000.0, dipole_like(40000.0, 40000))
signals["short"] = (100.0, rng.standard_normal(100) + 0.5)
signals["odd"] = (250.0, rng.standard_normal(777) * 2.0 + np.linspace(0.0, 5.0, 777))

for name, (fs, x) in signals.items():
    x.astype("<f8").tofile(name + ".f64")

kaiser = signal.windows.kaiser(200, 8.0, sym=True)

cases = []


def add(name, sig, func, **kw):
    fs, x = signals[sig]
    call = dict(kw)
    if isinstance(call.get("window"), list):
        call["window"] = tuple(call["window"])
    if call.get("window") == "custom_kaiser":
        call["window"] = kaiser
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        if func == "welch":
            f, p = signal.welch(x, fs=fs, **call)
            tt, shape = [], [p.size]
        elif func == "periodogram":
            f, p = signal.periodogram(x, fs=fs, **call)
            tt, shape = [], [p.size]
        elif func == "spectrogram":
            f, tt, p = signal.spectrogram(x, fs=fs, **call)
            shape = list(p.shape)
            tt = tt.tolist()
        else:
            raise ValueError(func)
    bands = []
    if func != "spectrogram" and kw.get("return_onesided", True):
        # Band power as np.trapz over the bins with lo <= f <= hi, and its ratio to
        # np.trapz over the whole spectrum.
        for lo, hi in [(15.0, 60.0), (8.0, 13.0), (0.0, fs / 2)]:
            m = (f >= lo) & (f <= hi)
            if hi <= fs / 2 and m.sum() >= 2:
                bp = np.trapz(p[m], f[m])
                bands.append([lo, hi, bp, bp / np.trapz(p, f)])
    cases.append(dict(name=name, signal=sig, fs=fs, func=func, kwargs=kw, bands=bands,
                      warned=any("nperseg" in str(m.message) for m in w),
                      freqs=f.tolist(), times=tt, shape=shape,
                      psd=np.asarray(p).ravel().tolist()))


for sig in ["white", "sines", "dipole2k", "dipole40k", "short", "odd"]:
    add(sig + "/defaults", sig, "welch")
for sig in ["white", "sines", "dipole2k", "dipole40k", "odd"]:
    add(sig + "/nperseg512", sig, "welch", nperseg=512)
for sig in ["dipole2k", "dipole40k", "white"]:
    add(sig + "/nperseg1024", sig, "welch", nperseg=1024)
add("dipole40k/nperseg8000-median", "dipole40k", "welch", nperseg=8000, average="median")
add("dipole40k/nperseg40000", "dipole40k", "welch", nperseg=40000)
add("sines/nfft300-even", "sines", "welch", nperseg=256, nfft=300)
add("sines/nfft301-odd", "sines", "welch", nperseg=256, nfft=301)
add("sines/nperseg255-odd", "sines", "welch", nperseg=255)
add("dipole2k/nperseg333-nfft1000", "dipole2k", "welch", nperseg=333, nfft=1000)
add("white/nfft-prime-1031", "white", "welch", nperseg=1000, nfft=1031)
for sig in ["dipole2k", "sines", "odd"]:
    add(sig + "/linear", sig, "welch", detrend="linear")
    add(sig + "/nodetrend", sig, "welch", detrend=False)
    add(sig + "/median", sig, "welch", average="median")
    add(sig + "/spectrum", sig, "welch", scaling="spectrum")
add("white/median-odd-nseg", "white", "welch", nperseg=400, noverlap=0, average="median")
add("white/median-even-nseg", "white", "welch", nperseg=500, noverlap=0, average="median")
add("white/median-linear-spectrum", "white", "welch", nperseg=300, detrend="linear",
    average="median", scaling="spectrum")
for win in ["hamming", "blackman", "boxcar", ["tukey", 0.25], ["tukey", 0.0], ["tukey", 1.0]]:
    label = win if isinstance(win, str) else "%s%g" % (win[0], win[1])
    add("sines/window-" + label, "sines", "welch", window=win)
    add("dipole2k/window-" + label + "-nperseg500", "dipole2k", "welch", window=win, nperseg=500)
add("dipole2k/window-custom-kaiser", "dipole2k", "welch", window="custom_kaiser")
add("odd/window-custom-kaiser-noverlap50-nfft211", "odd", "welch", window="custom_kaiser",
    noverlap=50, nfft=211)
add("white/noverlap0", "white", "welch", noverlap=0)
add("white/noverlap200", "white", "welch", noverlap=200)
add("white/noverlap255", "white", "welch", noverlap=255)
add("short/nperseg1000-shortened", "short", "welch", nperseg=1000)
add("short/nperseg7", "short", "welch", nperseg=7)
add("short/nperseg1", "short", "welch", nperseg=1, noverlap=0)
add("odd/twosided", "odd", "welch", return_onesided=False)
add("odd/twosided-nfft257", "odd", "welch", return_onesided=False, nfft=257)
add("sines/twosided-spectrum-linear", "sines", "welch", return_onesided=False,
    scaling="spectrum", detrend="linear")

for sig in ["white", "dipole2k", "odd", "short"]:
    add(sig + "/periodogram", sig, "periodogram")
add("dipole2k/periodogram-hamming", "dipole2k", "periodogram", window="hamming")
add("dipole2k/periodogram-hann-nfft4096", "dipole2k", "periodogram", window="hann", nfft=4096)
add("dipole2k/periodogram-nfft1500-truncates", "dipole2k", "periodogram", nfft=1500)
add("odd/periodogram-linear-spectrum", "odd", "periodogram", detrend="linear", scaling="spectrum")
add("odd/periodogram-nodetrend-twosided", "odd", "periodogram", detrend=False,
    return_onesided=False)

add("dipole2k/spectrogram", "dipole2k", "spectrogram")
add("dipole40k/spectrogram-nperseg2000", "dipole40k", "spectrogram", nperseg=2000)
add("sines/spectrogram-hann-noverlap128-nfft512", "sines", "spectrogram", window="hann",
    noverlap=128, nfft=512)
add("odd/spectrogram-linear-spectrum-twosided", "odd", "spectrogram", nperseg=101,
    detrend="linear", scaling="spectrum", return_onesided=False)

out = dict(generator="gen_golden.py", scipy=scipy.__version__, numpy=np.__version__,
           signals={k: dict(fs=fs, n=int(x.size), file=k + ".f64") for k, (fs, x) in signals.items()},
           custom_windows=dict(custom_kaiser=kaiser.tolist()), cases=cases)
with open("golden.json", "w") as fh:
    json.dump(out, fh)
    fh.write("\n")
print("wrote %d cases" % len(cases))
