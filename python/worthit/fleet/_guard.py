"""Runs one command and ends its whole process group when its parent goes.

``python _guard.py CMD...`` is how a fleet job starts ``worthit bench`` on a
worker (job.py). It is started as the leader of a new session, so the bench
and every process the bench starts (its ``--processes`` copies, its Python
workers) share its process group. Its standard input is a pipe from the Dask
worker: when that pipe closes -- the worker was killed, or the job gave up on a
timeout -- the guard kills the group, so no bench outlives its job. Run by
path, not as a module, so it imports nothing of worthit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading


def main() -> int:
    if len(sys.argv) < 2:
        sys.stderr.write("usage: _guard.py CMD [ARGS...]\n")
        return 2
    child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)

    def watch_parent() -> None:
        sys.stdin.buffer.read()  # returns at end of file: the parent closed the pipe or died
        if child.poll() is None:
            os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=watch_parent, daemon=True).start()
    rc = child.wait()
    return 128 - rc if rc < 0 else rc  # a signal N reads as 128+N, as in a shell


if __name__ == "__main__":
    # os._exit: the watcher thread is still blocked reading stdin, and an
    # interpreter shutdown would wait on that read's lock.
    sys.stderr.flush()
    os._exit(main())
