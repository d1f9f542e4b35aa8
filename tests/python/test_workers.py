"""The worker's failure paths, run through `worthit bench` (which drives the
workers): a crash, a hang, a missing framework, a throwing candidate and a
broken plugin each become rows with the reason, and the rest of the run
carries on; a killed bench takes its workers with it."""

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

from conftest import PACKAGE_DIR, REPO, binary, run_workers

FAULTY = textwrap.dedent("""
    import os, time
    import numpy as np
    import worthit

    @worthit.candidate("gelu", backend="fine", framework=True)
    def fine(x):
        return 0.5 * x * (1 + np.tanh(np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x ** 3)))

    @worthit.candidate("gelu", backend="segfault")
    def segfault(x):
        import ctypes
        ctypes.string_at(0)  # reads address 0: SIGSEGV

    @worthit.candidate("gelu", backend="hang")
    def hang(x):
        time.sleep(3600)

    @worthit.candidate("gelu", backend="raises")
    def raises(x):
        raise RuntimeError("planted failure")

    @worthit.candidate("gelu", backend="needs-missing", requires=["no_such_module_for_worthit"])
    def needs_missing(x):
        return x
""")


def _rows_by_backend(rows):
    return {(r["backend"], r["size"]): r for r in rows}


def test_crash_hang_and_errors_become_rows_and_the_rest_runs(tmp_path):
    plugin = tmp_path / "faulty.py"
    plugin.write_text(FAULTY)
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["fine", "segfault", "hang", "raises",
                                                                        "needs-missing"],
                        "sizes": ["n=1024", "n=2048"], "plugins": [str(plugin)], "timeout_s": 4}, tmp_path)
    by = _rows_by_backend(rows)
    for size in ("n=1024", "n=2048"):
        assert by[("fine", size)]["status"] == "ok", by[("fine", size)]["reason"]
        assert by[("raises", size)]["status"] == "error"
        assert "planted failure" in by[("raises", size)]["reason"]
        missing = by[("needs-missing", size)]
        assert missing["status"] == "unavailable" and "no_such_module_for_worthit" in missing["reason"]
    seg = by[("segfault", "n=1024")]
    assert seg["status"] == "error" and "SIGSEGV" in seg["reason"] and "gate" in seg["reason"], seg
    hang = by[("hang", "n=1024")]
    assert hang["status"] == "error" and "timed out" in hang["reason"], hang
    # A candidate that crashed or hung its worker is not run again: its later
    # rows point at the first one instead of crashing (or hanging) again.
    for backend in ("segfault", "hang"):
        later = by[(backend, "n=2048")]
        assert later["status"] == "error" and "not run" in later["reason"] and "n=1024" in later["reason"], later
    assert len(rows) == 10
    # A deterministic error is reported once on stderr, with a count, not once per size.
    err = run_workers.last_stderr
    assert sum("raises error:" in line for line in err.splitlines()) == 1, err
    assert "failed the same way at 2 sizes" in err, err


def test_a_crash_row_carries_its_own_candidates_output(tmp_path):
    plugin = tmp_path / "noisy.py"
    plugin.write_text(textwrap.dedent("""
        import ctypes, sys
        import numpy as np
        import worthit

        @worthit.candidate("gelu", backend="chatty", framework=True)
        def chatty(x):
            print("noise from chatty", file=sys.stderr)
            return 0.5 * x * (1 + np.tanh(np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x ** 3)))

        @worthit.candidate("gelu", backend="crasher")
        def crasher(x):
            print("crasher about to fall over", file=sys.stderr)
            ctypes.string_at(0)
    """))
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["chatty", "crasher"],
                        "sizes": ["n=1024"], "plugins": [str(plugin)]}, tmp_path)
    by = {r["backend"]: r for r in rows}
    crash = by["crasher"]
    assert crash["status"] == "error" and "SIGSEGV" in crash["reason"], crash
    assert "crasher about to fall over" in crash["reason"], crash["reason"]
    assert "noise from chatty" not in crash["reason"] + crash.get("detail", ""), crash
    assert "Segmentation fault" in crash.get("detail", ""), crash.get("detail")  # faulthandler's stack
    assert by["chatty"]["status"] == "ok"


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_bench_takes_its_workers_with_it_and_leaves_no_folders(tmp_path):
    plugin = tmp_path / "slow.py"
    plugin.write_text(textwrap.dedent("""
        import time
        import worthit

        @worthit.candidate("gelu", backend="slow", framework=True)
        def slow(x):
            time.sleep(0.2)
            return x
    """))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=PACKAGE_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([str(binary()), "bench", "--no-table", "-o", str(tmp_path / "out.json"), "-w", "gelu",
                             "-b", "slow", "-b", "numpy", "-s", "n=1024", "--plugin", str(plugin)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [p for p in _children(proc.pid)
                   if b"worthit.worker\x00--serve" in Path(f"/proc/{p}/cmdline").read_bytes()]
        time.sleep(0.2)
    assert len(workers) == 2, "the native and plugin workers should be running"
    time.sleep(1.0)  # into the run
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(2.0)
    assert [p for p in workers if _alive(p)] == [], "workers outlived their bench"
    assert list(tmp.iterdir()) == [], f"left behind: {list(tmp.iterdir())}"


def test_missing_framework_makes_its_rows_unavailable(tmp_path):
    # A `torch` that fails to import stands in for a machine without torch.
    fake = tmp_path / "fake" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('planted: no torch on this machine')\n")
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["torch*"], "sizes": ["n=1024"]}, tmp_path,
                       env={"PYTHONPATH": str(tmp_path / "fake") + os.pathsep + PACKAGE_DIR})
    rows = [r for r in rows if r["language"] == "python"]  # not the C++ torchscript
    assert {r["backend"] for r in rows} == {"torch", "torch.compile", "torch.jit"}
    for r in rows:
        assert r["status"] == "unavailable", r
        assert "planted: no torch" in r["reason"]


def test_a_plugin_that_fails_to_load_is_one_line_and_an_error_row(tmp_path):
    plugin = tmp_path / "broken.py"
    plugin.write_text("import worthit\n\n\ndef helper():\n    raise ValueError('planted plugin bug')\n\n\nhelper()\n")
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["numpy"], "sizes": ["n=1024"],
                        "plugins": [str(plugin)]}, tmp_path)
    plugin_rows = [r for r in rows if r["candidate"].startswith("plugin/")]
    assert len(plugin_rows) == 1
    row = plugin_rows[0]
    # File, line (the deepest line in the plugin) and exception, in one line.
    assert row["status"] == "error" and row["reason"] == "broken.py:5: ValueError: planted plugin bug", row
    assert "Traceback" in row["detail"], row
    err = run_workers.last_stderr
    assert "Traceback" not in err, err
    assert sum("planted plugin bug" in line for line in err.splitlines()) == 1, err
    # The built-in groups still ran.
    assert any(r["backend"] == "numpy" and r["status"] == "ok" for r in rows)
    # With --verbose the traceback is shown.
    run_workers({"workload_globs": ["gelu"], "backend_globs": ["numpy"], "sizes": ["n=1024"],
                 "plugins": [str(plugin)]}, tmp_path / "v", extra_args=["--verbose"])
    assert "Traceback" in run_workers.last_stderr
