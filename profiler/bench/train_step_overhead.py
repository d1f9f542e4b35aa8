"""Slowdown of a small CPU PyTorch training step under `worthit profile`,
and under torch.profiler, measured in the same run.

    python profiler/bench/train_step_overhead.py --worthit build/<dir>/cli/worthit [--rounds 5]
        [--modes bare,worthit-aten,worthit-aten-all,torch-shapes,rf-ids]

The step is an MLP with LayerNorm/GELU, forward + backward + AdamW: ~1500
ATen ops of a few microseconds each (nested ops counted; the worst case for
per-op capture). Two programs:

- annotated, the way a user would: worthit.scope around the step and its
  phases, NVTX ranges (the `nvtx` package) around forward/backward. Modes:
  `plain` (no profiler), `worthit` (worthit profile --torch off: scopes and
  NVTX only), `torch` (torch.profiler, CPU activity);
- unmodified (no annotations). Modes: `bare` (no profiler), `worthit-aten`
  (worthit profile, its default: sampled steps, every op in them with its
  shapes), `worthit-aten-all` (every step, --torch-steps all),
  `torch-shapes` (torch.profiler with record_shapes=True, the closest
  equivalent), `rf-ids`, `rf-inputs`, `rf-outputs` (empty RecordFunction
  observers, empty_observer.cpp: what torch's own dispatch of per-op
  callbacks costs without arguments, with inputs, with inputs and outputs;
  the floors under any per-op capture; built with torch.utils.cpp_extension
  on first use).

Two measures of the slowdown, both printed:

- in-process pairing (the one to quote): inside each process, after warm-up,
  blocks of 5 steps alternate between RecordFunction on and off for the
  thread (torch._C._autograd._enable_record_function), which switches every
  per-op observer; slowdown = median(on) / median(off) - 1, then the median
  over rounds. `bare` is the null check (about 0).
- across processes: each mode in its own process, modes interleaved round by
  round; slowdown = median over rounds of (mode / its baseline) - 1, the
  baseline being `plain` for the annotated modes and `bare` for the
  unmodified ones. On a shared VM one process's steps differ from the next's
  by up to 25%, so this one is noise at these sizes; it is the only measure
  for the annotated modes (worthit scopes are not RecordFunction).
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
FLOORS = {"rf-ids": (False, False), "rf-inputs": (True, False), "rf-outputs": (True, True)}
UNMODIFIED = ("bare", "worthit-aten", "worthit-aten-all", "torch-shapes") + tuple(FLOORS)
BASELINE = {"worthit": "plain", "torch": "plain", "worthit-aten": "bare", "worthit-aten-all": "bare",
            "torch-shapes": "bare",
            **{m: "bare" for m in FLOORS}}


PAIRED_BLOCK = 5  # steps per block of the in-process pairing


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
    if mode in FLOORS:
        from torch.utils.cpp_extension import load

        here = Path(__file__).resolve().parent
        load("worthit_empty_observer", [str(here / "empty_observer.cpp")],
             extra_cflags=["-O2", "-DNDEBUG"]).install(*FLOORS[mode])

    # In-process pairing: after warm-up, blocks of steps alternate between
    # RecordFunction on and off on this thread, which switches every per-op
    # observer (worthit's, torch.profiler's, the empty ones) on and off; the
    # two medians come from the same process and the same stretch of time.
    set_rf = torch._C._autograd._enable_record_function
    on: list[float] = []
    off: list[float] = []

    def run() -> list[float]:
        times = []
        for i in range(warmup + steps):
            capture = i < warmup or ((i - warmup) // PAIRED_BLOCK) % 2 == 0
            set_rf(capture)
            t0 = time.perf_counter_ns()
            step()
            dt = time.perf_counter_ns() - t0
            if i >= warmup:
                times.append(dt)
                (on if capture else off).append(dt)
        set_rf(True)
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
                      "paired": statistics.median(on) / statistics.median(off) - 1.0,
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
    paired: dict[str, list[float]] = {m: [] for m in modes}
    ops_per_step = None
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for mode in modes:
                cmd = me + common + ["--child", mode]
                trace = os.path.join(tmp, f"{mode}.json")
                if mode == "worthit":
                    cmd = [args.worthit, "profile", "--torch", "off", "-o", trace, "--"] + cmd
                elif mode in ("worthit-aten", "worthit-aten-all"):
                    steps = "all" if mode == "worthit-aten-all" else "sampled"
                    cmd = [args.worthit, "profile", "--torch-steps", steps, "-o", trace, "--"] + cmd
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                line = next(l for l in out.splitlines() if l.startswith("{"))
                row = json.loads(line)
                if mode == "worthit":
                    assert row["worthit_active"], "worthit.scope was not recording"
                if mode in ("worthit-aten", "worthit-aten-all"):
                    # Per captured step: each one ends with a recorded optimizer step.
                    events = json.load(open(trace))["traceEvents"]
                    ops = sum(1 for e in events if e.get("cat") == "cpu_op" and e["name"].startswith("aten::"))
                    steps = sum(1 for e in events if e.get("name", "").startswith("Optimizer.step#"))
                    assert ops > 0 and steps > 0, "no ATen ops were captured"
                    ops_per_step = ops / steps
                results[mode].append(row["median_ns"])
                paired[mode].append(row["paired"])
            print(f"round {r + 1}: " + ", ".join(f"{m} {results[m][-1] / 1e3:.1f} us" for m in results),
                  file=sys.stderr)
    ratio = {m: statistics.median(v / b for v, b in zip(results[m], results[BASELINE[m]])) - 1.0
             for m in modes if m in BASELINE}
    spread = {m: [round(100 * (v / b - 1), 2) for v, b in zip(results[m], results[BASELINE[m]])]
              for m in modes if m in BASELINE}
    in_process = {m: statistics.median(v) for m, v in paired.items() if m in UNMODIFIED}
    print(json.dumps({"step_median_us": {m: statistics.median(v) / 1e3 for m, v in results.items()},
                      "slowdown": ratio, "slowdown_per_round_pct": spread,
                      "slowdown_in_process": in_process,
                      "slowdown_in_process_per_round_pct": {m: [round(100 * x, 2) for x in paired[m]]
                                                            for m in in_process},
                      "rounds": args.rounds, "aten_ops_per_step": ops_per_step}, indent=2))
    for mode in ("worthit-aten", "worthit-aten-all"):
        if mode in in_process and "torch-shapes" in in_process:
            w, t = in_process[mode], in_process["torch-shapes"]
            what = "sampled steps, the default" if mode == "worthit-aten" else "every step, --torch-steps all"
            print(f"in-process pairing (RecordFunction on/off in blocks of {PAIRED_BLOCK} steps): "
                  f"worthit profile ({what}) {100 * w:+.2f}%   torch.profiler(record_shapes=True) "
                  f"{100 * t:+.2f}%   ratio {w / t if t > 0 else float('nan'):.3f}   "
                  f"(bare, the null check: {100 * in_process.get('bare', float('nan')):+.2f}%)")
    for mode in FLOORS:
        if mode in in_process:
            print(f"in-process pairing, {mode}: {100 * in_process[mode]:+.2f}%")
    if "worthit" in ratio and "torch" in ratio:
        print(f"annotated step: worthit profile (scopes, NVTX) {100 * ratio['worthit']:+.2f}%   "
              f"torch.profiler {100 * ratio['torch']:+.2f}%")
    if "worthit-aten" in ratio and "torch-shapes" in ratio:
        share = ratio["worthit-aten"] / ratio["torch-shapes"] if ratio["torch-shapes"] > 0 else float("nan")
        print(f"across processes, unmodified step ({ops_per_step:.0f} ATen ops): worthit profile "
              f"{100 * ratio['worthit-aten']:+.2f}%   torch.profiler(record_shapes=True) "
              f"{100 * ratio['torch-shapes']:+.2f}%   ratio {share:.3f}")
    for mode, (inputs, outputs) in FLOORS.items():
        if mode in ratio:
            what = "ids" + (", inputs" if inputs else "") + (", outputs" if outputs else "")
            print(f"an empty RecordFunction observer ({what}): {100 * ratio[mode]:+.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
