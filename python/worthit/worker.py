"""One worker process: runs one group's candidates (python -m worthit.worker
REQUEST.json) and appends JSON lines to the request's events file.

Events, one JSON object a line, flushed as written, so the parent can tell
where a crash or a hang happened:
  {"event": "plan", "items": [[workload, size, candidate], ...]}
  {"event": "begin", "candidate": ..., "size": ..., "phase": "prepare"|"gate"|"repetition 3/9"}
  {"event": "progress", "line": ...}
  {"event": "result", "result": {... results.json record ...}}
  {"event": "size_done", "workload": ..., "size": ...}
  {"event": "libraries", "versions": {...}}
  {"event": "finished"}
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback


def _set_thread_env(threads: int) -> None:
    # Before any framework import: OpenMP, MKL and TensorFlow read these at load.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[var] = str(threads)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class Events:
    def __init__(self, path: str):
        self._f = open(path, "a", encoding="utf-8")

    def emit(self, **event: object) -> None:
        self._f.write(json.dumps(event) + "\n")
        self._f.flush()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m worthit.worker REQUEST.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        req = json.load(f)
    threads = int(req["threads"])
    _set_thread_env(threads)
    events = Events(req["events"])
    # Imported only now, after the thread variables are set.
    from worthit import runner

    try:
        runner.run_group(req, events.emit)
    except Exception:  # noqa: BLE001 - reported to the parent, which turns it into rows
        events.emit(event="fatal", reason=traceback.format_exc(limit=4).strip().splitlines()[-1],
                    traceback=traceback.format_exc())
        return 1
    events.emit(event="finished", t=time.time())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
