"""The worker's failure paths: a crash, a hang, a missing framework, a
throwing candidate and a broken plugin each become rows with the reason,
and the rest of the run carries on."""

import os
import textwrap

from conftest import PACKAGE_DIR, run_workers

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
        seg = by[("segfault", size)]
        assert seg["status"] == "error" and "SIGSEGV" in seg["reason"] and "gate" in seg["reason"]
        hang = by[("hang", size)]
        assert hang["status"] == "error" and "timed out" in hang["reason"]
        assert by[("raises", size)]["status"] == "error"
        assert "planted failure" in by[("raises", size)]["reason"]
        missing = by[("needs-missing", size)]
        assert missing["status"] == "unavailable" and "no_such_module_for_worthit" in missing["reason"]
    assert len(rows) == 10


def test_missing_framework_makes_its_rows_unavailable(tmp_path):
    # A `torch` that fails to import stands in for a machine without torch.
    fake = tmp_path / "fake" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('planted: no torch on this machine')\n")
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["torch*"], "sizes": ["n=1024"]}, tmp_path,
                       env={"PYTHONPATH": str(tmp_path / "fake") + os.pathsep + PACKAGE_DIR})
    assert {r["backend"] for r in rows} == {"torch", "torch.compile", "torch.jit"}
    for r in rows:
        assert r["status"] == "unavailable", r
        assert "planted: no torch" in r["reason"]


def test_a_plugin_that_fails_to_load_is_an_error_row(tmp_path):
    plugin = tmp_path / "broken.py"
    plugin.write_text("import worthit\nraise ValueError('planted plugin bug')\n")
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["numpy"], "sizes": ["n=1024"],
                        "plugins": [str(plugin)]}, tmp_path)
    plugin_rows = [r for r in rows if r["candidate"].startswith("plugin/")]
    assert len(plugin_rows) == 1
    assert plugin_rows[0]["status"] == "error" and "planted plugin bug" in plugin_rows[0]["reason"]
    # The built-in groups still ran.
    assert any(r["backend"] == "numpy" and r["status"] == "ok" for r in rows)
