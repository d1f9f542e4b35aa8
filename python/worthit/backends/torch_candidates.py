"""torch (eager), torch.compile (inductor on the CPU) and torch.jit
(TorchScript scripted from Python). Runs in the torch worker only.

Inputs reach torch without copies (torch.from_numpy over the harness's
buffers). Eager writes into the output buffer wherever the public API takes
``out=``, like the libtorch candidates do in C++; the compiled variants return
fresh tensors, copied out by the untimed publish step. Inference mode is on for
the whole worker, as a deployment would run it.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from worthit.backends._common import PACKAGE, add, await_inductor_cpu_probe, cap_skip, start_inductor_cpu_probe
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/torch_candidates.py"]
EPS = 1e-5  # the workload's LayerNorm eps
_state: dict[str, object] = {}


def setup(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already fixed by an earlier parallel op: only the intra-op count matters here
    # Every size is a new static shape for the same functions: allow enough
    # recompiles that no size silently falls back to eager.
    import torch._dynamo

    for knob in ("recompile_limit", "cache_size_limit"):
        if hasattr(torch._dynamo.config, knob):
            setattr(torch._dynamo.config, knob, 64)
    if "inference" not in _state:
        mode = torch.inference_mode()
        mode.__enter__()  # for the worker's life: no autograd bookkeeping per call
        _state["inference"] = mode
    start_inductor_cpu_probe()


def _t(arrays: list[np.ndarray]):
    import torch

    return [torch.from_numpy(a) for a in arrays]


def _functions() -> dict[str, Callable]:
    from worthit.backends import _torch_functions

    return _torch_functions.FUNCTIONS


WORKLOADS = ("gelu", "bias_residual_layernorm", "matmul", "linear_recurrence")


def eager(workload: str):
    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        import torch
        import torch.nn.functional as F

        ins, (y,) = _t(inputs), _t(outputs)
        if workload == "gelu":
            (x,) = ins
            gelu_out = torch._C._nn.gelu  # F.gelu's binding; the public one has no out=
            return Prepared(lambda: gelu_out(x, approximate="tanh", out=y))
        if workload == "bias_residual_layernorm":
            x, bias, res, gamma, beta = ins
            s = torch.empty_like(x)
            shape = (x.shape[-1],)
            holder: list = [None]

            def run() -> None:
                torch.add(x, res, out=s)
                s.add_(bias)
                holder[0] = F.layer_norm(s, shape, gamma, beta, EPS)

            return Prepared(run, lambda: y.copy_(holder[0]))
        if workload == "matmul":
            a, b = ins
            return Prepared(lambda: torch.matmul(a, b, out=y))
        if workload == "linear_recurrence":
            a, x = ins
            # Per-step views made once, as the libtorch candidate does.
            steps = [(x[t], a[t], y[t - 1], y[t]) for t in range(1, a.shape[0])]
            x0, y0 = x[0], y[0]
            addcmul = torch.addcmul

            def run() -> None:
                y0.copy_(x0)
                for xt, at, prev, out in steps:
                    addcmul(xt, at, prev, out=out)

            return Prepared(run)
        raise KeyError(workload)

    return prepare


def _compiled_recurrence(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    import torch

    from worthit.backends import _torch_functions

    (a, x), (h,) = _t(inputs), _t(outputs)
    steps, k = a.shape[0], _torch_functions.RECURRENCE_CHUNK
    if steps % k:
        raise ValueError(f"t={steps} is not a multiple of the compiled chunk ({k})")
    await_inductor_cpu_probe()
    t0 = time.perf_counter()
    chunk = _torch_compile(_torch_functions.recurrence_chunk)
    views = [(a[i:i + k], x[i:i + k], h[i:i + k]) for i in range(0, steps, k)]
    zero = torch.zeros_like(x[0])
    chunk(views[0][0], views[0][1], zero)  # compile
    compile_s = time.perf_counter() - t0

    def run() -> None:
        state = zero
        for ac, xc, hc in views:
            hc.copy_(chunk(ac, xc, state))
            state = hc[-1]

    return Prepared(run, extra={"compile_time_s": compile_s})


def _compiled(workload: str, make: Callable[[Callable], Callable], warmup: int):
    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        if workload == "linear_recurrence" and make is _torch_compile:
            return _compiled_recurrence(inputs, outputs, ctx)
        ins, (y,) = _t(inputs), _t(outputs)
        if make is _torch_compile:
            await_inductor_cpu_probe()
        t0 = time.perf_counter()
        fn = make(_functions()[workload])
        for _ in range(warmup):  # compile (and, for TorchScript, profile and optimise)
            fn(*ins)
        compile_s = time.perf_counter() - t0
        holder: list = [None]

        def run() -> None:
            holder[0] = fn(*ins)

        return Prepared(run, lambda: y.copy_(holder[0]), extra={"compile_time_s": compile_s})

    return prepare


def _torch_compile(fn: Callable) -> Callable:
    import torch

    # One static shape per size: what a deployment with fixed shapes gets.
    return torch.compile(fn, backend="inductor", dynamic=False, fullgraph=True)


def _torch_jit(fn: Callable) -> Callable:
    import torch

    return torch.jit.script(fn)


# TorchScript interprets linear_recurrence's loop at ~7 us per step here (plus
# 3 profiling runs): over 32768 steps the candidate alone takes half a minute.
RECURRENCE_JIT_MAX_STEPS = 32768
# torch.compile's 32-step recurrence chunk measured 2.7 s per call at
# 4096x8x512 (4096 lanes; 2.3 ms at 64 lanes, 2048 steps): 30 s of the suite
# for a candidate 100x behind eager there, so wide scans are skipped.
RECURRENCE_COMPILE_MAX_LANES = 1024

for _w in WORKLOADS:
    add(_w, "torch", "torch", eager(_w), language="python", framework=True, requires=("torch",), sources=SRC,
        toolchains=["torch"], description="torch eager from Python")
    add(_w, "torch.compile", "torch", _compiled(_w, _torch_compile, 1), language="python", framework=True,
        requires=("torch",), sources=SRC, toolchains=["torch"],
        description="torch.compile(inductor, dynamic=False), steady state; compile time in extra",
        skip=cap_skip(RECURRENCE_COMPILE_MAX_LANES, "b*c", lambda s: s["b"] * s["c"])
        if _w == "linear_recurrence" else None)
    add(_w, "torch.jit", "torch", _compiled(_w, _torch_jit, 3), language="python", framework=True,
        requires=("torch",), sources=SRC, toolchains=["torch"],
        description="torch.jit.script from Python, after the profiling runs",
        skip=cap_skip(RECURRENCE_JIT_MAX_STEPS, "t", lambda s: s["t"]) if _w == "linear_recurrence" else None)
