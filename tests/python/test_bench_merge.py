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


def test_cpp_and_python_candidates_share_the_rounds(worthit_bin, tmp_path):
    """Cross-process interleaving, visible in the sample order: each round of
    the schedule times the C++ candidate and the Python one once."""
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=4096", "-r", "6", "--min-time", "0.002",
                       "-t", "1", "-b", "cpp-simd", "-b", "numpy", "-b", "cython")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["backend"]: r for r in json.loads(out.read_text())["results"]}
    assert {"cpp-simd", "numpy", "cython"} <= set(rows)
    k = 3
    for backend in ("cpp-simd", "numpy", "cython"):
        r = rows[backend]
        assert r["status"] == "ok", r["reason"]
        assert r["stop_reason"] == "repetitions"
        assert [s // k for s in r["sample_seq"]] == list(range(6)), (backend, r["sample_seq"])
    # Together the three fill every position of the schedule exactly once.
    positions = sorted(s for b in ("cpp-simd", "numpy", "cython") for s in rows[b]["sample_seq"])
    assert positions == list(range(18))


def test_each_size_finds_its_own_iteration_count(worthit_bin, tmp_path):
    """A Python candidate's iteration count fills min_time at the size it was
    estimated for: a size 64 times larger must not reuse the smaller one's
    (which made one repetition take 64 times min_time)."""
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=4096", "-s", "n=262144", "-r", "2",
                       "--target-ci", "0", "--min-time", "0.01", "-t", "1", "-b", "cpp-simd", "-b", "numpy")
    assert proc.returncode == 0, proc.stderr[-3000:]
    iters = {(r["backend"], r["size"]): r["iterations"] for r in json.loads(out.read_text())["results"]}
    for backend in ("cpp-simd", "numpy"):
        small, large = iters[(backend, "n=4096")][0], iters[(backend, "n=262144")][0]
        assert large * 8 <= small, (backend, small, large)


def test_adaptive_sampling_records_why_it_stopped(worthit_bin, tmp_path):
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=4096", "--min-time", "0.002", "-t", "1",
                       "-b", "cpp-*", "-b", "numpy", "--target-ci", "0.05", "--max-time", "3")
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["settings"]["adaptive"] is True and data["settings"]["target_ci"] == 0.05
    for r in data["results"]:
        assert r["status"] == "ok", r["reason"]
        assert r["stop_reason"] in ("target-ci", "time-budget", "max-repetitions"), r["stop_reason"]
        assert r["stats"]["n"] >= 5
        if r["stop_reason"] == "target-ci":
            assert r["stats"]["ci_halfwidth"] <= 0.05


def test_costs_are_recorded_at_bench_time_and_reported_without_a_checkout(worthit_bin, tmp_path):
    plugin = tmp_path / "mine.py"
    plugin.write_text(
        "import numpy as np\nimport worthit\n\n\n"
        "@worthit.candidate('gelu', backend='my-loop')\n"
        "def my_loop(x):\n"
        "    out = np.empty_like(x)\n"
        "    for i in range(len(x)):\n"
        "        v = float(x[i])\n"
        "        out[i] = 0.5 * v * (1.0 + np.tanh(0.7978845608028654 * (v + 0.044715 * v ** 3))) if v > -9 else 0.0\n"
        "    return out\n")
    proc, out = _bench(worthit_bin, tmp_path, "-w", "gelu", "-s", "n=1024", "-r", "5", "--min-time", "0.002",
                       "-b", "cpp-simd", "-b", "numpy", "-b", "my-loop", "--plugin", str(plugin))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["backend"]: r for r in json.loads(out.read_text())["results"]}
    simd = rows["cpp-simd"]["maintenance"]
    assert simd["origin"] == "build" and simd["missing"] == []
    (f,) = simd["files"]
    assert f["path"] == "kernels/gelu/gelu_simd.cpp" and f["code_lines"] > 20
    assert f["hash"].startswith("fnv1a64:"), f
    # What the build measured is what the metric says of the file now.
    now = json.loads(_native.measure_source_text(f["path"], (REPO / f["path"]).read_text()))
    assert now == f
    mine = rows["my-loop"]["maintenance"]
    assert mine["origin"] == "bench"
    (m,) = mine["files"]
    assert m["path"].startswith("mine.py:my_loop (lines 5-11)"), m["path"]
    assert m["code_lines"] == 7 and m["decision_points"] == 2  # the for and the if
    # The report costs both from results.json alone: no sources anywhere.
    empty = tmp_path / "no-checkout"
    empty.mkdir()
    report = tmp_path / "report.json"
    r = subprocess.run([str(worthit_bin), "report", str(out), "-o", str(report), "--md", "-",
                        "--source-root", str(empty), "-q"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    decisions = json.loads(report.read_text())["decisions"]
    assert decisions and all(d["family"] == "numpy" for d in decisions)
    d = decisions[0]
    assert d["q3"]["maintenance_source"] == "results"
    assert d["q3"]["maintenance"]["code_lines"] > 0
    assert "source file" not in r.stderr and "no maintenance metrics" not in r.stderr
