"""The fleet job's guard (python/worthit/fleet/_guard.py), run as job.py runs
it: a session leader whose standard input is a pipe from the job. A bare end
of file (the job died) kills the bench's whole group and removes the job's
scratch folder; the job's "done" line first leaves both alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import PACKAGE_DIR

GUARD = Path(PACKAGE_DIR) / "worthit" / "fleet" / "_guard.py"


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def start_guarded(scratch: Path, script: str) -> subprocess.Popen:
    """The guard over `sh -c script`, whose first line of stdout is the pid
    of a background `sleep` it started (a grandchild, as the bench's own
    children are)."""
    return subprocess.Popen([sys.executable, str(GUARD), "--scratch", str(scratch), "sh", "-c",
                             script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_dead_job_takes_the_bench_group_and_its_scratch_folder_down(tmp_path):
    scratch = tmp_path / "worthit-fleet-x"
    scratch.mkdir()
    (scratch / "bench.log").write_text("half a log\n")
    guard = start_guarded(scratch, "sleep 300 & echo $!; wait")
    try:
        sleeper = int(guard.stdout.readline())
        assert alive(sleeper)
        guard.stdin.close()  # as the pipe reads when the job's worker is SIGKILLed
        assert guard.wait(timeout=15) == -9
        assert wait_until(lambda: not alive(sleeper)), "the bench's child outlived its job"
        assert wait_until(lambda: not scratch.exists()), "the dead job's scratch folder was left"
    finally:
        if guard.poll() is None:
            os.killpg(guard.pid, 9)


def test_the_jobs_done_line_leaves_the_bench_and_its_scratch_alone(tmp_path):
    scratch = tmp_path / "worthit-fleet-y"
    scratch.mkdir()
    guard = start_guarded(scratch, "sleep 2 & echo $!; wait; echo finished")
    try:
        sleeper = int(guard.stdout.readline())
        guard.stdin.write("done\n")
        guard.stdin.close()
        assert guard.stdout.readline() == "finished\n"  # the command ran to its end
        assert guard.wait(timeout=15) == 0
        assert not alive(sleeper)
        time.sleep(0.5)  # a remover, had one been started, would have acted by now
        assert scratch.exists()
    finally:
        if guard.poll() is None:
            os.killpg(guard.pid, 9)


def test_the_guard_exits_with_its_commands_status():
    r = subprocess.run([sys.executable, str(GUARD), "sh", "-c", "exit 3"], input=b"done\n",
                       start_new_session=True, timeout=30)
    assert r.returncode == 3
    r = subprocess.run([sys.executable, str(GUARD)], stdin=subprocess.PIPE, capture_output=True,
                       text=True, start_new_session=True, timeout=30)
    assert r.returncode == 2 and "usage: _guard.py [--scratch DIR] CMD" in r.stderr


def test_a_guard_that_leads_no_group_never_kills_its_callers_group():
    # The caller's shell leads the group; the guard's stdin is at end of file
    # at once. Killing "its" group would take the shell down with it.
    r = subprocess.run(["sh", "-c", f"'{sys.executable}' '{GUARD}' sleep 30 </dev/null; "
                        "echo \"the caller lived, guard status $?\""], capture_output=True,
                       text=True, start_new_session=True, timeout=30)
    assert r.stdout.strip() == "the caller lived, guard status 137", (r.returncode, r.stderr)
