"""`worthit bench --from-trace`: a trace's hot ATen ops become workloads at
their recorded shapes (seeded inputs, float64 references), run by torch eager,
torch.compile and plugin candidates naming the op; the rows carry the trace's
share, which `worthit report` then uses without --share."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import have

pytestmark = pytest.mark.skipif(not have("torch"), reason="torch is not installed in this venv")


def _op(name, ts, dur, dims, types, concrete=None):
    return {"ph": "X", "cat": "cpu_op", "name": name, "pid": 1, "tid": 1, "ts": ts, "dur": dur,
            "args": {"Input Dims": dims, "Input type": types,
                     "Concrete Inputs": concrete or [""] * len(dims)}}


def _trace(path: Path) -> None:
    """Four iterations (between optimizer steps, 1 ms each) of: gelu 400 us,
    an op without a cost model 200 us, index_select 150 us, layer_norm 100 us
    (a wrapper around native_layer_norm, 98 us), and a view."""
    events = []
    for i in range(5):
        t = i * 1000.0
        events += [
            _op("aten::gelu", t + 10, 400, [[64, 256], []], ["float", "str"], ["", "none"]),
            _op("aten::nll_loss_forward", t + 420, 200, [[64, 10], [64], [], [], []],
                ["float", "long int", "", "Scalar", "Scalar"], ["", "", "", "1", "-100"]),
            _op("aten::index_select", t + 630, 150, [[50, 16], [], [30]], ["float", "Scalar", "long int"],
                ["", "0", ""]),
            _op("aten::layer_norm", t + 790, 100, [[64, 256], [], [256], [256], [], []],
                ["float", "ScalarList", "float", "float", "Scalar", "Scalar"],
                ["", "[256]", "", "", "1.0000000000000001e-05", "True"]),
            _op("aten::native_layer_norm", t + 791, 98, [[64, 256], [], [256], [256], []],
                ["float", "ScalarList", "float", "float", "Scalar"],
                ["", "[256]", "", "", "1.0000000000000001e-05"]),
            _op("aten::view", t + 892, 5, [[64, 256], []], ["float", "ScalarList"], ["", "[16384]"]),
            {"ph": "X", "cat": "user_annotation", "name": "Optimizer.step#SGD.step", "pid": 1, "tid": 1,
             "ts": t + 900, "dur": 100, "args": {}},
        ]
    path.write_text(json.dumps({"traceEvents": events}))


PLUGIN = textwrap.dedent(
    """
    import numpy as np
    import worthit
    from scipy_free_erf import erf  # a local helper next to this file

    @worthit.candidate("aten::gelu", backend="my-gelu", framework=False)
    def my_gelu(x):
        x64 = x.astype(np.float64)
        return (0.5 * x64 * (1.0 + erf(x64 / np.sqrt(2.0)))).astype(np.float32)

    @worthit.candidate("aten::gelu", backend="my-wrong-gelu", framework=False)
    def my_wrong_gelu(x):
        return np.maximum(x, 0)  # relu: must fail the gate
    """
)

ERF = textwrap.dedent(
    """
    import math
    import numpy as np
    erf = np.vectorize(math.erf, otypes=[np.float64])
    """
)


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORTHIT_CALIBRATION=str(cwd / "no-calibration.json"))
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=1200)


def test_hot_ops_become_workloads_with_the_traces_share(tmp_path, worthit_bin):
    _trace(tmp_path / "trace.json")
    (tmp_path / "my_ops.py").write_text(PLUGIN)
    (tmp_path / "scipy_free_erf.py").write_text(ERF)
    proc = _run([str(worthit_bin), "bench", "--from-trace", "trace.json", "--top", "3", "--quick", "-t", "1",
                 "--plugin", "my_ops.py", "-b", "torch", "-b", "my-*", "-o", "r.json"], tmp_path)
    # my-wrong-gelu fails the gate, so bench exits 1, as for any incorrect candidate.
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-4000:]
    err = proc.stderr
    assert "aten::nll_loss_forward [64x10:f32, 64:i64]: not benchmarked: no cost model" in err
    rows = json.loads((tmp_path / "r.json").read_text())["results"]
    by = {(r["workload"], r["backend"]): r for r in rows}
    gelu = "aten::gelu[64x256:f32]"
    select = "aten::index_select[50x16:f32, 30:i64]"
    norm = "aten::native_layer_norm[64x256:f32, 256:f32, 256:f32]"
    assert {w for w, _ in by} == {gelu, select, norm}
    for w in (gelu, select, norm):
        r = by[(w, "torch")]
        assert r["status"] == "ok", r["reason"]
        assert r["correctness"]["passed"]
    assert by[(gelu, "my-gelu")]["status"] == "ok", by[(gelu, "my-gelu")]["reason"]
    assert by[(gelu, "my-wrong-gelu")]["status"] == "incorrect"
    # The trace's share: gelu 400 of each 1000 us iteration.
    assert by[(gelu, "torch")]["extra"]["trace_share"] == pytest.approx(0.4)
    assert by[(gelu, "torch")]["bytes"] == 2 * 64 * 256 * 4
    assert by[(norm, "torch")]["extra"]["trace_share"] == pytest.approx(0.098)

    rep = _run([str(worthit_bin), "report", "r.json", "-o", "report.json", "--md", "report.md"], tmp_path)
    assert rep.returncode == 0, rep.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    d = next(x for x in report["decisions"] if x["workload"] == gelu)
    assert d["q1"]["share"] == pytest.approx(0.4)
    assert d["q1"]["share_source"] == "trace"


def test_torch_compile_candidate_passes_the_gate(tmp_path, worthit_bin):
    _trace(tmp_path / "trace.json")
    proc = _run([str(worthit_bin), "bench", "--from-trace", "trace.json", "--top", "1", "--quick", "-t", "1",
                 "-b", "torch.compile", "-o", "r.json"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    (row,) = json.loads((tmp_path / "r.json").read_text())["results"]
    assert row["workload"] == "aten::gelu[64x256:f32]"
    assert row["status"] == "ok", row["reason"]
    assert row["extra"]["compile_time_s"] > 0


def test_a_trace_without_hot_ops_is_a_usage_error(tmp_path, worthit_bin):
    (tmp_path / "empty.json").write_text(json.dumps({"traceEvents": [
        {"ph": "X", "cat": "scope", "name": "step", "pid": 1, "tid": 1, "ts": 0, "dur": 10}]}))
    proc = _run([str(worthit_bin), "bench", "--from-trace", "empty.json", "-o", "r.json"], tmp_path)
    assert proc.returncode == 2
    assert "no hot ATen op" in proc.stderr
    assert not (tmp_path / "r.json").exists()


def test_report_with_only_a_trace_lists_the_hot_ops(tmp_path, worthit_bin):
    _trace(tmp_path / "trace.json")
    cal = {"schema": "worthit.calibration", "schema_version": 1,
           "calibration": {"memory_bandwidth_gbs": 40.0, "copy_bandwidth_gbs": 30.0, "peak_gflops": 200.0,
                           "peak_source": "test", "threads": 1, "device": "cpu", "created": "2026-01-01T00:00:00Z"}}
    (tmp_path / "cal.json").write_text(json.dumps(cal))
    proc = _run([str(worthit_bin), "report", "--trace", "trace.json", "--calibration", "cal.json",
                 "-o", "report.json", "--md", "report.md"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    hot = json.loads((tmp_path / "report.json").read_text())["hot_ops"]
    assert hot["steps"]["count"] == 4 and hot["steps"]["from_optimizer"]
    ops = {o["name"]: o for o in hot["ops"]}
    gelu = ops["aten::gelu"]
    # 64x256 f32 read and written: 131072 bytes, 3.3 us at 40 GB/s; measured 400 us.
    assert gelu["bytes"] == 131072
    assert gelu["headroom"] == pytest.approx(400e3 / (131072 / 40.0))
    assert gelu["share"] == pytest.approx(0.4)
    assert gelu["verdict"] == "room"
    assert ops["aten::nll_loss_forward"]["verdict"] == "no-cost-model"
    assert ops["aten::layer_norm"]["verdict"] == "delegated"
    assert ops["aten::layer_norm"]["delegated_to"] == "aten::native_layer_norm"
    assert ops["aten::view"]["verdict"] == "no-work"
    md = (tmp_path / "report.md").read_text()
    assert "## Hot ops" in md and "`aten::gelu`" in md
    assert proc.stdout.startswith("aten::gelu [64x256:f32]: room")
