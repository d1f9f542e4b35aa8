"""The Python counterpart of harness/src/runner.cpp, inside a worker process:
same selection rules, same gate (poisoned outputs, the C++ comparison), same
sampler (Google Benchmark through ``_native.measure_repetition``).

`worthit bench` drives a worker one step at a time (python/worthit/worker.py):
it plans the cases, prepares (gates) one case, then asks for one repetition
of one candidate whenever that candidate's turn comes in the rounds it
schedules across the C++ process and every worker group; between turns the
worker waits idle. ``run_here`` does the same in this process alone, with
the same C++ rounds and stopping rule (``_native.sample_interleaved``).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import sys
import traceback
from typing import Callable

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


def plan(req: dict, group: str | None) -> list[tuple[Workload, list[Size], list[Candidate]]]:
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
    row = {
        "workload": w.name, "size": size.label, "params": dict(size.params), "candidate": c.name,
        "backend": c.backend, "framework": c.framework, "language": c.language, "device": c.device,
        "threads": threads, "status": "ok", "reason": "", "correctness": {"checked": False, "passed": False},
        "bytes": w.bytes_moved(size), "flops": w.flops(size), "samples_ns": [], "iterations": [],
        "sources": list(c.sources), "toolchains": list(c.toolchains),
        # Workloads from a trace carry the op's share of the step (trace_ops.py).
        "extra": dict(getattr(w, "result_extra", {})),
    }
    if c.family:
        row["family"] = c.family
    return row


def error_text(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {lines[0] if lines else ''}"[:400]


def where_text(e: BaseException, path: str | None = None) -> str:
    """One line for an exception: "file:line: Type: message", at the deepest
    frame in `path` when given (a plugin file), else the deepest frame."""
    if isinstance(e, SyntaxError) and e.filename:
        return f"{os.path.basename(e.filename)}:{e.lineno}: {error_text(e)}"
    frames = traceback.extract_tb(e.__traceback__)
    if path:
        full = os.path.abspath(path)
        mine = [f for f in frames if os.path.abspath(f.filename) == full]
        frames = mine or frames
    if not frames:
        return error_text(e)
    f = frames[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}: {error_text(e)}"


def cost_of(c: Candidate, w: Workload) -> dict | None:
    """The maintenance metrics of a plugin candidate, measured now through the
    C++ metric (``_native.measure_cost``): the files ``sources=`` names
    (relative to the plugin's folder), else the function's own source lines
    (inspect). Built-in candidates are costed from the table made at build time."""
    if c.group != "plugin":
        return None
    fn = c.function
    if fn is None:
        return None
    try:
        path = inspect.getsourcefile(fn) or "<unknown>"
        if c.sources:  # relative to the plugin's own folder
            return json.loads(_native.measure_cost(list(c.sources), os.path.dirname(path), "bench"))
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        return {"origin": "bench", "files": [], "missing": [c.name], "missing_reasons": [error_text(e)]}
    name = f"{os.path.basename(path)}:{getattr(fn, '__qualname__', fn.__name__)}"
    # The file's own name picks the language; the recorded path names the function.
    metrics = json.loads(_native.measure_source_text(os.path.basename(path), "".join(lines)))
    metrics["path"] = f"{name} (lines {start}-{start + len(lines) - 1})"
    return {"origin": "bench", "files": [metrics], "missing": [], "missing_reasons": []}


@dataclasses.dataclass
class Timed:
    row: dict | None  # None for a helper that makes no row (the C++ twin)
    name: str
    # (min_time_s, iterations, warmup_s) -> (ns, iters)
    measure: Callable[[float, int, float], tuple[float, int]]
    twin_of: str | None = None


def _python_measure(name: str,
                    run: Callable[[], object]) -> Callable[[float, int, float], tuple[float, int]]:
    return lambda min_time, iters, warmup: _native.measure_repetition(name, run, min_time, iters,
                                                                      warmup)


class Worker:
    """One worker group's candidates, driven one command at a time."""

    def __init__(self) -> None:
        self.group = ""
        self.threads = 1
        self.seed = 42
        self.unavailable: str | None = None
        self.work: list[tuple[Workload, list[Size], list[Candidate]]] = []
        self.timed: list[Timed] = []
        self.keep: list[object] = []  # outputs and prepared state live until release

    # -- commands ---------------------------------------------------------

    def start(self, req: dict) -> dict:
        """Loads the group's candidates (or the plugin files), sets the
        framework's threads. A framework that cannot be imported makes the
        group's candidates unavailable; a plugin that fails to load is one line."""
        from worthit import backends, plugins, trace_ops

        self.group = req["group"]
        self.threads = int(req["threads"])
        self.seed = int(req.get("seed", 42))
        errors = []
        if self.group == "plugin":
            for path in req.get("plugins", []):
                try:
                    plugins.load_plugin(path)
                except Exception as e:  # noqa: BLE001 - one line, the traceback as detail
                    errors.append({"plugin": path, "error": where_text(e, path),
                                   "detail": traceback.format_exc()})
            setup: Callable[[int], None] = plugins.set_framework_threads
        else:
            setup = backends.load_group(self.group)
        # bench --from-trace: the trace's hot ops, after the plugins that may name them.
        trace_ops.register(trace_ops.load_specs(req))
        try:
            setup(self.threads)
        except ImportError as e:
            self.unavailable = f"{self.group} is not importable: {error_text(e)}"
        _native.set_threads(self.threads)
        return {"ok": True, "unavailable": self.unavailable, "plugin_errors": errors}

    def plan(self, req: dict) -> dict:
        self.work = plan(req, self.group)
        return {"cases": [{"workload": w.name, "size": s.label, "params": dict(s.params),
                           "candidates": [c.name for c in cands]}
                          for w, sizes, cands in self.work for s in sizes]}

    def prepare(self, req: dict, emit: Emit) -> dict:
        """Gates one case's candidates; those in ``exclude`` (candidate ->
        reason: they crashed or hung a worker) get an error row instead."""
        self.release()
        exclude: dict[str, str] = dict(req.get("exclude", {}))
        for w, sizes, cands in self.work:
            if w.name != req["workload"]:
                continue
            for size in sizes:
                if size.label == req["size"]:
                    return self._prepare(w, size, cands, emit, twins=not req.get("no_twins"),
                                         exclude=exclude)
        return {"rows": [], "timed": []}

    def measure(self, req: dict) -> dict:
        t = self.timed[int(req["id"])]
        try:
            ns, iters = t.measure(float(req["min_time_s"]), int(req.get("iterations", 0)),
                                  float(req.get("warmup_s", 0)))
        except Exception as e:  # noqa: BLE001 - the candidate's own failure
            return {"error": error_text(e), "detail": traceback.format_exc()}
        return {"ns": ns, "iterations": iters}

    def release(self) -> dict:
        self.timed = []
        self.keep = []
        return {"ok": True}

    # -- the gate ---------------------------------------------------------

    def _prepare(self, w: Workload, size: Size, cands: list[Candidate], emit: Emit, twins: bool,
                 exclude: dict[str, str] | None = None) -> dict:
        ctx = RunContext(threads=self.threads)
        rows: list[dict] = []
        case: Case | None = None

        def say(line: str) -> None:
            emit(event="progress", line=line)

        for c in cands:
            row = base_row(w, size, c, self.threads)
            rows.append(row)
            cost = cost_of(c, w)
            if cost is not None:
                row["maintenance"] = cost
            if exclude and c.name in exclude:
                row.update(status="error", reason=exclude[c.name])
                continue
            reason = self.unavailable or (c.unavailable() if c.unavailable else None)
            if reason:
                row.update(status="unavailable", reason=reason)
                continue
            skip = c.skip(size) if c.skip else None
            if skip:
                row.update(status="skipped", reason=skip)
                continue
            try:
                if case is None:
                    emit(event="begin", candidate=c.name, phase="inputs")
                    say("generating inputs and reference")
                    case = w.make_case(size, self.seed)
                emit(event="begin", candidate=c.name, phase="prepare")
                outputs = case.new_outputs()
                out_arrays = outputs.arrays()
                prepared: Prepared = c.prepare(case.inputs, out_arrays, ctx)
                emit(event="begin", candidate=c.name, phase="gate")
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
                    self.timed.append(Timed(row, c.name, _python_measure(c.name, prepared.run)))
                    self.keep.append((outputs, out_arrays, prepared))
            except Exception as e:  # noqa: BLE001 - one candidate's failure is its own row
                row.update(status="error", reason=error_text(e), detail=traceback.format_exc())
                row["extra"].pop("compile_time_s", None)
            emit(event="end", candidate=c.name)
            if row["status"] in ("error", "incorrect"):
                say(f"{c.backend} {row['status']}: {row['reason']}")
        if twins and case is not None:
            self._prepare_twins(w, size, case)
        timed = [{"id": i, "candidate": t.name, "row": rows.index(t.row) if t.row is not None else -1,
                  "twin_of": t.twin_of} for i, t in enumerate(self.timed)]
        return {"rows": [json.loads(_native.normalize_pending_result(json.dumps(r))) for r in rows],
                "timed": timed}

    def _prepare_twins(self, w: Workload, size: Size, case: Case) -> None:
        """Binds the C++ twin (libtorch for torch eager) to the same input
        buffers, so both are timed in one process, interleaved: the difference
        of medians is the per-call cost of going through Python."""
        if not w.builtin or w.bytes_moved(size) > OVERHEAD_MAX_BYTES:
            return
        for t in list(self.timed):
            cpp = CPP_TWINS.get(t.row["backend"]) if t.row else None
            if not cpp:
                continue
            try:
                run = _native.prepare_cpp(w.name, cpp, case._keepalive, case.new_outputs(), self.threads)
            except Exception as e:  # noqa: BLE001 - no twin, no overhead number
                print(f"worthit worker: {w.name}/{cpp} unusable for the overhead pairing: {error_text(e)}",
                      file=sys.stderr)
                continue
            if run is None:
                continue
            run.run()  # warm-up, untimed
            name = f"{w.name}/{cpp}"
            self.timed.append(Timed(None, name,
                                    lambda m, i, w, r=run, n=name: r.measure_repetition(n, m, i, w),
                                    twin_of=t.name))
            self.keep.append(run)


def run_here(w: Workload, size: Size, cands: list[Candidate], *, threads: int = 1, seed: int = 42,
             min_time_s: float = 0.05, warmup_s: float = 0.01, **sampling: object) -> list[dict]:
    """Benchmarks candidates of one case in this process: the gate, then the
    harness's rounds and stopping rule (``_native.sample_interleaved``, the
    very code `worthit bench` runs; ``sampling`` takes its options:
    min_repetitions, max_repetitions, target_ci, max_time_s). Returns rows
    as results.json has them."""
    worker = Worker()
    worker.threads, worker.seed, worker.group = threads, seed, "here"
    _native.set_threads(threads)
    prepared = worker._prepare(w, size, cands, lambda **_: None, twins=False)
    rows = prepared["rows"]
    timed = [t for t in worker.timed if t.row is not None]
    iters = [0] * len(timed)

    def source(k: int) -> Callable[[], tuple[float, int]]:
        def measure() -> tuple[float, int]:
            ns, it = timed[k].measure(min_time_s, iters[k], warmup_s)
            iters[k] = it
            return ns, it
        return measure

    series = _native.sample_interleaved([(t.name, source(k)) for k, t in enumerate(timed)], sampling)
    by_name = {r["candidate"]: r for r in rows}
    for t, s in zip(timed, series):
        r = by_name[t.name]
        r.update(samples_ns=s["samples_ns"], iterations=s["iterations"], sample_seq=s["seq"],
                 stop_reason=s["stop"])
        if s["stop"] == "failed":
            r.update(status="error", reason=s["error"], samples_ns=[], iterations=[], sample_seq=[])
        else:
            r["stats"] = _native.summarize(r["samples_ns"])
    worker.release()
    return rows
