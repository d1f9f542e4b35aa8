#!/usr/bin/env python3
"""A small torch training loop whose DataLoader parses CSV: the classic
input-bound step. docs/data-pipeline.md walks through it:

    worthit profile -o train.trace.json -- python examples/input_bound_training.py
    # -> "Input pipeline: input-bound: 8x.x% of step time waiting for input"
    worthit bench --workloads csv_parse -o csv.json && worthit report csv.json --trace train.trace.json

The Dataset keeps the file's lines and parses one line per __getitem__ with
float() (what many hand-written Datasets do); `--parser pandas` parses the
whole file once up front with pandas' C engine instead, the usual fix. Each
iteration is a worthit scope "step", with "data" around fetching the batch
inside it (and "csv_parse" too when the fetch is parsing), which
`worthit profile` records
(through worthit.profiling when the package is importable, else straight
through the profiler runtime's C API); outside `worthit profile` they cost
nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, TensorDataset


def _scope_factory():
    try:
        from worthit.profiling import scope  # the package's own scopes, when installed

        return scope
    except ImportError:
        pass
    lib_path = os.environ.get("WORTHIT_PROFILER_LIB")  # set by `worthit profile` for its children
    if not lib_path:
        return lambda name: contextlib.nullcontext()
    lib = ctypes.CDLL(lib_path)
    lib.worthit_profiler_intern.restype = ctypes.c_void_p
    lib.worthit_profiler_intern.argtypes = [ctypes.c_char_p]
    lib.worthit_profiler_begin.argtypes = [ctypes.c_void_p]
    names: dict[str, int] = {}

    @contextlib.contextmanager
    def scope(name: str):
        handle = names.get(name) or names.setdefault(name, lib.worthit_profiler_intern(name.encode()))
        lib.worthit_profiler_begin(handle)
        try:
            yield
        finally:
            lib.worthit_profiler_end()

    return scope


scope = _scope_factory()


def write_csv(path: Path, rows: int, features: int, seed: int = 0) -> None:
    """Normal features (with '%g', small ones come out in scientific
    notation) and a label that is a noisy linear function of them."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, features)).astype(np.float32)
    w = rng.standard_normal(features).astype(np.float32) / np.sqrt(features)
    y = x @ w + 0.1 * rng.standard_normal(rows).astype(np.float32)
    header = ",".join([f"f{i}" for i in range(features)] + ["label"])
    np.savetxt(path, np.column_stack([x, y]), fmt="%.6g", delimiter=",", header=header, comments="")


class CsvLines(Dataset):
    """One CSV line per item, parsed on access."""

    def __init__(self, path: Path):
        with open(path) as f:
            next(f)  # header
            self.lines = f.readlines()

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int):
        values = [float(v) for v in self.lines[i].split(",")]
        return torch.tensor(values[:-1]), torch.tensor(values[-1])


def parsed_up_front(path: Path) -> Dataset:
    import pandas as pd

    t = torch.tensor(pd.read_csv(path, dtype=np.float32, engine="c").to_numpy())
    return TensorDataset(t[:, :-1].contiguous(), t[:, -1].contiguous())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=Path("input_bound_train.csv"),
                    help="the training file (written when missing)")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--features", type=int, default=16)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--parser", choices=["python", "pandas"], default="python",
                    help="python: float() per field in __getitem__; pandas: the whole file once, up front")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    if not args.csv.exists():
        write_csv(args.csv, args.rows, args.features)
    start = time.perf_counter()
    data = CsvLines(args.csv) if args.parser == "python" else parsed_up_front(args.csv)
    setup_s = time.perf_counter() - start
    if args.parser == "python":
        loader = DataLoader(data, batch_size=args.batch, shuffle=True, num_workers=0)
    else:  # tensors in memory: index a whole batch at once instead of collating rows
        sampler = BatchSampler(RandomSampler(data), batch_size=args.batch, drop_last=False)
        loader = DataLoader(data, batch_size=None, sampler=sampler, num_workers=0)
    features = data[0][0].numel()
    model = torch.nn.Sequential(torch.nn.Linear(features, args.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(args.hidden, args.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(args.hidden, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.MSELoss()

    steps, wait_s, step_s = 0, 0.0, 0.0
    for _ in range(args.epochs):
        it = iter(loader)
        while True:
            with scope("step"):
                t0 = time.perf_counter()
                with scope("data"), (scope("csv_parse") if args.parser == "python" else contextlib.nullcontext()):
                    batch = next(it, None)
                t1 = time.perf_counter()
                if batch is None:
                    break
                x, y = batch
                opt.zero_grad()
                loss = loss_fn(model(x).squeeze(1), y)
                loss.backward()
                opt.step()
                t2 = time.perf_counter()
            steps += 1
            wait_s += t1 - t0
            step_s += t2 - t1
    total = wait_s + step_s
    print(f"{steps} steps, parser={args.parser}: {total:.3f} s in the loop, {wait_s:.3f} s waiting for data "
          f"({100 * wait_s / max(total, 1e-12):.1f}%), {step_s:.3f} s computing; setup {setup_s:.3f} s; "
          f"final loss {loss.item():.4g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
