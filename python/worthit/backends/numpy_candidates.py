"""numpy: the vectorised-NumPy way, written as a careful user would: in-place
ufuncs into preallocated buffers, no temporaries per call."""

from __future__ import annotations

import numpy as np

from worthit.backends._common import PACKAGE, add
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/numpy_candidates.py"]
SQRT_2_OVER_PI = np.float32(0.7978845608028654)
CUBIC = np.float32(0.044715)
LN_EPS = np.float32(1e-5)


def setup(threads: int) -> None:
    import numpy  # noqa: F401 - BLAS threads come from OPENBLAS/OMP_NUM_THREADS, set before import


def gelu(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    (x,), (y,) = inputs, outputs
    one, half = np.float32(1), np.float32(0.5)

    def run() -> None:
        # y = 0.5 x (1 + tanh(c0 x (1 + c1 x^2))), with y as the only scratch.
        np.multiply(x, x, out=y)
        np.multiply(y, CUBIC, out=y)
        np.add(y, one, out=y)
        np.multiply(y, x, out=y)
        np.multiply(y, SQRT_2_OVER_PI, out=y)
        np.tanh(y, out=y)
        np.add(y, one, out=y)
        np.multiply(y, x, out=y)
        np.multiply(y, half, out=y)

    return Prepared(run)


def layernorm(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    x, bias, residual, gamma, beta = inputs
    (y,) = outputs
    rows = x.shape[0]
    mean = np.empty((rows, 1), np.float32)
    var = np.empty((rows, 1), np.float32)
    sq = np.empty_like(x)

    def run() -> None:
        np.add(x, bias, out=y)
        np.add(y, residual, out=y)
        np.mean(y, axis=1, keepdims=True, out=mean)
        np.subtract(y, mean, out=y)
        np.multiply(y, y, out=sq)
        np.mean(sq, axis=1, keepdims=True, out=var)
        np.add(var, LN_EPS, out=var)
        np.sqrt(var, out=var)
        np.divide(y, var, out=y)
        np.multiply(y, gamma, out=y)
        np.add(y, beta, out=y)

    return Prepared(run)


def matmul(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    a, b = inputs
    (c,) = outputs
    return Prepared(lambda: np.matmul(a, b, out=c))


def linear_recurrence(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    a, x = inputs
    (h,) = outputs
    steps = a.shape[0]

    def run() -> None:
        # One vectorised step per t: the loop over time stays in Python.
        np.copyto(h[0], x[0])
        for t in range(1, steps):
            np.multiply(a[t], h[t - 1], out=h[t])
            np.add(h[t], x[t], out=h[t])

    return Prepared(run)


for _w, _fn in (("linear_recurrence", linear_recurrence), ("gelu", gelu), ("bias_residual_layernorm", layernorm), ("matmul", matmul)):
    add(_w, "numpy", "native", _fn, language="python", framework=True, requires=("numpy",), sources=SRC,
        toolchains=["numpy"], description=f"NumPy ufuncs into preallocated buffers ({_w})")
