"""Helpers the built-in backend modules share."""

from __future__ import annotations

import threading
from typing import Callable

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


def start_inductor_cpu_probe() -> None:
    """Starts, in the background, the probe torch.compile's first CPU graph
    runs once per process: inductor picks its vector ISA by loading a test
    build of each in a fresh Python subprocess (six of them, 10 s on the 2-core
    VM). Run when the torch worker starts, it overlaps the other workers'
    start-up instead of the first case's compile, whose recorded
    compile_time_s would otherwise be 10 s longer than every other size's."""

    def probe() -> None:
        try:
            from torch._inductor import cpu_vec_isa

            cpu_vec_isa.pick_vec_isa()
        except Exception:  # noqa: BLE001 - torch.compile itself reports what fails
            pass

    if not _inductor_probe:
        _inductor_probe.append(threading.Thread(target=probe, name="inductor-isa-probe", daemon=True))
        _inductor_probe[0].start()


def await_inductor_cpu_probe() -> None:
    """Called before timing a torch.compile: the probe's result is cached."""
    for t in _inductor_probe:
        t.join()
