"""The client side of ``worthit fleet run``: one bench per host, on Dask.

It finds the hosts (workers that offer the resource ``worthit-bench=1``,
grouped by their ``WORTHIT_HOST`` or host name), submits one job per host
that is not done yet, and writes each host's results.json into the output
folder the moment its job returns. Faults are per host: a bench that fails or
times out, or a worker that leaves the cluster mid-run, costs that host an
attempt (``--retries`` more are allowed) and, when none are left, an error
file with the reason; the other hosts go on. Rerunning with the same folder
resumes: hosts with results are skipped. Every file is written atomically
(docs/fleet.md).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worthit.fleet.job import EXIT_USAGE, PROGRESS_TOPIC, SLOT, identify, run_bench_job

MANIFEST = "fleet.json"
MANIFEST_SCHEMA = "worthit.fleet"
ERROR_SCHEMA = "worthit.fleet-error"
RESULTS_SUFFIX = ".results.json"
ERROR_SUFFIX = ".error.json"
POLL_S = 0.25


class UsageError(Exception):
    """Bad arguments or an unusable cluster or folder: one line, exit 2."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_stem(host: str) -> str:
    """The host's name as a file name: anything but letters, digits, '.', '_'
    and '-' becomes '_' (and a leading '.' too, which would hide the file)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", host)
    return "_" + stem[1:] if stem.startswith(".") else stem


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def is_results_text(text: str) -> bool:
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("schema") == "worthit.results" and \
        isinstance(doc.get("results"), list)


def is_done(out_dir: Path, host: str) -> bool:
    path = out_dir / (file_stem(host) + RESULTS_SUFFIX)
    try:
        return is_results_text(path.read_text())
    except OSError:
        return False


def say(line: str) -> None:
    sys.stderr.write(f"worthit fleet: {line}\n")
    sys.stderr.flush()


@dataclass
class HostState:
    host: str
    attempts: int = 0
    future: Any = None
    workers: list[str] = field(default_factory=list)
    # pending, running, waiting (for a worker to retry on), done, failed, interrupted
    status: str = "pending"
    waiting_since: float = 0.0
    last_reason: str = ""
    bench_s: float | None = None
    worker: str = ""
    skipped: bool = False  # done in an earlier run: its entry in fleet.json stays as it was


@dataclass
class RunOptions:
    output: Path
    bench_args: list[str]
    processes: int = 1
    retries: int = 1
    timeout_s: float | None = None
    min_hosts: int = 1
    wait_s: float = 60.0
    rejoin_s: float = 30.0
    quiet: bool = False
    scheduler: str = ""


class Fleet:
    """One `fleet run` against a connected Dask client."""

    def __init__(self, client: Any, options: RunOptions) -> None:
        self.client = client
        self.o = options
        self.identity: dict[str, str] = {}  # worker address -> host
        self.unusable: dict[str, str] = {}  # worker address -> why it could not say its host
        self.states: dict[str, HostState] = {}
        self.started = time.monotonic()
        self.manifest: dict[str, Any] = {}

    # -- the folder -----------------------------------------------------------

    def open_folder(self) -> None:
        out = self.o.output
        out.mkdir(parents=True, exist_ok=True)
        path = out / MANIFEST
        want = {"bench_args": self.o.bench_args, "processes": self.o.processes}
        if path.exists():
            try:
                manifest = json.loads(path.read_text())
                if manifest.get("schema") != MANIFEST_SCHEMA:
                    raise ValueError(f"schema is not {MANIFEST_SCHEMA}")
            except (OSError, ValueError) as e:
                raise UsageError(f"{path}: not a fleet run's manifest ({e})") from None
            had = {"bench_args": manifest.get("bench_args"), "processes": manifest.get("processes")}
            if had != want:
                raise UsageError(
                    f"{out} holds a fleet run of `worthit bench --processes {had['processes']} "
                    f"{' '.join(had['bench_args'] or [])}`; rerun with those arguments to resume "
                    "it, or give another -o folder")
            self.manifest = manifest
        else:
            stray = sorted(p.name for p in out.glob("*" + RESULTS_SUFFIX))
            if stray:
                raise UsageError(f"{out} has results files ({stray[0]}, ...) but no {MANIFEST}: "
                                 "give a new -o folder for a fleet run")
            self.manifest = {"schema": MANIFEST_SCHEMA, "schema_version": 1, "created": now(),
                             **want, "hosts": {}, "runs": []}
        self.manifest.setdefault("runs", []).append(
            {"started": now(), "scheduler": self.o.scheduler, "finished": None, "wall_s": None})
        self.save_manifest()

    def save_manifest(self) -> None:
        hosts = self.manifest.setdefault("hosts", {})
        for s in self.states.values():
            if s.skipped:
                continue
            entry = hosts.setdefault(s.host, {})
            suffix = {"done": RESULTS_SUFFIX, "failed": ERROR_SUFFIX}.get(s.status)
            entry.update({"file": file_stem(s.host) + suffix if suffix else None,
                          "status": s.status, "attempts": s.attempts, "worker": s.worker})
            if s.bench_s is not None:
                entry["bench_s"] = round(s.bench_s, 3)
            if s.last_reason and s.status != "done":
                entry["reason"] = s.last_reason
            elif s.status == "done":
                entry.pop("reason", None)
        self.manifest["updated"] = now()
        write_atomically(self.o.output / MANIFEST, json.dumps(self.manifest, indent=1) + "\n")

    def record_results(self, s: HostState, text: str) -> None:
        stem = file_stem(s.host)
        write_atomically(self.o.output / (stem + RESULTS_SUFFIX), text)
        try:
            (self.o.output / (stem + ERROR_SUFFIX)).unlink()
        except FileNotFoundError:
            pass

    def record_error(self, s: HostState, result: dict[str, Any] | None) -> None:
        doc = {"schema": ERROR_SCHEMA, "schema_version": 1, "created": now(), "host": s.host,
               "reason": s.last_reason, "attempts": s.attempts, "worker": s.worker,
               "exit_status": (result or {}).get("exit_status"),
               "stderr_tail": (result or {}).get("stderr_tail", "")}
        write_atomically(self.o.output / (file_stem(s.host) + ERROR_SUFFIX),
                         json.dumps(doc, indent=1) + "\n")

    # -- the cluster ------------------------------------------------------------

    def live_workers(self) -> dict[str, dict[str, Any]]:
        return self.client.scheduler_info(n_workers=-1).get("workers", {})

    def slots(self) -> dict[str, list[str]]:
        """Host -> addresses of its live workers that offer a bench slot."""
        workers = self.live_workers()
        offering = [a for a, w in workers.items()
                    if (w.get("resources") or {}).get(SLOT, 0) >= 1]
        unknown = [a for a in offering if a not in self.identity]
        if unknown:
            found = self.client.run(identify, workers=unknown, on_error="return")
            for address, ident in found.items():
                if isinstance(ident, dict):
                    self.identity[address] = ident["host"]
                else:  # e.g. worthit is not importable in that worker's environment
                    self.unusable[address] = f"{type(ident).__name__}: {ident}"
        hosts: dict[str, list[str]] = {}
        for a in sorted(offering):
            if a in self.identity:
                hosts.setdefault(self.identity[a], []).append(a)
        return hosts

    def wait_for_hosts(self) -> dict[str, list[str]]:
        deadline = time.monotonic() + self.o.wait_s
        hosts = self.slots()
        while len(hosts) < self.o.min_hosts and time.monotonic() < deadline:
            time.sleep(POLL_S)
            hosts = self.slots()
        if not hosts:
            if self.unusable:
                address, why = next(iter(self.unusable.items()))
                raise UsageError(f"worker {address} offers {SLOT}=1 but cannot run worthit's "
                                 f"jobs ({why}); install the project in its environment")
            raise UsageError(
                f"no worker offers the resource {SLOT}=1 (waited {self.o.wait_s:g} s): start "
                f"each host's worker with `dask worker SCHEDULER --resources {SLOT}=1`")
        if len(hosts) < self.o.min_hosts:
            say(f"warning: only {len(hosts)} of the {self.o.min_hosts} hosts asked for joined "
                f"within {self.o.wait_s:g} s; going on with them")
        return hosts

    # -- jobs ----------------------------------------------------------------

    def submit(self, s: HostState, workers: list[str]) -> None:
        s.attempts += 1
        s.workers = workers
        s.status = "running"
        s.future = self.client.submit(
            run_bench_job, s.host, self.o.bench_args, self.o.processes, self.o.timeout_s,
            key=f"worthit-bench-{file_stem(s.host)}-{uuid.uuid4().hex[:8]}",
            workers=workers, allow_other_workers=False, resources={SLOT: 1}, pure=False)
        say(f"{s.host}: attempt {s.attempts} of {self.o.retries + 1} on {', '.join(workers)}")

    def fail(self, s: HostState, reason: str, retry: bool, result: dict[str, Any] | None = None) -> None:
        s.future = None
        s.last_reason = reason
        if retry and s.attempts <= self.o.retries:
            say(f"{s.host}: attempt {s.attempts} failed: {reason}; retrying")
            s.status = "waiting"
            s.waiting_since = time.monotonic()
        else:
            s.status = "failed"
            self.record_error(s, result)
            say(f"{s.host}: FAILED after {s.attempts} attempt(s): {reason} "
                f"-> {self.o.output / (file_stem(s.host) + ERROR_SUFFIX)}")
        self.save_manifest()

    def settle(self, s: HostState) -> None:
        fut = s.future
        if fut.status == "finished":
            result = fut.result()
            s.worker = result.get("worker") or s.worker
            s.bench_s = result.get("bench_s")
            if result.get("ok") and is_results_text(result.get("results") or ""):
                self.record_results(s, result["results"])
                s.future = None
                s.status = "done"
                note = " (some candidates incorrect or failed: see the file)" \
                    if result.get("exit_status") == 1 else ""
                say(f"{s.host}: done in {s.bench_s:.1f} s -> "
                    f"{self.o.output / (file_stem(s.host) + RESULTS_SUFFIX)}{note}")
                self.save_manifest()
            elif result.get("ok"):
                self.fail(s, "the bench wrote a results file that is not worthit results", True, result)
            else:
                self.fail(s, result.get("reason") or "the bench failed", 
                          result.get("exit_status") != EXIT_USAGE, result)
        elif fut.status == "error":
            exc = fut.exception()
            name = type(exc).__name__
            reason = (f"its worker died while running the bench ({exc})" if name == "KilledWorker"
                      else f"the job raised {name}: {exc}")
            self.fail(s, reason, True)
        else:
            self.fail(s, f"the job was {fut.status}", True)

    def run(self) -> int:
        self.open_folder()
        hosts = self.wait_for_hosts()
        for host in sorted(hosts):
            self.states[host] = HostState(host)
        done = [h for h in sorted(hosts) if is_done(self.o.output, h)]
        for h in done:
            self.states[h].status = "done"
            self.states[h].skipped = True
        todo = [h for h in sorted(hosts) if h not in done]
        say(f"{len(hosts)} host(s): {', '.join(sorted(hosts))}"
            + (f"; already done, skipped: {', '.join(done)}" if done else ""))
        if not self.o.quiet:
            self.client.subscribe_topic(PROGRESS_TOPIC, self.on_progress)
        for h in todo:
            self.submit(self.states[h], hosts[h])
        self.save_manifest()

        try:
            self.wait_for_jobs()
        except KeyboardInterrupt:
            for s in self.states.values():
                if s.status in ("running", "waiting"):
                    s.status = "interrupted"
            self.save_manifest()
            raise
        return self.finish()

    def wait_for_jobs(self) -> None:
        from distributed import wait

        last_check = 0.0
        while any(s.status in ("running", "waiting") for s in self.states.values()):
            running = [s.future for s in self.states.values() if s.status == "running"]
            if running:
                try:
                    wait(running, timeout=POLL_S, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    pass
            else:
                time.sleep(POLL_S)
            for s in self.states.values():
                if s.status == "running" and s.future.done():
                    self.settle(s)
            if time.monotonic() - last_check >= POLL_S:
                last_check = time.monotonic()
                self.check_workers()

    def check_workers(self) -> None:
        """A running job whose workers all left will never finish: count it as
        a failed attempt. A host waiting to retry gets its next attempt when it
        has a worker again (a nanny restarts a killed worker under a new
        address), or an error once `rejoin_s` has passed without one."""
        busy = [s for s in self.states.values() if s.status in ("running", "waiting")]
        if not busy:
            return
        live = set(self.live_workers())
        for s in busy:
            if s.status == "running" and not set(s.workers) & live and not s.future.done():
                self.client.cancel(s.future)
                self.fail(s, f"its worker {', '.join(s.workers)} left the cluster while the bench "
                             "ran (killed, or the host went down)", True)
        waiting = [s for s in self.states.values() if s.status == "waiting"]
        if not waiting:
            return
        slots = self.slots()
        for s in waiting:
            if slots.get(s.host):
                self.submit(s, slots[s.host])
            elif time.monotonic() - s.waiting_since > self.o.rejoin_s:
                self.fail(s, s.last_reason + f"; no worker of host {s.host} came back within "
                             f"{self.o.rejoin_s:g} s", False)

    def on_progress(self, event: Any) -> None:
        msg = event[1] if isinstance(event, (tuple, list)) and len(event) == 2 else event
        if isinstance(msg, dict):
            sys.stderr.write(f"[{msg.get('host')}] {msg.get('line')}\n")
            sys.stderr.flush()

    def finish(self) -> int:
        wall = time.monotonic() - self.started
        run = self.manifest["runs"][-1]
        run["finished"] = now()
        run["wall_s"] = round(wall, 3)
        benches = [s.bench_s for s in self.states.values() if s.bench_s is not None]
        if benches:
            run["longest_bench_s"] = round(max(benches), 3)
        self.save_manifest()
        done = sorted(s.host for s in self.states.values() if s.status == "done")
        failed = sorted(s.host for s in self.states.values() if s.status == "failed")
        say(f"{len(done)} host(s) done" + (f" ({', '.join(done)})" if done else "")
            + (f", {len(failed)} failed ({', '.join(failed)})" if failed else "")
            + f" in {wall:.1f} s; `worthit report {self.o.output}` gives the matrix")
        return 1 if failed else 0


def quiet_dask_logs() -> None:
    """Dask logs every worker that comes and goes at WARNING; the fleet says
    what matters itself."""
    for name in ("distributed", "distributed.scheduler", "distributed.worker",
                 "distributed.nanny", "distributed.core", "distributed.client",
                 "distributed.comm", "distributed.deploy", "tornado", "asyncssh"):
        logging.getLogger(name).setLevel(logging.ERROR)
