"""capi: C functions written against the Python C API (python/src/capi_kernels.c):
buffer protocol in, GIL released, OpenMP loops."""

from __future__ import annotations

import importlib

import numpy as np

from worthit.backends._common import add
from worthit.candidate import Prepared, RunContext

SRC = ["python/src/capi_kernels.c", "python/worthit/backends/capi_candidates.py"]
MODULE = "worthit._capi_kernels"


def setup(threads: int) -> None:
    pass


def gelu(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, x, y = importlib.import_module(MODULE).gelu, inputs[0], outputs[0]
    return Prepared(lambda: f(x, y))


def linear_recurrence(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    f, (a, x), h = importlib.import_module(MODULE).linear_recurrence, inputs, outputs[0]
    steps = a.shape[0]
    return Prepared(lambda: f(a, x, h, steps))


add("linear_recurrence", "capi", "native", linear_recurrence, language="c", framework=False, requires=(MODULE,),
    sources=SRC, toolchains=["openmp", "python-headers"], description="buffer protocol, lane blocks over OpenMP")
add("gelu", "capi", "native", gelu, language="c", framework=False, requires=(MODULE,), sources=SRC,
    toolchains=["openmp", "python-headers"], description="buffer protocol, inline exp, OpenMP")
