"""Loading users' plugin files (``worthit bench --plugin my_ops.py``)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from types import ModuleType


def load_plugin(path: str) -> ModuleType:
    """Executes a plugin file once; the candidates and workloads it registers
    (``worthit.candidate``, ``worthit.define_workload``) join the registry."""
    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise FileNotFoundError(f"plugin file '{path}' does not exist")
    digest = hashlib.sha1(full.encode()).hexdigest()[:8]
    name = f"worthit_plugin_{os.path.splitext(os.path.basename(full))[0]}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, full)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load plugin '{path}'")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # The plugin's own folder is importable, as for a script.
    sys.path.insert(0, os.path.dirname(full))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.path.remove(os.path.dirname(full))
    return module


def set_framework_threads(threads: int) -> None:
    """Gives the frameworks a plugin imported the run's thread count, as the
    built-in torch and TensorFlow workers do (OpenMP already has it from the
    environment)."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    if "tensorflow" in sys.modules:
        try:
            tf = sys.modules["tensorflow"]
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass  # initialised already; TF_NUM_*_THREADS were set before the import
