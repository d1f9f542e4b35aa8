"""What the Python side has, for `worthit list` and `worthit bench`:

  python -m worthit.workers list [--plugin FILE ...] [--trace-ops FILE] [--verbose]

prints one JSON object: {"candidates": [{"workload", "backend", "framework",
"family", "group", "unavailable_reason"}, ...], "plugin_errors": [{"plugin",
"error", "detail"}, ...]}. A plugin that fails to load is one line
("my_ops.py:12: NameError: name 'np' is not defined"), its traceback goes in
"detail" (and to stderr with --verbose); the built-in candidates and the other
plugins are still listed. With --trace-ops (written by `worthit bench
--from-trace`), the trace's hot ops are listed as workloads too
(trace_ops.py). It imports no framework.

`worthit bench` itself drives one worker process per group (worker.py); the
groups are "native" (NumPy, pure Python, Cython, C API), "torch",
"tensorflow" and "plugin" (the files given with --plugin).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback


def list_backends(plugin_files: list[str], verbose: bool = False, trace_ops_file: str = "") -> dict:
    from worthit import backends, plugins, trace_ops
    from worthit.candidate import REGISTRY
    from worthit.runner import where_text

    backends.load_all()
    errors = []
    for p in plugin_files:
        try:
            plugins.load_plugin(p)
        except Exception as e:  # noqa: BLE001 - one line per broken plugin
            detail = traceback.format_exc()
            errors.append({"plugin": p, "error": where_text(e, p), "detail": detail})
            if verbose:
                print(detail, file=sys.stderr, end="")
    trace_ops.register(trace_ops.load_specs({"trace_ops": trace_ops_file}))
    out = []
    for c in REGISTRY.candidates():
        reason = c.unavailable() if c.unavailable else None
        out.append({"workload": c.workload, "backend": c.backend, "framework": c.framework,
                    "family": c.family, "group": c.group, "unavailable_reason": reason or ""})
    return {"candidates": out, "plugin_errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m worthit.workers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ls = sub.add_parser("list")
    ls.add_argument("--plugin", action="append", default=[])
    ls.add_argument("--trace-ops", default="")
    ls.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    print(json.dumps(list_backends(args.plugin, args.verbose, args.trace_ops)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
