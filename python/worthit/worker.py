"""One worker process, driven by `worthit bench` (cli/python_workers.cpp):

  python -m worthit.worker --serve CMD_FD REPLY_FD

It reads one JSON command a line from CMD_FD and answers each with one JSON
line on REPLY_FD (``"reply": true``), after any number of events:

  {"cmd": "start", "group": "torch", "threads": 2, "seed": 42, "plugins": [...]}
      -> {"ok": true, "unavailable": null}  |  {"ok": false, "error": "...", "detail": "..."}
  {"cmd": "plan", "workload_globs": [...], "backend_globs": [...], "sizes": [...], "quick": false}
      -> {"cases": [{"workload": ..., "size": ..., "params": {...}}, ...]}
  {"cmd": "prepare", "workload": ..., "size": ..., "exclude": [candidate, ...]}
      events {"event": "begin", "candidate": ..., "phase": "inputs"|"prepare"|"gate"},
             {"event": "end", "candidate": ...}, {"event": "progress", "line": ...}
      -> {"rows": [results.json records, not yet timed], "timed": [{"id", "candidate", "row", "twin_of"}]}
  {"cmd": "measure", "id": 3, "min_time_s": 0.05, "iterations": 0, "warmup_s": 0.01}
      -> {"ns": ..., "iterations": ...}  |  {"error": "...", "detail": "..."}
  {"cmd": "release"} -> {"ok": true}
  {"cmd": "quit"} -> {"libraries": {...}}, then the process exits

Between commands it waits, idle. The candidates' own output (stdout and
stderr) goes to the parent on fds 1 and 2, which keeps it per command, so a
crash is reported with what the crashing candidate printed. End of input
(the parent went away) ends the worker.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import traceback


def _library_versions(modules: list[str]) -> dict[str, str]:
    out = {}
    for m in modules:
        mod = sys.modules.get(m)
        v = getattr(mod, "__version__", None) if mod else None
        if v:
            out[m] = str(v)
    return out


# Written to stderr (the parent's one pipe for fds 1 and 2) before each
# command and each candidate phase: what follows it in that pipe is that
# phase's own output. The pipe keeps the order of the writes; two pipes would not.
MARK = b"\x1eworthit-mark\n"


def mark() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(2, MARK)


def serve(cmd_fd: int, reply_fd: int) -> int:
    # A crash prints the Python stack of every thread to stderr, which the
    # parent attaches to the row of the candidate that was running.
    faulthandler.enable(all_threads=False)
    commands = os.fdopen(cmd_fd, "r", encoding="utf-8")
    replies = os.fdopen(reply_fd, "w", encoding="utf-8")

    def send(obj: dict) -> None:
        replies.write(json.dumps(obj) + "\n")
        replies.flush()

    def emit(**event: object) -> None:
        if event.get("event") == "begin":
            mark()
        send(event)

    from worthit.runner import Worker  # after the thread variables the parent set

    worker = Worker()
    for line in commands:
        if not line.strip():
            continue
        msg = json.loads(line)
        cmd = msg.get("cmd")
        mark()
        try:
            if cmd == "start":
                reply = worker.start(msg)
            elif cmd == "plan":
                reply = worker.plan(msg)
            elif cmd == "prepare":
                reply = worker.prepare(msg, emit)
            elif cmd == "measure":
                reply = worker.measure(msg)
            elif cmd == "release":
                reply = worker.release()
            elif cmd == "quit":
                send({"reply": True,
                      "libraries": _library_versions(["numpy", "torch", "tensorflow", "Cython", "pandas"])})
                return 0
            else:
                reply = {"fatal": f"unknown command {cmd!r}"}
        except Exception as e:  # noqa: BLE001 - outside any candidate: the parent says where
            reply = {"fatal": f"{type(e).__name__}: {e}".splitlines()[0][:400],
                     "detail": traceback.format_exc()}
        reply["reply"] = True
        send(reply)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "--serve":
        return serve(int(argv[2]), int(argv[3]))
    print("usage: python -m worthit.worker --serve CMD_FD REPLY_FD (run by `worthit bench`)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
