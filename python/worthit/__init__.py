"""worthit from Python: register your own candidates and workloads, and use
the harness's workloads, correctness gate, sampler and statistics.

    import worthit

    @worthit.candidate("gelu", backend="my-numpy", framework=True)
    def my_gelu(x):
        ...

Run it next to every built-in candidate: ``worthit bench --plugin my_ops.py``
(docs/python.md).
"""

from __future__ import annotations

import os as _os
import sys as _sys

if _os.environ.get("WORTHIT_NATIVE_TORCH") == "1":
    # The torch worker: the same module built with the libtorch candidates,
    # under the usual name, so `from worthit import _native` finds it. Other
    # processes load the libtorch-free _native (python/CMakeLists.txt).
    try:
        from worthit import _native_torch as _native
    except ImportError:
        # Built without libtorch (a wheel in a venv without torch): the
        # libtorch-free _native serves, and the torch candidates say why
        # they cannot run.
        pass
    else:
        _sys.modules[__name__ + "._native"] = _native

from worthit.candidate import (
    REGISTRY,
    Candidate,
    Prepared,
    RunContext,
    candidate,
    define_workload,
    register_candidate,
)
from worthit.workload import Case, Size, Workload

__all__ = [
    "REGISTRY",
    "Candidate",
    "Case",
    "Prepared",
    "RunContext",
    "Size",
    "Workload",
    "candidate",
    "define_workload",
    "register_candidate",
    "workloads",
    "workload",
]

__version__ = "0.1.0"


def workloads() -> list[Workload]:
    """Every workload: the C++ built-ins and those defined in Python."""
    return REGISTRY.workloads()


def workload(name: str) -> Workload:
    w = REGISTRY.workload(name)
    if w is None:
        raise KeyError(f"no workload '{name}' (known: {', '.join(x.name for x in REGISTRY.workloads())})")
    return w


try:  # CPU scopes for profiles, when the profiler part is present
    from worthit.profiling import scope  # noqa: F401

    __all__.append("scope")
except ImportError:
    pass
