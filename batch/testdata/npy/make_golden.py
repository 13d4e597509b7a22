#!/usr/bin/python3
"""Writes the .npy golden files batch's tests compare EncodeNPY with.

Run from this folder with Debian's numpy (apt-get install python3-numpy):
    /usr/bin/python3 make_golden.py
"""
import numpy as np

np.save("golden_2x3.npy", np.array([[1.0, 2.5, np.nan], [-0.0, 1e300, -3.25]], dtype="<f8"))
np.save("golden_0x4.npy", np.zeros((0, 4), dtype="<f8"))
np.save("golden_1x0.npy", np.zeros((1, 0), dtype="<f8"))
