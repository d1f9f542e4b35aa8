"""`worthit bench` runs C++ and Python candidates and merges them into one
valid results.json (the built binary, end to end)."""

import json
import os
import subprocess

from worthit import _native
from conftest import PACKAGE_DIR, REPO, have


def _bench(worthit_bin, tmp_path, *args):
    out = tmp_path / "results.json"
    env = dict(os.environ, WORTHIT_PYTHON_PACKAGE_DIR=PACKAGE_DIR)
    proc = subprocess.run([str(worthit_bin), "bench", "-o", str(out), "--no-table", *args], env=env,
                          capture_output=True, text=True, timeout=900)
    return proc, out


def test_cpp_and_python_rows_merge_into_one_valid_file(worthit_bin, tmp_path):
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=4096", "-r", "3", "--min-time", "0.002",
                       "-t", "2", "-b", "cpp-*", "-b", "numpy", "-b", "cython", "-b", "capi", "-b", "python",
                       "-b", "my-*", "--plugin", str(REPO / "examples" / "my_ops.py"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["schema"] == "worthit.results"
    rows = data["results"]
    backends = {r["backend"] for r in rows}
    assert {"cpp-scalar", "cpp-simd", "numpy", "cython", "capi", "python", "my-numpy-gelu"} <= backends
    assert len({r["candidate"] for r in rows}) == len(rows), "candidate names are unique"
    for r in rows:
        # Every row, from either side, goes through the C++ schema unchanged.
        json.loads(_native.normalize_result(json.dumps(r)))
        assert r["status"] == "ok", f"{r['candidate']}: {r['reason']}"
        assert r["threads"] == 2 and r["size"] == "n=4096" and len(r["samples_ns"]) == 3
    # Speedups are computed over the merged rows (best framework: numpy here).
    assert all(r["speedup_vs_best_framework"] is not None for r in rows)
    assert data["machine"]["libraries"].get("numpy")


def test_list_shows_python_backends(worthit_bin):
    env = dict(os.environ, WORTHIT_PYTHON_PACKAGE_DIR=PACKAGE_DIR)
    proc = subprocess.run([str(worthit_bin), "list"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for backend in ("cython", "capi", "numpy", "torch.compile", "tensorflow-xla"):
        assert backend in proc.stdout


def test_python_overhead_is_reported(worthit_bin, tmp_path):
    if not have("torch"):
        import pytest

        pytest.skip("torch is not installed in this interpreter")
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=1024", "-r", "3", "--min-time", "0.002",
                       "-b", "torch", "-b", "libtorch")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["backend"]: r for r in json.loads(out.read_text())["results"]}
    if rows["libtorch"]["status"] != "ok":
        import pytest

        pytest.skip(f"built without libtorch: {rows['libtorch']['reason']}")
    extra = rows["torch"]["extra"]
    assert extra["cpp_twin_median_ns"] > 0 and "python_overhead_us" in extra
    assert "python overhead: gelu n=1024" in proc.stderr
