"""tensorflow (eager) and tensorflow-xla (tf.function(jit_compile=True)).
Runs in the TensorFlow worker only; threads: intra-op = the run's count,
inter-op = 1, so no more threads are busy than for any other candidate."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from worthit.backends._common import PACKAGE, add, cap_skip
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/tensorflow_candidates.py"]
EPS = 1e-5


def setup(threads: int) -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # the runtime is already initialised; TF_NUM_*_THREADS were set before import
    tf.config.set_visible_devices([], "GPU")  # the CPU is what the other candidates use


def _gelu(x):
    import tensorflow as tf

    return tf.nn.gelu(x, approximate=True)


def _layernorm(x, bias, residual, gamma, beta):
    import tensorflow as tf

    s = x + bias + residual
    mean, var = tf.nn.moments(s, axes=[-1], keepdims=True)
    return (s - mean) * tf.math.rsqrt(var + EPS) * gamma + beta


def _matmul(a, b):
    import tensorflow as tf

    return tf.linalg.matmul(a, b)


def _recurrence_scan(a, x):
    import tensorflow as tf

    # tf.scan becomes one XLA while loop; a Python loop would unroll T steps.
    return tf.scan(lambda h, ax: ax[0] * h + ax[1], (a, x), initializer=tf.zeros_like(x[0]))


# Eager linear_recurrence is a Python loop over steps (_prepare); XLA gets the scan.
FUNCTIONS: dict[str, Callable] = {"gelu": _gelu, "bias_residual_layernorm": _layernorm, "matmul": _matmul,
                                  "linear_recurrence": _recurrence_scan}


def _prepare(workload: str, xla: bool):
    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        import tensorflow as tf

        ins = [tf.constant(a) for a in inputs]  # one copy into TF, untimed
        fn = FUNCTIONS[workload]
        extra = {}
        if workload == "linear_recurrence" and not xla:
            # Per-step slices made once, untimed (the other eager loops do the same).
            a, x = ins
            a_steps, x_steps = tf.unstack(a), tf.unstack(x)
            ins = []

            def fn() -> object:
                h = x_steps[0]
                out = [h]
                for at, xt in zip(a_steps[1:], x_steps[1:]):
                    h = at * h + xt
                    out.append(h)
                return tf.stack(out)
        if xla:
            t0 = time.perf_counter()
            fn = tf.function(fn, jit_compile=True)
            fn(*ins)  # trace and compile
            extra["compile_time_s"] = time.perf_counter() - t0
        holder: list = [None]
        y = outputs[0]

        def run() -> None:
            holder[0] = fn(*ins)

        def publish() -> None:
            np.copyto(y, holder[0].numpy())

        return Prepared(run, publish, extra)

    return prepare


# Eager linear_recurrence costs ~80 us per step here (two ops and a stack):
# over 4096 steps a call takes seconds, so longer scans are skipped.
RECURRENCE_EAGER_MAX_STEPS = 4096

for _w in FUNCTIONS:
    add(_w, "tensorflow", "tensorflow", _prepare(_w, False), language="python", framework=True,
        requires=("tensorflow",), sources=SRC, toolchains=["tensorflow"], description="TensorFlow eager",
        skip=cap_skip(RECURRENCE_EAGER_MAX_STEPS, "t", lambda s: s["t"]) if _w == "linear_recurrence" else None)
    add(_w, "tensorflow-xla", "tensorflow", _prepare(_w, True), language="python", framework=True,
        requires=("tensorflow",), sources=SRC, toolchains=["tensorflow"],
        description="tf.function(jit_compile=True), steady state; compile time in extra")
