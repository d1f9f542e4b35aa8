"""The worker side of ``worthit fleet run``: one bench on this host.

A Dask worker runs ``run_bench_job`` as a task. It starts ``worthit bench`` as
a fresh process (under _guard.py, so the bench dies with the worker), waits
for it, and returns the bench's results.json as text with what happened. It
never raises for a failed bench: the failure, with its reason, is the result.
Nothing here imports Dask at module level, so the job stays cheap to import.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The Dask resource that marks a worker as a bench slot: one per machine.
SLOT = "worthit-bench"
# The topic on which jobs report progress to the client.
PROGRESS_TOPIC = "worthit-fleet"
# Exit status of `worthit bench` for bad arguments or unreadable input:
# the same on every attempt, so never retried.
EXIT_USAGE = 2


def host_name() -> str:
    """This worker's host: $WORTHIT_HOST, else the machine's host name."""
    return os.environ.get("WORTHIT_HOST") or socket.gethostname()


def identify() -> dict[str, Any]:
    """What the client learns of each worker (``Client.run``)."""
    return {"host": host_name(), "pid": os.getpid()}


def bench_binary() -> str:
    """$WORTHIT_BIN (a build tree's worker), else the installed package's
    ``worthit/_bin/worthit`` (``pip install`` of the project)."""
    if os.environ.get("WORTHIT_BIN"):
        return os.environ["WORTHIT_BIN"]
    installed = Path(__file__).resolve().parents[1] / "_bin" / "worthit"
    if os.access(installed, os.X_OK):
        return str(installed)
    raise FileNotFoundError(
        f"no worthit binary on host {host_name()}: set WORTHIT_BIN in the worker's environment "
        f"or pip install the project there ({installed} is missing)"
    )


def _progress(host: str, line: str) -> None:
    try:
        from distributed import get_worker

        get_worker().log_event(PROGRESS_TOPIC, {"host": host, "line": line})
    except (ImportError, ValueError):
        pass  # not in a Dask worker (a direct call): no one to tell


def _cancel_check():
    """A function that tells whether the client gave up on this task (Ctrl-C,
    or a retry elsewhere), so the bench can be stopped instead of running on
    for no one; always False outside a Dask worker."""
    try:
        from distributed import get_worker

        worker = get_worker()
        key = worker.get_current_task()
    except (ImportError, ValueError):
        return lambda: False

    def cancelled() -> bool:
        ts = worker.state.tasks.get(key)
        return ts is None or ts.state in ("cancelled", "released", "forgotten")

    return cancelled


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


def run_bench_job(host: str, bench_args: list[str], processes: int,
                  timeout_s: float | None) -> dict[str, Any]:
    """Runs ``worthit bench --processes N <bench_args>`` here and returns
    ``{"host", "ok", "results" (text), "exit_status", "reason", "stderr_tail",
    "bench_s", "worker"}``."""
    out: dict[str, Any] = {"host": host, "ok": False, "results": None, "exit_status": None,
                           "reason": "", "stderr_tail": "", "bench_s": 0.0, "worker": ""}
    try:
        from distributed import get_worker

        out["worker"] = get_worker().address
    except (ImportError, ValueError):
        pass
    if host_name() != host:
        out["reason"] = f"this worker is host {host_name()}, not {host}"
        return out
    try:
        binary = bench_binary()
    except FileNotFoundError as e:
        out["reason"] = str(e)
        return out

    work = Path(tempfile.mkdtemp(prefix="worthit-fleet-"))
    try:
        results = work / "results.json"
        log = work / "bench.log"
        cmd = [binary, "bench", f"--processes={processes}", "--no-table", f"--output={results}",
               *bench_args]
        env = dict(os.environ)
        env["WORTHIT_HOST"] = host  # the fingerprint names the host as the fleet does
        guard = str(Path(__file__).with_name("_guard.py"))
        _progress(host, "bench started: " + " ".join(cmd[1:]))
        start = time.monotonic()
        with open(log, "wb") as log_file:
            proc = subprocess.Popen([sys.executable, guard, "--scratch", str(work), *cmd],
                                    stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)
            stopped = _relay(proc, host, log_file, start, timeout_s, _cancel_check())
        out["bench_s"] = time.monotonic() - start
        rc = proc.returncode
        out["exit_status"] = rc
        out["stderr_tail"] = _tail(log)
        if stopped == "timeout":
            out["reason"] = f"the bench timed out after {timeout_s:g} s (--timeout) and was killed"
        elif stopped == "cancelled":
            out["reason"] = "the fleet run gave up on this job; the bench was killed"
        elif rc in (0, 1) and results.exists():
            # 1: the bench ran but some candidate was incorrect or failed; its rows say which.
            out["ok"] = True
            out["results"] = results.read_text()
        elif rc < 0 or rc > 128:  # the guard itself killed (-N), or the bench (128+N)
            out["reason"] = f"the bench was killed by signal {-rc if rc < 0 else rc - 128}"
        else:
            last = _last_line(out["stderr_tail"])
            out["reason"] = f"worthit bench exited with status {rc}" + (f": {last}" if last else "")
        _progress(host, f"bench finished in {out['bench_s']:.1f} s, exit status {rc}")
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _relay(proc: subprocess.Popen, host: str, log_file, start: float,
           timeout_s: float | None, cancelled) -> str:
    """Copies the bench's stderr to `log_file` and, line by line, to the
    client; kills the bench's process group past `timeout_s` or when the
    client gave up on the job. Returns "timeout", "cancelled" or "" (it
    ended). At the end it tells the guard, with a line on its stdin, that
    the job is done with the bench, so the guard neither kills the group nor
    removes the scratch folder the job still reads."""
    import selectors

    assert proc.stderr is not None and proc.stdin is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    pending = b""
    stopped = ""
    while True:
        left = None if timeout_s is None else start + timeout_s - time.monotonic()
        if left is not None and left <= 0:
            stopped = "timeout"
            break
        if cancelled():
            stopped = "cancelled"
            break
        if not sel.select(timeout=1.0 if left is None else min(1.0, left)):
            continue
        chunk = os.read(proc.stderr.fileno(), 65536)
        if not chunk:
            break
        log_file.write(chunk)
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            _progress(host, line.decode(errors="replace"))
    if stopped:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
    try:
        proc.stdin.write(b"done\n")
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the guard has exited already
    proc.wait()
    sel.close()
    proc.stderr.close()
    return stopped
