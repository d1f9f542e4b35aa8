"""The public API for users' own candidates and workloads, with the shipped
example plugin (examples/my_ops.py)."""

import numpy as np
import pytest

import worthit
from worthit.candidate import REGISTRY, Registry, RunContext
from worthit.plugins import load_plugin
from conftest import REPO, have, run_workers

EXAMPLE = REPO / "examples" / "my_ops.py"


def test_example_plugin_registers_a_workload_and_candidates():
    load_plugin(str(EXAMPLE))
    silu = worthit.workload("silu")
    assert silu.size_keys == ["n"] and [s.label for s in silu.quick_sizes()] == ["n=16384"]
    backends = {c.backend for c in REGISTRY.candidates("silu")}
    assert {"my-numpy", "my-numpy-inplace", "my-torch"} <= backends
    assert any(c.backend == "my-numpy-gelu" for c in REGISTRY.candidates("gelu"))

    # The user's candidates through the gate, in process.
    case = silu.make_case(silu.make_size({"n": 5000}), seed=3)
    for c in REGISTRY.candidates("silu"):
        if c.unavailable and c.unavailable():
            continue
        out = case.new_outputs()
        prepared = c.prepare(case.inputs, out.arrays(), RunContext(threads=1))
        prepared.run()
        if prepared.publish:
            prepared.publish()
        assert case.check(out)["passed"], c.name


def test_example_plugin_runs_in_its_worker(tmp_path):
    rows = run_workers({"workload_globs": ["silu", "gelu"], "backend_globs": ["my-*"],
                        "plugins": [str(EXAMPLE)]}, tmp_path)
    by = {r["backend"]: r for r in rows}
    assert set(by) == {"my-numpy", "my-numpy-inplace", "my-torch", "my-numpy-gelu"}
    for name in ("my-numpy", "my-numpy-inplace", "my-numpy-gelu"):
        assert by[name]["status"] == "ok", by[name]["reason"]
        assert by[name]["bytes"] > 0 and by[name]["flops"] > 0
    if have("torch"):
        assert by["my-torch"]["status"] == "ok", by["my-torch"]["reason"]
    else:
        assert by["my-torch"]["status"] == "unavailable" and "torch" in by["my-torch"]["reason"]


def test_registration_rules():
    r = Registry()
    from worthit.candidate import Candidate, function_candidate

    def mk(backend, workload="gelu"):
        return Candidate(workload=workload, backend=backend, prepare=function_candidate(lambda x: x, inplace=False))

    r.add_candidate(mk("mine"))
    with pytest.raises(ValueError, match="already registered"):
        r.add_candidate(mk("mine"))
    with pytest.raises(ValueError, match="C\\+\\+ candidate"):
        r.add_candidate(mk("cpp-simd"))
    with pytest.raises(TypeError):
        worthit.register_candidate("gelu", backend="x")  # neither fn nor prepare


def test_define_workload_checks_sizes_and_dtypes():
    with pytest.raises(ValueError, match="size keys"):
        worthit.define_workload("bad_sizes", size_keys=["n"], sizes=[{"m": 3}], make_inputs=lambda s, r: {},
                                reference=lambda: None, bytes_moved=lambda s: 0, flops=lambda s: 0)
    w = worthit.define_workload(
        "complex_out", size_keys=["n"], sizes=[{"n": 4}],
        make_inputs=lambda s, rng: {"x": rng.standard_normal(s["n"]).astype(np.float32)},
        reference=lambda x: x.astype(np.complex64), bytes_moved=lambda s: 0, flops=lambda s: 0)
    with pytest.raises(TypeError, match="unsupported dtype"):
        w.make_case(w.sizes()[0], seed=1)
