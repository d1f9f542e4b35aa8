"""Helpers the built-in backend modules share."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from worthit.candidate import REGISTRY, Candidate, PrepareFn, module_missing
from worthit.workload import Size

PACKAGE = "python/worthit"

# The framework family of a built-in framework candidate, by its worker group
# (the native group's NumPy and pandas candidates are "numpy"; python-csv,
# the standard library, says "python" itself).
FAMILY_OF_GROUP = {"torch": "pytorch", "tensorflow": "tensorflow", "native": "numpy"}


def add(workload: str, backend: str, group: str, prepare: PrepareFn, *, language: str, framework: bool,
        requires: tuple[str, ...], sources: list[str], toolchains: list[str] | None = None,
        description: str = "", skip: Callable[[Size], str | None] | None = None,
        family: str | None = None) -> Candidate:
    if family is None:
        family = FAMILY_OF_GROUP.get(group, "") if framework else ""
    return REGISTRY.add_candidate(Candidate(
        workload=workload, backend=backend, prepare=prepare, language=language, framework=framework,
        group=group, description=description, sources=sources, toolchains=toolchains or [],
        unavailable=module_missing(*requires), skip=skip, family=family))


def cap_skip(limit: float, what: str, measure: Callable[[Size], float]) -> Callable[[Size], str | None]:
    """A skip rule that keeps slow candidates (pure Python) to bounded sizes."""

    def skip(size: Size) -> str | None:
        v = measure(size)
        if v > limit:
            return f"{what} {v:.3g} > {limit:.3g}: capped so the run stays bounded"
        return None

    return skip


_inductor_probe: list[threading.Thread] = []


def inductor_isa_cache_path() -> Path:
    """Where the outcome of inductor's ISA probe is kept between runs:
    beside worthit's calibration, in the folder the C++ side names."""
    from worthit import _native

    return Path(_native.cache_folder()) / "inductor-vec-isa.json"


def _inductor_isa_fingerprint() -> dict[str, Any]:
    """What the probe's outcome depends on: this torch and interpreter, the
    compiler inductor would build with, and the CPU's vector flags."""
    import torch
    from torch._inductor import config, cpu_vec_isa

    names = config.cpp.cxx if isinstance(config.cpp.cxx, (list, tuple)) else (config.cpp.cxx,)
    compilers = []
    for name in names:
        found = shutil.which(name) if name else None
        if found:
            real = os.path.realpath(found)
            compilers.append([name, real, os.stat(real).st_mtime_ns])
    return {"torch": torch.__version__, "python": sys.executable, "cxx": compilers,
            "cpu_flags": sorted(cpu_vec_isa.x86_isa_checker())}


def _flag_supported_isas() -> list[str]:
    """The ISAs inductor would test: those whose CPU flags are all present."""
    from torch._inductor import cpu_vec_isa

    flags = set(cpu_vec_isa.x86_isa_checker())
    return [str(isa) for isa in cpu_vec_isa.supported_vec_isa_list
            if str(isa).split() and all(f in flags for f in str(isa).split())]


def _cached_isas_all_valid(fingerprint: dict[str, Any]) -> bool:
    try:
        cached = json.loads(inductor_isa_cache_path().read_text())
    except (OSError, ValueError):
        return False
    return (isinstance(cached, dict) and cached.get("fingerprint") == fingerprint
            and cached.get("valid") == _flag_supported_isas())


def _remember_isas(fingerprint: dict[str, Any], valid: list[str]) -> None:
    path = inductor_isa_cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "valid": valid}, indent=1) + "\n")
        os.replace(tmp, path)  # whole or not at all: a concurrent reader never sees half
    except OSError:
        pass  # a read-only cache folder costs the next run the probe, nothing more


def start_inductor_cpu_probe() -> None:
    """Starts, in the background, the once-per-process start-up of
    torch.compile's first CPU graph, so that it overlaps the other workers'
    start-up instead of landing in the first case's compile_time_s (10 s
    longer than every other size's, otherwise). It has two parts: importing
    inductor's code generator (7 s on the 2-core VM) and picking a vector ISA,
    for which inductor loads a test build of each ISA the CPU flags allow in a
    fresh Python subprocess (three there, 12 s). When an earlier run on this
    machine, with this torch and compiler, found every one of them valid,
    inductor is told so (config.cpp.vec_isa_ok) and runs none; otherwise the
    outcome of its test is kept for the next run."""
    if _inductor_probe:
        return
    from torch._inductor import config

    fingerprint = None
    if config.cpp.vec_isa_ok is None:  # else TORCHINDUCTOR_VEC_ISA_OK: the user decided
        try:
            fingerprint = _inductor_isa_fingerprint()
        except Exception:  # noqa: BLE001 - no fingerprint, no cache: inductor tests as usual
            pass
    if fingerprint is not None and _cached_isas_all_valid(fingerprint):
        config.cpp.vec_isa_ok = True
        fingerprint = None  # nothing new to keep

    def settle() -> None:
        try:
            import torch._inductor.codecache  # noqa: F401 - the first compile's imports
            import torch._inductor.codegen.cpp  # noqa: F401
            import torch._inductor.compile_fx  # noqa: F401
            from torch._inductor import cpu_vec_isa

            valid = [str(isa) for isa in cpu_vec_isa.valid_vec_isa_list()]
        except Exception:  # noqa: BLE001 - torch.compile itself reports what fails
            return
        if fingerprint is not None:
            _remember_isas(fingerprint, valid)

    _inductor_probe.append(threading.Thread(target=settle, name="inductor-isa-probe", daemon=True))
    _inductor_probe[0].start()


def await_inductor_cpu_probe() -> None:
    """Called before timing a torch.compile: the probe's result is cached."""
    for t in _inductor_probe:
        t.join()
