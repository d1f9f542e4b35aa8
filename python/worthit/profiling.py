"""CPU ranges from Python into the worthit profiler's trace.

    import worthit

    with worthit.scope("load batch"):
        batch = next(loader)

    @worthit.scope("train step")
    def step(batch): ...

Under ``worthit profile -- python train.py`` each scope becomes a slice on its
thread in the trace, next to NVTX ranges and CUDA activity. Outside it,
``scope`` does nothing and costs one flag test: the profiler runtime is not
even loaded.

The runtime is the C ABI of ``libworthit_profiler.so``
(profiler/include/worthit/profiler/c_api.h), loaded with ctypes from
``$WORTHIT_PROFILER_LIB``, which ``worthit profile`` sets. It is the same
library the NVTX and CUDA injection use, so a process writes one trace.
See docs/profiler.md.
"""

from __future__ import annotations

import ctypes
import functools
import os
from typing import Any, Callable, Optional, TypeVar

__all__ = ["scope", "mark", "counter", "thread_name", "active"]

F = TypeVar("F", bound=Callable[..., Any])


def _load() -> Optional[ctypes.CDLL]:
    # Only a process started by `worthit profile` (or given a trace file)
    # records; everyone else never loads the library.
    if not (os.environ.get("WORTHIT_PROFILE_DIR") or os.environ.get("WORTHIT_TRACE_FILE")):
        return None
    path = os.environ.get("WORTHIT_PROFILER_LIB")
    if not path:
        return None
    lib = ctypes.CDLL(path)
    lib.worthit_profiler_enabled.restype = ctypes.c_int
    lib.worthit_profiler_intern.argtypes = [ctypes.c_char_p]
    lib.worthit_profiler_intern.restype = ctypes.c_void_p
    lib.worthit_profiler_begin.argtypes = [ctypes.c_void_p]
    lib.worthit_profiler_begin.restype = None
    lib.worthit_profiler_end.argtypes = []
    lib.worthit_profiler_end.restype = None
    lib.worthit_profiler_mark.argtypes = [ctypes.c_char_p]
    lib.worthit_profiler_mark.restype = None
    lib.worthit_profiler_counter.argtypes = [ctypes.c_char_p, ctypes.c_double]
    lib.worthit_profiler_counter.restype = None
    lib.worthit_profiler_thread_name.argtypes = [ctypes.c_char_p]
    lib.worthit_profiler_thread_name.restype = None
    lib.worthit_profiler_flush.restype = ctypes.c_int
    if not lib.worthit_profiler_enabled():
        return None
    # Forked multiprocessing workers (DataLoader, Pool) leave through
    # os._exit, which skips the runtime's atexit flush; their finalizers still
    # run. Process._bootstrap clears finalizers inherited from the parent and
    # then runs the after-fork hooks, so register the flush from one.
    try:
        from multiprocessing import util

        util.register_after_fork(_FORK_KEY, _register_child_flush)
    except ImportError:  # pragma: no cover - interpreter without multiprocessing
        pass
    return lib


class _ForkKey:
    """Keeps the after-fork registration alive (multiprocessing holds it weakly)."""


_FORK_KEY = _ForkKey()


def _register_child_flush(_key: object) -> None:
    from multiprocessing import util

    util.Finalize(None, _flush, exitpriority=0)


def _flush() -> None:
    if _LIB is not None:
        _LIB.worthit_profiler_flush()


try:
    _LIB = _load()
except OSError as e:  # a broken install must not break the user's program
    import warnings

    warnings.warn(f"worthit: profiler runtime not loaded ({e}); scopes are not recorded")
    _LIB = None

_BEGIN = _LIB.worthit_profiler_begin if _LIB is not None else None
_END = _LIB.worthit_profiler_end if _LIB is not None else None


def active() -> bool:
    """True when scopes are being recorded (running under `worthit profile`)."""
    return _LIB is not None


class scope:
    """A named range: a context manager, or a decorator for a function."""

    __slots__ = ("name", "_handle")

    def __init__(self, name: str) -> None:
        self.name = name
        self._handle: Optional[int] = None

    def __enter__(self) -> "scope":
        if _BEGIN is not None:
            handle = self._handle
            if handle is None:
                handle = self._handle = _LIB.worthit_profiler_intern(self.name.encode())
            _BEGIN(handle)
        return self

    def __exit__(self, *exc: object) -> bool:
        if _END is not None:
            _END()
        return False

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def mark(name: str) -> None:
    """An instant event on the calling thread."""
    if _LIB is not None:
        _LIB.worthit_profiler_mark(name.encode())


def counter(name: str, value: float) -> None:
    """A counter sample (a track of values over time)."""
    if _LIB is not None:
        _LIB.worthit_profiler_counter(name.encode(), float(value))


def thread_name(name: str) -> None:
    """Names the calling thread in the trace."""
    if _LIB is not None:
        _LIB.worthit_profiler_thread_name(name.encode())
