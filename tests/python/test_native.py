"""worthit._native: the harness seen from Python converts types and nothing else."""

import json

import numpy as np
import pytest

from worthit import _native
import worthit


def test_builtin_workloads_are_visible():
    names = {w.name for w in worthit.workloads()}
    assert {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"} <= names


def test_inputs_are_numpy_views_without_copies():
    w = worthit.workload("gelu")
    size = w.make_size({"n": 1000})
    case = w.make_case(size, seed=7)
    (x,) = case.inputs
    assert x.dtype == np.float32 and x.shape == (1000,)
    assert x.ctypes.data % 64 == 0, "harness buffers are 64-byte aligned; a copy would not be"
    assert isinstance(x.base, _native.BufferSet), "the array must view the C++ buffer"
    # Same seed, same bytes; another seed, other bytes.
    again = w.make_case(size, seed=7).inputs[0]
    other = w.make_case(size, seed=8).inputs[0]
    assert np.array_equal(x, again) and not np.array_equal(x, other)


def test_buffer_outlives_its_owner_reference():
    bufs = _native.make_buffers([("a", "f64", [3, 4])])
    arr = bufs.array(0)
    del bufs
    arr[:] = 1.5  # the array keeps the BufferSet alive
    assert arr.sum() == 18.0


def test_gate_compare_catches_wrong_and_nonfinite_outputs():
    w = worthit.workload("gelu")
    case = w.make_case(w.make_size({"n": 512}), seed=1)
    good = case.new_outputs()
    np.copyto(good.array(0), case.expected.array(0))
    assert case.check(good)["passed"]

    _native.poison(good)
    res = case.check(good)
    assert not res["passed"] and res["nonfinite"] == 512

    off = case.new_outputs()
    np.copyto(off.array(0), case.expected.array(0))
    off.array(0)[5] += 1e-3
    res = case.check(off)
    assert not res["passed"] and res["mismatches"] == 1 and "[5]" in res["detail"]


def test_compare_with_explicit_tolerance():
    a = _native.make_buffers([("y", "f32", [4])])
    b = _native.make_buffers([("y", "f32", [4])])
    a.array(0)[:] = [1, 2, 3, 4]
    b.array(0)[:] = [1, 2, 3, 4.01]
    assert not _native.compare(a, b, 1e-3, 0.0)["passed"]
    assert _native.compare(a, b, 0.02, 0.0)["passed"]


def test_sampler_and_statistics_are_the_harness_ones():
    calls = []
    ns, iters = _native.measure_once("py/test", lambda: calls.append(1), 0.01)
    assert ns > 0 and iters >= 1 and len(calls) >= iters
    stats = _native.summarize([10.0, 11.0, 12.0, 13.0, 14.0])
    assert stats["median_ns"] == 12.0 and stats["n"] == 5 and stats["min_ns"] == 10.0
    assert stats["ci95_low_ns"] <= 12.0 <= stats["ci95_high_ns"]


def test_a_repetition_warms_up_untimed_for_the_asked_time():
    import time
    calls = []
    def call():
        calls.append(time.perf_counter())
        time.sleep(0.001)
    ns, iters = _native.measure_repetition("py/warm", call, 0.001, 3, 0.02)
    assert iters == 3 and len(calls) > 3
    assert calls[-3] - calls[0] >= 0.02  # the untimed calls came first
    assert ns < 10e6  # and are not in the time per call
    calls.clear()
    _native.measure_repetition("py/cold", call, 0.001, 3, 0.0)
    assert len(calls) == 3


def test_normalize_result_checks_the_schema():
    row = {"workload": "gelu", "candidate": "gelu/x", "size": "n=1", "backend": "x", "framework": False,
           "status": "ok", "samples_ns": [1.0], "stats": _native.summarize([1.0])}
    back = json.loads(_native.normalize_result(json.dumps(row)))
    assert back["status"] == "ok" and back["stats"]["median_ns"] == 1.0
    with pytest.raises(Exception, match="unknown status"):
        _native.normalize_result(json.dumps(dict(row, status="fine")))
    with pytest.raises(Exception, match="no samples"):
        _native.normalize_result(json.dumps(dict(row, samples_ns=[])))


def _libraries_after_importing_native(extra_env: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    env = dict(os.environ, **extra_env)
    code = ("from worthit import _native; print(_native.__file__); "
            "print(open('/proc/self/maps').read())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout


def test_native_module_outside_the_torch_worker_loads_no_libtorch():
    # The NumPy, TensorFlow and plugin workers must not carry libtorch.
    maps = _libraries_after_importing_native({"WORTHIT_NATIVE_TORCH": ""})
    assert "_native_torch" not in maps.splitlines()[0]
    assert "libtorch_cpu" not in maps


def test_torch_worker_gets_the_libtorch_build_under_the_usual_name():
    import pytest

    pytest.importorskip("torch", reason="torch is not installed in this interpreter")
    maps = _libraries_after_importing_native({"WORTHIT_NATIVE_TORCH": "1"})
    if "_native_torch" not in maps.splitlines()[0]:
        pytest.skip("this build has no libtorch (_native_torch not built)")
    assert "libtorch_cpu" in maps


def test_adaptive_sampling_is_the_harness_rule():
    """The rule is the C++ one, called through _native: a synthetic noisy
    candidate stops once its median is known to the target, or at the budget."""
    rng = np.random.default_rng(5)

    def noisy(cv):
        return lambda: (1000.0 * float(np.exp(rng.normal(0, cv))), 100)

    tight, wide = _native.sample_interleaved(
        [("tight", noisy(0.01)), ("wide", noisy(1.0))],
        {"target_ci": 0.02, "max_time_s": 0, "max_repetitions": 60})
    assert tight["stop"] == "target-ci" and 5 <= len(tight["samples_ns"]) < 60
    assert wide["stop"] == "max-repetitions" and len(wide["samples_ns"]) == 60
    assert _native.stop_reason(tight["samples_ns"], 0.0, {"target_ci": 0.02}) == "target-ci"
    assert _native.stop_reason(wide["samples_ns"][:10], 99.0, {"max_time_s": 5}) == "time-budget"
    assert _native.stop_reason([1.0, 1.0], 0.0, {}) == "sampling"  # the minimum first
    # Rounds: each round samples both while both run.
    assert [s // 2 for s in tight["seq"][:5]] == [0, 1, 2, 3, 4]


def test_run_here_benchmarks_a_case_in_this_process():
    from worthit.candidate import Candidate, function_candidate
    from worthit.runner import run_here

    w = worthit.workload("gelu")
    size = w.make_size({"n": 4096})

    def gelu(x):
        return np.float32(0.5) * x * (np.float32(1) + np.tanh(np.float32(0.7978845608028654) *
                                                            (x + np.float32(0.044715) * x * x * x)))

    c = Candidate(workload="gelu", backend="np-here", prepare=function_candidate(gelu, inplace=False),
                  framework=True)
    (row,) = run_here(w, size, [c], min_time_s=0.002, target_ci=0.05, max_time_s=2)
    assert row["status"] == "ok", row["reason"]
    assert row["stop_reason"] in ("target-ci", "time-budget") and row["stats"]["n"] >= 5


def test_the_cache_folder_is_one_rule_for_cpp_and_python(monkeypatch, tmp_path):
    from worthit.backends._common import inductor_isa_cache_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _native.cache_folder() == str(tmp_path / "xdg" / "worthit")
    assert inductor_isa_cache_path() == tmp_path / "xdg" / "worthit" / "inductor-vec-isa.json"
    # An empty XDG_CACHE_HOME counts as unset, as the XDG spec says.
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _native.cache_folder() == str(tmp_path / "home" / ".cache" / "worthit")
    assert inductor_isa_cache_path().parent == tmp_path / "home" / ".cache" / "worthit"
