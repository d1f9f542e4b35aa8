"""my_ops.py: a worthit plugin. Copy it, edit it, and run

    worthit bench --plugin examples/my_ops.py -w gelu -w silu

Your candidates run in their own worker process, on the same inputs as every
built-in candidate, through the same correctness gate, sampler and statistics,
and land in the same results.json.
"""

import numpy as np

import worthit

# 1. A new candidate for a built-in workload. The function gets the inputs as
#    NumPy arrays (gelu has one, x) and returns the output. framework=True says
#    it is framework-native code (here: NumPy), not a handwritten kernel.


@worthit.candidate("gelu", backend="my-numpy-gelu", framework=True)
def my_gelu(x):
    """NumPy, written the obvious way (temporaries and all)."""
    inner = np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)
    return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner))


# 2. A new workload: SiLU, y = x * sigmoid(x). Give its sizes, a seeded input
#    generator, a reference (float64 here, so it is the truth), the tolerance
#    an element must meet (|y - ref| <= abs + rel * |ref|), and the cost model
#    used for GB/s and GFLOP/s.


def silu_inputs(size, rng):
    return {"x": rng.uniform(-8.0, 8.0, size["n"]).astype(np.float32)}


def silu_reference(x):
    x64 = x.astype(np.float64)
    return (x64 / (1.0 + np.exp(-x64))).astype(np.float32)


worthit.define_workload(
    "silu",
    description="SiLU, fp32, element-wise",
    size_keys=["n"],
    sizes=[{"n": 1 << 16}, {"n": 1 << 22}],
    quick_sizes=[{"n": 1 << 14}],
    make_inputs=silu_inputs,
    reference=silu_reference,
    tolerance=(1e-6, 1e-5),
    bytes_moved=lambda size: 8.0 * size["n"],  # read x, write y
    flops=lambda size: 4.0 * size["n"],
)


@worthit.candidate("silu", backend="my-numpy", framework=True)
def silu_numpy(x):
    return x / (np.float32(1.0) + np.exp(-x))


# inplace=True: the function also gets the output arrays and writes them,
# which keeps allocation out of the timed call.
@worthit.candidate("silu", backend="my-numpy-inplace", framework=False, inplace=True)
def silu_numpy_inplace(x, y):
    np.negative(x, out=y)
    np.exp(y, out=y)
    y += np.float32(1.0)
    np.divide(x, y, out=y)


# A candidate that needs an optional module: without torch it is listed as
# unavailable, with the reason, instead of failing the run.
@worthit.candidate("silu", backend="my-torch", framework=True, requires=["torch"])
def silu_torch(x):
    import torch

    return torch.nn.functional.silu(torch.from_numpy(x))
