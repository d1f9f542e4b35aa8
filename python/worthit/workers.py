"""The parent of the worker processes, run by `worthit bench` and `worthit list`:

  python -m worthit.workers run --request REQUEST.json --output OUT.json
  python -m worthit.workers list [--plugin FILE ...]

`run` starts one worker per group (native: NumPy, pure Python, Cython, C API;
torch; tensorflow; plugin), one after another so they never compete for the
cores, and never two frameworks in one process. It watches each worker's
event file: a worker that crashes or makes no progress for ``timeout_s`` is
killed, the candidate it was running gets an ``error`` row saying how, and a
fresh worker carries on with the rest. Progress lines go to stdout; the merged
rows go to OUT.json as {"results": [...], "libraries": {...}}.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Callable

BUILTIN_GROUPS = ("native", "torch", "tensorflow")
DEFAULT_TIMEOUT_S = 300.0
MAX_RESTARTS = 8


def say(line: str) -> None:
    print(line, flush=True)


def worker_env(threads: int, group: str = "") -> dict[str, str]:
    env = dict(os.environ)
    # Only the torch worker loads libtorch's C++ side (worthit/__init__.py).
    env.pop("WORTHIT_NATIVE_TORCH", None)
    if group == "torch":
        env["WORTHIT_NATIVE_TORCH"] = "1"
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        env[var] = str(threads)
    env.setdefault("TF_NUM_INTEROP_THREADS", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The worker imports this very package, wherever it came from.
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def signal_name(rc: int) -> str:
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exited with status {rc}"


def error_row(base: dict, reason: str) -> dict:
    row = dict(base)
    row.update(status="error", reason=reason, samples_ns=[], iterations=[])
    row.pop("stats", None)
    return row


class GroupRun:
    """Drives one group's worker until every planned row is accounted for."""

    def __init__(self, group: str, req: dict, workdir: str, timeout_s: float,
                 python: str, progress: Callable[[str], None]):
        self.group = group
        self.req = dict(req, group=group)
        self.workdir = workdir
        self.timeout_s = timeout_s
        self.python = python
        self.progress = progress
        self.planned: dict[tuple[str, str], dict] = {}  # (candidate, size) -> base row
        self.rows: dict[tuple[str, str], dict] = {}
        self.done_sizes: set[tuple[str, str]] = set()
        self.exclude: set[tuple[str, str]] = set()
        self.libraries: dict[str, str] = {}
        self.fatal: str | None = None

    def run(self) -> list[dict]:
        for attempt in range(MAX_RESTARTS + 1):
            finished, failure = self._attempt(attempt)
            if finished:
                break
            if failure is None:
                break
            if attempt == MAX_RESTARTS:
                self._fail_rest(f"not run: the {self.group} worker failed {attempt + 1} times ({failure})")
                break
        self._fail_rest("not run: the worker ended without reporting it")
        return list(self.rows.values())

    def _fail_rest(self, reason: str) -> None:
        for key, base in self.planned.items():
            if key not in self.rows:
                self.rows[key] = error_row(base, reason)

    def _attempt(self, attempt: int) -> tuple[bool, str | None]:
        events_path = os.path.join(self.workdir, f"{self.group}-{attempt}.events.jsonl")
        log_path = os.path.join(self.workdir, f"{self.group}-{attempt}.log")
        req_path = os.path.join(self.workdir, f"{self.group}-{attempt}.request.json")
        req = dict(self.req, events=events_path, exclude=sorted(self.exclude),
                   done=sorted(self.done_sizes), no_twins=attempt > 0)
        with open(req_path, "w", encoding="utf-8") as f:
            json.dump(req, f)
        open(events_path, "w").close()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([self.python, "-m", "worthit.worker", req_path], stdout=log, stderr=log,
                                    env=worker_env(int(req["threads"]), self.group), start_new_session=True)
        try:
            return self._watch(proc, events_path, log_path)
        finally:
            # The worker has its own session (so a hang can be killed with its
            # children); make sure it never outlives us (Ctrl-C, a killed parent).
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _watch(self, proc: subprocess.Popen, events_path: str, log_path: str) -> tuple[bool, str | None]:
        current: dict | None = None
        last_event = time.monotonic()
        pending: list[dict] = []
        finished = False
        parent = os.getppid()
        with open(events_path, encoding="utf-8") as events:
            buf = ""
            while True:
                chunk = events.read()
                if chunk:
                    buf += chunk
                    *lines, buf = buf.split("\n")
                    for line in lines:
                        if not line.strip():
                            continue
                        ev = json.loads(line)
                        last_event = time.monotonic()
                        kind = ev.get("event")
                        if kind == "plan":
                            for base in ev["items"]:
                                self.planned.setdefault((base["candidate"], base["size"]), base)
                        elif kind == "begin":
                            current = ev
                        elif kind == "progress":
                            self.progress(ev["line"])
                        elif kind == "result":
                            pending.append(ev["result"])
                        elif kind == "size_done":
                            for r in pending:
                                self.rows[(r["candidate"], r["size"])] = r
                            pending = []
                            self.done_sizes.add((ev["workload"], ev["size"]))
                            current = None
                        elif kind == "libraries":
                            self.libraries.update(ev["versions"])
                        elif kind == "fatal":
                            self.fatal = ev["reason"]
                        elif kind == "finished":
                            finished = True
                rc = proc.poll()
                if rc is not None and not chunk:
                    # Drain anything written between the last read and the exit.
                    rest = events.read()
                    if rest:
                        buf += rest
                        continue
                    break
                if os.getppid() != parent:
                    raise SystemExit("worthit bench went away; stopping the workers")
                if rc is None and time.monotonic() - last_event > self.timeout_s:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    what = self._describe(current)
                    reason = f"timed out: no progress for {self.timeout_s:g} s {what}; the worker was killed"
                    self._blame(current, reason)
                    return False, reason
                if not chunk:
                    time.sleep(0.05)
        if finished and proc.returncode == 0:
            return True, None
        tail = self._log_tail(log_path)
        if self.fatal and current is None:
            # Failed outside any candidate (plugin import, planning): every row says why.
            reason = f"the {self.group} worker failed: {self.fatal}"
            if not self.planned:
                self.planned[(f"{self.group}/*", "-")] = {
                    "workload": "plugin" if self.group == "plugin" else self.group, "size": "-",
                    "params": {}, "candidate": f"{self.group}/*", "backend": self.group, "framework": False,
                    "language": "python", "device": "cpu", "threads": int(self.req["threads"])}
            self._fail_rest(reason)
            return False, None
        reason = f"worker {signal_name(proc.returncode)} {self._describe(current)}" + (f": {tail}" if tail else "")
        self._blame(current, reason)
        return False, reason

    @staticmethod
    def _describe(current: dict | None) -> str:
        if current is None:
            return "outside any candidate"
        return f"in {current['phase']} of {current['candidate']} at {current['size']}"

    def _blame(self, current: dict | None, reason: str) -> None:
        if current is None:
            return
        key = (current["candidate"], current["size"])
        if current["phase"] == "inputs":
            # The workload's own input generation failed: no candidate of that size can run.
            for k, base in self.planned.items():
                if k[1] == current["size"] and base["workload"] == key[0].split("/")[0] and k not in self.rows:
                    self.rows[k] = error_row(base, reason)
                    self.exclude.add(k)
            return
        self.exclude.add(key)
        if key in self.planned and key not in self.rows:
            self.rows[key] = error_row(self.planned[key], reason)

    @staticmethod
    def _log_tail(path: str) -> str:
        try:
            with open(path, "rb") as f:
                lines = [l for l in f.read().decode("utf-8", "replace").splitlines() if l.strip()]
        except OSError:
            return ""
        return " | ".join(lines[-3:])[-600:]


def groups_for(req: dict) -> list[str]:
    """The groups with at least one candidate the globs select."""
    from worthit import backends, trace_ops
    from worthit.candidate import REGISTRY, matches

    backends.load_all()
    trace_ops.register(trace_ops.load_specs(req))
    wanted = []
    for g in BUILTIN_GROUPS:
        if any(matches(req.get("workload_globs", ["*"]), c.workload)
               and matches(req.get("backend_globs", ["*"]), c.backend, c.name)
               for c in REGISTRY.candidates(group=g)):
            wanted.append(g)
    if req.get("plugins"):
        wanted.append("plugin")
    return wanted


def overhead_lines(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        extra = r.get("extra") or {}
        if r.get("status") == "ok" and "python_overhead_us" in extra:
            lines.append(f"python overhead: {r['workload']} {r['size']}: {r['backend']} "
                         f"{r['stats']['median_ns'] / 1e3:.1f} us vs libtorch from C++ "
                         f"{extra['cpp_twin_median_ns'] / 1e3:.1f} us: {extra['python_overhead_us']:+.1f} us per call")
    return lines


def run(req: dict, output: str, python: str | None = None) -> dict:
    python = python or sys.executable
    timeout_s = float(req.get("timeout_s") or os.environ.get("WORTHIT_WORKER_TIMEOUT") or DEFAULT_TIMEOUT_S)
    rows: list[dict] = []
    libraries: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="worthit-workers-") as workdir:
        for group in groups_for(req):
            say(f"python: starting the {group} worker")
            g = GroupRun(group, req, workdir, timeout_s, python, say)
            rows.extend(g.run())
            libraries.update(g.libraries)
    for line in overhead_lines(rows):
        say(line)
    out = {"results": rows, "libraries": libraries}
    tmp = output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f)
    os.replace(tmp, output)
    return out


def list_backends(plugin_files: list[str]) -> list[dict]:
    from worthit import backends, plugins
    from worthit.candidate import REGISTRY

    backends.load_all()
    for p in plugin_files:
        plugins.load_plugin(p)
    out = []
    for c in REGISTRY.candidates():
        reason = c.unavailable() if c.unavailable else None
        out.append({"workload": c.workload, "backend": c.backend, "framework": c.framework,
                    "group": c.group, "unavailable_reason": reason or ""})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m worthit.workers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--request", required=True)
    r.add_argument("--output", required=True)
    ls = sub.add_parser("list")
    ls.add_argument("--plugin", action="append", default=[])
    args = ap.parse_args(argv)
    if args.cmd == "run":
        with open(args.request, encoding="utf-8") as f:
            req = json.load(f)
        run(req, args.output)
        return 0
    print(json.dumps(list_backends(args.plugin)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
