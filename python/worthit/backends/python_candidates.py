"""python: plain loops over Python floats, the baseline every other Python
candidate is measured against. Sizes are capped (a skip with the reason) so a
default run stays bounded."""

from __future__ import annotations

import math

import numpy as np

from worthit.backends._common import PACKAGE, add, cap_skip
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/python_candidates.py"]
# About 0.1 s per call on a current core; larger sizes are skipped.
MAX_ELEMENTS = 1 << 18
MAX_MACS = 1 << 21


def setup(threads: int) -> None:
    pass


def _from_list(outputs: list[np.ndarray], values: list[float]):
    def publish() -> None:
        outputs[0].reshape(-1)[:] = values

    return publish


def gelu(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    xs = inputs[0].tolist()  # conversion untimed: the loop is what we time
    ys = [0.0] * len(xs)
    tanh = math.tanh

    def run() -> None:
        for i, v in enumerate(xs):
            ys[i] = 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))

    return Prepared(run, _from_list(outputs, ys))


def layernorm(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    x, bias, residual = inputs[0].tolist(), inputs[1].tolist(), inputs[2].tolist()
    gamma, beta = inputs[3].tolist(), inputs[4].tolist()
    cols = len(bias)
    out: list[float] = [0.0] * (len(x) * cols)

    def run() -> None:
        o = 0
        for xr, rr in zip(x, residual):
            s = [a + b + c for a, b, c in zip(xr, bias, rr)]
            mean = sum(s) / cols
            var = sum((v - mean) * (v - mean) for v in s) / cols
            rstd = 1.0 / math.sqrt(var + 1e-5)
            for c in range(cols):
                out[o + c] = (s[c] - mean) * rstd * gamma[c] + beta[c]
            o += cols

    return Prepared(run, _from_list(outputs, out))


def matmul(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    a, b = inputs[0].tolist(), inputs[1].tolist()
    n = len(b[0])
    out: list[float] = []

    def run() -> None:
        out.clear()
        for arow in a:
            crow = [0.0] * n
            for aip, brow in zip(arow, b):
                for j in range(n):
                    crow[j] += aip * brow[j]
            out.extend(crow)

    return Prepared(run, _from_list(outputs, out))


def linear_recurrence(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    steps = inputs[0].shape[0]
    a = inputs[0].reshape(steps, -1).tolist()
    x = inputs[1].reshape(steps, -1).tolist()
    lanes = len(a[0]) if steps else 0
    out: list[float] = []

    def run() -> None:
        out.clear()
        h = [0.0] * lanes
        for at, xt in zip(a, x):
            h = [ai * hi + xi for ai, hi, xi in zip(at, h, xt)]
            out.extend(h)

    return Prepared(run, _from_list(outputs, out))


add("linear_recurrence", "python", "native", linear_recurrence, language="python", framework=False, requires=(),
    sources=SRC, skip=cap_skip(MAX_ELEMENTS, "t*b*c", lambda s: s["t"] * s["b"] * s["c"]),
    description="pure-Python loop over steps, list comprehension over lanes")
add("gelu", "python", "native", gelu, language="python", framework=False, requires=(), sources=SRC,
    skip=cap_skip(MAX_ELEMENTS, "n", lambda s: s["n"]), description="pure-Python loop with math.tanh")
add("bias_residual_layernorm", "python", "native", layernorm, language="python", framework=False, requires=(),
    sources=SRC, skip=cap_skip(MAX_ELEMENTS, "rows*cols", lambda s: s["rows"] * s["cols"]),
    description="pure-Python loops over lists")
add("matmul", "python", "native", matmul, language="python", framework=False, requires=(), sources=SRC,
    skip=cap_skip(MAX_MACS, "m*n*k", lambda s: s["m"] * s["n"] * s["k"]),
    description="pure-Python triple loop (i-k-j)")
