"""Slowdown of a small CPU PyTorch training step under `worthit profile`,
and under torch.profiler, measured in the same run.

    python profiler/bench/train_step_overhead.py --worthit build/<dir>/cli/worthit [--rounds 5]
        [--modes bare,worthit-aten,torch-shapes]

The step is an MLP with LayerNorm/GELU, forward + backward + AdamW: ~300 ATen
ops. Two programs:

- annotated, the way a user would: worthit.scope around the step and its
  phases, NVTX ranges (the `nvtx` package) around forward/backward. Modes:
  `plain` (no profiler), `worthit` (worthit profile --torch off: scopes and
  NVTX only), `torch` (torch.profiler, CPU activity);
- unmodified (no annotations). Modes: `bare` (no profiler), `worthit-aten`
  (worthit profile, its default --torch auto: every ATen op with its shapes),
  `torch-shapes` (torch.profiler with record_shapes=True, the closest
  equivalent).

Each mode runs in its own process; modes are interleaved round by round, and
each process reports the median step time after warm-up. Slowdown = median
over rounds of (mode / its baseline) - 1, the baseline being `plain` for the
annotated modes and `bare` for the unmodified ones.
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


ANNOTATED = ("plain", "worthit", "torch")
UNMODIFIED = ("bare", "worthit-aten", "torch-shapes")
BASELINE = {"worthit": "plain", "torch": "plain", "worthit-aten": "bare", "torch-shapes": "bare"}


def child(mode: str, steps: int, warmup: int) -> None:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    annotated = mode in ANNOTATED
    if annotated:
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

    def annotated_step() -> None:
        with wp.scope("train step"):
            with wp.scope("forward"), nvtx.annotate("forward"):
                loss = torch.nn.functional.cross_entropy(model(x), y)
            with wp.scope("backward"), nvtx.annotate("backward"):
                opt.zero_grad(set_to_none=True)
                loss.backward()
            with wp.scope("optimizer"):
                opt.step()

    def unmodified_step() -> None:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step = annotated_step if annotated else unmodified_step

    def run() -> list[float]:
        times = []
        for i in range(warmup + steps):
            t0 = time.perf_counter_ns()
            step()
            if i >= warmup:
                times.append(time.perf_counter_ns() - t0)
        return times

    if mode in ("torch", "torch-shapes"):
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU], record_shapes=mode == "torch-shapes") as prof:
            times = run()
        ops = len(prof.events())
    else:
        times = run()
        ops = 0
    active = wp.active() if annotated else None
    print(json.dumps({"median_ns": statistics.median(times), "steps": len(times),
                      "torch_events": ops, "worthit_active": active}))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worthit", required=True, help="path of the worthit binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--modes", default=",".join(ANNOTATED + UNMODIFIED),
                    help="comma-separated modes to run (their baselines are added)")
    ap.add_argument("--child", choices=list(ANNOTATED + UNMODIFIED))
    args = ap.parse_args()
    if args.child:
        child(args.child, args.steps, args.warmup)
        return 0

    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--steps", str(args.steps), "--warmup", str(args.warmup), "--worthit", args.worthit]
    wanted = [m for m in args.modes.split(",") if m]
    modes = [m for m in ANNOTATED + UNMODIFIED if m in wanted or m in {BASELINE.get(w) for w in wanted}]
    results: dict[str, list[float]] = {m: [] for m in modes}
    ops_per_step = None
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for mode in modes:
                cmd = me + common + ["--child", mode]
                trace = os.path.join(tmp, f"{mode}.json")
                if mode == "worthit":
                    cmd = [args.worthit, "profile", "--torch", "off", "-o", trace, "--"] + cmd
                elif mode == "worthit-aten":
                    cmd = [args.worthit, "profile", "-o", trace, "--"] + cmd
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                line = next(l for l in out.splitlines() if l.startswith("{"))
                row = json.loads(line)
                if mode == "worthit":
                    assert row["worthit_active"], "worthit.scope was not recording"
                if mode == "worthit-aten":
                    events = json.load(open(trace))["traceEvents"]
                    ops = sum(1 for e in events if e.get("cat") == "cpu_op" and e["name"].startswith("aten::"))
                    assert ops > 0, "no ATen ops were captured"
                    ops_per_step = ops / (args.steps + args.warmup)
                results[mode].append(row["median_ns"])
            print(f"round {r + 1}: " + ", ".join(f"{m} {results[m][-1] / 1e3:.1f} us" for m in results),
                  file=sys.stderr)
    ratio = {m: statistics.median(v / b for v, b in zip(results[m], results[BASELINE[m]])) - 1.0
             for m in modes if m in BASELINE}
    spread = {m: [round(100 * (v / b - 1), 2) for v, b in zip(results[m], results[BASELINE[m]])]
              for m in modes if m in BASELINE}
    print(json.dumps({"step_median_us": {m: statistics.median(v) / 1e3 for m, v in results.items()},
                      "slowdown": ratio, "slowdown_per_round_pct": spread, "rounds": args.rounds,
                      "aten_ops_per_step": ops_per_step}, indent=2))
    if "worthit" in ratio and "torch" in ratio:
        print(f"annotated step: worthit profile (scopes, NVTX) {100 * ratio['worthit']:+.2f}%   "
              f"torch.profiler {100 * ratio['torch']:+.2f}%")
    if "worthit-aten" in ratio and "torch-shapes" in ratio:
        share = ratio["worthit-aten"] / ratio["torch-shapes"] if ratio["torch-shapes"] > 0 else float("nan")
        print(f"unmodified step ({ops_per_step:.0f} ATen ops): worthit profile (ATen capture) "
              f"{100 * ratio['worthit-aten']:+.2f}%   torch.profiler(record_shapes=True) "
              f"{100 * ratio['torch-shapes']:+.2f}%   ratio {share:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
