"""Data-pipeline candidates that run in the native worker (docs/data-pipeline.md).

csv_parse — the input is the CSV file's bytes in memory (a uint8 array over
the harness's buffer). ``prepare`` turns it into a ``bytes`` object once,
untimed: what ``open(path, "rb").read()`` would have given; each candidate
then parses it the way its library reads a file object (``io.BytesIO``).
image_augment — the NumPy way and the fused Cython kernel; the torch and
TensorFlow ones live in pipeline_torch_candidates.py and
pipeline_tensorflow_candidates.py (their own worker processes).
"""

from __future__ import annotations

import csv
import importlib
import io

import numpy as np

from worthit.backends._common import PACKAGE, add, cap_skip
from worthit.candidate import Prepared, RunContext
from worthit.workload import Size

SRC = [f"{PACKAGE}/backends/pipeline_candidates.py"]
CYTHON = "worthit._cython_pipeline"
CYTHON_SRC = [f"{PACKAGE}/_cython_pipeline.pyx", f"{PACKAGE}/backends/pipeline_candidates.py"]
# Pure-Python parsing runs at about 3 M values/s: 10 MiB of text (1.3 M values)
# is about half a second; larger files are skipped.
PYTHON_CSV_MAX_VALUES = 1_400_000
_threads = {"n": 1}


def setup(threads: int) -> None:
    _threads["n"] = threads
    try:
        import pyarrow

        pyarrow.set_cpu_count(threads)  # pandas' pyarrow engine reads with Arrow's pool
        pyarrow.set_io_thread_count(max(threads, 1))
    except ImportError:
        pass


def _csv_bytes(inputs: list[np.ndarray]) -> bytes:
    return inputs[0].tobytes()


def _holder_publish(outputs: list[np.ndarray], holder: list):
    def publish() -> None:
        np.copyto(outputs[0], np.asarray(holder[0]).reshape(outputs[0].shape), casting="same_kind")

    return publish


def csv_python(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    data, holder = _csv_bytes(inputs), [None]

    def run() -> None:
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="ascii", newline=""))
        next(reader)  # the header
        holder[0] = np.array([[float(v) for v in row] for row in reader], dtype=np.float32)

    return Prepared(run, _holder_publish(outputs, holder))


def csv_loadtxt(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    data, holder = _csv_bytes(inputs), [None]

    def run() -> None:
        holder[0] = np.loadtxt(io.BytesIO(data), delimiter=",", skiprows=1, dtype=np.float32)

    return Prepared(run, _holder_publish(outputs, holder))


def csv_pandas(engine: str):
    def prepare(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
        import pandas as pd

        data, holder = _csv_bytes(inputs), [None]

        def run() -> None:
            holder[0] = pd.read_csv(io.BytesIO(data), dtype=np.float32, engine=engine).to_numpy()

        return Prepared(run, _holder_publish(outputs, holder))

    return prepare


def csv_cython(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    parse = importlib.import_module(CYTHON).parse_csv
    text, out, threads = inputs[0], outputs[0], ctx.threads
    return Prepared(lambda: parse(text, out, threads))


def augment_numpy(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    images, params, mean, std = inputs
    (out,) = outputs
    crop = out.shape[2]
    scale = (1.0 / (255.0 * std)).astype(np.float32)[:, None, None]
    bias = (-mean / std).astype(np.float32)[:, None, None]
    plist = params.tolist()

    def run() -> None:
        for b, (y0, x0, flip) in enumerate(plist):
            view = images[b, y0:y0 + crop, x0:x0 + crop]
            if flip:
                view = view[:, ::-1]  # a view: the flip costs nothing until the multiply reads it
            np.multiply(view.transpose(2, 0, 1), scale, out=out[b])
            out[b] += bias

    return Prepared(run)


def augment_cython(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    fn = importlib.import_module(CYTHON).augment
    images, params, mean, std = inputs
    out, threads = outputs[0], ctx.threads
    return Prepared(lambda: fn(images, params, mean, std, out, threads))


def _values(size: Size) -> float:
    return float(size["rows"] * size["cols"])


add("csv_parse", "python-csv", "native", csv_python, language="python", framework=True, requires=(), family="python",
    sources=SRC, description="csv.reader + float() per field, np.array at the end",
    skip=cap_skip(PYTHON_CSV_MAX_VALUES, "values", _values))
add("csv_parse", "numpy-loadtxt", "native", csv_loadtxt, language="python", framework=True,
    requires=("numpy",), sources=SRC, toolchains=["numpy"], description="numpy.loadtxt(dtype=float32)")
add("csv_parse", "pandas-c", "native", csv_pandas("c"), language="python", framework=True,
    requires=("pandas",), sources=SRC, toolchains=["pandas"],
    description="pandas.read_csv(engine='c', dtype=float32)")
add("csv_parse", "pandas-pyarrow", "native", csv_pandas("pyarrow"), language="python", framework=True,
    requires=("pandas", "pyarrow"), sources=SRC, toolchains=["pandas", "pyarrow"],
    description="pandas.read_csv(engine='pyarrow', dtype=float32): Arrow's multi-threaded reader")
add("csv_parse", "cython", "native", csv_cython, language="cython", framework=False, requires=(CYTHON,),
    sources=CYTHON_SRC, toolchains=["cython", "openmp", "python-headers"],
    description="line starts, then strtof per field; rows in prange")
add("image_augment", "numpy", "native", augment_numpy, language="python", framework=True, requires=("numpy",),
    sources=SRC, toolchains=["numpy"], description="per image: strided views for crop and flip, multiply-add into the output")
add("image_augment", "cython", "native", augment_cython, language="cython", framework=False, requires=(CYTHON,),
    sources=CYTHON_SRC, toolchains=["cython", "openmp", "python-headers"],
    description="fused crop/flip/normalize/CHW, prange over images")
