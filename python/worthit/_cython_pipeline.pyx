# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Cython candidates for the data-pipeline workloads (docs/data-pipeline.md):
a CSV parser written the way a Cython user would (line starts, then libc
strtof per field, rows in prange) and a fused crop/flip/normalize augmenter
(prange over images)."""

from cython.parallel cimport prange
from libc.stdlib cimport strtof
from libc.string cimport memchr

import numpy as np


def parse_csv(const unsigned char[::1] text, float[:, ::1] out, int threads=1):
    """Parses `text` (a header line, then out.shape[0] rows of out.shape[1]
    comma-separated numbers, ending in a newline) into `out`. Raises
    ValueError naming the line and column of the first malformed field."""
    cdef Py_ssize_t n = text.shape[0], rows = out.shape[0], cols = out.shape[1]
    if n == 0 or text[n - 1] != b'\n':
        raise ValueError("line 1: the text must be non-empty and end with a newline")
    cdef long long[::1] starts = np.empty(rows + 1, dtype=np.int64)
    cdef signed char[::1] bad = np.zeros(rows, dtype=np.int8)
    cdef long long[::1] bad_col = np.zeros(rows, dtype=np.int64)
    cdef const char* base = <const char*> &text[0]
    cdef const char* p = base
    cdef const char* end = base + n
    cdef const char* nl
    cdef Py_ssize_t found = 0
    with nogil:
        nl = <const char*> memchr(p, b'\n', end - p)  # the header line
        p = nl + 1
        while p < end and found < rows:
            starts[found] = p - base
            found += 1
            nl = <const char*> memchr(p, b'\n', end - p)
            p = nl + 1
        starts[found] = p - base
    if found < rows or p < end:
        raise ValueError(f"expected {rows} data rows, found {found if found < rows else 'more'}")

    cdef Py_ssize_t r, c
    cdef const char* q
    cdef char* e
    cdef char ch
    for r in prange(rows, nogil=True, num_threads=threads, schedule="static"):
        e = NULL  # assigned in the loop, so each thread has its own (strtof writes through &e)
        q = base + starts[r]
        for c in range(cols):
            ch = q[0]
            if ch == b',' or ch == b'\n' or ch == b'\r' or ch == b' ':  # strtof would skip whitespace
                bad[r] = 1
                bad_col[r] = c
                break
            out[r, c] = strtof(q, &e)
            if e == q:
                bad[r] = 1
                bad_col[r] = c
                break
            if c + 1 < cols:
                if e[0] != b',':
                    bad[r] = 2
                    bad_col[r] = c
                    break
            elif e[0] != b'\n' and not (e[0] == b'\r' and e[1] == b'\n'):
                bad[r] = 2
                bad_col[r] = c
                break
            q = e + 1
    for r in range(rows):
        if bad[r]:
            what = "not a number" if bad[r] == 1 else "wrong field count or junk after the number"
            raise ValueError(f"line {r + 2}, column {bad_col[r] + 1}: {what}")


def augment(const unsigned char[:, :, :, ::1] images, const int[:, ::1] params, const float[::1] mean,
            const float[::1] std, float[:, :, :, ::1] out, int threads=1):
    """Crop, flip, u8 -> f32, normalize and HWC -> CHW in one pass per pixel."""
    cdef Py_ssize_t n = images.shape[0], crop = out.shape[2]
    cdef float s0 = 1.0 / (255.0 * std[0]), s1 = 1.0 / (255.0 * std[1]), s2 = 1.0 / (255.0 * std[2])
    cdef float b0 = -mean[0] / std[0], b1 = -mean[1] / std[1], b2 = -mean[2] / std[2]
    cdef Py_ssize_t b, i, j, x, y0, x0
    cdef int flip
    for b in prange(n, nogil=True, num_threads=threads, schedule="static"):
        y0 = params[b, 0]
        x0 = params[b, 1]
        flip = params[b, 2]
        for i in range(crop):
            for j in range(crop):
                x = x0 + (crop - 1 - j if flip else j)
                out[b, 0, i, j] = images[b, y0 + i, x, 0] * s0 + b0
                out[b, 1, i, j] = images[b, y0 + i, x, 1] * s1 + b1
                out[b, 2, i, j] = images[b, y0 + i, x, 2] * s2 + b2
