"""Data-pipeline workloads from Python (docs/data-pipeline.md): every Python
candidate of csv_parse and image_augment through the real worker and its
correctness gate, the Cython parser's malformed-input errors, and the
example training loop."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import PACKAGE_DIR, REPO, have, run_workers

PIPELINE = ["csv_parse", "image_augment"]
# Small sizes with odd shapes: uneven thread partitions, crops at the edges.
SIZES = ["rows=3001,cols=7", "batch=5,height=37,width=29,crop=17"]
EXPECTED = {
    "csv_parse": {"python-csv": None, "numpy-loadtxt": "numpy", "pandas-c": "pandas",
                  "pandas-pyarrow": "pyarrow", "cython": "worthit._cython_pipeline",
                  "tf-decode-csv": "tensorflow"},
    "image_augment": {"numpy": "numpy", "cython": "worthit._cython_pipeline", "torch-ops": "torch",
                      "torchvision-v2": "torchvision", "tf-image": "tensorflow"},
}


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    tmp = tmp_path_factory.mktemp("pipeline")
    out = []
    for workload, size in zip(PIPELINE, SIZES):
        out += run_workers({"workload_globs": [workload], "sizes": [size], "quick": False}, tmp / workload)
    return out


def _row(rows: list[dict], workload: str, backend: str) -> dict:
    found = [r for r in rows if r["workload"] == workload and r["backend"] == backend]
    assert found, f"{workload}/{backend} did not run: {[(r['workload'], r['backend']) for r in rows]}"
    return found[0]


@pytest.mark.parametrize("workload,backend,module",
                         [(w, b, m) for w, cands in EXPECTED.items() for b, m in cands.items()])
def test_candidate_passes_the_gate(rows, workload, backend, module):
    row = _row(rows, workload, backend)
    if module is not None and not have(module):
        assert row["status"] == "unavailable" and module.split(".")[-1] in row["reason"], row
        pytest.skip(f"{module} is not installed: the candidate reports '{row['reason']}'")
    assert row["status"] == "ok", f"{row['status']}: {row['reason']}"
    assert row["correctness"]["passed"], row["correctness"]


def test_python_csv_is_capped_on_large_files(tmp_path):
    from worthit.backends.pipeline_candidates import PYTHON_CSV_MAX_VALUES
    from worthit.workload import Size

    from worthit.candidate import REGISTRY
    import worthit.backends.pipeline_candidates  # noqa: F401 - registers

    c = next(c for c in REGISTRY.candidates("csv_parse") if c.backend == "python-csv")
    assert c.skip(Size("x", {"rows": 832000, "cols": 16})) is not None
    assert c.skip(Size("x", {"rows": PYTHON_CSV_MAX_VALUES // 16, "cols": 16})) is None


def _csv_case(rows: int, cols: int, seed: int = 3):
    from worthit.candidate import REGISTRY

    w = REGISTRY.workload("csv_parse")
    case = w.make_case(w.make_size({"rows": rows, "cols": cols}), seed)
    return case.inputs[0], case.expected.arrays()[0]


@pytest.mark.skipif(not have("worthit._cython_pipeline"), reason="the Cython module is not built")
def test_cython_parser_matches_and_reports_malformed_rows():
    k = importlib.import_module("worthit._cython_pipeline")
    text, expected = _csv_case(1000, 6)
    out = np.full_like(expected, np.nan)
    k.parse_csv(text, out, 2)
    np.testing.assert_allclose(out, expected, rtol=2.5e-7)

    lines = bytes(text).split(b"\n")
    lines[501] = lines[501].replace(b",", b",x", 1)  # line 502 of the file, field 2
    bad = np.frombuffer(b"\n".join(lines), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"line 502, column 2"):
        k.parse_csv(bad, out, 2)
    lines = bytes(text).split(b"\n")
    lines[10] = lines[10].rsplit(b",", 1)[0]  # a short row
    with pytest.raises(ValueError, match=r"line 11, column 5"):
        k.parse_csv(np.frombuffer(b"\n".join(lines), dtype=np.uint8), out, 1)
    with pytest.raises(ValueError, match="expected 1000 data rows"):
        k.parse_csv(np.frombuffer(b"a\n1\n", dtype=np.uint8), out, 1)
    with pytest.raises(ValueError, match="non-empty"):
        k.parse_csv(np.zeros(0, dtype=np.uint8), out, 1)


def test_csv_text_has_a_header_and_every_value_shape():
    text, expected = _csv_case(200, 5)
    s = bytes(text).decode()
    assert s.startswith("c0,c1,c2,c3,c4\n") and s.endswith("\n")
    assert "e-" in s and "E+" in s and "-" in s
    assert expected.shape == (200, 5) and expected.dtype == np.float32


def test_augment_params_are_inputs_shared_by_all():
    from worthit.candidate import REGISTRY

    w = REGISTRY.workload("image_augment")
    size = w.make_size({"batch": 16, "height": 40, "width": 40, "crop": 32})
    a, b = w.make_case(size, 11), w.make_case(size, 11)
    assert a.input_names == ["images", "params", "mean", "std"]
    np.testing.assert_array_equal(a.inputs[1], b.inputs[1])
    assert a.inputs[1].dtype == np.int32 and a.inputs[1].shape == (16, 3)
    assert set(np.unique(a.inputs[1][:, 2])) <= {0, 1}


@pytest.mark.skipif(not have("torch"), reason="torch is not installed")
def test_example_training_loop_runs(tmp_path):
    env = dict(os.environ, PYTHONPATH=PACKAGE_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(REPO / "examples" / "input_bound_training.py"), "--rows", "4000",
                           "--epochs", "1", "--csv", str(tmp_path / "train.csv")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "steps" in proc.stdout
