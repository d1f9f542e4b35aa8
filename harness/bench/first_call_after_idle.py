"""How much slower the first calls after an idle pause run: the measurement
behind `worthit bench --warmup` (docs/measurement.md, "Warm-up").

    python harness/bench/first_call_after_idle.py [--threads 1] [--trials 12]

For each pause, sleeps that long, then times 12 back-to-back 512x512 fp32
matmuls (torch); prints the median over trials of each call's time, so the
first columns show the wake-up and the later ones the warm rate.
"""
import argparse
import statistics
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--trials", type=int, default=12)
    ap.add_argument("--calls", type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    for _ in range(20):
        a @ b
    print(f"torch {torch.__version__}, {args.threads} thread(s), 512x512 matmul, ms per call k "
          f"(median of {args.trials} trials)")
    for pause in (0.2, 0.05, 0.02, 0.0):
        trials = []
        for _ in range(args.trials):
            time.sleep(pause)
            calls = []
            for _ in range(args.calls):
                t0 = time.perf_counter()
                a @ b
                calls.append((time.perf_counter() - t0) * 1e3)
            trials.append(calls)
        medians = [statistics.median(c) for c in zip(*trials)]
        print(f"after {pause * 1e3:5.0f} ms idle: " + " ".join(f"{m:.1f}" for m in medians))


if __name__ == "__main__":
    main()
