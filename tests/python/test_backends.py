"""Every built-in Python backend passes the correctness gate on every workload
it supports (quick sizes), run the way `worthit bench` runs it: in its worker."""

import json
import os
import subprocess
import sys

import pytest

from conftest import have, run_workers

WORKLOADS = ["gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"]
EXPECTED = {
    "numpy": WORKLOADS,
    "python": WORKLOADS,
    "cython": WORKLOADS,
    "capi": ["gelu", "linear_recurrence"],
    "torch": WORKLOADS,
    "torch.compile": WORKLOADS,
    "torch.jit": WORKLOADS,
    "tensorflow": WORKLOADS,
    "tensorflow-xla": WORKLOADS,
}


def _check(rows, backends):
    seen = {}
    for r in rows:
        if r["backend"] not in backends:
            continue
        assert r["status"] in ("ok", "skipped"), f"{r['candidate']} {r['size']}: {r['status']}: {r['reason']}"
        if r["status"] == "skipped":
            assert r["reason"], "a skip must say why"
        else:
            assert r["correctness"]["checked"] and r["correctness"]["passed"]
            assert len(r["samples_ns"]) == 2 and r["stats"]["median_ns"] > 0
        seen.setdefault(r["backend"], set()).add(r["workload"])
    for b in backends:
        assert seen.get(b, set()) >= set(EXPECTED[b]), f"{b} ran on {sorted(seen.get(b, []))}"
    return seen


def test_native_backends(tmp_path):
    backends = ["numpy", "python", "cython", "capi"]
    rows = run_workers({"workload_globs": WORKLOADS, "backend_globs": backends}, tmp_path)
    _check(rows, backends)
    skipped = [r for r in rows if r["status"] == "skipped"]
    assert all(r["backend"] == "python" for r in skipped), "only the pure-Python loops are capped"


@pytest.mark.skipif(not have("torch"), reason="torch is not installed in this interpreter")
def test_torch_backends(tmp_path):
    backends = ["torch", "torch.compile", "torch.jit"]
    rows = run_workers({"workload_globs": WORKLOADS, "backend_globs": backends}, tmp_path)
    _check(rows, backends)
    for r in rows:
        if r["backend"] in ("torch.compile", "torch.jit"):
            assert r["extra"]["compile_time_s"] > 0
        assert r["threads"] == 2


_ISA_PROBE = (
    "from worthit.backends import _common, torch_candidates\n"
    "torch_candidates.setup(1)\n"
    "started = [t.name for t in _common._inductor_probe]\n"
    "_common.await_inductor_cpu_probe()\n"
    "from torch._inductor import config, cpu_vec_isa\n"
    "print(started == ['inductor-isa-probe'], cpu_vec_isa.valid_vec_isa_list.cache_info().currsize,\n"
    "      config.cpp.vec_isa_ok, cpu_vec_isa.pick_vec_isa())\n")


def _probe_in_fresh_interpreter(cache_home):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), XDG_CACHE_HOME=str(cache_home))
    env.pop("TORCHINDUCTOR_VEC_ISA_OK", None)
    out = subprocess.run([sys.executable, "-c", _ISA_PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split(None, 3)


@pytest.mark.skipif(not have("torch"), reason="torch is not installed in this interpreter")
def test_the_torch_worker_settles_inductors_isa_before_the_first_compile_and_once_per_machine(tmp_path):
    # The torch group's setup must leave inductor's once-per-process ISA probe
    # done by the time a torch.compile candidate starts its clock, so
    # compile_time_s is the graph's compile only; and a later run on the same
    # machine must reuse the outcome instead of probing again.
    kept_path = tmp_path / "worthit" / "inductor-vec-isa.json"
    started, cached, ok, first_isa = _probe_in_fresh_interpreter(tmp_path)
    assert (started, cached, ok) == ("True", "1", "None")
    kept = json.loads(kept_path.read_text())
    assert kept["fingerprint"]["torch"] and isinstance(kept["valid"], list)
    kept_at = kept_path.stat().st_mtime_ns

    from worthit.backends import _common

    started, cached, ok, isa = _probe_in_fresh_interpreter(tmp_path)
    assert (started, cached) == ("True", "1")
    if kept["valid"] and kept["valid"] == _common._flag_supported_isas():
        assert (ok, isa) == ("True", first_isa), "the kept outcome was not reused"
        assert kept_path.stat().st_mtime_ns == kept_at, "a reused outcome is not written again"
    else:  # some ISA failed its test build here: inductor must keep testing
        assert ok == "None"

    # Another torch or compiler is another fingerprint: inductor tests again.
    kept["fingerprint"]["torch"] = "0.0-elsewhere"
    kept_path.write_text(json.dumps(kept))
    started, cached, ok, isa = _probe_in_fresh_interpreter(tmp_path)
    assert (ok, isa) == ("None", first_isa)
    assert json.loads(kept_path.read_text())["fingerprint"]["torch"] != "0.0-elsewhere"


@pytest.mark.skipif(not have("tensorflow"), reason="tensorflow is not installed in this interpreter")
def test_tensorflow_backends(tmp_path):
    backends = ["tensorflow", "tensorflow-xla"]
    rows = run_workers({"workload_globs": WORKLOADS, "backend_globs": backends}, tmp_path)
    _check(rows, backends)
    assert all(r["extra"]["compile_time_s"] > 0 for r in rows if r["backend"] == "tensorflow-xla")


def test_a_wrong_builtin_style_candidate_is_caught(tmp_path):
    plugin = tmp_path / "wrong.py"
    plugin.write_text(
        "import numpy as np, worthit\n"
        "@worthit.candidate('gelu', backend='erf-gelu')\n"
        "def g(x):\n"
        "    from math import erf, sqrt\n"
        "    return 0.5 * x * (1 + np.vectorize(lambda v: erf(v / sqrt(2)))(x))\n"
        "@worthit.candidate('gelu', backend='half-written', inplace=True)\n"
        "def h(x, y):\n"
        "    y[: len(y) // 2] = 0\n")
    rows = run_workers({"workload_globs": ["gelu"], "backend_globs": ["erf-gelu", "half-written"],
                        "sizes": ["n=4096"], "plugins": [str(plugin)]}, tmp_path)
    by = {r["backend"]: r for r in rows}
    assert by["erf-gelu"]["status"] == "incorrect", "the erf form is outside the tanh form's tolerance"
    assert by["half-written"]["status"] == "incorrect"
    assert by["half-written"]["correctness"]["nonfinite"] > 0, "unwritten outputs stay poisoned (NaN)"
