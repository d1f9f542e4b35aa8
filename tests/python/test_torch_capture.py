"""`worthit profile` on unmodified PyTorch programs: every ATen op with its
shapes in the trace, forward/backward paired, the same op counts as
torch.profiler for the same steps, DataLoader workers covered, and a torch the
observer was not built for falls back to torch.profiler instead of crashing."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import BUILD, have

pytestmark = pytest.mark.skipif(not have("torch"), reason="torch is not installed in this venv")

TRAIN = textwrap.dedent(
    """
    import sys
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.LayerNorm(64), torch.nn.GELU(),
                                torch.nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 32), torch.randint(0, 10, (16,))

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    compare = sys.argv[1] if len(sys.argv) > 1 else ""
    if compare:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            with torch.profiler.record_function("compare window"):
                for _ in range(3):
                    step()
        prof.export_chrome_trace(compare)
    else:
        for _ in range(3):
            step()
    print("trained")
    """
)


def _worthit_bin() -> Path:
    path = Path(os.environ["WORTHIT_BIN"]) if os.environ.get("WORTHIT_BIN") else BUILD / "cli" / "worthit"
    if not path.exists():
        pytest.skip(f"the worthit binary is not built at {path} (set WORTHIT_BIN)")
    return path


def _observer_built(lib_dir: Path) -> bool:
    return (lib_dir / "libworthit_aten.so").exists()


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORTHIT_") or k in ("WORTHIT_BIN", "WORTHIT_BUILD_DIR")}
    env.pop("PYTHONPATH", None)  # the program is unmodified: it does not import worthit
    env["WORTHIT_CALIBRATION"] = "/nonexistent/calibration.json"
    env.update(extra or {})
    return env


def _profile(tmp_path: Path, script: str, *args: str, options=(), env=None) -> tuple[dict, str]:
    program = tmp_path / "train.py"
    program.write_text(script)
    trace = tmp_path / "trace.json"
    proc = subprocess.run([str(_worthit_bin()), "profile", "-o", str(trace), *options, "--",
                           sys.executable, str(program), *args],
                          capture_output=True, text=True, env=_env(env), timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(trace.read_text()), proc.stdout + proc.stderr


def _ops(trace: dict) -> list[dict]:
    return [e for e in trace["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "cpu_op"]


def _inside(events: list[dict], window: dict) -> list[dict]:
    lo, hi = float(window["ts"]), float(window["ts"]) + float(window["dur"])
    return [e for e in events if e.get("pid") == window["pid"] and e.get("tid") == window["tid"]
            and lo <= float(e["ts"]) and float(e["ts"]) + float(e.get("dur", 0)) <= hi]


def test_unmodified_script_gives_every_aten_op_with_shapes(tmp_path):
    if not _observer_built(BUILD / "cli"):
        pytest.skip("this build has no ATen observer (built without libtorch)")
    kineto_path = tmp_path / "kineto.json"
    # Every step, so the comparison window (steps 3 to 5) is captured.
    trace, output = _profile(tmp_path, TRAIN, str(kineto_path), options=("--torch-steps", "all"))
    assert "trained" in output
    assert "warning" not in output, output
    notes = [e for e in trace["traceEvents"] if e.get("name") == "worthit torch capture"]
    assert notes and notes[0]["args"]["mode"] == "observer", notes
    ops = _ops(trace)
    addmm = [e for e in ops if e["name"] == "aten::addmm"]
    assert addmm, "no aten::addmm recorded"
    # Linear(32, 64) on a 16x32 batch: bias [64], input [16, 32], weight^T [32, 64].
    assert [[64], [16, 32], [32, 64], [], []] in [e["args"]["Input Dims"] for e in addmm]
    assert addmm[0]["args"]["Input type"][:3] == ["float", "float", "float"]
    assert "Hot PyTorch ops" in output and "aten::addmm" in output

    # Forward and backward pair up: each autograd node's sequence number names
    # a forward op recorded on the forward thread.
    forward = {(e["args"]["Fwd thread id"], e["args"]["Sequence number"]) for e in ops
               if "Sequence number" in e["args"] and e["args"].get("Scope") != "backward"}
    # (AccumulateGrad nodes belong to leaf tensors, not to a forward op.)
    backward = [e for e in ops if e["args"].get("Scope") == "backward" and "Sequence number" in e["args"]]
    assert backward, "no autograd nodes recorded"
    unpaired = [e["name"] for e in backward
                if (e["args"]["Fwd thread id"], e["args"]["Sequence number"]) not in forward]
    assert not unpaired, unpaired
    assert {"AddmmBackward0", "GeluBackward0", "NativeLayerNormBackward0"} <= {e["name"] for e in backward}

    # The same steps under torch.profiler (record_shapes=True), in the same run:
    # every ATen op name is counted the same number of times.
    mine_window = next(e for e in trace["traceEvents"] if e.get("name") == "compare window")
    kineto = json.loads(kineto_path.read_text())["traceEvents"]
    theirs_window = next(e for e in kineto if e.get("name") == "compare window")
    count = lambda evs: collections.Counter(e["name"] for e in evs
                                            if e.get("cat") == "cpu_op" and e["name"].startswith("aten::"))
    mine = count(_inside(ops, mine_window))
    theirs = count(_inside([e for e in kineto if e.get("ph") == "X"], theirs_window))
    assert sum(mine.values()) > 100
    assert mine == theirs, {k: (mine[k], theirs[k]) for k in set(mine) | set(theirs) if mine[k] != theirs[k]}


def test_by_default_whole_steps_are_sampled(tmp_path):
    """The default captures the first two steps and every tenth, every op in
    them with its shapes, and nothing per op in the others; hot ops come from
    the captured steps and say so."""
    if not _observer_built(BUILD / "cli"):
        pytest.skip("this build has no ATen observer (built without libtorch)")
    script = TRAIN.replace("else:\n    for _ in range(3):", "else:\n    for _ in range(20):")
    assert script != TRAIN
    trace, output = _profile(tmp_path, script)  # 2 + 20 steps
    assert "warning" not in output, output
    events = trace["traceEvents"]
    note = next(e for e in events if e.get("name") == "worthit torch capture")["args"]
    assert note["steps"] == "sampled" and note["optimizer_steps"] == 22, note
    windows = sorted((e for e in events if e.get("name") == "worthit capture"), key=lambda e: e["ts"])
    # Up to the end of step 1, step 10 and step 20 (counting from 0).
    assert len(windows) == 3 and [w["args"]["after_step"] for w in windows] == [False, True, True], windows
    ops = _ops(trace)
    inside = lambda e: any(w["ts"] <= e["ts"] and e["ts"] + e["dur"] <= w["ts"] + w["dur"] + 1 for w in windows)
    assert ops and all(inside(e) for e in ops), [e["name"] for e in ops if not inside(e)][:5]
    steps = [e for e in ops if e["name"].startswith("Optimizer.step#")] + \
        [e for e in events if e.get("name", "").startswith("Optimizer.step#")]
    optimizer = {e["ts"] for e in steps}
    assert len(optimizer) == 4, optimizer  # steps 0, 1, 10 and 20 recorded
    per_step = collections.Counter(e["name"] for e in ops if windows[1]["ts"] <= e["ts"] <= windows[1]["ts"] + windows[1]["dur"])
    assert per_step["aten::addmm"] == 2, per_step  # one captured step: both Linear layers
    assert "3 captured of 22 steps" in output, output


LOADER = textwrap.dedent(
    """
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Squares(Dataset):
        def __len__(self):
            return 32
        def __getitem__(self, i):
            return torch.full((8,), float(i)) * 2.0

    if __name__ == "__main__":
        torch.set_num_threads(1)
        total = 0.0
        for batch in DataLoader(Squares(), batch_size=8, num_workers=2):
            total += float(batch.sum())
        print("sum", total)
    """
)


def test_dataloader_workers_are_captured(tmp_path):
    if not _observer_built(BUILD / "cli"):
        pytest.skip("this build has no ATen observer (built without libtorch)")
    trace, output = _profile(tmp_path, LOADER)
    assert "sum 7936.0" in output  # 8 * 2 * (0 + 1 + ... + 31)
    pids = {e["pid"] for e in _ops(trace) if e["name"] in ("aten::full", "aten::mul")}
    assert len(pids) >= 2, f"ops from {len(pids)} process(es); the two workers make them"
    assert any(e["name"].startswith("enumerate(DataLoader)") for e in trace["traceEvents"])


def test_torch_off_records_no_ops(tmp_path):
    trace, output = _profile(tmp_path, TRAIN, options=["--torch", "off"])
    assert "trained" in output
    assert not _ops(trace)
    assert "Hot PyTorch ops" not in output


def test_other_torch_version_falls_back_to_torch_profiler(tmp_path):
    # A library folder whose observer claims another torch: the hook must not
    # load it, and captures through torch.profiler instead.
    libs = tmp_path / "libs"
    libs.mkdir()
    src = BUILD / "cli"
    for name in ("libworthit_profiler.so", "libworthit_nvtx.so", "libworthit_cuda.so"):
        if (src / name).exists():
            shutil.copy2(src / name, libs / name)
    shutil.copytree(src / "startup", libs / "startup")
    (libs / "libworthit_aten.so").write_bytes(b"not a library: must never be loaded")
    (libs / "libworthit_aten.json").write_text('{"torch_version": "1.0.0", "cxx11_abi": 1}\n')
    trace, output = _profile(tmp_path, TRAIN, env={"WORTHIT_LIB_DIR": str(libs)})
    assert "trained" in output
    assert "built for torch 1.0.0" in output and "torch.profiler" in output
    notes = [e for e in trace["traceEvents"] if e.get("name") == "worthit torch capture"]
    assert notes and notes[0]["args"]["mode"] == "torch.profiler", notes
    assert notes[0]["args"]["clock_aligned"] is True
    addmm = [e for e in _ops(trace) if e["name"] == "aten::addmm"]
    assert addmm and addmm[0]["args"]["Input Dims"][1] == [16, 32]


def test_a_torch_without_profiler_is_a_clear_message_not_a_crash(tmp_path):
    fake = tmp_path / "fake"
    (fake / "torch").mkdir(parents=True)
    (fake / "torch" / "__init__.py").write_text('__version__ = "0.0.1"\n')
    script = "import torch\nprint('imported', torch.__version__)\n"
    trace, output = _profile(tmp_path, script, env={"PYTHONPATH": str(fake)})
    assert "imported 0.0.1" in output
    assert "PyTorch ops: not captured" in output, output
    notes = [e for e in trace["traceEvents"] if e.get("name") == "worthit torch capture"]
    assert notes and notes[0]["args"]["mode"] == "none"


def test_the_programs_own_sitecustomize_still_runs(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import os\nos.environ['OWN_SITE'] = 'ran'\n")
    script = "import os\nprint('own site', os.environ.get('OWN_SITE'))\n"
    _, output = _profile(tmp_path, script, env={"PYTHONPATH": str(own)})
    assert "own site ran" in output


CUDA = textwrap.dedent(
    """
    import torch
    x = torch.randn(1 << 20, device="cuda")
    for _ in range(3):
        y = torch.nn.functional.gelu(x * 2.0)
        loss = y.sum()
        torch.optim.SGD([torch.nn.Parameter(x.clone())], lr=0.1).step()
    torch.cuda.synchronize()
    print("cuda done")
    """
)


def test_cuda_ops_are_timed_by_their_kernels(tmp_path):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here: the op -> kernel link needs a GPU (tested on recorded "
                    "traces in test_hot_ops.cpp)")
    if not (BUILD / "cli" / "libworthit_cuda.so").exists():
        pytest.skip("this build has no CUPTI capture")
    trace, output = _profile(tmp_path, CUDA, options=["--gpu", "on"])
    assert "cuda done" in output
    gelu = [e for e in _ops(trace) if e["name"] == "aten::gelu"]
    assert gelu and gelu[0]["args"]["Device"].startswith("cuda")
    kernels = [e for e in trace["traceEvents"] if e.get("cat") == "kernel"]
    assert kernels, "no kernels captured"
    assert "aten::gelu" in output  # in the hot-ops table, timed by its kernel
