"""PyTorch op capture for `worthit profile`, started in every Python process.

`worthit profile` puts this folder first on the program's PYTHONPATH, so
Python runs its sitecustomize.py at start-up, which calls start() here. The
program itself is not changed. Nothing happens until the program imports
torch; then, in this order:

1. The worthit ATen observer (libworthit_aten.so, next to the worthit binary)
   when it was built against this torch version: a RecordFunction observer in
   C++ that records every ATen op with its input shapes into the profiler
   runtime's trace (docs/profiler.md, "PyTorch ops").
2. Otherwise (another torch version, or a build without libtorch),
   torch.profiler with record_shapes: any torch since 1.8 has it, it costs
   more, and it sees this process's main thread only. Its events are moved
   onto the runtime's clock and written next to the runtime's trace.
3. Otherwise a note in the trace and one line on stderr that say what was not
   captured and why. The program always runs on.

Standard library only: the program's Python may not have worthit installed.
Environment (set by `worthit profile`): WORTHIT_PROFILE_DIR (where each
process writes its trace), WORTHIT_PROFILER_LIB (the runtime),
WORTHIT_TORCH (auto|on), WORTHIT_ATEN_LIB (the observer, when built).
"""

from __future__ import annotations

import atexit
import ctypes
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import time

_runtime = None  # ctypes handle of libworthit_profiler.so
_observer = None  # ctypes handle of libworthit_aten.so
_started = False


def _say(line: str) -> None:
    # Once per process tree: children inherit the marker.
    if os.environ.get("WORTHIT_TORCH_NOTED"):
        return
    os.environ["WORTHIT_TORCH_NOTED"] = "1"
    try:
        sys.stderr.write(f"worthit profile: PyTorch ops: {line}\n")
    except Exception:  # pragma: no cover - stderr closed
        pass


def _load_runtime():
    global _runtime
    if _runtime is None:
        path = os.environ.get("WORTHIT_PROFILER_LIB")
        if not path:
            return None
        lib = ctypes.CDLL(path)
        lib.worthit_profiler_enabled.restype = ctypes.c_int
        lib.worthit_profiler_note.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.worthit_profiler_note.restype = None
        lib.worthit_profiler_flush.restype = ctypes.c_int
        _runtime = lib
        _flush_forked_children()
    return _runtime


def note(args: dict) -> None:
    """Records how this process's torch ops were captured (an instant event)."""
    lib = _load_runtime()
    if lib is not None:
        lib.worthit_profiler_note(b"worthit torch capture", json.dumps(args).encode())


class _ForkKey:
    """Keeps the after-fork registration alive (multiprocessing holds it weakly)."""


_FORK_KEY = _ForkKey()


def _flush_forked_children() -> None:
    # Forked multiprocessing children (DataLoader workers) leave through
    # os._exit, which skips the runtime's atexit flush; their finalizers
    # still run, so a finalizer registered after the fork flushes the trace.
    try:
        from multiprocessing import util
    except ImportError:  # pragma: no cover
        return

    def register(_key: object) -> None:
        util.Finalize(None, _flush, exitpriority=0)

    util.register_after_fork(_FORK_KEY, register)


def _flush() -> None:
    if _runtime is not None:
        _runtime.worthit_profiler_flush()


def _public_version(version: str) -> str:
    return version.split("+")[0]


def _observer_mismatch(torch) -> str | None:
    """Why the built observer cannot serve this torch, or None."""
    path = os.environ.get("WORTHIT_ATEN_LIB", "")
    if not path or not os.path.exists(path):
        return "this worthit was built without libtorch, so it has no ATen observer"
    try:
        with open(os.path.splitext(path)[0] + ".json", encoding="utf-8") as f:
            built = json.load(f)
    except (OSError, ValueError) as e:
        return f"the observer's build record is unreadable ({e})"
    want, have = built.get("torch_version", "?"), str(torch.__version__)
    if _public_version(want) != _public_version(have):
        return f"the ATen observer was built for torch {want}, this program runs torch {have}"
    abi = getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", None)
    if abi is not None and int(abi) != int(built.get("cxx11_abi", abi)):
        return f"the ATen observer was built with _GLIBCXX_USE_CXX11_ABI={built.get('cxx11_abi')}, this torch uses {int(abi)}"
    return None


def _install_observer(torch) -> str | None:
    """Loads and installs the C++ observer; returns why not, or None."""
    global _observer
    why = _observer_mismatch(torch)
    if why:
        return why
    path = os.environ["WORTHIT_ATEN_LIB"]
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return f"the ATen observer does not load with this torch ({e})"
    lib.worthit_aten_install.restype = ctypes.c_int
    lib.worthit_aten_set_threads.argtypes = [ctypes.c_int]
    rc = lib.worthit_aten_install()
    if rc == 1:
        return "the profiler runtime is not recording"
    if rc != 0:
        return "torch refused the observer's callback"
    _observer = lib
    _load_runtime()
    # The thread count the program ended with, for the trace's note.
    atexit.register(lambda: lib.worthit_aten_set_threads(int(torch.get_num_threads())))
    return None


class _ProfilerFallback:
    """torch.profiler with record_shapes for the whole process, its CPU events
    written as this process's second trace part on the runtime's clock."""

    def __init__(self, torch, reason: str) -> None:
        from torch.profiler import ProfilerActivity, profile

        self.torch = torch
        self.reason = reason
        self.pid = os.getpid()
        self.prof = profile(activities=[ProfilerActivity.CPU], record_shapes=True)
        self.prof.__enter__()
        # A range whose start is known on both clocks aligns them.
        with torch.profiler.record_function("worthit clock sync"):
            self.sync_ns = time.monotonic_ns()
        atexit.register(self.finish)

    def finish(self) -> None:
        if os.getpid() != self.pid:
            return  # a forked child: torch.profiler does not follow forks
        directory = os.environ.get("WORTHIT_PROFILE_DIR")
        try:
            self.prof.__exit__(None, None, None)
            raw = os.path.join(directory, f"{self.pid}.kineto.json.tmp")
            self.prof.export_chrome_trace(raw)
            with open(raw, encoding="utf-8") as f:
                kineto = json.load(f)
            os.remove(raw)
        except Exception as e:  # the program's exit must not fail
            note({"mode": "none", "reason": f"torch.profiler fallback failed: {e}"})
            return
        events = kineto.get("traceEvents", [])
        sync = next((e for e in events if e.get("name") == "worthit clock sync"), None)
        offset_us = self.sync_ns / 1e3 - float(sync["ts"]) if sync else 0.0
        kept, ops = [], 0
        for e in events:
            if e.get("ph") != "X" or e.get("cat") not in ("cpu_op", "user_annotation"):
                continue
            if e.get("name") == "worthit clock sync":
                continue
            e = dict(e, pid=self.pid, ts=round(float(e["ts"]) + offset_us, 3))
            kept.append(e)
            ops += 1
        kept.append({"name": "worthit torch capture", "cat": "worthit", "ph": "i", "s": "t",
                     "pid": self.pid, "tid": self.pid, "ts": round(time.monotonic_ns() / 1e3, 3),
                     "args": {"mode": "torch.profiler", "torch_version": str(self.torch.__version__),
                              "reason": self.reason, "ops": ops, "clock_aligned": sync is not None,
                              "intra_op_threads": int(self.torch.get_num_threads())}})
        part = {"traceEvents": kept, "worthit": {"schema": "worthit.trace", "schema_version": 1,
                                                 "clock": "CLOCK_MONOTONIC", "pid": self.pid,
                                                 "process": "torch.profiler fallback"}}
        path = os.path.join(directory, f"{self.pid}.torch.trace.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(part, f)
        os.replace(path + ".tmp", path)


def _on_torch_imported(torch) -> None:
    why = _install_observer(torch)
    if why is None:
        return
    try:
        _ProfilerFallback(torch, why)
        _say(f"{why}; capturing with torch.profiler(record_shapes=True) instead (slower, main "
             "thread only)")
    except Exception as e:
        note({"mode": "none", "torch_version": str(getattr(torch, "__version__", "?")),
              "reason": f"{why}; torch.profiler is unavailable too ({e})"})
        _say(f"not captured: {why}, and torch.profiler is unavailable ({e})")


class _Loader(importlib.abc.Loader):
    def __init__(self, inner) -> None:
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)
        try:
            _on_torch_imported(module)
        except Exception as e:  # capture must never break the program
            _say(f"not captured: {e}")


class _TorchWatcher(importlib.abc.MetaPathFinder):
    """Waits for `import torch`, then hands the module over once it is loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None:
                break
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader)
        return spec


def start() -> None:
    """Arms the capture in this process (sitecustomize calls it)."""
    global _started
    if _started or not os.environ.get("WORTHIT_PROFILE_DIR"):
        return
    if os.environ.get("WORTHIT_TORCH", "auto") not in ("auto", "on"):
        return
    _started = True
    if "torch" in sys.modules:
        _on_torch_imported(sys.modules["torch"])
    else:
        sys.meta_path.insert(0, _TorchWatcher())
