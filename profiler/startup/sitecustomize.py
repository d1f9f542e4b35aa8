"""worthit profile's start-up hook: arms the PyTorch op capture
(_worthit_torch_capture.py), then runs the sitecustomize this one shadows, if
any, so the program's environment is unchanged."""

import os as _os
import sys as _sys


def _run_shadowed() -> None:
    import importlib.machinery
    import importlib.util

    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


try:
    import _worthit_torch_capture

    _worthit_torch_capture.start()
except Exception as _e:  # never break the program's start-up
    _sys.stderr.write(f"worthit profile: PyTorch op capture not armed: {_e}\n")
_run_shadowed()
