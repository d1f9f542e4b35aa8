"""Runs one command and ends its whole process group when its parent goes.

``python _guard.py [--scratch DIR] CMD...`` is how a fleet job starts
``worthit bench`` on a worker (job.py). It is started as the leader of a new
session, so the bench and every process the bench starts (its ``--processes``
copies, its Python workers) share its process group. Its standard input is a
pipe from the Dask worker: when that pipe closes without the job having said
it is done with the bench (a line) -- the worker was killed -- the guard
kills the group, so no bench outlives its job.

A killed worker never runs the job's own clean-up, so ``--scratch DIR`` (the
job's temporary folder) is removed by the guard's remover: a copy of this
script in a session of its own, started just before the group is killed,
that waits for the group to be gone and then deletes DIR. Run by path, not
as a module, so it imports nothing of worthit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

# How long the remover waits for the killed group's last process to go
# before it deletes the folder anyway (SIGKILL takes milliseconds; a zombie
# nobody reaps would otherwise keep it waiting for ever).
GROUP_GONE_WAIT_S = 10.0


def group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (zombies do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def remove_after(pgid: int, folder: str) -> int:
    deadline = time.monotonic() + GROUP_GONE_WAIT_S
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def start_remover(folder: str) -> None:
    """Starts the remover of `folder` outside this process group, so the
    group's SIGKILL does not reach it."""
    subprocess.Popen([sys.executable, os.path.abspath(__file__), "--remove-after",
                      str(os.getpgid(0)), folder], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def main() -> int:
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--remove-after":
        return remove_after(int(args[1]), args[2])
    scratch = None
    if len(args) >= 2 and args[0] == "--scratch":
        scratch, args = args[1], args[2:]
    if not args:
        sys.stderr.write("usage: _guard.py [--scratch DIR] CMD [ARGS...]\n")
        return 2
    child = subprocess.Popen(args, stdin=subprocess.DEVNULL)

    def watch_parent() -> None:
        # The job writes a line before it closes the pipe once the bench has
        # ended (job.py's _relay); a bare end of file means the job died, and
        # whatever of the bench still runs, and its scratch, must go.
        if sys.stdin.buffer.read():
            return
        if scratch is not None:
            start_remover(scratch)
        if os.getpgid(0) == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        else:
            # Not started as a session leader: the group is the caller's, not
            # the bench's; end only the command.
            child.kill()

    threading.Thread(target=watch_parent, daemon=True).start()
    rc = child.wait()
    return 128 - rc if rc < 0 else rc  # a signal N reads as 128+N, as in a shell


if __name__ == "__main__":
    # os._exit: the watcher thread is still blocked reading stdin, and an
    # interpreter shutdown would wait on that read's lock.
    sys.stderr.flush()
    os._exit(main())
