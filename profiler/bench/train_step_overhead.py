"""Slowdown of a small CPU PyTorch training step under `worthit profile`,
and under torch.profiler, measured in the same run.

    python profiler/bench/train_step_overhead.py --worthit build/<dir>/cli/worthit [--rounds 5]

The step (an MLP with LayerNorm/GELU, forward + backward + AdamW: ~300 ATen
ops) is annotated the way a user would: worthit.scope around the step and its
phases, NVTX ranges (the `nvtx` package) around forward/backward. Each mode
runs in its own process; modes are interleaved round by round, and each
process reports the median step time after warm-up. Slowdown = median over
rounds of (mode / plain) - 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(mode: str, steps: int, warmup: int) -> None:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    import nvtx
    import worthit.profiling as wp

    width, depth = 128, 8
    layers = []
    for _ in range(depth):
        layers += [torch.nn.Linear(width, width), torch.nn.LayerNorm(width), torch.nn.GELU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(32, width)
    y = torch.randint(0, 10, (32,))

    @wp.scope("train step")
    def step() -> None:
        with wp.scope("forward"), nvtx.annotate("forward"):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        with wp.scope("backward"), nvtx.annotate("backward"):
            opt.zero_grad(set_to_none=True)
            loss.backward()
        with wp.scope("optimizer"):
            opt.step()

    def run() -> list[float]:
        times = []
        for i in range(warmup + steps):
            t0 = time.perf_counter_ns()
            step()
            if i >= warmup:
                times.append(time.perf_counter_ns() - t0)
        return times

    if mode == "torch":
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            times = run()
        ops = len(prof.events())
    else:
        times = run()
        ops = 0
    print(json.dumps({"median_ns": statistics.median(times), "steps": len(times),
                      "torch_events": ops, "worthit_active": wp.active()}))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worthit", required=True, help="path of the worthit binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--child", choices=["plain", "worthit", "torch"])
    args = ap.parse_args()
    if args.child:
        child(args.child, args.steps, args.warmup)
        return 0

    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--steps", str(args.steps), "--warmup", str(args.warmup), "--worthit", args.worthit]
    results: dict[str, list[float]] = {"plain": [], "worthit": [], "torch": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for mode in ("plain", "worthit", "torch"):
                cmd = me + common + ["--child", mode]
                if mode == "worthit":
                    cmd = [args.worthit, "profile", "-o", os.path.join(tmp, "t.json"), "--"] + cmd
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                line = next(l for l in out.splitlines() if l.startswith("{"))
                row = json.loads(line)
                if mode == "worthit":
                    assert row["worthit_active"], "worthit.scope was not recording"
                results[mode].append(row["median_ns"])
            print(f"round {r + 1}: " + ", ".join(f"{m} {results[m][-1] / 1e3:.1f} us" for m in results),
                  file=sys.stderr)
    plain = results["plain"]
    ratio = {m: statistics.median(v / p for v, p in zip(results[m], plain)) - 1.0
             for m in ("worthit", "torch")}
    print(json.dumps({"step_median_us": {m: statistics.median(v) / 1e3 for m, v in results.items()},
                      "slowdown": ratio, "rounds": args.rounds}, indent=2))
    print(f"worthit profile slowdown: {100 * ratio['worthit']:+.2f}%   "
          f"torch.profiler slowdown: {100 * ratio['torch']:+.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
