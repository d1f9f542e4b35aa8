"""Python-side candidates and the registry the workers read.

A candidate binds to one case's inputs and outputs in ``prepare`` (untimed:
conversions, JIT compilation), and hands back a ``Prepared`` whose ``run`` is
timed and whose ``publish`` (untimed) copies a result the candidate keeps
itself (a torch tensor, say) into the output buffers — the same contract as
the C++ ``Candidate`` (harness/include/worthit/harness/candidate.h).
"""

from __future__ import annotations

import dataclasses
import importlib.util
from typing import Callable, Sequence

import numpy as np

from worthit.workload import NativeWorkload, PythonWorkload, Size, Workload

# Backend names of the C++ candidates; Python backends must not reuse them.
CPP_BACKENDS = frozenset({"cpp-scalar", "cpp-simd", "libtorch", "torchscript", "cuda"})


@dataclasses.dataclass
class RunContext:
    threads: int = 1


@dataclasses.dataclass
class Prepared:
    run: Callable[[], object]
    publish: Callable[[], None] | None = None
    # Numbers recorded with the result (e.g. "compile_time_s").
    extra: dict[str, float] = dataclasses.field(default_factory=dict)


PrepareFn = Callable[[list[np.ndarray], list[np.ndarray], RunContext], Prepared]


@dataclasses.dataclass
class Candidate:
    workload: str
    backend: str
    prepare: PrepareFn
    language: str = "python"
    framework: bool = False
    # The worker process it runs in: "torch", "tensorflow", "native", or
    # "plugin" (user files). Torch and TensorFlow never share a process.
    group: str = "plugin"
    description: str = ""
    sources: list[str] = dataclasses.field(default_factory=list)
    toolchains: list[str] = dataclasses.field(default_factory=list)
    # Why it cannot run here (a missing module, say), or None. Must not import
    # the framework: `worthit list` calls it for every candidate.
    unavailable: Callable[[], str | None] | None = None
    # Why a size is deliberately not run, or None.
    skip: Callable[[Size], str | None] | None = None
    device: str = "cpu"
    # Framework candidates: the family a verdict is given for ("pytorch",
    # "tensorflow", "numpy", ...); empty: `worthit report` infers it from the
    # backend name (the policy's framework_families).
    family: str = ""
    # The user's function (or prepare) a plugin candidate was made from: its
    # source lines are its maintenance cost unless `sources` names files.
    function: Callable[..., object] | None = None

    @property
    def name(self) -> str:
        return f"{self.workload}/{self.backend}"


class Registry:
    def __init__(self) -> None:
        self._workloads: dict[str, Workload] = {}
        self._candidates: list[Candidate] = []
        self._builtins_loaded = False

    def _load_builtins(self) -> None:
        if not self._builtins_loaded:
            self._builtins_loaded = True
            from worthit import _native

            for w in _native.workloads():
                self._workloads.setdefault(w.name, NativeWorkload(w))

    def add_workload(self, workload: Workload) -> Workload:
        self._load_builtins()
        if workload.name in self._workloads:
            raise ValueError(f"workload '{workload.name}' is already registered")
        self._workloads[workload.name] = workload
        return workload

    def add_candidate(self, candidate: Candidate) -> Candidate:
        if candidate.backend in CPP_BACKENDS:
            raise ValueError(f"backend name '{candidate.backend}' belongs to a C++ candidate; pick another")
        if any(c.name == candidate.name for c in self._candidates):
            raise ValueError(f"candidate '{candidate.name}' is already registered")
        self._candidates.append(candidate)
        return candidate

    def workload(self, name: str) -> Workload | None:
        self._load_builtins()
        return self._workloads.get(name)

    def workloads(self) -> list[Workload]:
        self._load_builtins()
        return list(self._workloads.values())

    def candidates(self, workload: str | None = None, group: str | None = None) -> list[Candidate]:
        return [c for c in self._candidates
                if (workload is None or c.workload == workload) and (group is None or c.group == group)]

    def remove_group(self, group: str) -> None:
        self._candidates = [c for c in self._candidates if c.group != group]


REGISTRY = Registry()


def module_missing(*modules: str) -> Callable[[], str | None]:
    """An ``unavailable`` check that looks modules up without importing them."""

    def check() -> str | None:
        for m in modules:
            try:
                if importlib.util.find_spec(m) is None:
                    return f"Python module '{m}' is not installed"
            except (ImportError, ValueError) as e:
                return f"Python module '{m}' cannot be found: {e}"
        return None

    return check


def _publish_into(outputs: list[np.ndarray], holder: list) -> Callable[[], None]:
    def publish() -> None:
        result = holder[0]
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        if len(results) != len(outputs):
            raise ValueError(f"candidate returned {len(results)} output(s), the workload has {len(outputs)}")
        for dst, src in zip(outputs, results):
            if hasattr(src, "numpy") and not isinstance(src, np.ndarray):
                src = src.numpy()  # torch / TensorFlow tensors on the CPU
            np.copyto(dst, np.asarray(src).reshape(dst.shape), casting="same_kind")

    return publish


def function_candidate(fn: Callable[..., object], *, inplace: bool) -> PrepareFn:
    """Wraps ``fn(*inputs) -> outputs`` (or ``fn(*inputs, *outputs)`` when
    ``inplace``) in the prepare/run/publish contract."""

    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        if inplace:
            args = (*inputs, *outputs)
            return Prepared(run=lambda: fn(*args))
        holder: list = [None]

        def run() -> None:
            holder[0] = fn(*inputs)

        return Prepared(run=run, publish=_publish_into(outputs, holder))

    return prepare


def register_candidate(workload: str, fn: Callable[..., object] | None = None, *, backend: str,
                       framework: bool = False, language: str = "python", inplace: bool = False,
                       prepare: PrepareFn | None = None, requires: Sequence[str] = (),
                       skip: Callable[[Size], str | None] | None = None, description: str = "",
                       sources: Sequence[str] = (), toolchains: Sequence[str] = (),
                       family: str = "") -> Candidate:
    """Adds a candidate for a workload (built-in or defined in Python).

    Give either ``fn`` — called as ``fn(*inputs)`` returning the output(s), or
    as ``fn(*inputs, *outputs)`` writing them when ``inplace=True`` — or a full
    ``prepare(inputs, outputs, ctx) -> Prepared`` for one-time setup.
    ``requires`` names modules whose absence makes it ``unavailable``.
    ``family`` (framework candidates) is the framework family a verdict is
    given for: "pytorch", "tensorflow", "numpy", ...; by default it is
    inferred from the backend name (a name containing "torch" is pytorch).
    ``sources`` are files (relative to the plugin's folder) whose maintenance
    cost is the candidate's; by default it is the function's own source.
    """
    if (fn is None) == (prepare is None):
        raise TypeError("give exactly one of fn and prepare")
    origin = fn if fn is not None else prepare
    if prepare is None:
        assert fn is not None
        prepare = function_candidate(fn, inplace=inplace)
    return REGISTRY.add_candidate(Candidate(
        workload=workload, backend=backend, prepare=prepare, language=language, framework=framework,
        group="plugin", description=description or (fn.__doc__ or "").strip().split("\n")[0] if fn else description,
        sources=list(sources), toolchains=list(toolchains),
        unavailable=module_missing(*requires) if requires else None, skip=skip, family=family,
        function=origin))


def candidate(workload: str, *, backend: str, framework: bool = False, language: str = "python",
              inplace: bool = False, requires: Sequence[str] = (),
              skip: Callable[[Size], str | None] | None = None, description: str = "",
              sources: Sequence[str] = (), toolchains: Sequence[str] = (), family: str = "") -> Callable:
    """Decorator form of ``register_candidate``."""

    def wrap(fn: Callable[..., object]) -> Callable[..., object]:
        register_candidate(workload, fn, backend=backend, framework=framework, language=language,
                           inplace=inplace, requires=requires, skip=skip, description=description,
                           sources=sources, toolchains=toolchains, family=family)
        return fn

    return wrap


def define_workload(name: str, *, size_keys: Sequence[str], sizes: Sequence[dict[str, int]],
                    make_inputs: Callable[[Size, np.random.Generator], dict[str, np.ndarray]],
                    reference: Callable[..., object], bytes_moved: Callable[[Size], float],
                    flops: Callable[[Size], float], quick_sizes: Sequence[dict[str, int]] | None = None,
                    tolerance: tuple[float, float] = (1e-5, 1e-4), description: str = "") -> Workload:
    """Defines a new workload in Python.

    ``make_inputs(size, rng)`` returns the named inputs (an ordered dict of
    arrays; use ``rng``, seeded by ``--seed``, for reproducible data);
    ``reference(*inputs)`` returns the expected output(s); an element passes
    when ``|actual - expected| <= abs + rel * |expected|`` with
    ``tolerance=(abs, rel)``; ``bytes_moved(size)`` and ``flops(size)`` give
    the cost model for GB/s and GFLOP/s.
    """
    return REGISTRY.add_workload(PythonWorkload(
        name, size_keys=size_keys, sizes=sizes, make_inputs=make_inputs, reference=reference,
        bytes_moved=bytes_moved, flops=flops, quick_sizes=quick_sizes, tolerance=tolerance,
        description=description))


def matches(globs: Sequence[str], *names: str) -> bool:
    """Shell-style globs with * and ?, the same matcher as `worthit bench`."""
    from worthit import _native

    return any(_native.glob_match(g, n) for g in globs for n in names)
