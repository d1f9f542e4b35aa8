"""The built-in Python-side candidates, one module per backend family, and the
worker group each runs in. Importing a module registers its candidates; it
must not import the framework itself (that happens in ``setup`` inside the
worker), so ``worthit list`` stays fast and a missing framework is a reason,
not a crash."""

from __future__ import annotations

import importlib
from typing import Callable

# group -> modules registering its candidates. Torch and TensorFlow get a
# process each; NumPy, pure Python, Cython and the C API share one.
GROUPS: dict[str, list[str]] = {
    "native": [
        "worthit.backends.numpy_candidates",
        "worthit.backends.python_candidates",
        "worthit.backends.cython_candidates",
        "worthit.backends.capi_candidates",
        "worthit.backends.pipeline_candidates",
    ],
    "torch": ["worthit.backends.torch_candidates", "worthit.backends.pipeline_torch_candidates"],
    "tensorflow": ["worthit.backends.tensorflow_candidates", "worthit.backends.pipeline_tensorflow_candidates"],
}


def load_group(group: str) -> Callable[[int], None]:
    """Imports a group's modules (registering their candidates) and returns
    the group's setup(threads): imports the framework and sets its threads;
    raises ImportError when the framework is missing."""
    setups = [importlib.import_module(m).setup for m in GROUPS[group]]

    def setup(threads: int) -> None:
        for s in setups:
            s(threads)

    return setup


def load_all() -> None:
    for modules in GROUPS.values():
        for m in modules:
            importlib.import_module(m)
