"""The Python counterpart of harness/src/runner.cpp, run inside a worker:
same selection rules, same gate (poisoned outputs, the C++ comparison), same
sampler (Google Benchmark through ``_native.measure_once``), same statistics,
candidates interleaved across repetitions in a rotated order."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from typing import Callable, Iterable

from worthit import _native
from worthit.candidate import REGISTRY, Candidate, Prepared, RunContext, matches
from worthit.workload import Case, Size, Workload

Emit = Callable[..., None]

# C++ candidates timed next to a Python one in the same process, to show the
# Python per-call overhead: (Python backend, C++ backend).
CPP_TWINS = {"torch": "libtorch"}
# Sizes up to this many bytes moved count as "small" for the overhead pairing.
OVERHEAD_MAX_BYTES = 16 << 20


def select_sizes(w: Workload, specs: list[dict[str, int]], quick: bool) -> list[Size]:
    if not specs:
        return w.quick_sizes() if quick else w.sizes()
    return [w.make_size(s) for s in specs if sorted(s) == sorted(w.size_keys)]


def plan(req: dict, group: str) -> list[tuple[Workload, list[Size], list[Candidate]]]:
    specs = [_native.parse_size_params(s) for s in req.get("sizes", [])]
    out = []
    for w in REGISTRY.workloads():
        if not matches(req.get("workload_globs", ["*"]), w.name):
            continue
        cands = [c for c in REGISTRY.candidates(w.name, group)
                 if matches(req.get("backend_globs", ["*"]), c.backend, c.name)]
        sizes = select_sizes(w, specs, bool(req.get("quick")))
        if cands and sizes:
            out.append((w, sizes, cands))
    return out


def base_row(w: Workload, size: Size, c: Candidate, threads: int) -> dict:
    return {
        "workload": w.name, "size": size.label, "params": dict(size.params), "candidate": c.name,
        "backend": c.backend, "framework": c.framework, "language": c.language, "device": c.device,
        "threads": threads, "status": "ok", "reason": "", "correctness": {"checked": False, "passed": False},
        "bytes": w.bytes_moved(size), "flops": w.flops(size), "samples_ns": [], "iterations": [],
        "sources": list(c.sources), "toolchains": list(c.toolchains),
        # Workloads from a trace carry the op's share of the step (trace_ops.py).
        "extra": dict(getattr(w, "result_extra", {})),
    }


def error_text(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {lines[0] if lines else ''}"[:400]


@dataclasses.dataclass
class Timed:
    row: dict
    run: Callable[[], object]
    name: str
    iterations: list[int] = dataclasses.field(default_factory=list)


def run_size(w: Workload, size: Size, cands: list[Candidate], req: dict, emit: Emit,
             group_unavailable: str | None, say: Callable[[str], None]) -> list[dict]:
    threads = int(req["threads"])
    ctx = RunContext(threads=threads)
    exclude = {tuple(x) for x in req.get("exclude", [])}
    cands = [c for c in cands if (c.name, size.label) not in exclude]
    rows: list[dict] = []
    timed: list[Timed] = []
    case: Case | None = None
    keep: list[object] = []  # outputs and prepared state live until timing ends

    for c in cands:
        row = base_row(w, size, c, threads)
        rows.append(row)
        reason = group_unavailable or (c.unavailable() if c.unavailable else None)
        if reason:
            row.update(status="unavailable", reason=reason)
            continue
        skip = c.skip(size) if c.skip else None
        if skip:
            row.update(status="skipped", reason=skip)
            continue
        try:
            if case is None:
                emit(event="begin", candidate=c.name, size=size.label, phase="inputs")
                say("generating inputs and reference")
                case = w.make_case(size, int(req["seed"]))
            emit(event="begin", candidate=c.name, size=size.label, phase="prepare")
            outputs = case.new_outputs()
            out_arrays = outputs.arrays()
            prepared: Prepared = c.prepare(case.inputs, out_arrays, ctx)
            emit(event="begin", candidate=c.name, size=size.label, phase="gate")
            _native.poison(outputs)
            prepared.run()
            if prepared.publish:
                prepared.publish()
            corr = case.check(outputs)
            row["correctness"] = corr
            row["extra"].update(prepared.extra)
            if not corr["passed"]:
                row.update(status="incorrect", reason=corr["detail"])
            else:
                timed.append(Timed(row, prepared.run, c.name))
                keep.append((outputs, out_arrays, prepared))
        except Exception as e:  # noqa: BLE001 - one candidate's failure is its own row
            row.update(status="error", reason=error_text(e))
            row["extra"].pop("compile_time_s", None)
        if row["status"] != "ok":
            say(f"{c.backend} {row['status']}: {row['reason']}")

    twins = _prepare_twins(w, size, case, timed, threads) if case is not None and not req.get("no_twins") else []
    all_timed = timed + twins
    reps = max(1, int(req["repetitions"]))
    for rep in range(reps):
        if not all_timed:
            break
        say(f"repetition {rep + 1}/{reps} of {len(timed)} candidate(s)")
        for k in range(len(all_timed)):
            t = all_timed[(k + rep) % len(all_timed)]
            if t.row["status"] != "ok":
                continue
            emit(event="begin", candidate=t.name, size=size.label, phase=f"repetition {rep + 1}/{reps}")
            try:
                ns, iters = _native.measure_once(t.name, t.run, float(req["min_time_s"]))
                t.row["samples_ns"].append(ns)
                t.row["iterations"].append(iters)
            except Exception as e:  # noqa: BLE001
                t.row.update(status="error", reason=error_text(e))
    for t in timed:
        if t.row["status"] == "ok":
            t.row["stats"] = _native.summarize(t.row["samples_ns"])
    for t in twins:
        _record_overhead(t)
    return rows


@dataclasses.dataclass
class _Twin(Timed):
    python_row: dict | None = None


def _prepare_twins(w: Workload, size: Size, case: Case, timed: list[Timed], threads: int) -> list[Timed]:
    """Binds the C++ twin (libtorch for torch eager) to the same input buffers,
    so both are timed in one process, interleaved: the difference of medians is
    the per-call cost of going through Python."""
    twins: list[Timed] = []
    if not w.builtin or w.bytes_moved(size) > OVERHEAD_MAX_BYTES:
        return twins
    for t in timed:
        cpp = CPP_TWINS.get(t.row["backend"])
        if not cpp:
            continue
        try:
            run = _native.prepare_cpp(w.name, cpp, case._keepalive, case.new_outputs(), threads)
        except Exception as e:  # noqa: BLE001 - no twin, no overhead number
            print(f"worthit worker: {w.name}/{cpp} unusable for the overhead pairing: {error_text(e)}",
                  file=sys.stderr)
            continue
        if run is None:
            continue
        run.run()  # warm-up, untimed
        row = {"status": "ok", "samples_ns": [], "iterations": [], "backend": cpp}
        twins.append(_Twin(row, lambda r=run: r.run(), f"{w.name}/{cpp}", python_row=t.row))
    return twins


def _record_overhead(twin: Timed) -> None:
    assert isinstance(twin, _Twin) and twin.python_row is not None
    py = twin.python_row
    if py["status"] != "ok" or twin.row["status"] != "ok" or not twin.row["samples_ns"]:
        return
    cpp_median = _native.summarize(twin.row["samples_ns"])["median_ns"]
    py["extra"]["cpp_twin_median_ns"] = cpp_median
    py["extra"]["python_overhead_us"] = (py["stats"]["median_ns"] - cpp_median) / 1000.0


def library_versions(modules: Iterable[str]) -> dict[str, str]:
    import importlib
    import sys

    out = {}
    for m in modules:
        if m in sys.modules:
            v = getattr(importlib.import_module(m), "__version__", None)
            if v:
                out[m] = str(v)
    return out


def run_group(req: dict, emit: Emit) -> None:
    """Runs one worker group: loads its candidates (or the plugins), sets the
    framework's threads, plans, and runs every (workload, size)."""
    from worthit import backends, plugins, trace_ops

    group = req["group"]
    threads = int(req["threads"])
    group_unavailable = None
    if group == "plugin":
        for path in req.get("plugins", []):
            plugins.load_plugin(path)
        setup: Callable[[int], None] = plugins.set_framework_threads
    else:
        setup = backends.load_group(group)
    trace_ops.register(trace_ops.load_specs(req))
    try:
        setup(threads)
    except ImportError as e:
        group_unavailable = f"{group} is not importable: {error_text(e)}"
    _native.set_threads(threads)

    work = plan(req, group)
    emit(event="plan", items=[base_row(w, s, c, threads) for w, sizes, cands in work for s in sizes for c in cands])
    done = {tuple(x) for x in req.get("done", [])}
    total = sum(len(sizes) for _, sizes, _ in work)
    k = 0
    for w, sizes, cands in work:
        for size in sizes:
            k += 1
            if (w.name, size.label) in done:
                continue

            def say(line: str, k: int = k, w: Workload = w, size: Size = size) -> None:
                emit(event="progress", line=f"[python:{group} {k}/{total}] {w.name} {size.label}: {line}")

            t0 = time.perf_counter()
            rows = run_size(w, size, cands, req, emit, group_unavailable, say)
            for row in rows:
                emit(event="result", result=json.loads(_native.normalize_result(json.dumps(row))))
            emit(event="size_done", workload=w.name, size=size.label, seconds=time.perf_counter() - t0)
    emit(event="libraries", versions=library_versions(["numpy", "torch", "tensorflow", "Cython"]))

