"""cython: the .pyx kernels in worthit/_cython_kernels.pyx, compiled at build
time (typed memoryviews, the GIL released, prange over OpenMP)."""

from __future__ import annotations

import importlib

import numpy as np

from worthit.backends._common import PACKAGE, add
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/_cython_kernels.pyx", f"{PACKAGE}/backends/cython_candidates.py"]
MODULE = "worthit._cython_kernels"


def _k():
    return importlib.import_module(MODULE)


def setup(threads: int) -> None:
    pass


def gelu(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, x, y = _k().gelu, inputs[0], outputs[0]
    return Prepared(lambda: f(x, y))


def layernorm(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, (x, bias, res, gamma, beta), y = _k().bias_residual_layernorm, inputs, outputs[0]
    return Prepared(lambda: f(x, bias, res, gamma, beta, y, 1e-5))


def matmul(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, (a, b), c = _k().matmul, inputs, outputs[0]
    return Prepared(lambda: f(a, b, c))


def linear_recurrence(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, (a, x), h = _k().linear_recurrence, inputs, outputs[0]
    return Prepared(lambda: f(a, x, h))


for _w, _fn, _what in (("linear_recurrence", linear_recurrence, "lane blocks over prange, state in a thread buffer"),
                       ("gelu", gelu, "inline exp, logistic form, prange"),
                       ("bias_residual_layernorm", layernorm, "one fused pass per row, prange over rows"),
                       ("matmul", matmul, "i-k-j loops, prange over rows, no blocking")):
    add(_w, "cython", "native", _fn, language="cython", framework=False, requires=(MODULE,), sources=SRC,
        toolchains=["cython", "openmp", "python-headers"], description=_what)
