"""worthit.scope: a no-op outside `worthit profile`, slices in the trace under it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import BUILD, PACKAGE_DIR

SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    from worthit import profiling as wp

    @wp.scope("decorated")
    def work(n):
        return sum(range(n))

    wp.thread_name("py main")
    with wp.scope("outer"):
        time.sleep(0.002)
        with wp.scope("inner"):
            assert work(1000) == 499500
        wp.mark("a mark")
        wp.counter("items", 7)

    def worker():
        with wp.scope("in thread"):
            time.sleep(0.001)

    t = threading.Thread(target=worker)
    t.start(); t.join()
    print("active" if wp.active() else "inactive")
    sys.exit(int(sys.argv[1]))
    """
)


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("WORTHIT_PROFILE_DIR", "WORTHIT_TRACE_FILE", "WORTHIT_PROFILER_LIB")}
    env["PYTHONPATH"] = PACKAGE_DIR + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def _lib() -> Path:
    path = BUILD / "cli" / "libworthit_profiler.so"
    if not path.exists():
        pytest.skip(f"the profiler runtime is not built at {path}")
    return path


def _slices(trace: dict) -> dict:
    return {e["name"]: e for e in trace["traceEvents"] if e.get("ph") == "X"}


def test_scope_is_a_noop_outside_the_profiler(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script), "0"], env=_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "inactive"
    # The runtime library is never loaded.
    check = subprocess.run([sys.executable, "-c",
                            "import worthit.profiling, sys; "
                            "print(any('worthit_profiler' in l for l in open('/proc/self/maps')))"],
                           env=_env(), capture_output=True, text=True)
    assert check.stdout.strip() == "False", check.stderr


def test_scopes_land_in_the_trace(tmp_path: Path) -> None:
    lib = _lib()
    script, trace_file = tmp_path / "s.py", tmp_path / "t.json"
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script), "0"],
                          env=_env({"WORTHIT_TRACE_FILE": str(trace_file), "WORTHIT_PROFILER_LIB": str(lib)}),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "active"
    trace = json.loads(trace_file.read_text())
    assert trace["worthit"]["schema"] == "worthit.trace"
    s = _slices(trace)
    outer, inner, deco = s["outer"], s["inner"], s["decorated"]
    assert outer["tid"] == inner["tid"] == deco["tid"]
    assert outer["ts"] <= inner["ts"] <= deco["ts"]
    assert deco["ts"] + deco["dur"] <= inner["ts"] + inner["dur"] <= outer["ts"] + outer["dur"]
    assert outer["dur"] >= 2000  # microseconds: the 2 ms sleep
    assert s["in thread"]["tid"] != outer["tid"]
    names = [e for e in trace["traceEvents"] if e.get("ph") == "M" and e["name"] == "thread_name"]
    assert any(e["args"]["name"] == "py main" and e["tid"] == outer["tid"] for e in names)
    assert any(e["ph"] == "i" and e["name"] == "a mark" for e in trace["traceEvents"])
    assert any(e["ph"] == "C" and e["args"] == {"items": 7.0} for e in trace["traceEvents"])


def test_under_worthit_profile(tmp_path: Path, worthit_bin: Path) -> None:
    _lib()
    script, out = tmp_path / "s.py", tmp_path / "trace.json"
    script.write_text(SCRIPT)
    proc = subprocess.run([str(worthit_bin), "profile", "-o", str(out), "--", sys.executable, str(script), "4"],
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 4, proc.stderr  # the program's exit code
    assert "active" in proc.stdout
    assert "outer" in proc.stdout  # the summary lists it
    trace = json.loads(out.read_text())
    assert {"outer", "inner", "decorated", "in thread"} <= set(_slices(trace))
    assert trace["worthit"]["exit_code"] == 4


def test_forked_multiprocessing_workers_are_traced(tmp_path: Path, worthit_bin: Path) -> None:
    _lib()
    script, out = tmp_path / "mp.py", tmp_path / "trace.json"
    script.write_text(textwrap.dedent(
        """
        import multiprocessing as mp
        from worthit import profiling as wp

        def job(i):
            with wp.scope(f"job {i}"):
                return i * i

        if __name__ == "__main__":
            with wp.scope("parent"):
                with mp.get_context("fork").Pool(2) as pool:
                    assert pool.map(job, range(4)) == [0, 1, 4, 9]
        """))
    proc = subprocess.run([str(worthit_bin), "profile", "-o", str(out), "--", sys.executable, str(script)],
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    trace = json.loads(out.read_text())
    slices = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    parent = [e for e in slices if e["name"] == "parent"]
    jobs = [e for e in slices if e["name"].startswith("job ")]
    assert len(parent) == 1
    assert sorted(e["name"] for e in jobs) == ["job 0", "job 1", "job 2", "job 3"]
    assert {e["pid"] for e in jobs} - {parent[0]["pid"]}, "jobs ran in worker processes"
